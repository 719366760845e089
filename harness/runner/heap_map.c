/* The heap map renderer (see heap_map.h).
 *
 * Every block's lifetime is a rectangle (its operations in x, its bytes in
 * y). Rectangles go into a two-dimensional difference array, so the cost is
 * one step per operation plus one per pixel, however many blocks there are;
 * cairo then draws the axes, the break line and the labels.
 */
#include "heap_map.h"

#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <unistd.h>

#include "draw.h"
#include "output_file.h"
#include "error.h"

/* Read by LeakSanitizer in -DMSTATS_SANITIZE=ON builds (unused otherwise):
 * cairo's text drawing fills fontconfig caches that live as long as the
 * process and are never freed; they are not our leaks. */
__attribute__((used, visibility("default"))) const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* ... and the list of suppressions used is not printed at exit, so that a
 * sanitized program's stderr stays the one line its tests expect. */
__attribute__((used, visibility("default"))) const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

typedef struct {
    guint64 start_op; /* operation that made the block */
    guint64 offset;   /* from the heap start */
    guint64 size;
    gboolean live;
} Lifetime;

typedef struct {
    gint32 *diff; /* (PLOT_WIDTH + 1) x (PLOT_HEIGHT + 1) corner counts */
    guint64 count, heap_max;
    guint64 split; /* 0: one linear y axis; else offsets below it get the bottom band */
} Canvas;

static int column_of(const Canvas *c, guint64 op)
{
    return c->count ? (int)(op * HEAP_MAP_PLOT_WIDTH / c->count) : 0;
}

/* Row from the bottom for a heap offset, clamped to the plot: linear in
 * [0, heap_max], or with a split axis linear in each band. */
static int row_of(const Canvas *c, guint64 offset)
{
    if (c->heap_max == 0)
        return 0;
    offset = MIN(offset, c->heap_max);
    if (c->split == 0)
        return (int)(offset * HEAP_MAP_PLOT_HEIGHT / c->heap_max);
    if (offset < c->split)
        return (int)(offset * HEAP_MAP_SPLIT_ROWS / c->split);
    return HEAP_MAP_SPLIT_ROWS +
           (int)((offset - c->split) * (HEAP_MAP_PLOT_HEIGHT - HEAP_MAP_SPLIT_ROWS) /
                 (c->heap_max - c->split));
}

/* Unit of a byte label for values up to `top`: the largest of B, KiB, MiB
 * and GiB that `top` holds at least twice, so labels stay short. */
static guint64 byte_unit(guint64 top, const char **name)
{
    static const char *const names[] = {"B", "KiB", "MiB", "GiB"};
    guint64 unit = 1;
    guint i = 0;
    while (i + 1 < G_N_ELEMENTS(names) && top >= 2 * unit * 1024) {
        unit *= 1024;
        i++;
    }
    *name = names[i];
    return unit;
}

/* A round number near `raw` (> 0): 1, 2 or 5 times a power of ten. With
 * `up` the smallest one >= raw (a bound); else the nearest (a tick step, so
 * that the number of ticks stays within about half and twice the number
 * wanted). */
static double round_125(double raw, gboolean up)
{
    double power = pow(10, floor(log10(raw)));
    double fraction = raw / power;
    if (up)
        return power * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10);
    return power * (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10);
}

/* Writes the label of `tick`: bytes in `unit` (named `unit_name`), or an
 * operation count with k or M above 9999. */
static void label_tick(HeapMapTick *tick, gboolean bytes, guint64 unit, const char *unit_name)
{
    double value = (double)tick->value;
    if (tick->value == 0)
        g_strlcpy(tick->label, "0", sizeof tick->label);
    else if (bytes)
        g_snprintf(tick->label, sizeof tick->label, "%g %s", value / (double)unit, unit_name);
    else if (tick->value < 10000)
        g_snprintf(tick->label, sizeof tick->label, "%" G_GUINT64_FORMAT, tick->value);
    else if (tick->value < 10000000)
        g_snprintf(tick->label, sizeof tick->label, "%gk", value / 1e3);
    else
        g_snprintf(tick->label, sizeof tick->label, "%gM", value / 1e6);
}

guint heap_map_ticks(guint64 from, guint64 top, guint wanted, gboolean bytes, HeapMapTick *ticks)
{
    if (top <= from || wanted == 0)
        return 0;
    const char *unit_name = "";
    guint64 unit = bytes ? byte_unit(top, &unit_name) : 1;
    double step_units = round_125((double)(top - from) / unit / wanted, FALSE);
    guint64 step = MAX((guint64)llround(step_units * (double)unit), 1);
    guint count = 0;
    for (guint64 value = (from + step - 1) / step * step;
         value <= top && count < HEAP_MAP_MAX_TICKS; value += step) {
        ticks[count].value = value;
        label_tick(&ticks[count++], bytes, unit, unit_name);
    }
    return count;
}

/* Where to split the y axis, or 0 for none. The split is the largest heap
 * of the run's first tenth, rounded up to a tick value; there is one when
 * that is under 1/16 of MAX, so that the early heap would otherwise be a
 * sliver of under 31 rows at the bottom. */
static guint64 split_offset(const MstatsRecordedOp *ops, guint64 count, guint64 heap_max)
{
    guint64 early = 0;
    for (guint64 i = 0; i < (count + 9) / 10; i++)
        early = MAX(early, ops[i].heap);
    if (early == 0)
        return 0;
    const char *unit_name;
    guint64 unit = byte_unit(early, &unit_name);
    guint64 split = (guint64)llround(round_125((double)early / unit, TRUE) * (double)unit);
    return split * 16 <= heap_max ? split : 0;
}

/* Adds the rectangle of a block that lived from op `from` to op `to`. A block
 * covers at least one pixel each way, so small ones stay visible. */
static void add_lifetime(Canvas *c, const Lifetime *block, guint64 to)
{
    int x0 = column_of(c, block->start_op), x1 = column_of(c, to);
    int y0 = row_of(c, block->offset), y1 = row_of(c, block->offset + block->size);
    if (x1 <= x0)
        x1 = x0 + 1;
    if (y1 <= y0)
        y1 = y0 + 1;
    x1 = MIN(x1, HEAP_MAP_PLOT_WIDTH);
    y1 = MIN(y1, HEAP_MAP_PLOT_HEIGHT);
    if (x0 >= x1 || y0 >= y1)
        return;
    int stride = HEAP_MAP_PLOT_WIDTH + 1;
    c->diff[y0 * stride + x0]++;
    c->diff[y0 * stride + x1]--;
    c->diff[y1 * stride + x0]--;
    c->diff[y1 * stride + x1]++;
}

/* Replays the operations into lifetimes and the canvas; fills `break_row`
 * with the highest break row seen in each column. */
static void trace_lifetimes(Canvas *c, const MstatsRecordedOp *ops, guint32 ids, int *break_row)
{
    g_autofree Lifetime *blocks = g_new0(Lifetime, ids ? ids : 1);
    for (guint64 i = 0; i < c->count; i++) {
        const MstatsRecordedOp *op = &ops[i];
        int column = MIN(column_of(c, i), HEAP_MAP_PLOT_WIDTH - 1);
        break_row[column] = MAX(break_row[column], row_of(c, op->heap));
        if (op->kind == MSTATS_OP_FREE_NULL || op->id >= ids)
            continue;
        Lifetime *block = &blocks[op->id];
        if (block->live && op->kind != MSTATS_OP_ALLOC)
            add_lifetime(c, block, i);
        *block = (Lifetime){i, op->offset, op->size, op->kind != MSTATS_OP_FREE};
    }
    for (guint32 id = 0; id < ids; id++)
        if (blocks[id].live)
            add_lifetime(c, &blocks[id], c->count);
}

/* Paints the plot's pixels into `surface` from the summed canvas. */
static void paint_pixels(cairo_surface_t *surface, const Canvas *c, const int *break_row)
{
    cairo_surface_flush(surface);
    unsigned char *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface), width = HEAP_MAP_PLOT_WIDTH + 1;
    /* Prefix sums turn corner counts into coverage counts. */
    for (int y = 0; y <= HEAP_MAP_PLOT_HEIGHT; y++)
        for (int x = 0; x <= HEAP_MAP_PLOT_WIDTH; x++) {
            gint32 *at = &c->diff[y * width + x];
            if (x > 0)
                *at += at[-1];
            if (y > 0)
                *at += at[-width];
            if (x > 0 && y > 0)
                *at -= at[-width - 1];
        }
    int top_break = -1;
    for (int x = 0; x < HEAP_MAP_PLOT_WIDTH; x++) {
        top_break = MAX(top_break, break_row[x]); /* the heap never shrinks back in the picture */
        for (int y = 0; y < HEAP_MAP_PLOT_HEIGHT; y++) {
            guint32 colour = c->diff[y * width + x] > 0 ? HEAP_MAP_LIVE
                             : y < top_break            ? HEAP_MAP_UNUSED
                                                        : HEAP_MAP_ABSENT;
            int px = HEAP_MAP_PLOT_LEFT + x, py = HEAP_MAP_PLOT_TOP + HEAP_MAP_PLOT_HEIGHT - 1 - y;
            *(guint32 *)(data + py * stride + px * 4) = 0xff000000u | colour;
        }
    }
    cairo_surface_mark_dirty(surface);
}

/* Pixel row (from the picture's top) of the bottom of heap offset `offset`. */
static double tick_y(const Canvas *c, guint64 offset)
{
    return HEAP_MAP_PLOT_TOP + HEAP_MAP_PLOT_HEIGHT - 1 - row_of(c, offset) + 0.5;
}

/* Ticks and labels of the y axis, each band's ticks on its own round values;
 * a label too close to the one below it is left out. */
static void draw_offset_ticks(cairo_t *cr, const Canvas *c)
{
    HeapMapTick ticks[2 * HEAP_MAP_MAX_TICKS + 1];
    guint count = 0;
    if (c->split != 0) {
        count = heap_map_ticks(0, c->split, 3, TRUE, ticks);
        if (ticks[count - 1].value != c->split) { /* the split itself is always labelled */
            const char *unit_name;
            guint64 unit = byte_unit(c->split, &unit_name);
            ticks[count].value = c->split;
            label_tick(&ticks[count++], TRUE, unit, unit_name);
        }
        count += heap_map_ticks(c->split + 1, c->heap_max, 5, TRUE, ticks + count);
    } else {
        count = heap_map_ticks(0, c->heap_max, 6, TRUE, ticks);
    }
    double left = HEAP_MAP_PLOT_LEFT, last_label = G_MAXDOUBLE;
    for (guint i = 0; i < count; i++) {
        double y = tick_y(c, ticks[i].value);
        cairo_move_to(cr, left - 6, y);
        cairo_line_to(cr, left - 1, y);
        cairo_stroke(cr);
        if (last_label - y >= 14) {
            draw_text_at(cr, left - 9, y + 4, ticks[i].label, 1);
            last_label = y;
        }
    }
    if (c->split != 0) {
        /* The split: a dashed line across the plot and a gap mark on the axis. */
        double y = tick_y(c, c->split);
        cairo_save(cr);
        draw_set_colour(cr, 0x555555);
        cairo_set_dash(cr, (const double[]){6, 4}, 2, 0);
        cairo_move_to(cr, left, y);
        cairo_line_to(cr, left + HEAP_MAP_PLOT_WIDTH, y);
        cairo_stroke(cr);
        cairo_restore(cr);
    }
}

/* Ticks and labels of the time axis: operations on round values. */
static void draw_time_ticks(cairo_t *cr, const Canvas *c)
{
    HeapMapTick ticks[HEAP_MAP_MAX_TICKS];
    guint count = heap_map_ticks(0, c->count, 8, FALSE, ticks);
    double last_right = -G_MAXDOUBLE;
    for (guint i = 0; i < count; i++)
        draw_x_tick(cr, HEAP_MAP_PLOT_LEFT + column_of(c, ticks[i].value) + 0.5,
                    HEAP_MAP_PLOT_TOP + HEAP_MAP_PLOT_HEIGHT, ticks[i].label, &last_right);
}

/* The title: the run's figures, and for a failed run a second line in
 * HEAP_MAP_FAILED with its code and reason. */
static void draw_title(cairo_t *cr, const HeapMapRun *run)
{
    g_autofree char *title = g_strdup_printf(
        "%s on %s: MAX %" G_GUINT64_FORMAT ", PEAK-LIVE %" G_GUINT64_FORMAT " bytes", run->program,
        run->allocator, run->heap_max, run->peak_live);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 15);
    draw_text_at(cr, HEAP_MAP_PLOT_LEFT, 22, title, 0);
    if (run->failed_code != 0) {
        g_autofree char *failed =
            g_strdup_printf("FAILED: %d %s", run->failed_code, run->reason ? run->reason : "");
        draw_set_colour(cr, HEAP_MAP_FAILED);
        cairo_set_font_size(cr, 13);
        draw_text_at(cr, HEAP_MAP_PLOT_LEFT, 41, failed, 0);
        draw_set_colour(cr, 0x000000);
    }
}

/* Frame, ticks, labels, title and legend around the painted plot. */
static void draw_frame(cairo_t *cr, const Canvas *c, const HeapMapRun *run)
{
    double left = HEAP_MAP_PLOT_LEFT, top = HEAP_MAP_PLOT_TOP;
    double width = HEAP_MAP_PLOT_WIDTH, height = HEAP_MAP_PLOT_HEIGHT;
    cairo_set_line_width(cr, 1);
    draw_set_colour(cr, 0x000000);
    cairo_rectangle(cr, left - 0.5, top - 0.5, width + 1, height + 1);
    cairo_stroke(cr);
    draw_title(cr, run);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    draw_offset_ticks(cr, c);
    draw_time_ticks(cr, c);
    draw_text_at(cr, left + width / 2, top + height + 34, "allocator calls (time)", 0.5);
    cairo_save(cr);
    cairo_translate(cr, 16, top + height / 2);
    cairo_rotate(cr, -G_PI / 2);
    draw_text_at(cr, 0, 0,
                 c->split != 0 ? "heap offset (split axis: the dashed line; each part linear)"
                               : "heap offset",
                 0.5);
    cairo_restore(cr);
    const struct {
        guint32 colour;
        const char *words;
    } legend[] = {{HEAP_MAP_LIVE, "live requested bytes"},
                  {HEAP_MAP_UNUSED, "heap not in use: free blocks, headers, padding"},
                  {HEAP_MAP_ABSENT, "not obtained from sbrk yet"}};
    double x = left, y = top + height + 58;
    for (size_t i = 0; i < G_N_ELEMENTS(legend); i++) {
        draw_set_colour(cr, legend[i].colour);
        cairo_rectangle(cr, x, y - 10, 12, 12);
        cairo_fill_preserve(cr);
        draw_set_colour(cr, 0x000000);
        cairo_stroke(cr);
        cairo_text_extents_t extents;
        cairo_text_extents(cr, legend[i].words, &extents);
        draw_text_at(cr, x + 18, y, legend[i].words, 0);
        x += 18 + extents.x_advance + 28;
    }
}

/* cairo's PNG sink: the bytes go to the descriptor in `closure` (an int
 * holding the fd, then the errno value of a failed write). */
static cairo_status_t write_png_bytes(void *closure, const unsigned char *data, unsigned int length)
{
    int *fd_then_errno = closure;
    int errsv = output_fd_write_all(*fd_then_errno, data, length);
    if (errsv == 0)
        return CAIRO_STATUS_SUCCESS;
    *fd_then_errno = -errsv;
    return CAIRO_STATUS_WRITE_ERROR;
}

gboolean draw_write_png(cairo_surface_t *surface, const char *path, const char *what,
                        GError **error)
{
    g_autoptr(GError) open_error = NULL;
    int fd = output_file_open(path, &open_error);
    if (fd < 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "cannot write the %s: %s", what,
                    open_error->message);
        return FALSE;
    }
    int state = fd;
    cairo_status_t status = cairo_surface_write_to_png_stream(surface, write_png_bytes, &state);
    int errsv = state < 0 ? -state : 0;
    if (close(fd) != 0 && errsv == 0 && status == CAIRO_STATUS_SUCCESS)
        errsv = errno;
    if (status == CAIRO_STATUS_SUCCESS && errsv == 0)
        return TRUE;
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "%s: cannot write the %s: %s", path, what,
                errsv != 0 ? g_strerror(errsv) : cairo_status_to_string(status));
    return FALSE;
}

gboolean heap_map_write(const char *path, const MstatsRecordedOp *ops, guint64 count, guint32 ids,
                        const HeapMapRun *run, GError **error)
{
    Canvas canvas = {g_new0(gint32, (HEAP_MAP_PLOT_WIDTH + 1) * (HEAP_MAP_PLOT_HEIGHT + 1)), count,
                     run->heap_max, split_offset(ops, count, run->heap_max)};
    g_autofree int *break_row = g_new0(int, HEAP_MAP_PLOT_WIDTH);
    trace_lifetimes(&canvas, ops, ids, break_row);

    cairo_surface_t *surface =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, HEAP_MAP_WIDTH, HEAP_MAP_HEIGHT);
    cairo_t *cr = cairo_create(surface);
    draw_set_colour(cr, 0xffffff);
    cairo_paint(cr);
    paint_pixels(surface, &canvas, break_row);
    draw_frame(cr, &canvas, run);
    gboolean written = draw_write_png(surface, path, "heap map", error);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    g_free(canvas.diff);
    return written;
}
