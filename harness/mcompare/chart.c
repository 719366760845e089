/* The comparison chart (see chart.h). Both panels share the x axis: one
 * group of bars per workload, one bar per allocator. Ratios span orders of
 * magnitude (no-reuse reaches 10^5 times the optimal reuse), so each panel's
 * y axis is logarithmic, from the decade below its smallest ratio (never
 * above 1) to the decade above its largest (never below 10). */
#include "chart.h"

#include <cairo.h>
#include <math.h>
#include <string.h>

#include "draw.h"
#include "output_file.h"

#define CHART_MIN_WIDTH 900
#define CHART_LEFT 90
#define CHART_RIGHT 24
#define CHART_BAR 7
#define CHART_BAR_WIDEST 24
#define CHART_GROUP_GAP 12
#define CHART_LEGEND_TOP 66
#define CHART_LEGEND_HEIGHT 22
#define CHART_PANEL_HEIGHT 260
#define CHART_PANEL_GAP 34
#define CHART_LABELS 150 /* the workloads' names, turned, under the lower panel */
/* Below this, measured times are noise: counted as this much. */
#define CHART_TIME_FLOOR 0.001

static const guint32 palette[] = {0xe69f00, 0x56b4e9, 0x009e73, 0xcc79a7,
                                  0x0072b2, 0xd55e00, 0xf0e442, 0x999999};

void chart_geometry(const Comparison *comparison, ChartGeometry *g)
{
    int allocators = (int)MAX(comparison->allocators->len, 1);
    int workloads = (int)MAX(comparison->workloads->len, 1);
    /* Few bars widen to fill the smallest picture; many keep CHART_BAR. */
    int room = (CHART_MIN_WIDTH - CHART_LEFT - CHART_RIGHT) / workloads - CHART_GROUP_GAP;
    g->bar_width = CLAMP(room / allocators, CHART_BAR, CHART_BAR_WIDEST);
    g->group_width = allocators * g->bar_width + CHART_GROUP_GAP;
    g->plot_left = CHART_LEFT + CHART_GROUP_GAP / 2;
    g->width = MAX(CHART_MIN_WIDTH,
                   CHART_LEFT + (int)comparison->workloads->len * g->group_width + CHART_RIGHT);
    g->legend_top = CHART_LEGEND_TOP;
    g->legend_bottom = CHART_LEGEND_TOP + CHART_LEGEND_HEIGHT;
    g->ratio_top = g->legend_bottom + 20;
    g->ratio_bottom = g->ratio_top + CHART_PANEL_HEIGHT;
    g->time_top = g->ratio_bottom + CHART_PANEL_GAP;
    g->time_bottom = g->time_top + CHART_PANEL_HEIGHT;
    g->height = g->time_bottom + CHART_LABELS;
}

int chart_bar_left(const ChartGeometry *g, guint workload, guint allocator)
{
    return g->plot_left + (int)workload * g->group_width + (int)allocator * g->bar_width;
}

guint32 chart_allocator_colour(guint allocator)
{
    return palette[allocator % G_N_ELEMENTS(palette)];
}

double chart_time_ratio(const Comparison *comparison, const Cell *cell, gboolean *by_libc)
{
    *by_libc = FALSE;
    if (!cell_ok(cell))
        return 0.0;
    const Cell *libc = comparison_reference_cell(comparison, cell->workload);
    if (libc != NULL && cell_ok(libc)) {
        *by_libc = TRUE;
        return MAX(cell->result.cpu_seconds, CHART_TIME_FLOOR) /
               MAX(libc->result.cpu_seconds, CHART_TIME_FLOOR);
    }
    double fastest = G_MAXDOUBLE;
    for (guint a = 0; a < comparison->allocators->len; a++) {
        const Cell *other = comparison_cell_const(comparison, cell->workload, a);
        if (cell_ok(other))
            fastest = MIN(fastest, other->result.wall_seconds);
    }
    return MAX(cell->result.wall_seconds, CHART_TIME_FLOOR) / MAX(fastest, CHART_TIME_FLOOR);
}

/* One panel's log axis: decades lo_exp..hi_exp, drawn between top and bottom. */
typedef struct {
    int lo_exp, hi_exp;
    int top, bottom;
} LogAxis;

/* The axis spanning `values` (zeros are skipped) and 1 to 10 at least. Its
 * bottom is a decade below a smallest value near a power of ten, so that a
 * ratio of 1 (the bound met) is a bar, not nothing. */
static LogAxis axis_for(const double *values, guint count, int top, int bottom)
{
    double lo = 1.0, hi = 10.0;
    for (guint i = 0; i < count; i++)
        if (values[i] > 0) {
            lo = MIN(lo, values[i]);
            hi = MAX(hi, values[i]);
        }
    /* A hair of slack so that exactly 10^k does not open a new decade. */
    return (LogAxis){(int)floor(log10(lo / 1.5)), (int)ceil(log10(hi) - 1e-9), top, bottom};
}

static double axis_y(const LogAxis *axis, double value)
{
    double fraction = (log10(value) - axis->lo_exp) / (axis->hi_exp - axis->lo_exp);
    return axis->bottom - fraction * (axis->bottom - axis->top);
}

/* A tick's label: 0.1, 1, 20, 500, 1000, 10k, 100k, 1M. */
static char *tick_label(double value)
{
    if (value >= 1e6)
        return g_strdup_printf("%gM", value / 1e6);
    if (value >= 1e4)
        return g_strdup_printf("%gk", value / 1e3);
    return g_strdup_printf("%g", value);
}

/* `text` read bottom to top, ending (align 1) or starting (align 0) at
 * (x, y). */
static void turned_text_at(cairo_t *cr, double x, double y, const char *text, double align)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -G_PI / 2);
    draw_text_at(cr, 0, 0, text, align);
    cairo_restore(cr);
}

/* The grid, tick labels and the y axis name of one panel. Decades are
 * ticked; with one or two decades 2 and 5 are ticked too. */
static void draw_axis(cairo_t *cr, const ChartGeometry *g, const LogAxis *axis, const char *name)
{
    static const double steps[] = {1, 2, 5};
    gboolean fine = axis->hi_exp - axis->lo_exp <= 2;
    cairo_set_font_size(cr, 11);
    for (int e = axis->lo_exp; e <= axis->hi_exp; e++)
        for (gsize s = 0; s < (fine ? G_N_ELEMENTS(steps) : 1); s++) {
            double value = steps[s] * pow(10, e);
            if (e == axis->hi_exp && s > 0)
                break;
            double y = round(axis_y(axis, value)) + 0.5;
            /* Ratio 1 (as good as the bound, or as fast as the base) is darker. */
            draw_set_colour(cr, fabs(value - 1) < 1e-9 ? 0x808080 : 0xdddddd);
            cairo_move_to(cr, CHART_LEFT, y);
            cairo_line_to(cr, g->width - CHART_RIGHT, y);
            cairo_stroke(cr);
            draw_set_colour(cr, 0x333333);
            g_autofree char *label = tick_label(value);
            draw_text_at(cr, CHART_LEFT - 6, y + 4, label, 1);
        }
    cairo_set_font_size(cr, 12);
    turned_text_at(cr, 18, (axis->top + axis->bottom) / 2.0, name, 0.5);
    draw_set_colour(cr, 0x333333);
    cairo_rectangle(cr, CHART_LEFT + 0.5, axis->top + 0.5, g->width - CHART_RIGHT - CHART_LEFT,
                    axis->bottom - axis->top);
    cairo_stroke(cr);
}

/* What a slot without a bar shows: a cross and the status code of a failed
 * cell, or a short word ("n/m", "n/r") turned upwards from the axis. */
static void draw_mark(cairo_t *cr, double left, double bottom, int width, const Cell *cell,
                      const char *word)
{
    double size = MIN(width, CHART_BAR + 3);
    left += (width - size) / 2;
    cairo_set_font_size(cr, 9);
    if (cell->state == CELL_DONE && !cell_ok(cell)) {
        draw_set_colour(cr, 0x000000);
        cairo_set_line_width(cr, 1.5);
        cairo_move_to(cr, left, bottom - 2);
        cairo_line_to(cr, left + size, bottom - 2 - size);
        cairo_move_to(cr, left + size, bottom - 2);
        cairo_line_to(cr, left, bottom - 2 - size);
        cairo_stroke(cr);
        cairo_set_line_width(cr, 1);
        g_autofree char *code = g_strdup_printf("%d", cell->result.code);
        turned_text_at(cr, left + size / 2 + 3.5, bottom - size - 5, code, 0);
        return;
    }
    draw_set_colour(cr, 0x555555);
    turned_text_at(cr, left + size / 2 + 3.5, bottom - 3, word, 0);
}

/* One panel: `values` holds a ratio per cell (cell order), 0 where the cell
 * gets a mark instead. In the MAX panel (`max_panel`) an OK cell whose heap
 * was not measured says "n/m"; an OK cell without bounds shows nothing. */
static void draw_panel(cairo_t *cr, const ChartGeometry *g, const Comparison *comparison,
                       const double *values, const LogAxis *axis, gboolean max_panel)
{
    guint allocators = comparison->allocators->len;
    for (guint i = 0; i < comparison->cell_count; i++) {
        const Cell *cell = &comparison->cells[i];
        int left = chart_bar_left(g, cell->workload, cell->allocator);
        if (values[i] > 0) {
            double y = round(axis_y(axis, values[i]));
            draw_set_colour(cr, chart_allocator_colour(i % allocators));
            cairo_rectangle(cr, left, y, g->bar_width - 1, axis->bottom - y);
            cairo_fill(cr);
        } else if (!cell_ok(cell)) {
            draw_mark(cr, left, axis->bottom, g->bar_width, cell, "n/r");
        } else if (max_panel && !cell_heap_measured(cell)) {
            draw_mark(cr, left, axis->bottom, g->bar_width, cell, "n/m");
        }
    }
}

/* The header bound (8-byte headers) over optimal reuse, where a workload has
 * one: a black line two pixels high across its group of bars in the MAX
 * panel, which no allocator with such headers can go under. */
static void draw_header_bounds(cairo_t *cr, const ChartGeometry *g, const Comparison *comparison,
                               const LogAxis *axis)
{
    guint last = comparison->allocators->len - 1;
    draw_set_colour(cr, CHART_HEADER_BOUND_COLOUR);
    for (guint w = 0; w < comparison->workloads->len; w++) {
        const Workload *workload = comparison_workload(comparison, w);
        if (!workload->has_bounds || workload->optimal_reuse == 0 || workload->header_bound[0] == 0)
            continue;
        double ratio = (double)workload->header_bound[0] / (double)workload->optimal_reuse;
        double y = MAX(round(axis_y(axis, ratio)), axis->top + 1);
        int left = chart_bar_left(g, w, 0) - 2;
        int right = chart_bar_left(g, w, last) + g->bar_width + 1;
        cairo_rectangle(cr, left, y - 1, right - left, 2);
        cairo_fill(cr);
    }
}

/* The title (naming the run) and the line saying what the time ratio is. */
static void draw_title(cairo_t *cr, const Comparison *comparison, guint by_libc, guint by_fastest)
{
    draw_set_colour(cr, 0x000000);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 16);
    g_autofree char *title = g_strdup_printf(
        "mcompare: %u workloads × %u allocators, timeout %g s, %.1f s in all%s",
        comparison->workloads->len, comparison->allocators->len, comparison->timeout_seconds,
        comparison->elapsed_seconds, comparison->interrupted ? " (interrupted)" : "");
    draw_text_at(cr, CHART_LEFT, 24, title, 0);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    const char *time = by_fastest == 0 ? "time ratio: CPU time ÷ libc's CPU time"
                       : by_libc == 0  ? "time ratio: TIME ÷ the fastest allocator's TIME"
                                       : "time ratio: CPU time ÷ libc's CPU time; * TIME ÷ "
                                         "the fastest allocator's TIME (libc not OK there)";
    g_autofree char *line = g_strdup_printf("Lower is better. %s. ✗ N: failed with status N; "
                                            "n/m: MAX not measured (mmap); n/r: not run.",
                                            time);
    draw_text_at(cr, CHART_LEFT, 46, line, 0);
}

/* A square of each allocator's colour and its name, left to right. */
static void draw_legend(cairo_t *cr, const ChartGeometry *g, const Comparison *comparison)
{
    cairo_set_font_size(cr, 12);
    double x = CHART_LEFT;
    for (guint a = 0; a < comparison->allocators->len; a++) {
        draw_set_colour(cr, chart_allocator_colour(a));
        cairo_rectangle(cr, x, g->legend_top + 4, 14, 14);
        cairo_fill(cr);
        draw_set_colour(cr, 0x000000);
        const char *name = comparison_column(comparison, a)->name;
        cairo_text_extents_t extents;
        cairo_text_extents(cr, name, &extents);
        draw_text_at(cr, x + 19, g->legend_top + 16, name, 0);
        x += 19 + extents.x_advance + 22;
    }
    /* The line of draw_header_bounds, explained once. */
    draw_set_colour(cr, CHART_HEADER_BOUND_COLOUR);
    cairo_rectangle(cr, x, g->legend_top + 10, 18, 2);
    cairo_fill(cr);
    draw_text_at(cr, x + 23, g->legend_top + 16, "header bound (8-byte headers)", 0);
}

/* The workloads' names under the lower panel, turned, starred where the time
 * ratio falls back to the fastest allocator. */
static void draw_workload_names(cairo_t *cr, const ChartGeometry *g, const Comparison *comparison,
                                const gboolean *starred)
{
    draw_set_colour(cr, 0x000000);
    cairo_set_font_size(cr, 11);
    for (guint w = 0; w < comparison->workloads->len; w++) {
        double centre = chart_bar_left(g, w, 0) + comparison->allocators->len * g->bar_width / 2.0;
        g_autofree char *name = g_strdup_printf("%s%s", comparison_workload(comparison, w)->name,
                                                starred[w] ? " *" : "");
        turned_text_at(cr, centre + 4, g->time_bottom + 6, name, 1);
    }
}

/* cairo's PNG sink: appends to the GByteArray in `closure`. */
static cairo_status_t append_png_bytes(void *closure, const unsigned char *data,
                                       unsigned int length)
{
    g_byte_array_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

/* Encodes the picture in memory, then writes it in place (output_file.h). */
static gboolean write_png(cairo_surface_t *surface, const char *path, GError **error)
{
    g_autoptr(GByteArray) png = g_byte_array_new();
    cairo_status_t status = cairo_surface_write_to_png_stream(surface, append_png_bytes, png);
    if (status != CAIRO_STATUS_SUCCESS) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path,
                    cairo_status_to_string(status));
        return FALSE;
    }
    return output_file_write(path, (const char *)png->data, png->len, error);
}

gboolean chart_write(const char *path, const Comparison *comparison, GError **error)
{
    ChartGeometry g;
    chart_geometry(comparison, &g);
    guint cells = comparison->cell_count;
    g_autofree double *ratios = g_new0(double, cells + 1);
    g_autofree double *times = g_new0(double, cells + 1);
    g_autofree gboolean *starred = g_new0(gboolean, comparison->workloads->len + 1);
    guint by_libc = 0, by_fastest = 0;
    for (guint i = 0; i < cells; i++) {
        const Cell *cell = &comparison->cells[i];
        gboolean libc_based;
        ratios[i] = cell_ratio(comparison, cell);
        times[i] = chart_time_ratio(comparison, cell, &libc_based);
        if (times[i] > 0) {
            libc_based ? by_libc++ : by_fastest++;
            starred[cell->workload] |= !libc_based;
        }
    }
    if (by_libc == 0) /* the legend says it once: no stars needed */
        memset(starred, 0, sizeof *starred * comparison->workloads->len);
    LogAxis ratio_axis = axis_for(ratios, cells, g.ratio_top, g.ratio_bottom);
    LogAxis time_axis = axis_for(times, cells, g.time_top, g.time_bottom);

    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, g.width, g.height);
    cairo_t *cr = cairo_create(surface);
    draw_set_colour(cr, 0xffffff);
    cairo_paint(cr);
    cairo_set_line_width(cr, 1);
    draw_title(cr, comparison, by_libc, by_fastest);
    draw_legend(cr, &g, comparison);
    draw_axis(cr, &g, &ratio_axis, "MAX ÷ optimal reuse (log)");
    draw_axis(cr, &g, &time_axis, by_fastest == 0 ? "CPU time ÷ libc's (log)" : "time ratio (log)");
    draw_panel(cr, &g, comparison, ratios, &ratio_axis, TRUE);
    draw_header_bounds(cr, &g, comparison, &ratio_axis);
    draw_panel(cr, &g, comparison, times, &time_axis, FALSE);
    draw_workload_names(cr, &g, comparison, starred);
    gboolean written = write_png(surface, path, error);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    return written;
}

char *chart_markdown_href(const char *chart_path, const char *report_path)
{
    g_autofree char *chart_dir = g_path_get_dirname(chart_path);
    if (report_path != NULL) {
        g_autofree char *report_dir = g_path_get_dirname(report_path);
        g_autofree char *chart_abs = g_canonicalize_filename(chart_dir, NULL);
        g_autofree char *report_abs = g_canonicalize_filename(report_dir, NULL);
        if (strcmp(chart_abs, report_abs) == 0)
            return g_path_get_basename(chart_path);
        return g_canonicalize_filename(chart_path, NULL);
    }
    return g_strdup(chart_path);
}
