/* The run set-up mstats and mreplace share (single_run.h). */
#include "single_run.h"

#include <stdio.h>
#include <string.h>

#include "sandbox.h"

const GOptionEntry *single_run_entries(SingleRunOptions *options, const char *timeout_help,
                                       const char *writable_help)
{
    static GOptionEntry entries[10];
    GOptionEntry filled[] = {
        {"allocator", 'a', 0, G_OPTION_ARG_STRING, &options->allocator,
         "Allocator: first-fit (default), next-fit, best-fit, worst-fit, no-reuse, segregated-fit, "
         "buddy, libc, jemalloc, mimalloc, tcmalloc (time only), or a path to a .so (also "
         "$MSTATS_ALLOCATOR)",
         "NAME|PATH"},
        {"timeout", 't', 0, G_OPTION_ARG_DOUBLE, &options->timeout, timeout_help, "SECONDS"},
        {"memory-limit", 'm', 0, G_OPTION_ARG_STRING, &options->memory_limit,
         "Stop the program when its heap passes SIZE (default 2.5G; K, M, G suffixes); all its "
         "memory is bounded to twice SIZE plus 256M",
         "SIZE"},
        {"align", 0, 0, G_OPTION_ARG_INT, &options->alignment,
         "Check that every block is aligned to BYTES: 16 (the default), 8 for courses whose "
         "allocators return 8-aligned blocks, or 1 to check none (as the courses' contest "
         "harnesses did)",
         "BYTES"},
        {"no-sandbox", 0, 0, G_OPTION_ARG_NONE, &options->no_sandbox,
         "Run the program outside the bubblewrap sandbox (for debugging; the report says so)",
         NULL},
        {"writable", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options->writable, writable_help, "PATH"},
        {"witness-all", 0, 0, G_OPTION_ARG_NONE, &options->witness_all,
         "Witness the heap through the kernel even for trusted allocators (built-in strategies, "
         "libc), as every other allocator is: to check the witness or measure its cost",
         NULL},
        {"no-witness", 0, 0, G_OPTION_ARG_NONE, &options->no_witness,
         "Do not witness the heap (to debug the program with gdb, which cannot attach to a "
         "witnessed one; the report says the figures are not witnessed)",
         NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &options->version, "Print the version and exit", NULL},
        G_OPTION_ENTRY_NULL,
    };
    memcpy(entries, filled, sizeof entries);
    return entries;
}

char **single_run_program(int argc, char **argv)
{
    int first = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;
    return argv + first;
}

int single_run(const char *name, const SingleRunOptions *options, char **program,
               MstatsRunRequest *request, MstatsRunResult *result)
{
    memset(result, 0, sizeof *result);
    if (options->version) {
        printf("%s %s\n", name, MSTATS_VERSION);
        return 0;
    }
    if (program[0] == NULL) {
        fprintf(stderr, "%s: no PROGRAM given (see %s --help)\n", name, name);
        return 2;
    }
    g_autoptr(GError) error = NULL;
    if (!mstats_parse_limits(options->timeout, options->memory_limit, &request->memory_limit,
                             &error) ||
        !mstats_parse_alignment(options->alignment, &request->alignment, &error)) {
        fprintf(stderr, "%s: %s (see %s --help)\n", name, error->message, name);
        return 2;
    }
    request->allocator =
        options->allocator != NULL ? options->allocator : g_getenv("MSTATS_ALLOCATOR");
    request->timeout_seconds = options->timeout;
    request->no_sandbox = options->no_sandbox;
    /* Freed when the run is over: the request no longer points at it then. */
    g_auto(GStrv) writable_paths =
        sandbox_writable_paths(options->writable, options->writable_cwd, &error);
    if (writable_paths == NULL) {
        fprintf(stderr, "%s: %s (see %s --help)\n", name, error->message, name);
        return 2;
    }
    request->writable_paths = (const char *const *)writable_paths;
    if (options->witness_all && options->no_witness) {
        fprintf(stderr,
                "%s: --witness-all and --no-witness contradict each other: give one (see "
                "%s --help)\n",
                name, name);
        return 2;
    }
    request->witness_policy = options->witness_all  ? MSTATS_WITNESS_ALL
                              : options->no_witness ? MSTATS_WITNESS_NONE
                                                    : MSTATS_WITNESS_UNTRUSTED;
    request->argv = program;
    request->take_terminal = TRUE;
    fflush(stdout);
    mstats_forward_stop_signals();
    gboolean ran = mstats_run(request, result, &error);
    request->writable_paths = NULL;
    if (!ran) {
        fprintf(stderr, "%s: %s\n", name, error->message);
        mstats_run_result_clear(result);
        return g_error_matches(error, MSTATS_ERROR, MSTATS_ERROR_USAGE) ? 2 : 1;
    }
    if (!result->sandboxed)
        fprintf(stderr, "%s: warning: the run was not sandboxed: %s\n", name,
                result->not_sandboxed_why);
    if (result->witness == MSTATS_WITNESS_UNAVAILABLE)
        fprintf(stderr, "%s: warning: figures not witnessed: %s\n", name, result->witness_why);
    return -1;
}
