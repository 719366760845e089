/* Check tests of mstats --diff's comparison and chart (harness/mstats/diff.h):
 * crafted recordings are compared, the chart drawn and read back, and its
 * pixels sampled on both curves, the split line and the peaks.
 */
#include <cairo.h>
#include <check.h>
#include <string.h>

#include "diff.h"
#include "png_test.h"

/* Run A grows to 1000 bytes at call 1 and 2000 at call 3; run B to 1000 at
 * call 1 and stays there: the heaps split at call 3. Both make the same calls
 * (three mallocs of ids 0, 1, 2 and a free of id 1), at other offsets from
 * call 2 on. */
static const MstatsRecordedOp run_a[] = {
    {MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 0, 900, 16, 1000},
    {MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 1, 50, 920, 1000},
    {MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 2, 20, 1000, 2000},
    {MSTATS_OP_FREE, MSTATS_FN_FREE, 1, 0, 0, 2000},
};
static const MstatsRecordedOp run_b[] = {
    {MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 0, 900, 16, 1000},
    {MSTATS_OP_ALLOC, MSTATS_FN_MALLOC, 1, 50, 940, 1000},
    {MSTATS_OP_ALLOC, MSTATS_FN_CALLOC, 2, 20, 920, 1000},
    {MSTATS_OP_FREE, MSTATS_FN_FREE, 1, 0, 0, 1000},
};

static void compare(const MstatsRecordedOp *b_ops, DiffRecording runs[2], DiffFigures *figures)
{
    runs[0] = (DiffRecording){run_a, G_N_ELEMENTS(run_a), 3};
    runs[1] = (DiffRecording){b_ops, G_N_ELEMENTS(run_a), 3};
    diff_compare(runs, figures);
}

START_TEST(a_different_call_makes_the_runs_not_comparable)
{
    DiffRecording runs[2];
    DiffFigures figures;
    compare(run_b, runs, &figures); /* run_b's call 3 is a calloc */
    ck_assert(!figures.comparable);
    ck_assert_uint_eq(figures.differ_from, 3);
    ck_assert_uint_eq(figures.calls, 2);
}
END_TEST

START_TEST(the_split_and_the_parting_are_found)
{
    MstatsRecordedOp same_calls[G_N_ELEMENTS(run_b)];
    memcpy(same_calls, run_b, sizeof run_b);
    same_calls[2].function = MSTATS_FN_MALLOC;
    DiffRecording runs[2];
    DiffFigures figures;
    compare(same_calls, runs, &figures);
    ck_assert(figures.comparable && figures.same_length);
    ck_assert_uint_eq(figures.parted.call, 2);
    ck_assert_uint_eq(figures.split.call, 3);
    ck_assert_uint_eq(figures.max[0], 2000);
    ck_assert_uint_eq(figures.max_call[0], 3);
    ck_assert_uint_eq(figures.max[1], 1000);
    ck_assert_uint_eq(figures.max_call[1], 1);
    ck_assert_uint_eq(figures.widest, 3);
    /* A: at the top, above id 1 (920 + 50); B: in the hole between id 0
     * (16 + 900) and id 1 (at 940). */
    const DiffPlacement *a = &figures.split.placement[0], *b = &figures.split.placement[1];
    ck_assert(a->placed && a->at_top);
    ck_assert_uint_eq(a->gap_start, 970);
    ck_assert_uint_eq(a->heap_before, 1000);
    ck_assert_uint_eq(a->heap_after, 2000);
    ck_assert(b->placed && !b->at_top);
    ck_assert_uint_eq(b->offset, 920);
    ck_assert_uint_eq(b->gap_start, 916);
    ck_assert_uint_eq(b->gap_end, 940);
    g_autofree char *words = diff_call_words(&figures.split);
    ck_assert_str_eq(words, "malloc of 20 bytes");
}
END_TEST

/* One chart to draw: diff_chart_write's argument. */
static gboolean write_chart(const char *path, const void *context, GError **error)
{
    return diff_chart_write(path, context, error);
}

START_TEST(the_chart_shows_both_curves_the_split_and_the_peaks)
{
    MstatsRecordedOp same_calls[G_N_ELEMENTS(run_b)];
    memcpy(same_calls, run_b, sizeof run_b);
    same_calls[2].function = MSTATS_FN_MALLOC;
    DiffRecording runs[2];
    DiffFigures figures;
    compare(same_calls, runs, &figures);
    const char *names[2] = {"first-fit", "best-fit"};
    DiffChart chart = {runs, &figures, names, "tester-0"};
    cairo_surface_t *png = png_written(write_chart, &chart);
    guint64 top = diff_chart_top(&figures);
    ck_assert_uint_eq(top, 2000 + 2000 / 16);
    /* Call 4 is the last column; between calls 3 and 4 the curves run flat,
     * A at 2000 bytes, B at 1000. */
    int last = DIFF_CHART_PLOT_LEFT + diff_chart_column(4, 4);
    ck_assert_int_eq(last, DIFF_CHART_PLOT_LEFT + DIFF_CHART_PLOT_WIDTH - 1);
    int flat = (last + DIFF_CHART_PLOT_LEFT + diff_chart_column(3, 4)) / 2;
    ck_assert_uint_eq(png_pixel(png, flat, diff_chart_row(2000, top)), DIFF_CHART_COLOUR_A);
    ck_assert_uint_eq(png_pixel(png, flat, diff_chart_row(1000, top)), DIFF_CHART_COLOUR_B);
    /* Before the split the curves coincide at 1000 bytes: A is drawn over B. */
    int second = DIFF_CHART_PLOT_LEFT + diff_chart_column(2, 4);
    ck_assert_uint_eq(png_pixel(png, second, diff_chart_row(1000, top)), DIFF_CHART_COLOUR_A);
    /* Nothing at half the heap there. */
    ck_assert_uint_eq(png_pixel(png, second, diff_chart_row(500, top)), 0xffffff);
    /* The split, dashed from the plot's top (6 pixels on, 4 off): call 3. */
    int split = DIFF_CHART_PLOT_LEFT + diff_chart_column(3, 4);
    ck_assert_uint_eq(png_pixel(png, split, DIFF_CHART_PLOT_TOP + 2), DIFF_CHART_COLOUR_SPLIT);
    ck_assert_uint_eq(png_pixel(png, split, DIFF_CHART_PLOT_TOP + 8), 0xffffff);
    /* B's peak: a dot at call 1, MAX 1000; under it, at the first column, a
     * few pixels right of the axis, its colour. */
    int first = DIFF_CHART_PLOT_LEFT + diff_chart_column(1, 4);
    ck_assert_uint_eq(png_pixel(png, first + 2, diff_chart_row(1000, top) - 2),
                      DIFF_CHART_COLOUR_B);
    /* A's peak: a dot at call 3, 2000 bytes, 3 pixels left of the split line. */
    ck_assert_uint_eq(png_pixel(png, split - 3, diff_chart_row(2000, top) + 2),
                      DIFF_CHART_COLOUR_A);
    cairo_surface_destroy(png);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("diff");
    TCase *tc = tcase_create("diff");
    tcase_add_test(tc, a_different_call_makes_the_runs_not_comparable);
    tcase_add_test(tc, the_split_and_the_parting_are_found);
    tcase_add_test(tc, the_chart_shows_both_curves_the_split_and_the_peaks);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
