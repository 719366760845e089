/* The terminal table: a row per workload, the three bounds, then a column group
 * per allocator (MAX, MAX / optimal, TIME, status mark), a last row with the
 * geometric mean of MAX / optimal and the total time, then the reasons of the
 * failed cells and, with a rubric, the score lines. */
#include <math.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "format.h"

enum { SUB_COLUMNS = 4, LEAD_COLUMNS = 4 };

typedef struct {
    GPtrArray *rows; /* GPtrArray * of char * (one per column) */
    guint columns;
} Grid;

/* Appends an empty row to the grid and returns it. */
static GPtrArray *grid_row(Grid *grid)
{
    GPtrArray *row = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(grid->rows, row);
    return row;
}

/* Columns a UTF-8 text takes (one per character: the table has no wide characters). */
static guint text_width(const char *text)
{
    return (guint)g_utf8_strlen(text, -1);
}

/* Appends `text` padded with blanks to `width` columns, right- or left-aligned. */
static void pad(GString *out, const char *text, guint width, gboolean right)
{
    guint used = text_width(text);
    if (right)
        for (guint i = used; i < width; i++)
            g_string_append_c(out, ' ');
    g_string_append(out, text);
    if (!right)
        for (guint i = used; i < width; i++)
            g_string_append_c(out, ' ');
}

/* Appends `line` without trailing blanks and a newline, and empties it. */
static void append_line(GString *out, GString *line)
{
    while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate(line, line->len - 1);
    g_string_append_len(out, line->str, (gssize)line->len);
    g_string_append_c(out, '\n');
    g_string_truncate(line, 0);
}

/* TRUE when the terminal can show the marks and rules (LC_CTYPE is UTF-8). */
static gboolean locale_is_utf8(void)
{
    const char *charset;
    return g_get_charset(&charset);
}

/* One row per workload: name, bounds, then MAX, ratio, TIME and mark per allocator. */
static void add_data_rows(Grid *grid, const Comparison *comparison, gboolean utf8)
{
    for (guint w = 0; w < comparison->workloads->len; w++) {
        const Workload *workload = comparison_workload(comparison, w);
        GPtrArray *row = grid_row(grid);
        g_ptr_array_add(row, g_strdup(workload->name));
        if (workload->has_bounds) {
            const char *approx = workload->bounds_agree ? "" : "~";
            g_autofree char *no_reuse = format_size_short(workload->no_reuse);
            g_autofree char *optimal = format_size_short(workload->optimal_reuse);
            g_autofree char *header = format_size_short(workload->header_bound[0]);
            g_ptr_array_add(row, g_strconcat(approx, no_reuse, NULL));
            g_ptr_array_add(row, g_strconcat(approx, optimal, NULL));
            g_ptr_array_add(row, g_strconcat(approx, header, NULL));
        } else {
            for (guint c = 1; c < LEAD_COLUMNS; c++)
                g_ptr_array_add(row, g_strdup("-"));
        }
        for (guint a = 0; a < comparison->allocators->len; a++) {
            const Cell *cell = comparison_cell_const(comparison, w, a);
            double ratio = cell_ratio(comparison, cell);
            g_ptr_array_add(row, cell_heap_measured(cell) ? format_size_short(cell->result.heap_max)
                                 : cell_ok(cell)          ? g_strdup("n/m")
                                                          : g_strdup("-"));
            g_ptr_array_add(row, ratio > 0 ? g_strdup_printf("%.2f", ratio) : g_strdup("-"));
            g_ptr_array_add(row, cell->state == CELL_DONE
                                     ? g_strdup_printf("%.2f", cell->result.wall_seconds)
                                     : g_strdup("-"));
            g_ptr_array_add(row, format_status_mark(cell, utf8));
        }
    }
}

/* The last row: the geometric mean of ratios and the total time per allocator. */
static void add_summary_row(Grid *grid, const Comparison *comparison, gboolean utf8)
{
    GPtrArray *row = grid_row(grid);
    g_ptr_array_add(row, g_strdup("geomean / total"));
    for (guint c = 1; c < LEAD_COLUMNS; c++)
        g_ptr_array_add(row, g_strdup(""));
    for (guint a = 0; a < comparison->allocators->len; a++) {
        AllocatorSummary summary;
        comparison_summarize(comparison, a, &summary);
        g_ptr_array_add(row, g_strdup(""));
        g_ptr_array_add(row, summary.ratio_cells ? g_strdup_printf("%.2f", summary.geomean_ratio)
                                                 : g_strdup("-"));
        g_ptr_array_add(row, g_strdup_printf("%.2f", summary.total_time));
        g_ptr_array_add(row, summary.failed_cells
                                 ? g_strdup_printf("%s%u", utf8 ? "✗ " : "x ", summary.failed_cells)
                                 : g_strdup(""));
    }
}

/* Column widths from the widest cell; a group is at least as wide as its
 * allocator's name. Returns a new array of grid->columns widths. */
static guint *column_widths(const Grid *grid, const Comparison *comparison)
{
    guint *width = g_new0(guint, grid->columns);
    for (guint r = 0; r < grid->rows->len; r++) {
        GPtrArray *row = g_ptr_array_index(grid->rows, r);
        for (guint c = 0; c < row->len; c++)
            width[c] = MAX(width[c], text_width(g_ptr_array_index(row, c)));
    }
    for (guint a = 0; a < comparison->allocators->len; a++) {
        guint first = LEAD_COLUMNS + a * SUB_COLUMNS, span = 0;
        for (guint s = 0; s < SUB_COLUMNS; s++)
            span += width[first + s] + (s ? 2 : 0);
        guint name = text_width(comparison_column(comparison, a)->name);
        if (name > span)
            width[first] += name - span;
    }
    return width;
}

/* Columns allocator `a`'s group takes, with the bar before it. */
static guint group_width(const guint *width, guint a)
{
    guint first = LEAD_COLUMNS + a * SUB_COLUMNS, span = 3; /* " | " */
    for (guint s = 0; s < SUB_COLUMNS; s++)
        span += width[first + s] + (s ? 2 : 0);
    return span;
}

/* The grid's rows for allocators [from, to) as text, the lead columns
 * (workload, bounds) first, allocator names over their groups. */
static void render_block(GString *out, const Grid *grid, const Comparison *comparison,
                         const guint *width, guint from, guint to, gboolean utf8)
{
    const char *bar = utf8 ? " │ " : " | ";
    GString *line = g_string_new(NULL);
    pad(line, "", width[0], FALSE);
    g_string_append(line, "  ");
    pad(line, "bounds", width[1] + 2 + width[2] + 2 + width[3], FALSE);
    guint total = width[0] + 2 + width[1] + 2 + width[2] + 2 + width[3];
    for (guint a = from; a < to; a++) {
        g_string_append(line, bar);
        pad(line, comparison_column(comparison, a)->name, group_width(width, a) - 3, FALSE);
        total += group_width(width, a);
    }
    append_line(out, line);
    for (guint r = 0; r < grid->rows->len; r++) {
        GPtrArray *row = g_ptr_array_index(grid->rows, r);
        /* Rules under the header and above the summary row. */
        if (r == grid->rows->len - 1 || r == 1) {
            for (guint i = 0; i < total; i++)
                g_string_append(line, utf8 ? "─" : "-");
            append_line(out, line);
        }
        for (guint c = 0; c < row->len; c++) {
            gboolean lead = c < LEAD_COLUMNS;
            guint a = lead ? 0 : (c - LEAD_COLUMNS) / SUB_COLUMNS;
            if (!lead && (a < from || a >= to))
                continue;
            if (!lead && (c - LEAD_COLUMNS) % SUB_COLUMNS == 0)
                g_string_append(line, bar);
            else if (c > 0)
                g_string_append(line, "  ");
            gboolean mark = !lead && (c - LEAD_COLUMNS) % SUB_COLUMNS == SUB_COLUMNS - 1;
            pad(line, g_ptr_array_index(row, c), width[c], c > 0 && !mark);
        }
        append_line(out, line);
    }
    g_string_free(line, TRUE);
}

/* The width the table must fit: the terminal's when standard output is one,
 * else 100 columns. */
static guint table_width_limit(void)
{
    struct winsize size;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 40)
        return size.ws_col;
    return 100;
}

/* The grid as text, in blocks of as many allocators as fit the width limit
 * (at least one each), every block with the workload and bound columns. */
static void render_grid(GString *out, const Grid *grid, const Comparison *comparison, gboolean utf8)
{
    g_autofree guint *width = column_widths(grid, comparison);
    guint lead = width[0] + 2 + width[1] + 2 + width[2] + 2 + width[3], limit = table_width_limit();
    guint count = comparison->allocators->len;
    for (guint from = 0; from < count || from == 0;) {
        guint to = from, used = lead;
        while (to < count && (to == from || used + group_width(width, to) <= limit))
            used += group_width(width, to++);
        if (from > 0)
            g_string_append_c(out, '\n');
        render_block(out, grid, comparison, width, from, to, utf8);
        if (to == from)
            break;
        from = to;
    }
}

/* Reasons for failed and not-run cells, and what the marks mean. */
static void append_notes(GString *out, const Comparison *comparison)
{
    gboolean approx = FALSE;
    format_append_failures(out, comparison, "\nFailed or not run:\n", "  ", "");
    for (guint w = 0; w < comparison->workloads->len; w++)
        approx = approx || !comparison_workload(comparison, w)->bounds_agree;
    g_string_append(out,
                    "\nMAX and the bounds in bytes (K, M, G: powers of 1024); ratio = MAX / "
                    "optimal reuse;\nTIME in seconds. no-reuse: every byte requested; "
                    "optimal: peak bytes live at once\n(testers: REQUESTED and PEAK-LIVE "
                    "measured; traces: from the file); header: peak of live blocks\n"
                    "with an 8-byte header each, rounded up to 16 bytes (docs/mcompare.md).\n");
    if (approx)
        g_string_append(out, "~: the runs of this workload disagreed (threads); the smallest "
                             "figure is shown.\n");
    gboolean unmeasured = FALSE;
    for (guint i = 0; i < comparison->cell_count; i++)
        unmeasured = unmeasured ||
                     (cell_ok(&comparison->cells[i]) && !cell_heap_measured(&comparison->cells[i]));
    guint unsandboxed = 0, unwitnessed = 0, unverified = 0;
    const char *why = NULL, *witness_why = NULL, *completion_why = NULL;
    for (guint i = 0; i < comparison->cell_count; i++) {
        const MstatsRunResult *r = &comparison->cells[i].result;
        if (comparison->cells[i].state != CELL_DONE)
            continue;
        if (!r->sandboxed) {
            unsandboxed++;
            why = r->not_sandboxed_why;
        }
        if (r->witness == MSTATS_WITNESS_UNAVAILABLE) {
            unwitnessed++;
            witness_why = r->witness_why;
        }
        if (r->code == MSTATS_CODE_OK && r->completion == MSTATS_COMPLETION_NOT_VERIFIED) {
            unverified++;
            completion_why = r->completion_why;
        }
    }
    if (unsandboxed > 0)
        g_string_append_printf(out, "Not sandboxed: %u cells (%s).\n", unsandboxed,
                               why != NULL ? why : "no reason given");
    if (unwitnessed > 0)
        g_string_append_printf(out, "Figures not witnessed: %u cells (%s).\n", unwitnessed,
                               witness_why != NULL ? witness_why : "no reason given");
    if (unverified > 0)
        g_string_append_printf(out, "Completion not verified: %u cells (%s).\n", unverified,
                               completion_why != NULL ? completion_why : "no reason given");
    if (unmeasured)
        g_string_append(out, "n/m: not measured: a reference allocator (jemalloc, mimalloc, "
                             "tcmalloc) takes its memory\nwith mmap, so only its time counts.\n");
    if (comparison->interrupted)
        g_string_append(out, "Interrupted: cells marked - did not finish.\n");
}

char *format_table(const Comparison *comparison, const Score *score)
{
    gboolean utf8 = locale_is_utf8();
    Grid grid = {.rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref),
                 .columns = LEAD_COLUMNS + SUB_COLUMNS * comparison->allocators->len};
    GPtrArray *header = grid_row(&grid);
    g_ptr_array_add(header, g_strdup("workload"));
    g_ptr_array_add(header, g_strdup("no-reuse"));
    g_ptr_array_add(header, g_strdup("optimal"));
    g_ptr_array_add(header, g_strdup("header"));
    for (guint a = 0; a < comparison->allocators->len; a++) {
        g_ptr_array_add(header, g_strdup("MAX"));
        g_ptr_array_add(header, g_strdup("ratio"));
        g_ptr_array_add(header, g_strdup("TIME"));
        g_ptr_array_add(header, g_strdup(""));
    }
    add_data_rows(&grid, comparison, utf8);
    add_summary_row(&grid, comparison, utf8);
    GString *out = g_string_new(NULL);
    render_grid(out, &grid, comparison, utf8);
    g_ptr_array_unref(grid.rows);
    append_notes(out, comparison);
    if (score != NULL) {
        g_autofree char *lines = score_render_lines(score, comparison);
        g_string_append_printf(out, "\n%s", lines);
    }
    return g_string_free(out, FALSE);
}
