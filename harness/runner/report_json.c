/* The JSON report, built with json-glib. Names are the text report's, lower
 * case with underscores; numbers are numbers; absent things are null. */
#include <json-glib/json-glib.h>
#include <string.h>

#include "json_member.h"
#include "report.h"
#include "region_layout.h"

static const char *const witness_names[] = {
    [MSTATS_WITNESS_TRUSTED] = "trusted",
    [MSTATS_WITNESS_KERNEL] = "kernel",
    [MSTATS_WITNESS_UNAVAILABLE] = "unavailable",
    [MSTATS_WITNESS_UNMEASURED] = "unmeasured",
};

static const char *const completion_names[] = {
    [MSTATS_COMPLETION_NOT_VERIFIED] = "not-verified",
    [MSTATS_COMPLETION_VERIFIED] = "verified",
    [MSTATS_COMPLETION_PROVED] = "proved",
    [MSTATS_COMPLETION_MISSING] = "missing",
    [MSTATS_COMPLETION_OUTPUT] = "output",
    [MSTATS_COMPLETION_OUTPUT_DIFFERS] = "output-differs",
    [MSTATS_COMPLETION_TRUSTED] = "trusted",
};

const char *mstats_witness_name(MstatsWitness witness)
{
    return witness_names[witness];
}

const char *mstats_completion_name(MstatsCompletion completion)
{
    return completion_names[completion];
}

/* The index of `name` among `count` `names`, or -1. */
static int name_index(const char *name, const char *const *names, int count)
{
    for (int i = 0; i < count && name != NULL; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

gboolean mstats_witness_from_name(const char *name, MstatsWitness *witness)
{
    int i = name_index(name, witness_names, G_N_ELEMENTS(witness_names));
    *witness = (MstatsWitness)MAX(i, 0);
    return i >= 0;
}

gboolean mstats_completion_from_name(const char *name, MstatsCompletion *completion)
{
    int i = name_index(name, completion_names, G_N_ELEMENTS(completion_names));
    *completion = (MstatsCompletion)MAX(i, 0);
    return i >= 0;
}

/* "calls": each function's count, and the failed calls. */
static void add_calls(JsonBuilder *b, const guint64 calls[MSTATS_FN_COUNT], guint64 failed)
{
    json_builder_set_member_name(b, "calls");
    json_builder_begin_object(b);
    for (int i = 0; i < MSTATS_FN_COUNT; i++)
        json_member_int(b, mstats_function_name(i), (gint64)calls[i]);
    json_member_int(b, "failed", (gint64)failed);
    json_builder_end_object(b);
}

void mstats_json_add_result(JsonBuilder *b, const MstatsRunResult *result)
{
    json_member_string(b, "status", result->code == MSTATS_CODE_OK ? "OK" : "FAILED");
    json_member_int(b, "code", result->code);
    json_member_int(b, "wait_status", result->wait_status);
    if (result->exit_status >= 0)
        json_member_int(b, "exit_status", result->exit_status);
    else
        json_member_null(b, "exit_status");
    if (result->signal != 0)
        json_member_int(b, "signal", result->signal);
    else
        json_member_null(b, "signal");
    json_member_string(b, "reason", result->reason);
    json_member_bool(b, "timed_out", result->timed_out);
    json_member_bool(b, "figures_valid", result->figures_valid);
    gboolean heap = !result->allocator.heap_unmeasured;
    json_member_bool(b, "heap_measured", heap);
    if (heap) {
        json_member_int(b, "max", (gint64)result->heap_max);
        json_member_double(b, "avg", result->heap_avg);
    } else {
        json_member_null(b, "max");
        json_member_null(b, "avg");
    }
    json_member_double(b, "time", result->wall_seconds);
    json_member_double(b, "cpu_time", result->cpu_seconds);
    json_member_string(b, "cpu_source", result->cpu_source);
    json_member_string(b, "cpu_source_why", result->cpu_source_why);
    json_member_int(b, "requested", (gint64)result->requested);
    if (heap) {
        json_member_int(b, "peak_live", (gint64)result->peak_live);
        json_member_header_bound(b, "header_bound", result->header_bound);
        json_member_double(b, "utilization", result->utilization);
        json_member_int(b, "alignment", (gint64)result->alignment); /* 1: none checked */
    } else {
        json_member_null(b, "peak_live");
        json_member_header_bound(b, "header_bound", NULL);
        json_member_null(b, "utilization");
        json_member_null(b, "alignment");
    }
    json_member_int(b, "live_at_exit", (gint64)result->live_at_exit);
    json_member_int(b, "live_blocks_at_exit", (gint64)result->live_blocks_at_exit);
    add_calls(b, result->calls, result->failed_calls);
    json_member_string(b, "sandbox", result->sandbox);
    json_member_bool(b, "sandboxed", result->sandboxed);
    json_member_string(b, "not_sandboxed_why", result->not_sandboxed_why);
    json_member_string(b, "memory_bound", result->memory_bound);
    if (result->memory_peak > 0)
        json_member_int(b, "memory_peak", (gint64)result->memory_peak);
    else
        json_member_null(b, "memory_peak");
    json_member_string(b, "witness", mstats_witness_name(result->witness));
    json_member_string(b, "witness_why", result->witness_why);
    json_member_int(b, "witness_brks", (gint64)result->witness_brks);
    if (heap)
        json_member_int(b, "witness_max", (gint64)result->witness_max);
    else
        json_member_null(b, "witness_max");
    /* Memory outside the heap, the run's and its reference run's on glibc
     * (null: not compared; brk_witness.h). */
    if (result->outside_compared) {
        json_member_int(b, "witness_outside", (gint64)result->witness_outside);
        json_member_int(b, "reference_outside", (gint64)result->reference_outside);
    } else {
        json_member_null(b, "witness_outside");
        json_member_null(b, "reference_outside");
    }
    json_member_string(b, "completion", mstats_completion_name(result->completion));
    json_member_string(b, "completion_why", result->completion_why);
    /* The stdout that verification by output read (null: not read). */
    gboolean read = result->stdout_sha256[0] != '\0';
    if (read)
        json_member_int(b, "stdout_bytes", (gint64)result->stdout_bytes);
    else
        json_member_null(b, "stdout_bytes");
    json_member_string(b, "stdout_sha256", read ? result->stdout_sha256 : NULL);
}

/* "processes": every measured process image, the reported one marked. */
static void add_processes(JsonBuilder *b, const MstatsRunResult *result)
{
    json_builder_set_member_name(b, "processes");
    json_builder_begin_array(b);
    for (guint i = 0; i < result->process_count; i++) {
        const MstatsProcessFigures *p = &result->processes[i];
        json_builder_begin_object(b);
        json_member_string(b, "program", p->program);
        json_member_int(b, "pid", p->pid);
        json_member_int(b, "heap_max", (gint64)p->heap_max);
        json_member_double(b, "heap_avg", p->heap_avg);
        json_member_int(b, "requested", (gint64)p->requested);
        json_member_int(b, "peak_live", (gint64)p->peak_live);
        add_calls(b, p->calls, p->failed_calls);
        if (p->witnessed)
            json_member_int(b, "witness_max", (gint64)p->witness_max);
        else
            json_member_null(b, "witness_max");
        json_member_bool(b, "reported", (int)i == result->reported_process);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_member_int(b, "processes_unmeasured", result->processes_unmeasured);
}

char *mstats_report_json(const MstatsRunResult *result, const MstatsRunRequest *request)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    mstats_json_add_result(b, result);
    add_processes(b, result);
    json_builder_set_member_name(b, "allocator");
    json_builder_begin_object(b);
    json_member_string(b, "name", result->allocator.name);
    json_member_string(b, "path", result->allocator.path);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "program");
    json_builder_begin_array(b);
    for (char **arg = request->argv; arg != NULL && *arg != NULL; arg++)
        json_builder_add_string_value(b, *arg);
    json_builder_end_array(b);
    json_member_double(b, "timeout", request->timeout_seconds);
    json_member_int(b, "memory_limit", (gint64)request->memory_limit);
    json_builder_end_object(b);

    return json_builder_to_text(b);
}
