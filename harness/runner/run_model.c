/* The data model of a run (run_model.h). */
#include "run_model.h"

#include <string.h>

void mstats_run_request_init(MstatsRunRequest *request)
{
    memset(request, 0, sizeof *request);
    request->timeout_seconds = MSTATS_DEFAULT_TIMEOUT;
    request->memory_limit = MSTATS_DEFAULT_MEMORY_LIMIT;
    request->stdin_fd = -1;
    request->stdout_fd = -1;
    request->alignment = MSTATS_DEFAULT_ALIGNMENT;
    request->stderr_fd = -1;
}

void mstats_run_result_clear(MstatsRunResult *result)
{
    g_clear_pointer(&result->reason, g_free);
    g_clear_pointer(&result->not_sandboxed_why, g_free);
    g_clear_pointer(&result->cpu_source_why, g_free);
    g_clear_pointer(&result->output_error, g_free);
    g_clear_pointer(&result->witness_why, g_free);
    g_clear_pointer(&result->completion_why, g_free);
    g_clear_pointer(&result->proof_line, g_free);
    for (guint i = 0; i < result->process_count; i++)
        g_free(result->processes[i].program);
    g_clear_pointer(&result->processes, g_free);
    result->process_count = 0;
    mstats_allocator_clear(&result->allocator);
}

guint64 mstats_result_calls_malloc(const MstatsRunResult *result)
{
    return result->calls[MSTATS_FN_MALLOC] + result->calls[MSTATS_FN_POSIX_MEMALIGN] +
           result->calls[MSTATS_FN_ALIGNED_ALLOC] + result->calls[MSTATS_FN_MEMALIGN] +
           result->calls[MSTATS_FN_VALLOC] + result->calls[MSTATS_FN_PVALLOC];
}

guint64 mstats_result_calls_realloc(const MstatsRunResult *result)
{
    return result->calls[MSTATS_FN_REALLOC] + result->calls[MSTATS_FN_REALLOCARRAY];
}

void mstats_result_report_process(MstatsRunResult *result, guint index)
{
    const MstatsProcessFigures *p = &result->processes[index];
    result->reported_process = (int)index;
    result->heap_max = p->heap_max;
    result->heap_avg = p->heap_avg;
    result->requested = p->requested;
    result->peak_live = p->peak_live;
    memcpy(result->header_bound, p->header_bound, sizeof result->header_bound);
    mstats_result_set_utilization(result);
    result->live_at_exit = p->live_at_exit;
    result->live_blocks_at_exit = p->live_blocks_at_exit;
    memcpy(result->calls, p->calls, sizeof result->calls);
    result->failed_calls = p->failed_calls;
}

int mstats_result_largest_process(const MstatsRunResult *result)
{
    int largest = -1;
    guint64 largest_heap = 0;
    for (guint i = 0; i < result->process_count; i++) {
        const MstatsProcessFigures *p = &result->processes[i];
        guint64 heap = p->witnessed ? p->witness_max : p->heap_max;
        if (largest < 0 || heap > largest_heap) {
            largest = (int)i;
            largest_heap = heap;
        }
    }
    return largest;
}
