/* The chart of mstats --diff --chart (diff.h): both heap-size curves over
 * the calls, in the heap map's frame and type (heap_map.c). Each plot column
 * covers a slice of the calls; a curve is drawn through the first, lowest,
 * highest and last heap of every slice, so a spike of one call stays
 * visible. The split is a dashed vertical line, each peak a dot with MAX. */
#include "diff.h"

#include <cairo.h>

#include "draw.h"
#include "heap_map.h"

int diff_chart_column(guint64 call, guint64 calls)
{
    if (calls <= 1)
        return 0;
    guint64 index = call > 0 ? call - 1 : 0;
    return (int)(index * (DIFF_CHART_PLOT_WIDTH - 1) / (calls - 1));
}

int diff_chart_row(guint64 heap, guint64 top)
{
    heap = MIN(heap, top);
    return DIFF_CHART_PLOT_TOP + DIFF_CHART_PLOT_HEIGHT - 1 -
           (int)(heap * (DIFF_CHART_PLOT_HEIGHT - 1) / top);
}

guint64 diff_chart_top(const DiffFigures *figures)
{
    guint64 max = MAX(figures->max[0], figures->max[1]);
    return MAX(max + max / 16, 1); /* room above the peaks for their labels */
}

/* One run's curve over the plot. */
static void draw_curve(cairo_t *cr, const DiffRecording *run, guint64 calls, guint64 top,
                       guint32 colour)
{
    draw_set_colour(cr, colour);
    cairo_set_line_width(cr, 1.5);
    int column = -1;
    guint64 low = 0, high = 0, last = 0;
    gboolean started = FALSE;
    for (guint64 i = 0; i <= calls; i++) {
        int here = i < calls ? diff_chart_column(i + 1, calls) : -2;
        if (here != column && column >= 0) {
            double x = DIFF_CHART_PLOT_LEFT + column + 0.5;
            double ys[] = {diff_chart_row(low, top), diff_chart_row(high, top),
                           diff_chart_row(last, top)};
            for (gsize k = 0; k < G_N_ELEMENTS(ys); k++) {
                if (!started)
                    cairo_move_to(cr, x, ys[k] + 0.5);
                else
                    cairo_line_to(cr, x, ys[k] + 0.5);
                started = TRUE;
            }
        }
        if (i == calls)
            break;
        guint64 heap = run->ops[i].heap;
        if (here != column) {
            column = here;
            low = high = heap;
        }
        low = MIN(low, heap);
        high = MAX(high, heap);
        last = heap;
    }
    cairo_stroke(cr);
}

/* The split: a dashed line at its call, labelled. */
static void draw_split(cairo_t *cr, const DiffFigures *f)
{
    if (f->split.call == 0)
        return;
    double x = DIFF_CHART_PLOT_LEFT + diff_chart_column(f->split.call, f->calls) + 0.5;
    cairo_save(cr);
    draw_set_colour(cr, DIFF_CHART_COLOUR_SPLIT);
    cairo_set_line_width(cr, 1);
    cairo_set_dash(cr, (const double[]){6, 4}, 2, 0);
    cairo_move_to(cr, x, DIFF_CHART_PLOT_TOP);
    cairo_line_to(cr, x, DIFF_CHART_PLOT_TOP + DIFF_CHART_PLOT_HEIGHT);
    cairo_stroke(cr);
    cairo_restore(cr);
    g_autofree char *label = g_strdup_printf("split: call %" G_GUINT64_FORMAT, f->split.call);
    draw_set_colour(cr, DIFF_CHART_COLOUR_SPLIT);
    gboolean right_half = x > DIFF_CHART_PLOT_LEFT + DIFF_CHART_PLOT_WIDTH / 2;
    /* At the bottom: the peaks' labels are at the top. */
    draw_text_at(cr, right_half ? x - 4 : x + 4, DIFF_CHART_PLOT_TOP + DIFF_CHART_PLOT_HEIGHT - 8,
                 label, right_half ? 1 : 0);
}

/* Each run's peak: a dot at its first call, and its MAX beside it. */
static void draw_peaks(cairo_t *cr, const DiffChart *chart, guint64 top)
{
    const guint32 colours[2] = {DIFF_CHART_COLOUR_A, DIFF_CHART_COLOUR_B};
    const DiffFigures *f = chart->figures;
    for (int r = 0; r < 2; r++) {
        double x = DIFF_CHART_PLOT_LEFT + diff_chart_column(f->max_call[r], f->calls) + 0.5;
        double y = diff_chart_row(f->max[r], top) + 0.5;
        draw_set_colour(cr, colours[r]);
        cairo_arc(cr, x, y, 4.5, 0, 2 * G_PI);
        cairo_fill(cr);
        g_autofree char *label = g_strdup_printf("MAX %" G_GUINT64_FORMAT, f->max[r]);
        gboolean right_half = x > DIFF_CHART_PLOT_LEFT + DIFF_CHART_PLOT_WIDTH / 2;
        /* The lower peak's label below its dot, so that two close peaks do not collide. */
        double label_y =
            f->max[r] < f->max[1 - r] || (f->max[r] == f->max[1 - r] && r == 1) ? y + 16 : y - 8;
        draw_text_at(cr, right_half ? x - 8 : x + 8, label_y, label, right_half ? 1 : 0);
    }
}

/* Axes, ticks, title and legend. */
static void draw_frame(cairo_t *cr, const DiffChart *chart, guint64 top)
{
    const DiffFigures *f = chart->figures;
    double left = DIFF_CHART_PLOT_LEFT, plot_top = DIFF_CHART_PLOT_TOP;
    double width = DIFF_CHART_PLOT_WIDTH, height = DIFF_CHART_PLOT_HEIGHT;
    cairo_set_line_width(cr, 1);
    draw_set_colour(cr, 0x000000);
    cairo_rectangle(cr, left - 0.5, plot_top - 0.5, width + 1, height + 1);
    cairo_stroke(cr);
    g_autofree char *title = g_strdup_printf("%s on %s and %s: heap after every call",
                                             chart->program, chart->names[0], chart->names[1]);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 15);
    draw_text_at(cr, left, 22, title, 0);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    HeapMapTick ticks[HEAP_MAP_MAX_TICKS];
    guint count = heap_map_ticks(0, top, 6, TRUE, ticks);
    double last_label = G_MAXDOUBLE;
    for (guint i = 0; i < count; i++) {
        double y = diff_chart_row(ticks[i].value, top) + 0.5;
        cairo_move_to(cr, left - 6, y);
        cairo_line_to(cr, left - 1, y);
        cairo_stroke(cr);
        if (last_label - y >= 14) {
            draw_text_at(cr, left - 9, y + 4, ticks[i].label, 1);
            last_label = y;
        }
    }
    count = heap_map_ticks(0, f->calls, 8, FALSE, ticks);
    double bottom = plot_top + height, last_right = -G_MAXDOUBLE;
    for (guint i = 0; i < count; i++)
        draw_x_tick(cr, left + diff_chart_column(ticks[i].value, f->calls) + 0.5, bottom,
                    ticks[i].label, &last_right);
    draw_text_at(cr, left + width / 2, bottom + 34, "allocator calls (time)", 0.5);
    cairo_save(cr);
    cairo_translate(cr, 16, plot_top + height / 2);
    cairo_rotate(cr, -G_PI / 2);
    draw_text_at(cr, 0, 0, "heap size (break - heap start)", 0.5);
    cairo_restore(cr);
    const guint32 colours[2] = {DIFF_CHART_COLOUR_A, DIFF_CHART_COLOUR_B};
    double x = left, y = bottom + 58;
    for (int r = 0; r < 2; r++) {
        draw_set_colour(cr, colours[r]);
        cairo_rectangle(cr, x, y - 10, 12, 12);
        cairo_fill(cr);
        draw_set_colour(cr, 0x000000);
        cairo_text_extents_t extents;
        cairo_text_extents(cr, chart->names[r], &extents);
        draw_text_at(cr, x + 18, y, chart->names[r], 0);
        x += 18 + extents.x_advance + 28;
    }
    draw_text_at(cr, x, y, "dashed: the first call after which the heaps differ; dots: MAX", 0);
}

gboolean diff_chart_write(const char *path, const DiffChart *chart, GError **error)
{
    const DiffFigures *f = chart->figures;
    guint64 top = diff_chart_top(f);
    cairo_surface_t *surface =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, DIFF_CHART_WIDTH, DIFF_CHART_HEIGHT);
    cairo_t *cr = cairo_create(surface);
    draw_set_colour(cr, 0xffffff);
    cairo_paint(cr);
    draw_split(cr, f);
    /* B first, so that where the two curves coincide A shows (and B where they part). */
    draw_curve(cr, &chart->runs[1], f->calls, top, DIFF_CHART_COLOUR_B);
    draw_curve(cr, &chart->runs[0], f->calls, top, DIFF_CHART_COLOUR_A);
    draw_peaks(cr, chart, top);
    draw_frame(cr, chart, top);
    gboolean written = draw_write_png(surface, path, "chart", error);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    return written;
}
