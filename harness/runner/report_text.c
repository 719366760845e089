/* The text report. The first four lines are the course's, byte for byte. */
#include "report.h"

char *mstats_witness_words(const MstatsRunResult *result)
{
    switch (result->witness) {
    case MSTATS_WITNESS_KERNEL:
        if (result->outside_compared)
            return g_strdup_printf(
                "kernel (MAX %" G_GUINT64_FORMAT " to the page over %" G_GUINT64_FORMAT
                " brk calls; %" G_GUINT64_FORMAT " bytes outside the heap beyond glibc's run, "
                "at most %d allowed; AVG is not witnessed and never graded)",
                result->witness_max, result->witness_brks,
                result->witness_outside > result->reference_outside
                    ? result->witness_outside - result->reference_outside
                    : 0,
                MSTATS_OUTSIDE_ALLOWANCE);
        return g_strdup_printf("kernel (MAX %" G_GUINT64_FORMAT
                               " to the page over %" G_GUINT64_FORMAT
                               " brk calls; AVG is not witnessed and never graded)",
                               result->witness_max, result->witness_brks);
    case MSTATS_WITNESS_TRUSTED:
        return g_strdup_printf("none (%s is trusted code: its MAX is the shim's, not witnessed)",
                               result->allocator.name);
    case MSTATS_WITNESS_UNAVAILABLE:
        return g_strdup_printf("none: %s; figures not witnessed",
                               result->witness_why != NULL ? result->witness_why : "");
    case MSTATS_WITNESS_UNMEASURED:
        break;
    }
    return NULL;
}

char *mstats_cpu_source_words(const MstatsRunResult *result)
{
    if (g_strcmp0(result->cpu_source, "cgroup") == 0)
        return g_strdup("cgroup (every process of the run)");
    if (g_strcmp0(result->cpu_source, "rusage") == 0)
        return g_strdup_printf("rusage (the program and the children it waited for; no cgroup: "
                               "%s)",
                               result->cpu_source_why != NULL ? result->cpu_source_why : "");
    return NULL; /* a result from before CPU-SOURCE */
}

char *mstats_completion_words(const MstatsRunResult *result)
{
    const char *why = result->completion_why != NULL ? result->completion_why : "";
    switch (result->completion) {
    case MSTATS_COMPLETION_VERIFIED:
        return g_strdup("verified (the proof matches a reference run on glibc; CALLS, REQUESTED "
                        "and PEAK-LIVE are checked against it, and PEAK-LIVE is its)");
    case MSTATS_COMPLETION_PROVED:
        return g_strdup("proved (the program gave its proof; a trusted allocator is not checked "
                        "against a reference run)");
    case MSTATS_COMPLETION_MISSING:
        return g_strdup_printf("missing: %s", why);
    case MSTATS_COMPLETION_OUTPUT:
        return g_strdup_printf("verified by output (%s; CALLS, REQUESTED and PEAK-LIVE are its)",
                               why);
    case MSTATS_COMPLETION_OUTPUT_DIFFERS:
        return g_strdup_printf("not verified: its output differs from the reference run's on "
                               "glibc: %s (an allocator that ends the program early changes it; "
                               "so does a program that prints the time, its pid or an address)",
                               why);
    case MSTATS_COMPLETION_TRUSTED:
        return g_strdup_printf("not needed (%s)", why);
    case MSTATS_COMPLETION_NOT_VERIFIED:
        break;
    }
    return g_strdup_printf("not verified: %s", why);
}

char *mstats_report_text(const MstatsRunResult *result)
{
    GString *out = g_string_new(NULL);
    if (result->code == MSTATS_CODE_OK)
        g_string_append(out, "[mstats]: STATUS: OK\n");
    else if (result->wait_status == 0)
        /* The harness's verdict on a program that exited 0 (67, 96, 97):
         * its code, never a FAILED=(0) that reads as "it exited 0". */
        g_string_append_printf(out,
                               "[mstats]: STATUS: FAILED=(%d: mstats's finding; the program "
                               "itself exited 0)\n",
                               result->code);
    else
        g_string_append_printf(out, "[mstats]: STATUS: FAILED=(%d)\n", result->wait_status);
    if (result->allocator.heap_unmeasured) {
        /* A reference allocator on mmap: its heap, and so its blocks, are not
         * watched; only calls, requested bytes and time are. */
        g_string_append(out, "[mstats]: MAX: " MSTATS_NOT_MEASURED "\n");
        g_string_append(out, "[mstats]: AVG: " MSTATS_NOT_MEASURED "\n");
    } else {
        g_string_append_printf(out, "[mstats]: MAX: %" G_GUINT64_FORMAT "\n", result->heap_max);
        g_string_append_printf(out, "[mstats]: AVG: %f\n", result->heap_avg);
    }
    g_string_append_printf(out, "[mstats]: TIME: %f\n", result->wall_seconds);
    g_string_append_printf(out, "[mstats]: REQUESTED: %" G_GUINT64_FORMAT "\n", result->requested);
    if (result->allocator.heap_unmeasured) {
        g_string_append(out, "[mstats]: PEAK-LIVE: " MSTATS_NOT_MEASURED "\n");
        g_string_append(out, "[mstats]: UTILIZATION: " MSTATS_NOT_MEASURED "\n");
    } else {
        g_string_append_printf(out, "[mstats]: PEAK-LIVE: %" G_GUINT64_FORMAT "\n",
                               result->peak_live);
        g_string_append_printf(out, "[mstats]: UTILIZATION: %f%s\n", result->utilization,
                               result->utilization > 1.0
                                   ? " (above 1: PEAK-LIVE is more than the MAX the kernel "
                                     "saw, so the heap the shim measured is not the one the "
                                     "blocks lay in; see REASON)"
                                   : "");
    }
    g_string_append_printf(out,
                           "[mstats]: CALLS: malloc=%" G_GUINT64_FORMAT " calloc=%" G_GUINT64_FORMAT
                           " realloc=%" G_GUINT64_FORMAT " free=%" G_GUINT64_FORMAT "\n",
                           mstats_result_calls_malloc(result), result->calls[MSTATS_FN_CALLOC],
                           mstats_result_calls_realloc(result), result->calls[MSTATS_FN_FREE]);
    const MstatsProcessFigures *shown = mstats_result_reported(result);
    if (shown != NULL) {
        g_string_append_printf(out,
                               "[mstats]: PROCESSES: %u measured; the figures are %s's (pid %d)",
                               result->process_count, shown->program, shown->pid);
        if (result->processes_unmeasured > 0)
            g_string_append_printf(out, "; %u more ran unmeasured (past %d)",
                                   result->processes_unmeasured, MSTATS_PROCESSES_MAX);
        g_string_append_c(out, '\n');
    }
    g_string_append_printf(out, "[mstats]: ALLOCATOR: %s (%s)\n", result->allocator.name,
                           result->allocator.path);
    if (!result->allocator.heap_unmeasured) {
        if (result->alignment == 1) /* --align 1 */
            g_string_append(out, "[mstats]: ALIGNMENT: not checked\n");
        else
            g_string_append_printf(out, "[mstats]: ALIGNMENT: %u\n", result->alignment);
    }
    g_string_append_printf(out, "[mstats]: CPU-TIME: %f\n", result->cpu_seconds);
    g_autofree char *cpu_source = mstats_cpu_source_words(result);
    if (cpu_source != NULL)
        g_string_append_printf(out, "[mstats]: CPU-SOURCE: %s\n", cpu_source);
    const char *mode = result->sandbox != NULL ? result->sandbox : "none";
    if (!result->sandboxed && strcmp(mode, "none") != 0)
        g_string_append_printf(out, "[mstats]: SANDBOX: %s, not contained: %s\n", mode,
                               result->not_sandboxed_why != NULL ? result->not_sandboxed_why : "");
    else if (!result->sandboxed)
        g_string_append_printf(out, "[mstats]: SANDBOX: none: %s\n",
                               result->not_sandboxed_why != NULL ? result->not_sandboxed_why : "");
    else if (strcmp(mode, "container") == 0)
        g_string_append(out, "[mstats]: SANDBOX: container (no namespaces here; the program ran "
                             "without privileges, under Landlock and seccomp)\n");
    g_autofree char *witness = mstats_witness_words(result);
    if (witness != NULL)
        g_string_append_printf(out, "[mstats]: WITNESS: %s\n", witness);
    g_autofree char *completion = mstats_completion_words(result);
    g_string_append_printf(out, "[mstats]: COMPLETION: %s\n", completion);
    if (result->code != MSTATS_CODE_OK)
        g_string_append_printf(out, "[mstats]: REASON: %d %s\n", result->code,
                               result->reason != NULL ? result->reason : "");
    return g_string_free(out, FALSE);
}
