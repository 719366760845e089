/* mreplace: runs a program with its malloc family replaced by an allocator,
 * with the same checks as mstats and no report, in the sandbox with its
 * working directory writable (a real program writes its files there). Exits with the program's own
 * status, or with the code of a check that fired (mstats --explain); a death
 * by signal exits 128 + signal, as a shell reports it. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "single_run.h"

static SingleRunOptions options;

static int usage_error(const char *message)
{
    fprintf(stderr, "mreplace: %s (see mreplace --help)\n", message);
    return 2;
}

int main(int argc, char **argv)
{
    mstats_cli_start();
    g_autoptr(GOptionContext) context = g_option_context_new("PROGRAM [ARG…]");
    g_option_context_set_summary(context, "Runs PROGRAM with its malloc family replaced by an "
                                          "allocator, checked like mstats, without a report.");
    g_option_context_add_main_entries(
        context,
        single_run_entries(&options, "Stop the program after SECONDS (default 0 = never)",
                           "Let the run write PATH too, an existing directory or file "
                           "(repeatable); the working directory is writable already, the rest "
                           "of the sandbox read-only"),
        NULL);
    g_option_context_set_strict_posix(context, TRUE);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &error))
        return usage_error(error->message);
    /* mreplace runs the user's own programs (a compiler, a build), which
     * write their files where they run. */
    options.writable_cwd = TRUE;

    MstatsRunRequest request;
    mstats_run_request_init(&request);
    MstatsRunResult result;
    int failed =
        single_run("mreplace", &options, single_run_program(argc, argv), &request, &result);
    if (failed >= 0)
        return failed;
    int status;
    if (result.code == MSTATS_CODE_OK || result.code_is_exit_status) {
        status = result.exit_status; /* the program's own status */
    } else if (result.code == MSTATS_CODE_SIGNAL) {
        status = 128 + result.signal;
    } else {
        /* A check fired: say which on stderr, the program's stdout stays clean. */
        fprintf(stderr, "mreplace: %d %s\n", result.code, result.reason);
        status = result.code;
    }
    mstats_run_result_clear(&result);
    return status;
}
