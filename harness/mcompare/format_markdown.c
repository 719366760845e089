/* The Markdown report: the comparison table (one column per allocator, each
 * cell MAX, ratio, TIME and mark), the summary row, then every figure of
 * every cell in a second table, the failures and, with a rubric, the score. */
#include <string.h>

#include "format.h"

/* Table cells may not hold | or newlines. */
static char *escape_cell(const char *text)
{
    GString *out = g_string_new(NULL);
    for (const char *c = text ? text : ""; *c != '\0'; c++) {
        if (*c == '|')
            g_string_append(out, "\\|");
        else if (*c == '\n' || *c == '\r')
            g_string_append_c(out, ' ');
        else
            g_string_append_c(out, *c);
    }
    return g_string_free(out, FALSE);
}

/* The comparison table: a row per workload, a column per allocator, the summary row. */
static void append_summary_table(GString *out, const Comparison *comparison)
{
    g_string_append(out, "| workload | no-reuse bound | optimal-reuse bound | header bound |");
    for (guint a = 0; a < comparison->allocators->len; a++) {
        g_autofree char *name = escape_cell(comparison_column(comparison, a)->name);
        g_string_append_printf(out, " %s |", name);
    }
    g_string_append(out, "\n| --- | ---: | ---: | ---: |");
    for (guint a = 0; a < comparison->allocators->len; a++)
        g_string_append(out, " ---: |");
    g_string_append_c(out, '\n');
    for (guint w = 0; w < comparison->workloads->len; w++) {
        const Workload *workload = comparison_workload(comparison, w);
        g_autofree char *name = escape_cell(workload->name);
        g_string_append_printf(out, "| %s |", name);
        if (workload->has_bounds) {
            g_autofree char *no_reuse = format_size_long(workload->no_reuse);
            g_autofree char *optimal = format_size_long(workload->optimal_reuse);
            g_autofree char *header = format_size_long(workload->header_bound[0]);
            const char *approx = workload->bounds_agree ? "" : "~";
            g_string_append_printf(out, " %s%s | %s%s | %s%s |", approx, no_reuse, approx, optimal,
                                   approx, header);
        } else {
            g_string_append(out, " - | - | - |");
        }
        for (guint a = 0; a < comparison->allocators->len; a++) {
            const Cell *cell = comparison_cell_const(comparison, w, a);
            g_autofree char *mark = format_status_mark(cell, TRUE);
            if (cell_ok(cell)) {
                g_autofree char *max = cell_heap_measured(cell)
                                           ? format_size_long(cell->result.heap_max)
                                           : g_strdup("MAX not measured");
                double ratio = cell_ratio(comparison, cell);
                g_autofree char *ratio_text =
                    ratio > 0 ? g_strdup_printf(" ×%.2f", ratio) : g_strdup("");
                g_string_append_printf(out, " %s%s %.2f s %s |", max, ratio_text,
                                       cell->result.wall_seconds, mark);
            } else if (cell->state == CELL_DONE) {
                g_string_append_printf(out, " %.2f s %s |", cell->result.wall_seconds, mark);
            } else {
                g_string_append(out, " not run |");
            }
        }
        g_string_append_c(out, '\n');
    }
    g_string_append(out, "| **geomean ratio / total time** | | |");
    for (guint a = 0; a < comparison->allocators->len; a++) {
        AllocatorSummary summary;
        comparison_summarize(comparison, a, &summary);
        if (summary.ratio_cells)
            g_string_append_printf(out, " **×%.2f** %.2f s |", summary.geomean_ratio,
                                   summary.total_time);
        else
            g_string_append_printf(out, " - %.2f s |", summary.total_time);
    }
    g_string_append_c(out, '\n');
}

/* Every figure of every cell, one row per cell. */
static void append_figures_table(GString *out, const Comparison *comparison)
{
    g_string_append(out,
                    "\n## Every cell\n\n"
                    "| workload | allocator | status | code | MAX | ratio | AVG | TIME | CPU | "
                    "REQUESTED | PEAK-LIVE | UTILIZATION | live at exit | live blocks at exit | "
                    "malloc | calloc | realloc | free | reallocarray | posix_memalign | "
                    "aligned_alloc | memalign | valloc | pvalloc | failed calls | reason |\n"
                    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
                    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
                    "---: | ---: | ---: | ---: | --- |\n");
    for (guint i = 0; i < comparison->cell_count; i++) {
        const Cell *cell = &comparison->cells[i];
        g_autofree char *workload =
            escape_cell(comparison_workload(comparison, cell->workload)->name);
        g_autofree char *allocator =
            escape_cell(comparison_column(comparison, cell->allocator)->name);
        if (cell->state != CELL_DONE) {
            g_autofree char *why = escape_cell(cell->not_run_reason);
            /* 26 columns: three named, 22 empty figures, the reason. */
            g_string_append_printf(out, "| %s | %s | NOT RUN |", workload, allocator);
            for (int empty = 0; empty < 22; empty++)
                g_string_append(out, " |");
            g_string_append_printf(out, " %s |\n", why);
            continue;
        }
        const MstatsRunResult *r = &cell->result;
        double ratio = cell_ratio(comparison, cell);
        g_autofree char *ratio_text = ratio > 0 ? g_strdup_printf("%.4f", ratio) : g_strdup("-");
        g_string_append_printf(
            out,
            "| %s | %s | %s | %d | %" G_GUINT64_FORMAT " | %s | %.1f | %.3f | %.3f | "
            "%" G_GUINT64_FORMAT " | %" G_GUINT64_FORMAT " | %.4f | %" G_GUINT64_FORMAT
            " | %" G_GUINT64_FORMAT " |",
            workload, allocator, r->code == 0 ? "OK" : "FAILED", r->code, r->heap_max, ratio_text,
            r->heap_avg, r->wall_seconds, r->cpu_seconds, r->requested, r->peak_live,
            r->utilization, r->live_at_exit, r->live_blocks_at_exit);
        for (int f = 0; f < MSTATS_FN_COUNT; f++)
            g_string_append_printf(out, " %" G_GUINT64_FORMAT " |", r->calls[f]);
        g_autofree char *reason = r->code ? cell_describe_failure(cell) : g_strdup("");
        g_autofree char *reason_cell = escape_cell(reason);
        g_string_append_printf(out, " %" G_GUINT64_FORMAT " | %s |\n", r->failed_calls,
                               reason_cell);
    }
}

/* Per allocator: the score, the pass mark, and each workload's points and why. */
static void append_score(GString *out, const Comparison *comparison, const Score *score)
{
    g_string_append(out, "\n## Score\n\n");
    for (guint a = 0; a < score->allocator_count; a++) {
        const AllocatorScore *own = &score->allocators[a];
        if (!own->graded)
            continue;
        g_autofree char *name = escape_cell(comparison_column(comparison, a)->name);
        g_autofree char *earned = score_format_points(own->earned);
        g_autofree char *possible = score_format_points(own->possible);
        g_autofree char *mark = score_format_points(own->pass_mark);
        g_string_append_printf(out, "**%s: %s/%s, %s** (pass mark %s)\n\n", name, earned, possible,
                               own->passed ? "PASS" : "FAIL", mark);
        g_string_append(out, "| workload | points | earned | why |\n| --- | ---: | ---: | --- |\n");
        for (guint i = 0; i < own->item_count; i++) {
            const ItemScore *verdict = &own->items[i];
            g_autofree char *workload = escape_cell(verdict->item->workload);
            g_autofree char *points = score_format_points(verdict->item->points);
            g_autofree char *got = score_format_points(verdict->earned);
            g_autofree char *why = escape_cell(verdict->why);
            g_string_append_printf(out, "| %s | %s | %s | %s |\n", workload, points, got, why);
        }
        g_string_append_c(out, '\n');
    }
}

char *format_markdown(const Comparison *comparison, const Score *score)
{
    return format_markdown_with_chart(comparison, score, NULL);
}

char *format_markdown_with_chart(const Comparison *comparison, const Score *score,
                                 const char *chart_href)
{
    GString *out = g_string_new("# Allocator comparison\n\n");
    g_string_append_printf(
        out,
        "%u workloads × %u allocators, timeout %g s, memory limit %" G_GUINT64_FORMAT
        " bytes, %.1f s in all%s.\n\n",
        comparison->workloads->len, comparison->allocators->len, comparison->timeout_seconds,
        comparison->memory_limit, comparison->elapsed_seconds,
        comparison->interrupted ? " (interrupted: some cells did not run)" : "");
    g_string_append(out, "Each cell: MAX (the peak heap from `sbrk`), ×MAX ÷ optimal reuse, TIME, "
                         "and ✓ for STATUS OK or ✗ with the status code. *No-reuse* is every byte "
                         "requested, *optimal reuse* the most bytes live at once (testers: "
                         "REQUESTED and PEAK-LIVE as measured; traces: computed from the file); "
                         "the *header bound* is the most live at once with an 8-byte header "
                         "on every block, rounded up to 16 bytes; "
                         "~ marks a workload whose runs disagreed (threads), showing the "
                         "smallest. A reference allocator (jemalloc, mimalloc, tcmalloc) takes "
                         "its memory with mmap: its MAX is not measured, only its time.\n\n");
    /* The picture first: it is what a reader takes in at a glance. */
    if (chart_href != NULL)
        g_string_append_printf(out,
                               "![MAX ÷ optimal reuse and time ratio per workload and "
                               "allocator](%s%s%s)\n\n",
                               strpbrk(chart_href, " ()") ? "<" : "", chart_href,
                               strpbrk(chart_href, " ()") ? ">" : "");
    append_summary_table(out, comparison);
    format_append_failures(out, comparison, "\n## Failed or not run\n\n", "- ", "**");
    append_figures_table(out, comparison);
    if (score != NULL)
        append_score(out, comparison, score);
    return g_string_free(out, FALSE);
}
