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
#include <unistd.h>

#include "output_file.h"
#include "run.h"

/* Read by LeakSanitizer in -DMSTATS_SANITIZE=ON builds (unused otherwise):
 * cairo's text drawing fills fontconfig caches that live as long as the
 * process and are never freed; they are not our leaks. */
__attribute__((used, visibility("default"))) const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
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
} Canvas;

static int column_of(const Canvas *c, guint64 op)
{
    return c->count ? (int)(op * HEAP_MAP_PLOT_WIDTH / c->count) : 0;
}

/* Row from the bottom for a heap offset, clamped to the plot. */
static int row_of(const Canvas *c, guint64 offset)
{
    if (c->heap_max == 0)
        return 0;
    guint64 row =
        (offset >= c->heap_max ? c->heap_max : offset) * HEAP_MAP_PLOT_HEIGHT / c->heap_max;
    return (int)row;
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

static void set_colour(cairo_t *cr, guint32 rgb)
{
    cairo_set_source_rgb(cr, (rgb >> 16) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                         (rgb & 0xff) / 255.0);
}

static void text_at(cairo_t *cr, double x, double y, const char *text, double align)
{
    cairo_text_extents_t extents;
    cairo_text_extents(cr, text, &extents);
    cairo_move_to(cr, x - extents.width * align, y);
    cairo_show_text(cr, text);
}

/* Frame, ticks, labels, title and legend around the painted plot. */
static void draw_frame(cairo_t *cr, const Canvas *c, const char *title)
{
    double left = HEAP_MAP_PLOT_LEFT, top = HEAP_MAP_PLOT_TOP;
    double width = HEAP_MAP_PLOT_WIDTH, height = HEAP_MAP_PLOT_HEIGHT;
    cairo_set_line_width(cr, 1);
    set_colour(cr, 0x000000);
    cairo_rectangle(cr, left - 0.5, top - 0.5, width + 1, height + 1);
    cairo_stroke(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 15);
    text_at(cr, left, top - 18, title, 0);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    for (int tick = 0; tick <= 4; tick++) {
        double y = top + height - height * tick / 4;
        g_autofree char *bytes =
            g_format_size_full(c->heap_max * (guint64)tick / 4, G_FORMAT_SIZE_IEC_UNITS);
        text_at(cr, left - 6, y + 4, bytes, 1);
        double x = left + width * tick / 4;
        g_autofree char *op = g_strdup_printf("%" G_GUINT64_FORMAT, c->count * (guint64)tick / 4);
        text_at(cr, x, top + height + 16, op, tick == 0 ? 0 : tick == 4 ? 1 : 0.5);
    }
    text_at(cr, left + width / 2, top + height + 34, "allocator calls (time)", 0.5);
    cairo_save(cr);
    cairo_translate(cr, 16, top + height / 2);
    cairo_rotate(cr, -G_PI / 2);
    text_at(cr, 0, 0, "heap offset", 0.5);
    cairo_restore(cr);
    const struct {
        guint32 colour;
        const char *words;
    } legend[] = {{HEAP_MAP_LIVE, "live requested bytes"},
                  {HEAP_MAP_UNUSED, "heap not in use: free blocks, headers, padding"},
                  {HEAP_MAP_ABSENT, "not obtained from sbrk yet"}};
    double x = left, y = top + height + 58;
    for (size_t i = 0; i < G_N_ELEMENTS(legend); i++) {
        set_colour(cr, legend[i].colour);
        cairo_rectangle(cr, x, y - 10, 12, 12);
        cairo_fill_preserve(cr);
        set_colour(cr, 0x000000);
        cairo_stroke(cr);
        cairo_text_extents_t extents;
        cairo_text_extents(cr, legend[i].words, &extents);
        text_at(cr, x + 18, y, legend[i].words, 0);
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

/* Writes the picture to the user's `path` in place (output_file.h). */
static gboolean write_png(cairo_surface_t *surface, const char *path, GError **error)
{
    g_autoptr(GError) open_error = NULL;
    int fd = output_file_open(path, &open_error);
    if (fd < 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "cannot write the heap map: %s",
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
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "%s: cannot write the heap map: %s", path,
                errsv != 0 ? g_strerror(errsv) : cairo_status_to_string(status));
    return FALSE;
}

gboolean heap_map_write(const char *path, const MstatsRecordedOp *ops, guint64 count, guint32 ids,
                        guint64 heap_max, const char *title, GError **error)
{
    Canvas canvas = {g_new0(gint32, (HEAP_MAP_PLOT_WIDTH + 1) * (HEAP_MAP_PLOT_HEIGHT + 1)), count,
                     heap_max};
    g_autofree int *break_row = g_new0(int, HEAP_MAP_PLOT_WIDTH);
    trace_lifetimes(&canvas, ops, ids, break_row);

    cairo_surface_t *surface =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, HEAP_MAP_WIDTH, HEAP_MAP_HEIGHT);
    cairo_t *cr = cairo_create(surface);
    set_colour(cr, 0xffffff);
    cairo_paint(cr);
    paint_pixels(surface, &canvas, break_row);
    draw_frame(cr, &canvas, title);
    gboolean written = write_png(surface, path, error);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    g_free(canvas.diff);
    return written;
}
