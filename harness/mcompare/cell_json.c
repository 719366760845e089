/* JSON writing and reading of comparisons (json-glib). */
#include "cell_json.h"

#include <string.h>

#include "json_member.h"
#include "report.h"

/* One cell: its names, then its figures or why it did not run, then its rubric verdict. */
static void add_cell(JsonBuilder *b, const Comparison *comparison, const Cell *cell,
                     const Score *score)
{
    const Workload *workload = g_ptr_array_index(comparison->workloads, cell->workload);
    const AllocatorColumn *column = g_ptr_array_index(comparison->allocators, cell->allocator);
    const MstatsRunResult *r = &cell->result;
    json_builder_begin_object(b);
    json_member_string(b, "workload", workload->name);
    json_member_string(b, "allocator", column->name);
    json_member_string(b, "allocator_path", column->path);
    if (cell->state != CELL_DONE) {
        json_member_string(b, "status", "NOT-RUN");
        json_member_string(b, "reason", cell->not_run_reason);
    } else {
        mstats_json_add_result(b, r);
        json_member_bool(b, "code_is_exit_status", r->code_is_exit_status);
        json_member_string(b, "output", cell->output_tail);
        double ratio = cell_ratio(comparison, cell);
        if (ratio > 0)
            json_member_double(b, "ratio", ratio);
        else
            json_member_null(b, "ratio");
    }
    const ItemScore *verdict = score_for_cell(score, cell->workload, cell->allocator);
    if (verdict != NULL) {
        json_builder_set_member_name(b, "rubric");
        json_builder_begin_object(b);
        json_member_double(b, "points", verdict->item->points);
        json_member_double(b, "earned", verdict->earned);
        json_member_string(b, "why", verdict->why);
        json_builder_end_object(b);
    }
    json_builder_end_object(b);
}

/* One workload: its names, command and bounds (null when unknown). */
static void add_workload(JsonBuilder *b, const Workload *workload)
{
    json_builder_begin_object(b);
    json_member_string(b, "name", workload->name);
    json_member_string(b, "kind", workload_kind_name(workload->kind));
    json_member_string(b, "spec", workload->spec);
    json_builder_set_member_name(b, "command");
    json_builder_begin_array(b);
    for (char **arg = workload->argv; arg && *arg; arg++)
        json_builder_add_string_value(b, *arg);
    json_builder_end_array(b);
    if (workload->has_bounds) {
        json_member_int(b, "no_reuse", (gint64)workload->no_reuse);
        json_member_int(b, "optimal_reuse", (gint64)workload->optimal_reuse);
        json_member_header_bound(b, "header_bound", workload->header_bound);
    } else {
        json_member_null(b, "no_reuse");
        json_member_null(b, "optimal_reuse");
        json_member_header_bound(b, "header_bound", NULL);
    }
    json_member_bool(b, "bounds_from_trace", workload->bounds_from_trace);
    json_member_bool(b, "bounds_agree", workload->bounds_agree);
    json_builder_end_object(b);
}

/* The score object: per allocator, the total, the pass mark and each verdict. */
static void add_score(JsonBuilder *b, const Comparison *comparison, const Score *score)
{
    json_builder_set_member_name(b, "score");
    json_builder_begin_object(b);
    json_member_string(b, "rubric", score->rubric->path);
    json_member_bool(b, "passed", score_passed(score));
    json_builder_set_member_name(b, "allocators");
    json_builder_begin_array(b);
    for (guint a = 0; a < score->allocator_count; a++) {
        const AllocatorScore *own = &score->allocators[a];
        if (!own->graded)
            continue;
        json_builder_begin_object(b);
        json_member_string(b, "allocator",
                           ((AllocatorColumn *)g_ptr_array_index(comparison->allocators, a))->name);
        json_member_double(b, "earned", own->earned);
        json_member_double(b, "possible", own->possible);
        json_member_double(b, "pass_mark", own->pass_mark);
        json_member_bool(b, "passed", own->passed);
        json_builder_set_member_name(b, "workloads");
        json_builder_begin_array(b);
        for (guint i = 0; i < own->item_count; i++) {
            json_builder_begin_object(b);
            json_member_string(b, "workload", own->items[i].item->workload);
            json_member_double(b, "points", own->items[i].item->points);
            json_member_double(b, "earned", own->items[i].earned);
            json_member_string(b, "why", own->items[i].why);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

JsonNode *comparison_to_json(const Comparison *comparison, const Score *score)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_member_string(b, "format", MCOMPARE_JSON_FORMAT);
    json_member_double(b, "timeout", comparison->timeout_seconds);
    json_member_int(b, "memory_limit", (gint64)comparison->memory_limit);
    json_member_int(b, "alignment", (gint64)comparison->alignment);
    json_member_double(b, "elapsed", comparison->elapsed_seconds);
    json_member_bool(b, "interrupted", comparison->interrupted);
    json_builder_set_member_name(b, "allocators");
    json_builder_begin_array(b);
    for (guint a = 0; a < comparison->allocators->len; a++) {
        const AllocatorColumn *column = g_ptr_array_index(comparison->allocators, a);
        json_builder_begin_object(b);
        json_member_string(b, "name", column->name);
        json_member_string(b, "spec", column->spec);
        json_member_string(b, "path", column->path);
        json_member_bool(b, "reference_only", column->reference_only);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "workloads");
    json_builder_begin_array(b);
    for (guint w = 0; w < comparison->workloads->len; w++)
        add_workload(b, g_ptr_array_index(comparison->workloads, w));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "cells");
    json_builder_begin_array(b);
    for (guint i = 0; i < comparison->cell_count; i++)
        add_cell(b, comparison, &comparison->cells[i], score);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "summary");
    json_builder_begin_array(b);
    for (guint a = 0; a < comparison->allocators->len; a++) {
        AllocatorSummary summary;
        comparison_summarize(comparison, a, &summary);
        json_builder_begin_object(b);
        json_member_string(b, "allocator",
                           ((AllocatorColumn *)g_ptr_array_index(comparison->allocators, a))->name);
        if (summary.ratio_cells)
            json_member_double(b, "geomean_ratio", summary.geomean_ratio);
        else
            json_member_null(b, "geomean_ratio");
        json_member_int(b, "ratio_cells", summary.ratio_cells);
        json_member_double(b, "total_time", summary.total_time);
        json_member_int(b, "ok", summary.ok_cells);
        json_member_int(b, "failed", summary.failed_cells);
        json_member_int(b, "not_run", summary.not_run_cells);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    if (score != NULL)
        add_score(b, comparison, score);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

/* Reading. Missing optional members take defaults; required ones fail. */

static gboolean need(JsonObject *object, const char *name, GType type, GError **error)
{
    JsonNode *node = json_object_get_member(object, name);
    if (node != NULL && json_node_get_value_type(node) == type)
        return TRUE;
    if (node != NULL && type == G_TYPE_DOUBLE && json_node_get_value_type(node) == G_TYPE_INT64)
        return TRUE;
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "member '%s' missing or not a %s", name,
                type == G_TYPE_STRING ? "string" : "number");
    return FALSE;
}

/* Member readers that return a default for a missing or null member. */
static const char *optional_string(JsonObject *object, const char *name)
{
    JsonNode *node = json_object_get_member(object, name);
    return node && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING
               ? json_node_get_string(node)
               : NULL;
}

static gint64 optional_int(JsonObject *object, const char *name, gint64 fallback)
{
    JsonNode *node = json_object_get_member(object, name);
    return node && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_int(node) : fallback;
}

static double optional_double(JsonObject *object, const char *name)
{
    JsonNode *node = json_object_get_member(object, name);
    return node && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_double(node) : 0.0;
}

/* `header_bound` ({"8": N, "16": M}) into `bounds`; zeros when absent. */
static void read_header_bound(JsonObject *object, guint64 *bounds)
{
    JsonNode *node = json_object_get_member(object, "header_bound");
    JsonObject *members =
        node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    for (int h = 0; h < MSTATS_HEADER_BOUNDS; h++) {
        char key[8];
        g_snprintf(key, sizeof key, "%u", (unsigned)mstats_header_size(h));
        bounds[h] = members != NULL ? (guint64)optional_int(members, key, 0) : 0;
    }
}

static gboolean optional_bool(JsonObject *object, const char *name)
{
    JsonNode *node = json_object_get_member(object, name);
    return node && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_boolean(node) : FALSE;
}

/* witness and completion, which a cell written by another mcompare
 * (--emit-jobs) must carry: a grade depends on them. */
static gboolean trust_from_json(JsonObject *object, MstatsRunResult *r, GError **error)
{
    MstatsWitness witness;
    MstatsCompletion completion;
    if (!mstats_witness_from_name(optional_string(object, "witness"), &witness) ||
        !mstats_completion_from_name(optional_string(object, "completion"), &completion)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "a cell has no valid \"witness\" or \"completion\" member: it was written "
                    "by an older mcompare; run the cell again");
        return FALSE;
    }
    r->witness = witness;
    r->witness_why = g_strdup(optional_string(object, "witness_why"));
    r->witness_brks = (guint64)optional_int(object, "witness_brks", 0);
    r->witness_max = (guint64)optional_int(object, "witness_max", 0);
    r->completion = completion;
    r->completion_why = g_strdup(optional_string(object, "completion_why"));
    return TRUE;
}

gboolean cell_from_json(JsonObject *object, Cell *cell, GError **error)
{
    if (!need(object, "status", G_TYPE_STRING, error))
        return FALSE;
    const char *status = json_object_get_string_member(object, "status");
    if (strcmp(status, "NOT-RUN") == 0) {
        cell->state = CELL_NOT_RUN;
        cell->not_run_reason = g_strdup(optional_string(object, "reason"));
        return TRUE;
    }
    /* A reference allocator's heap is not measured: its max is null. */
    JsonNode *heap_measured = json_object_get_member(object, "heap_measured");
    gboolean heap_unmeasured = heap_measured != NULL && JSON_NODE_HOLDS_VALUE(heap_measured) &&
                               !json_node_get_boolean(heap_measured);
    if (!need(object, "code", G_TYPE_INT64, error) ||
        (!heap_unmeasured && !need(object, "max", G_TYPE_INT64, error)) ||
        !need(object, "time", G_TYPE_DOUBLE, error))
        return FALSE;
    MstatsRunResult *r = &cell->result;
    memset(r, 0, sizeof *r);
    cell->state = CELL_DONE;
    r->code = (int)json_object_get_int_member(object, "code");
    r->code_is_exit_status = optional_bool(object, "code_is_exit_status");
    r->wait_status = (int)optional_int(object, "wait_status", 0);
    r->exit_status = (int)optional_int(object, "exit_status", -1);
    r->signal = (int)optional_int(object, "signal", 0);
    r->reason = g_strdup(optional_string(object, "reason"));
    cell->output_tail = g_strdup(optional_string(object, "output"));
    r->timed_out = optional_bool(object, "timed_out");
    r->figures_valid = optional_bool(object, "figures_valid");
    r->sandboxed = optional_bool(object, "sandboxed");
    /* Interned: the result keeps mode names as static strings. */
    const char *mode = optional_string(object, "sandbox");
    r->sandbox = g_intern_string(mode != NULL ? mode : r->sandboxed ? "bwrap" : "none");
    r->not_sandboxed_why = g_strdup(optional_string(object, "not_sandboxed_why"));
    r->allocator.heap_unmeasured = heap_unmeasured;
    r->heap_max = (guint64)optional_int(object, "max", 0);
    r->heap_avg = optional_double(object, "avg");
    r->wall_seconds = optional_double(object, "time");
    r->cpu_seconds = optional_double(object, "cpu_time");
    const char *cpu_source = optional_string(object, "cpu_source");
    r->cpu_source = cpu_source != NULL ? g_intern_string(cpu_source) : NULL;
    r->cpu_source_why = g_strdup(optional_string(object, "cpu_source_why"));
    r->requested = (guint64)optional_int(object, "requested", 0);
    r->peak_live = (guint64)optional_int(object, "peak_live", 0);
    read_header_bound(object, r->header_bound);
    r->utilization = optional_double(object, "utilization");
    r->live_at_exit = (guint64)optional_int(object, "live_at_exit", 0);
    r->live_blocks_at_exit = (guint64)optional_int(object, "live_blocks_at_exit", 0);
    JsonNode *calls = json_object_get_member(object, "calls");
    if (calls != NULL && JSON_NODE_HOLDS_OBJECT(calls)) {
        JsonObject *calls_object = json_node_get_object(calls);
        for (int f = 0; f < MSTATS_FN_COUNT; f++)
            r->calls[f] = (guint64)optional_int(calls_object, mstats_function_name(f), 0);
        r->failed_calls = (guint64)optional_int(calls_object, "failed", 0);
    }
    r->allocator.name = g_strdup(optional_string(object, "allocator"));
    r->allocator.path = g_strdup(optional_string(object, "allocator_path"));
    return trust_from_json(object, r, error);
}

Workload *workload_from_json(JsonObject *object, GError **error)
{
    if (!need(object, "name", G_TYPE_STRING, error))
        return NULL;
    Workload *workload = g_new0(Workload, 1);
    workload->name = g_strdup(json_object_get_string_member(object, "name"));
    workload->spec = g_strdup(optional_string(object, "spec"));
    const char *kind = optional_string(object, "kind");
    workload->kind = kind && strcmp(kind, "tester") == 0  ? WORKLOAD_TESTER
                     : kind && strcmp(kind, "trace") == 0 ? WORKLOAD_TRACE
                                                          : WORKLOAD_PROGRAM;
    JsonNode *command = json_object_get_member(object, "command");
    GPtrArray *argv = g_ptr_array_new();
    if (command != NULL && JSON_NODE_HOLDS_ARRAY(command)) {
        JsonArray *array = json_node_get_array(command);
        for (guint i = 0; i < json_array_get_length(array); i++) {
            const char *arg = json_array_get_string_element(array, i);
            g_ptr_array_add(argv, g_strdup(arg ? arg : ""));
        }
    }
    g_ptr_array_add(argv, NULL);
    workload->argv = (char **)g_ptr_array_free(argv, FALSE);
    workload->bounds_agree = TRUE;
    /* Only a trace's bounds are facts of the workload; the others are
     * derived again from the merged cells. */
    if (optional_bool(object, "bounds_from_trace")) {
        workload->bounds_from_trace = TRUE;
        workload->has_bounds = TRUE;
        workload->no_reuse = (guint64)optional_int(object, "no_reuse", 0);
        workload->optimal_reuse = (guint64)optional_int(object, "optimal_reuse", 0);
        read_header_bound(object, workload->header_bound);
    }
    return workload;
}

AllocatorColumn *allocator_from_json(JsonObject *object, GError **error)
{
    if (!need(object, "name", G_TYPE_STRING, error))
        return NULL;
    AllocatorColumn *column = g_new0(AllocatorColumn, 1);
    column->name = g_strdup(json_object_get_string_member(object, "name"));
    const char *spec = optional_string(object, "spec");
    const char *path = optional_string(object, "path");
    column->spec = g_strdup(spec ? spec : column->name);
    column->path = g_strdup(path ? path : "");
    column->reference_only =
        json_object_get_boolean_member_with_default(object, "reference_only", FALSE);
    return column;
}
