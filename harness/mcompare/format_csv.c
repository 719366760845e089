/* CSV (RFC 4180): a header line, then one line per cell with every figure,
 * the workload's bounds and the ratio, so a spreadsheet needs nothing else. */
#include <string.h>

#include "format.h"

static const char *const call_names[MSTATS_FN_COUNT] = {
    "malloc",         "calloc",        "realloc",  "free",   "reallocarray",
    "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc",
};

/* A field, quoted when it holds a comma, quote or line break. */
static void append_field(GString *out, const char *text, gboolean first)
{
    if (!first)
        g_string_append_c(out, ',');
    if (text == NULL)
        return;
    if (strpbrk(text, ",\"\r\n") == NULL) {
        g_string_append(out, text);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *c);
    }
    g_string_append_c(out, '"');
}

/* Unquoted numeric fields, each with its leading comma. */
static void append_number(GString *out, guint64 value)
{
    g_string_append_printf(out, ",%" G_GUINT64_FORMAT, value);
}

static void append_double(GString *out, double value, const char *format)
{
    char buffer[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_c(out, ',');
    g_string_append(out, g_ascii_formatd(buffer, sizeof buffer, format, value));
}

char *format_csv(const Comparison *comparison)
{
    GString *out = g_string_new("workload,kind,allocator,allocator_path,status,code,reason,max,"
                                "ratio,no_reuse,optimal_reuse,avg,time,cpu_time,requested,"
                                "peak_live,utilization,live_at_exit,live_blocks_at_exit");
    for (int f = 0; f < MSTATS_FN_COUNT; f++)
        g_string_append_printf(out, ",calls_%s", call_names[f]);
    g_string_append(out, ",failed_calls,wait_status,exit_status,signal,timed_out,figures_valid,"
                         "header_bound_8,header_bound_16\r\n");
    for (guint i = 0; i < comparison->cell_count; i++) {
        const Cell *cell = &comparison->cells[i];
        const Workload *workload = comparison_workload(comparison, cell->workload);
        const AllocatorColumn *column = comparison_column(comparison, cell->allocator);
        const MstatsRunResult *r = &cell->result;
        append_field(out, workload->name, TRUE);
        append_field(out, workload_kind_name(workload->kind), FALSE);
        append_field(out, column->name, FALSE);
        append_field(out, column->path, FALSE);
        if (cell->state != CELL_DONE) {
            append_field(out, "NOT-RUN", FALSE);
            append_field(out, "", FALSE);
            append_field(out, cell->not_run_reason, FALSE);
            for (int empty = 0; empty < 12 + MSTATS_FN_COUNT + 6 + 2; empty++)
                g_string_append_c(out, ',');
            g_string_append(out, "\r\n");
            continue;
        }
        append_field(out, r->code == 0 ? "OK" : "FAILED", FALSE);
        g_string_append_printf(out, ",%d", r->code);
        g_autofree char *reason = r->code ? cell_describe_failure(cell) : NULL;
        append_field(out, reason, FALSE);
        append_number(out, r->heap_max);
        double ratio = cell_ratio(comparison, cell);
        if (ratio > 0)
            append_double(out, ratio, "%.6f");
        else
            g_string_append_c(out, ',');
        if (workload->has_bounds) {
            append_number(out, workload->no_reuse);
            append_number(out, workload->optimal_reuse);
        } else {
            g_string_append(out, ",,");
        }
        append_double(out, r->heap_avg, "%.6f");
        append_double(out, r->wall_seconds, "%.6f");
        append_double(out, r->cpu_seconds, "%.6f");
        append_number(out, r->requested);
        append_number(out, r->peak_live);
        append_double(out, r->utilization, "%.6f");
        append_number(out, r->live_at_exit);
        append_number(out, r->live_blocks_at_exit);
        for (int f = 0; f < MSTATS_FN_COUNT; f++)
            append_number(out, r->calls[f]);
        append_number(out, r->failed_calls);
        g_string_append_printf(out, ",%d", r->wait_status);
        if (r->exit_status >= 0)
            g_string_append_printf(out, ",%d", r->exit_status);
        else
            g_string_append_c(out, ',');
        if (r->signal)
            g_string_append_printf(out, ",%d", r->signal);
        else
            g_string_append_c(out, ',');
        g_string_append_printf(out, ",%s,%s", r->timed_out ? "true" : "false",
                               r->figures_valid ? "true" : "false");
        /* The workload's header bounds (8- and 16-byte headers) */
        if (workload->has_bounds) {
            append_number(out, workload->header_bound[0]);
            append_number(out, workload->header_bound[1]);
        } else {
            g_string_append(out, ",,");
        }
        g_string_append(out, "\r\n");
    }
    return g_string_free(out, FALSE);
}
