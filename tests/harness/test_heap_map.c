/* Check tests of the heap map renderer: a crafted recording is drawn, the
 * PNG read back, and pixels sampled where blocks were live, free, or the
 * heap did not exist yet.
 */
#include <cairo.h>
#include <check.h>
#include <glib/gstdio.h>

#include "heap_map.h"
#include "png_test.h"

/* The pixel at plot coordinates (plot y grows upwards from the heap start). */
static guint32 pixel_at(cairo_surface_t *surface, int plot_x, int plot_y)
{
    return png_pixel(surface, HEAP_MAP_PLOT_LEFT + plot_x,
                     HEAP_MAP_PLOT_TOP + HEAP_MAP_PLOT_HEIGHT - 1 - plot_y);
}

/* One heap map to draw: heap_map_write's arguments. */
typedef struct {
    const MstatsRecordedOp *ops;
    guint64 count;
    guint32 ids;
    const HeapMapRun *run;
} MapRequest;

static gboolean write_map(const char *path, const void *context, GError **error)
{
    const MapRequest *m = context;
    return heap_map_write(path, m->ops, m->count, m->ids, m->run, error);
}

/* Draws `ops` for `run` into a fresh file and reads it back; the caller
 * destroys the surface. */
static cairo_surface_t *draw(const MstatsRecordedOp *ops, guint64 count, guint32 ids,
                             const HeapMapRun *run)
{
    MapRequest request = {ops, count, ids, run};
    return png_written(write_map, &request);
}

/* Pixels in rows [from, to) whose red clearly outweighs green and blue: the
 * FAILED line's colour, and no other colour of the picture. */
static int reddish_pixels(cairo_surface_t *surface, int from, int to)
{
    int count = 0;
    for (int y = from; y < to; y++)
        for (int x = 0; x < HEAP_MAP_WIDTH; x++) {
            guint32 rgb = png_pixel(surface, x, y);
            int red = rgb >> 16, green = (rgb >> 8) & 0xff, blue = rgb & 0xff;
            count += red > green + 60 && red > blue + 60;
        }
    return count;
}

/* Four calls on a heap whose break stays at 1000 of MAX 2000 bytes:
 * block 0 (500 bytes at 0) lives from call 0 to call 2, block 1 (250 bytes
 * at 500) from call 1 to call 3. With 960 columns a call is 240 columns;
 * with 500 rows a byte is a quarter row. */
START_TEST(blocks_are_drawn_where_and_when_they_lived)
{
    const MstatsRecordedOp ops[] = {
        {MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 0, 500, 0, 1000},
        {MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 1, 250, 500, 1000},
        {MSTATS_OP_FREE, MSTATS_FN_FREE, 0, 0, 0, 1000},
        {MSTATS_OP_FREE, MSTATS_FN_FREE, 1, 0, 0, 1000},
    };
    g_autofree char *dir = g_dir_make_tmp("heap-map-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "map.png", NULL);
    g_autoptr(GError) error = NULL;
    HeapMapRun run = {"test", "none", 2000, 750, 0, NULL};
    ck_assert(heap_map_write(path, ops, 4, 2, &run, &error));

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
        {MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 0, 400, 0, 1000},
        {MSTATS_OP_REALLOC, MSTATS_FN_REALLOC, 0, 400, 600, 1000},
    };
    g_autofree char *dir = g_dir_make_tmp("heap-map-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "map.png", NULL);
    HeapMapRun run = {"test", "none", 1000, 400, 0, NULL};
    ck_assert(heap_map_write(path, ops, 2, 1, &run, NULL));
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
    HeapMapRun run = {"empty", "none", 0, 0, 0, NULL};
    ck_assert(!heap_map_write("/no/such/dir/map.png", NULL, 0, 0, &run, &error));
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error->message, "/no/such/dir/map.png"));
}
END_TEST

START_TEST(ticks_are_round_values_with_units)
{
    HeapMapTick ticks[HEAP_MAP_MAX_TICKS];
    /* 1700 bytes: steps of 200 B, in bytes (under 2 KiB). */
    ck_assert_uint_eq(heap_map_ticks(0, 1700, 6, TRUE, ticks), 9);
    ck_assert_uint_eq(ticks[1].value, 200);
    ck_assert_uint_eq(ticks[8].value, 1600);
    ck_assert_str_eq(ticks[0].label, "0");
    ck_assert_str_eq(ticks[1].label, "200 B");
    /* 5.5 KiB: steps of 1 KiB. */
    ck_assert_uint_eq(heap_map_ticks(0, 5632, 6, TRUE, ticks), 6);
    ck_assert_uint_eq(ticks[5].value, 5 * 1024);
    ck_assert_str_eq(ticks[5].label, "5 KiB");
    /* 3.19 MiB (tester-14's MAX on first-fit): steps of half a MiB. */
    ck_assert_uint_eq(heap_map_ticks(0, 3342848, 6, TRUE, ticks), 7);
    ck_assert_str_eq(ticks[1].label, "0.5 MiB");
    ck_assert_str_eq(ticks[6].label, "3 MiB");
    /* 7 MiB over 6 ticks: a step of 1 MiB, never 1.17. */
    ck_assert_uint_eq(heap_map_ticks(0, 7 * 1048576, 6, TRUE, ticks), 8);
    ck_assert_str_eq(ticks[1].label, "1 MiB");
    /* 1.2 MiB: steps of 200 KiB, in KiB. */
    ck_assert_uint_eq(heap_map_ticks(0, 1258291, 6, TRUE, ticks), 7);
    ck_assert_str_eq(ticks[1].label, "200 KiB");
    /* A band that starts above 0 starts at its first round value. */
    ck_assert_uint_eq(heap_map_ticks(10 * 1024 + 1, 20 * 1048576, 5, TRUE, ticks), 4);
    ck_assert_str_eq(ticks[0].label, "5 MiB");
    /* Operations: 300,000 calls in steps of 50k; 7 calls in steps of 1. */
    ck_assert_uint_eq(heap_map_ticks(0, 300000, 8, FALSE, ticks), 7);
    ck_assert_str_eq(ticks[1].label, "50k");
    ck_assert_uint_eq(heap_map_ticks(0, 7, 8, FALSE, ticks), 8);
    ck_assert_str_eq(ticks[7].label, "7");
    ck_assert_uint_eq(heap_map_ticks(0, 0, 8, FALSE, ticks), 0);
}
END_TEST

/* The y axis's tick marks sit on the round values, not on quarters of MAX. */
START_TEST(tick_marks_are_drawn_at_round_offsets)
{
    const MstatsRecordedOp ops[] = {{MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 0, 1700, 0, 1700}};
    HeapMapRun run = {"test", "none", 1700, 1700, 0, NULL};
    cairo_surface_t *png = draw(ops, 1, 1, &run);
    int mark_x = HEAP_MAP_PLOT_LEFT - 3, bottom = HEAP_MAP_PLOT_TOP + HEAP_MAP_PLOT_HEIGHT - 1;
    ck_assert_uint_eq(png_pixel(png, mark_x, bottom - 400 * 500 / 1700), 0x000000);
    ck_assert_uint_eq(png_pixel(png, mark_x, bottom - 1600 * 500 / 1700), 0x000000);
    ck_assert_uint_eq(png_pixel(png, mark_x, bottom - 425 * 500 / 1700), 0xffffff);
    cairo_surface_destroy(png);
}
END_TEST

START_TEST(a_failed_run_is_marked_in_the_title)
{
    const MstatsRecordedOp ops[] = {{MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 0, 100, 0, 128}};
    HeapMapRun ok = {"tester-9", "alloc.so", 128, 100, 0, NULL};
    cairo_surface_t *png = draw(ops, 1, 1, &ok);
    ck_assert_int_eq(reddish_pixels(png, 0, HEAP_MAP_HEIGHT), 0);
    cairo_surface_destroy(png);

    HeapMapRun failed = {"tester-9", "alloc.so", 128, 100, 11, "SIGSEGV inside calloc(16, 64)"};
    png = draw(ops, 1, 1, &failed);
    ck_assert_int_gt(reddish_pixels(png, 0, HEAP_MAP_PLOT_TOP), 100);
    ck_assert_int_eq(reddish_pixels(png, HEAP_MAP_PLOT_TOP, HEAP_MAP_HEIGHT), 0);
    cairo_surface_destroy(png);
}
END_TEST

/* A run of 40 calls: the first four make blocks of `early` bytes each, the
 * other 36 fill the heap up to `heap_max` (fills `ops`). */
static void early_and_late_blocks(MstatsRecordedOp *ops, guint64 early, guint64 heap_max)
{
    guint64 late = (heap_max - 4 * early) / 36;
    for (guint32 i = 0; i < 40; i++) {
        guint64 offset = i < 4 ? i * early : 4 * early + (i - 4) * late;
        guint64 size = i < 4 ? early : late;
        ops[i] = (MstatsRecordedOp){
            MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, i, size, offset, i < 4 ? offset + size : heap_max};
    }
}

/* The first tenth of the run stays at 1000 B of a 1 MiB heap: the y axis
 * splits at 1000 B, so the early blocks fill the bottom band instead of
 * half a row, and the late blocks fill the top band. */
START_TEST(an_early_tiny_heap_gets_the_bottom_band)
{
    enum { BIG = 1048576 };
    MstatsRecordedOp ops[40];
    early_and_late_blocks(ops, 250, BIG);
    HeapMapRun run = {"test", "none", BIG, BIG, 0, NULL};
    cairo_surface_t *png = draw(ops, 40, 40, &run);
    /* Call 3 (columns 72-95): all four early blocks are live. */
    ck_assert_uint_eq(pixel_at(png, 80, 2), HEAP_MAP_LIVE);
    ck_assert_uint_eq(pixel_at(png, 80, HEAP_MAP_SPLIT_ROWS / 2), HEAP_MAP_LIVE);
    ck_assert_uint_eq(pixel_at(png, 80, HEAP_MAP_SPLIT_ROWS - 2), HEAP_MAP_LIVE);
    /* Call 1: blocks 0 and 1 fill the band's lower half only. */
    ck_assert_uint_eq(pixel_at(png, 30, HEAP_MAP_SPLIT_ROWS / 2 - 3), HEAP_MAP_LIVE);
    ck_assert_uint_eq(pixel_at(png, 30, HEAP_MAP_SPLIT_ROWS / 2 + 3), HEAP_MAP_ABSENT);
    /* Call 4's block starts at 1000 B: the first rows of the top band. */
    ck_assert_uint_eq(pixel_at(png, 100, HEAP_MAP_SPLIT_ROWS + 3), HEAP_MAP_LIVE);
    /* The last block, at the top of the heap, from call 39 on only. */
    ck_assert_uint_eq(pixel_at(png, 950, HEAP_MAP_PLOT_HEIGHT - 3), HEAP_MAP_LIVE);
    ck_assert_uint_eq(pixel_at(png, 800, HEAP_MAP_PLOT_HEIGHT - 3), HEAP_MAP_UNUSED);
    cairo_surface_destroy(png);

    /* Early blocks of 1/16 of the heap (64 KiB each): one linear axis. */
    early_and_late_blocks(ops, BIG / 16, BIG);
    png = draw(ops, 40, 40, &run);
    ck_assert_uint_eq(pixel_at(png, 30, HEAP_MAP_PLOT_HEIGHT / 8 - 3), HEAP_MAP_LIVE);
    ck_assert_uint_eq(pixel_at(png, 30, HEAP_MAP_PLOT_HEIGHT / 8 + 3), HEAP_MAP_ABSENT);
    cairo_surface_destroy(png);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("heap-map");
    TCase *tcase = tcase_create("render");
    tcase_add_test(tcase, blocks_are_drawn_where_and_when_they_lived);
    tcase_add_test(tcase, realloc_moves_and_live_blocks_reach_the_end);
    tcase_add_test(tcase, an_unwritable_file_is_an_error_naming_it);
    tcase_add_test(tcase, ticks_are_round_values_with_units);
    tcase_add_test(tcase, tick_marks_are_drawn_at_round_offsets);
    tcase_add_test(tcase, a_failed_run_is_marked_in_the_title);
    tcase_add_test(tcase, an_early_tiny_heap_gets_the_bottom_band);
    suite_add_tcase(suite, tcase);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? 1 : 0;
}
