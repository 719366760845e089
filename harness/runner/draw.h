/* Drawing helpers the pictures share (the heap map, mcompare's chart): a
 * colour as 0xRRGGBB, and text placed by its advance. */
#ifndef MSTATS_RUNNER_DRAW_H
#define MSTATS_RUNNER_DRAW_H

#include <cairo.h>
#include <glib.h>

static inline void draw_set_colour(cairo_t *cr, guint32 rgb)
{
    cairo_set_source_rgb(cr, (rgb >> 16) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                         (rgb & 0xff) / 255.0);
}

/* `text` with its baseline at y, its left (align 0), centre (0.5) or right
 * (1) at x. */
static inline void draw_text_at(cairo_t *cr, double x, double y, const char *text, double align)
{
    cairo_text_extents_t extents;
    cairo_text_extents(cr, text, &extents);
    cairo_move_to(cr, x - extents.x_advance * align, y);
    cairo_show_text(cr, text);
}

/* One tick of a horizontal axis whose line is at y = `bottom`: a 5-pixel
 * mark at x and `label` centred below it, unless the label would come
 * within 8 pixels of the last one drawn (*last_right: that label's right
 * edge, -G_MAXDOUBLE before the first; updated). */
static inline void draw_x_tick(cairo_t *cr, double x, double bottom, const char *label,
                               double *last_right)
{
    cairo_move_to(cr, x, bottom);
    cairo_line_to(cr, x, bottom + 5);
    cairo_stroke(cr);
    cairo_text_extents_t extents;
    cairo_text_extents(cr, label, &extents);
    if (x - extents.width / 2 - *last_right >= 8) {
        draw_text_at(cr, x, bottom + 18, label, 0.5);
        *last_right = x + extents.width / 2;
    }
}

/* Writes `surface` as a PNG to the user's `path` in place (output_file.h);
 * FALSE + error "cannot write the WHAT: ..." (heap_map.c). */
gboolean draw_write_png(cairo_surface_t *surface, const char *path, const char *what,
                        GError **error);

#endif
