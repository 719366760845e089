/* mreplace: runs a program with its malloc family replaced by an allocator,
 * with the same checks as mstats and no report. Exits with the program's own
 * status, or with the code of a check that fired (mstats --explain); a death
 * by signal exits 128 + signal, as a shell reports it. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

static char *allocator;
static double timeout;
static char *memory_limit;

static const GOptionEntry entries[] = {
    {"allocator", 'a', 0, G_OPTION_ARG_STRING, &allocator,
     "Allocator: first-fit (default), next-fit, best-fit, worst-fit, no-reuse, libc, or a path "
     "to a .so (also $MSTATS_ALLOCATOR)",
     "NAME|PATH"},
    {"timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout,
     "Stop the program after SECONDS (default 0 = never)", "SECONDS"},
    {"memory-limit", 'm', 0, G_OPTION_ARG_STRING, &memory_limit,
     "Stop the program when its heap passes SIZE (default 2.5G)", "SIZE"},
    G_OPTION_ENTRY_NULL,
};

static int usage_error(const char *message)
{
    fprintf(stderr, "mreplace: %s (see mreplace --help)\n", message);
    return 2;
}

int main(int argc, char **argv)
{
    g_autoptr(GOptionContext) context = g_option_context_new("PROGRAM [ARG…]");
    g_option_context_set_summary(context, "Runs PROGRAM with its malloc family replaced by an "
                                          "allocator, checked like mstats, without a report.");
    g_option_context_add_main_entries(context, entries, NULL);
    g_option_context_set_strict_posix(context, TRUE);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &error))
        return usage_error(error->message);
    if (argc > 1 && strcmp(argv[1], "--") == 0) {
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    if (argc < 2)
        return usage_error("no PROGRAM given");

    MstatsRunRequest request;
    mstats_run_request_init(&request);
    if (!mstats_parse_limits(timeout, memory_limit, &request.memory_limit, &error))
        return usage_error(error->message);
    request.allocator = allocator != NULL ? allocator : g_getenv("MSTATS_ALLOCATOR");
    request.timeout_seconds = timeout;
    request.argv = argv + 1;
    fflush(stdout);

    request.take_terminal = TRUE;
    mstats_forward_stop_signals();

    MstatsRunResult result;
    if (!mstats_run(&request, &result, &error)) {
        fprintf(stderr, "mreplace: %s\n", error->message);
        mstats_run_result_clear(&result);
        return g_error_matches(error, MSTATS_ERROR, MSTATS_ERROR_USAGE) ? 2 : 1;
    }
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
