/* What the picture tests share: a PNG read back from a scratch folder, and
 * one pixel of it. Check tests only. */
#ifndef MSTATS_TESTS_PNG_TEST_H
#define MSTATS_TESTS_PNG_TEST_H

#include <cairo.h>
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

/* The pixel at column x, row y from the top left, as 0xRRGGBB. */
static inline guint32 png_pixel(cairo_surface_t *surface, int x, int y)
{
    const unsigned char *data = cairo_image_surface_get_data(surface);
    return *(const guint32 *)(data + y * cairo_image_surface_get_stride(surface) + x * 4) &
           0xffffffu;
}

/* Calls write(path, context, error) for a fresh file in a scratch folder,
 * reads the PNG back and removes both; the caller destroys the surface. */
static inline cairo_surface_t *png_written(gboolean (*write)(const char *path, const void *context,
                                                             GError **error),
                                           const void *context)
{
    g_autofree char *dir = g_dir_make_tmp("picture-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "picture.png", NULL);
    g_autoptr(GError) error = NULL;
    ck_assert_msg(write(path, context, &error), "%s", error ? error->message : "");
    cairo_surface_t *png = cairo_image_surface_create_from_png(path);
    ck_assert_int_eq(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
    g_unlink(path);
    g_rmdir(dir);
    return png;
}

#endif
