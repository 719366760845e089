/* Check tests of the heap map renderer: a crafted recording is drawn, the
 * PNG read back, and pixels sampled where blocks were live, free, or the
 * heap did not exist yet.
 */
#include <cairo.h>
#include <check.h>
#include <glib/gstdio.h>

#include "heap_map.h"

static guint32 pixel_at(cairo_surface_t *surface, int plot_x, int plot_y)
{
    int x = HEAP_MAP_PLOT_LEFT + plot_x;
    int y = HEAP_MAP_PLOT_TOP + HEAP_MAP_PLOT_HEIGHT - 1 - plot_y; /* plot y grows upwards */
    const unsigned char *data = cairo_image_surface_get_data(surface);
    return *(const guint32 *)(data + y * cairo_image_surface_get_stride(surface) + x * 4) &
           0xffffffu;
}

/* Four calls on a heap whose break stays at 1000 of MAX 2000 bytes:
 * block 0 (500 bytes at 0) lives from call 0 to call 2, block 1 (250 bytes
 * at 500) from call 1 to call 3. With 960 columns a call is 240 columns;
 * with 500 rows a byte is a quarter row. */
START_TEST(blocks_are_drawn_where_and_when_they_lived)
{
    const MstatsRecordedOp ops[] = {
        {MSTATS_OP_ALLOC, 0, 500, 0, 1000},
        {MSTATS_OP_ALLOC, 1, 250, 500, 1000},
        {MSTATS_OP_FREE, 0, 0, 0, 1000},
        {MSTATS_OP_FREE, 1, 0, 0, 1000},
    };
    g_autofree char *dir = g_dir_make_tmp("heap-map-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "map.png", NULL);
    g_autoptr(GError) error = NULL;
    ck_assert(heap_map_write(path, ops, 4, 2, 2000, "test", &error));

    cairo_surface_t *png = cairo_image_surface_create_from_png(path);
    ck_assert_int_eq(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
    ck_assert_int_eq(cairo_image_surface_get_width(png), HEAP_MAP_WIDTH);
    ck_assert_int_eq(cairo_image_surface_get_height(png), HEAP_MAP_HEIGHT);
    ck_assert_uint_eq(pixel_at(png, 100, 100), HEAP_MAP_LIVE);   /* block 0, call 0 */
    ck_assert_uint_eq(pixel_at(png, 600, 100), HEAP_MAP_UNUSED); /* block 0 freed at call 2 */
    ck_assert_uint_eq(pixel_at(png, 300, 150), HEAP_MAP_LIVE);   /* block 1, call 1 */
    ck_assert_uint_eq(pixel_at(png, 100, 150), HEAP_MAP_UNUSED); /* block 1 not made yet */
    ck_assert_uint_eq(pixel_at(png, 800, 150), HEAP_MAP_UNUSED); /* block 1 freed at call 3 */
    ck_assert_uint_eq(pixel_at(png, 100, 400), HEAP_MAP_ABSENT); /* above the break */
    cairo_surface_destroy(png);
    g_unlink(path);
    g_rmdir(dir);
}
END_TEST

/* A block still live at the end reaches the right edge; a realloc ends one
 * lifetime and starts another at the new place. */
START_TEST(realloc_moves_and_live_blocks_reach_the_end)
{
    const MstatsRecordedOp ops[] = {
        {MSTATS_OP_ALLOC, 0, 400, 0, 1000},
        {MSTATS_OP_REALLOC, 0, 400, 600, 1000},
    };
    g_autofree char *dir = g_dir_make_tmp("heap-map-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "map.png", NULL);
    ck_assert(heap_map_write(path, ops, 2, 1, 1000, "test", NULL));
    cairo_surface_t *png = cairo_image_surface_create_from_png(path);
    ck_assert_uint_eq(pixel_at(png, 100, 50), HEAP_MAP_LIVE);    /* before the move */
    ck_assert_uint_eq(pixel_at(png, 700, 50), HEAP_MAP_UNUSED);  /* the old place after it */
    ck_assert_uint_eq(pixel_at(png, 959, 400), HEAP_MAP_LIVE);   /* the new place, to the end */
    ck_assert_uint_eq(pixel_at(png, 100, 400), HEAP_MAP_UNUSED); /* the new place before it */
    cairo_surface_destroy(png);
    g_unlink(path);
    g_rmdir(dir);
}
END_TEST

START_TEST(an_unwritable_file_is_an_error_naming_it)
{
    g_autoptr(GError) error = NULL;
    ck_assert(!heap_map_write("/no/such/dir/map.png", NULL, 0, 0, 0, "empty", &error));
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error->message, "/no/such/dir/map.png"));
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("heap-map");
    TCase *tcase = tcase_create("render");
    tcase_add_test(tcase, blocks_are_drawn_where_and_when_they_lived);
    tcase_add_test(tcase, realloc_moves_and_live_blocks_reach_the_end);
    tcase_add_test(tcase, an_unwritable_file_is_an_error_naming_it);
    suite_add_tcase(suite, tcase);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? 1 : 0;
}
