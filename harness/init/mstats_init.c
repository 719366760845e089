/* mstats-init: writes a student's starter kit (alloc.c, a Makefile, a CMake
 * file, .gitignore, a README with the next commands, the course rubric) into
 * a directory. Option parsing and messages only; the files are in kit.c. */
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "cli.h"
#include "kit.h"

#ifndef MSTATS_VERSION
#define MSTATS_VERSION "unknown"
#endif

static gboolean show_version;

static const GOptionEntry entries[] = {
    {"version", 0, 0, G_OPTION_ARG_NONE, &show_version, "Print the version and exit", NULL},
    G_OPTION_ENTRY_NULL,
};

/* One line on stderr naming the problem; exit status 2. */
static int usage_error(const char *message)
{
    fprintf(stderr, "mstats-init: %s (see mstats-init --help)\n", message);
    return 2;
}

/* TRUE when `dir` is one of the folders of $PATH. */
static gboolean on_path(const char *dir)
{
    g_auto(GStrv) folders = g_strsplit(g_getenv("PATH") ? g_getenv("PATH") : "", ":", -1);
    for (char **folder = folders; *folder != NULL; folder++) {
        g_autofree char *canonical = g_canonicalize_filename(*folder, NULL);
        if (strcmp(canonical, dir) == 0)
            return TRUE;
    }
    return FALSE;
}

/* What was written, and the commands that come next. */
static void print_next_steps(const char *dir)
{
    gsize count;
    const KitFile *files = kit_files(&count);
    GString *names = g_string_new(NULL);
    for (gsize i = 0; i < count; i++)
        g_string_append_printf(names, "%s%s", i ? " " : "", files[i].target);
    printf("mstats-init: wrote %s in %s\n", names->str, dir);
    g_string_free(names, TRUE);
    g_autofree char *bin = mstats_bin_dir(NULL);
    if (bin != NULL && !on_path(bin))
        printf("first put mstats on your PATH: export PATH=%s:$PATH\n", bin);
    /* Quoted only when the shell needs it, so the usual line reads plainly. */
    gboolean plain = dir[strspn(dir, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_./+-")] == '\0';
    g_autofree char *shown = plain ? g_strdup(dir) : g_shell_quote(dir);
    printf("next: cd %s && make && mstats -a ./alloc.so tester-1   (more in README.md)\n", shown);
}

int main(int argc, char **argv)
{
    mstats_cli_start();
    g_autoptr(GOptionContext) context = g_option_context_new("DIR");
    g_option_context_set_summary(
        context, "Write a starter kit for a heap allocator into DIR (created if missing): alloc.c, "
                 "a working first-fit malloc/free/calloc/realloc on sbrk to improve; a Makefile "
                 "and a CMakeLists.txt with flags that work; .gitignore; README.md with the next "
                 "commands; course.ini, the course's rubric. Existing files are never "
                 "overwritten.");
    g_option_context_set_description(
        context, "Exit status: 0 when the kit was written, 1 when it could not be (a file "
                 "exists, DIR cannot be written), 2 for a usage error.");
    g_option_context_add_main_entries(context, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &error))
        return usage_error(error->message);
    if (show_version) {
        printf("mstats-init %s\n", MSTATS_VERSION);
        return 0;
    }
    if (argc != 2 || argv[1][0] == '\0')
        return usage_error(argc < 2 ? "give the directory to write the kit into: mstats-init DIR"
                                    : "give one directory: mstats-init DIR");
    g_autofree char *kit = kit_dir(&error);
    if (kit == NULL || !kit_write(kit, argv[1], &error)) {
        fprintf(stderr, "mstats-init: %s\n", error->message);
        return 1;
    }
    print_next_steps(argv[1]);
    return 0;
}
