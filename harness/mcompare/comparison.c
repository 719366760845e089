/* The comparison's storage and the figures derived from its cells. */
#include "comparison.h"

#include <math.h>
#include <string.h>

Comparison *comparison_new(GPtrArray *allocators, GPtrArray *workloads)
{
    Comparison *comparison = g_new0(Comparison, 1);
    comparison->allocators = allocators;
    comparison->workloads = workloads;
    comparison->cell_count = allocators->len * workloads->len;
    comparison->cells = g_new0(Cell, comparison->cell_count ? comparison->cell_count : 1);
    for (guint w = 0; w < workloads->len; w++)
        for (guint a = 0; a < allocators->len; a++) {
            Cell *cell = &comparison->cells[w * allocators->len + a];
            cell->workload = w;
            cell->allocator = a;
            cell->state = CELL_PENDING;
        }
    comparison->timeout_seconds = MSTATS_DEFAULT_TIMEOUT;
    comparison->memory_limit = MSTATS_DEFAULT_MEMORY_LIMIT;
    comparison->alignment = MSTATS_DEFAULT_ALIGNMENT;
    return comparison;
}

void comparison_free(Comparison *comparison)
{
    if (comparison == NULL)
        return;
    for (guint i = 0; i < comparison->cell_count; i++) {
        Cell *cell = &comparison->cells[i];
        mstats_run_result_clear(&cell->result);
        g_free(cell->output_tail);
        g_free(cell->not_run_reason);
    }
    g_free(comparison->cells);
    g_ptr_array_unref(comparison->allocators);
    g_ptr_array_unref(comparison->workloads);
    g_free(comparison);
}

Cell *comparison_cell(Comparison *comparison, guint workload, guint allocator)
{
    g_assert(workload < comparison->workloads->len && allocator < comparison->allocators->len);
    return &comparison->cells[workload * comparison->allocators->len + allocator];
}

const Cell *comparison_cell_const(const Comparison *comparison, guint workload, guint allocator)
{
    return comparison_cell((Comparison *)comparison, workload, allocator);
}

void workload_free(Workload *workload)
{
    if (workload == NULL)
        return;
    g_free(workload->name);
    g_free(workload->spec);
    g_free(workload->about);
    g_strfreev(workload->argv);
    g_free(workload);
}

void allocator_column_free(AllocatorColumn *column)
{
    if (column == NULL)
        return;
    g_free(column->spec);
    g_free(column->name);
    g_free(column->path);
    g_free(column);
}

gboolean cell_ok(const Cell *cell)
{
    return cell->state == CELL_DONE && cell->result.code == MSTATS_CODE_OK;
}

gboolean cell_heap_measured(const Cell *cell)
{
    return cell_ok(cell) && cell->result.figures_valid && !cell->result.allocator.heap_unmeasured;
}

const AllocatorColumn *comparison_column(const Comparison *comparison, guint allocator)
{
    return g_ptr_array_index(comparison->allocators, allocator);
}

const Workload *comparison_workload(const Comparison *comparison, guint workload)
{
    return g_ptr_array_index(comparison->workloads, workload);
}

const Cell *comparison_reference_cell(const Comparison *comparison, guint workload)
{
    for (guint a = 0; a < comparison->allocators->len; a++)
        if (strcmp(comparison_column(comparison, a)->spec, MCOMPARE_REFERENCE_ALLOCATOR) == 0)
            return comparison_cell_const(comparison, workload, a);
    return NULL;
}

void comparison_derive_bounds(Comparison *comparison)
{
    for (guint w = 0; w < comparison->workloads->len; w++) {
        Workload *workload = g_ptr_array_index(comparison->workloads, w);
        if (workload->bounds_from_trace)
            continue;
        workload->has_bounds = FALSE;
        workload->bounds_agree = TRUE;
        for (guint a = 0; a < comparison->allocators->len; a++) {
            const Cell *cell = comparison_cell(comparison, w, a);
            if (!cell_heap_measured(cell))
                continue;
            guint64 requested = cell->result.requested, peak = cell->result.peak_live;
            const guint64 *header = cell->result.header_bound;
            if (!workload->has_bounds) {
                workload->has_bounds = TRUE;
                workload->no_reuse = requested;
                workload->optimal_reuse = peak;
                memcpy(workload->header_bound, header, sizeof workload->header_bound);
                continue;
            }
            if (requested != workload->no_reuse || peak != workload->optimal_reuse)
                workload->bounds_agree = FALSE;
            /* The smallest is the bound: no run needed less than it. */
            workload->no_reuse = MIN(workload->no_reuse, requested);
            workload->optimal_reuse = MIN(workload->optimal_reuse, peak);
            for (int h = 0; h < MSTATS_HEADER_BOUNDS; h++)
                workload->header_bound[h] = MIN(workload->header_bound[h], header[h]);
        }
    }
}

double cell_ratio(const Comparison *comparison, const Cell *cell)
{
    const Workload *workload = g_ptr_array_index(comparison->workloads, cell->workload);
    if (!cell_heap_measured(cell) || !workload->has_bounds || workload->optimal_reuse == 0)
        return 0.0;
    return (double)cell->result.heap_max / (double)workload->optimal_reuse;
}

void comparison_summarize(const Comparison *comparison, guint allocator, AllocatorSummary *summary)
{
    *summary = (AllocatorSummary){0};
    double log_sum = 0.0;
    for (guint w = 0; w < comparison->workloads->len; w++) {
        const Cell *cell = comparison_cell_const(comparison, w, allocator);
        if (cell->state != CELL_DONE) {
            summary->not_run_cells++;
            continue;
        }
        summary->total_time += cell->result.wall_seconds;
        if (!cell_ok(cell)) {
            summary->failed_cells++;
            continue;
        }
        summary->ok_cells++;
        double ratio = cell_ratio(comparison, cell);
        if (ratio > 0) {
            log_sum += log(ratio);
            summary->ratio_cells++;
        }
    }
    summary->geomean_ratio = summary->ratio_cells ? exp(log_sum / summary->ratio_cells) : 0.0;
}

char *cell_describe_failure(const Cell *cell)
{
    if (cell->state == CELL_NOT_RUN)
        return g_strdup_printf("not run: %s", cell->not_run_reason ? cell->not_run_reason : "");
    if (cell->state != CELL_DONE)
        return g_strdup("not run");
    if (cell->result.code == MSTATS_CODE_OK)
        return g_strdup("OK");
    GString *text = g_string_new(NULL);
    g_string_printf(text, "%d %s", cell->result.code,
                    cell->result.reason ? cell->result.reason : "failed");
    if (cell->output_tail != NULL && *cell->output_tail != '\0')
        g_string_append_printf(text, " (program said: %s)", cell->output_tail);
    return g_string_free(text, FALSE);
}

const char *workload_kind_name(WorkloadKind kind)
{
    switch (kind) {
    case WORKLOAD_TESTER:
        return "tester";
    case WORKLOAD_TRACE:
        return "trace";
    case WORKLOAD_PROGRAM:
        return "program";
    }
    return "program";
}
