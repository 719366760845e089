/* The start of every harness program (cli.h). */
#include "cli.h"

#include <glib.h>
#include <locale.h>
#include <stdio.h>

/* g_print's output, unconverted: GLib's texts are UTF-8. */
static void print_utf8(const char *text)
{
    fputs(text, stdout);
}

void mstats_cli_start(void)
{
    setlocale(LC_CTYPE, "");
    g_set_print_handler(print_utf8);
}
