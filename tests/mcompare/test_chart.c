/* Check tests of the comparison chart (mcompare --chart): a crafted
 * comparison is drawn, the PNG read back with cairo, and pixels sampled in
 * each bar's column, in the legend and where a failed or unmeasured cell
 * has its mark. Expected heights come from the crafted ratios, never from a
 * picture drawn before. */
#include <cairo.h>
#include <check.h>
#include <math.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "png_test.h"

enum { FIRST_FIT, NO_REUSE, LIBC, JEMALLOC, ALLOCATORS };
enum { RATIOS, CRASH, NO_LIBC, WORKLOADS };

/* Fills one cell as the scheduler would: OK (code 0) or failed, MAX, times. */
static void set_cell(Comparison *comparison, guint w, guint a, int code, guint64 heap_max,
                     double cpu, double wall)
{
    Cell *cell = comparison_cell(comparison, w, a);
    cell->state = CELL_DONE;
    cell->result.code = code;
    cell->result.reason = code ? g_strdup("crafted failure") : NULL;
    cell->result.figures_valid = code == 0;
    cell->result.heap_max = heap_max;
    cell->result.cpu_seconds = cpu;
    cell->result.wall_seconds = wall;
    cell->result.allocator.heap_unmeasured = a == JEMALLOC;
}

/* Three workloads of optimal reuse 1000 bytes x first-fit, no-reuse, libc
 * and jemalloc (MAX not measured):
 * - RATIOS: MAX / optimal 2, 20, 2000; CPU time 0.5, 4 and 1 s (libc);
 * - CRASH: first-fit fails with status 11;
 * - NO_LIBC: libc fails with 68, so times are over the fastest TIME (1 s). */
static Comparison *crafted_comparison(void)
{
    static const char *const names[] = {"first-fit", "no-reuse", "libc", "jemalloc"};
    static const char *const workloads[] = {"ratios", "crash", "no-libc"};
    GPtrArray *columns = g_ptr_array_new_with_free_func((GDestroyNotify)allocator_column_free);
    for (guint a = 0; a < ALLOCATORS; a++) {
        AllocatorColumn *column = g_new0(AllocatorColumn, 1);
        column->spec = g_strdup(names[a]);
        column->name = g_strdup(names[a]);
        column->path = g_strdup(names[a]);
        g_ptr_array_add(columns, column);
    }
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)workload_free);
    for (guint w = 0; w < WORKLOADS; w++) {
        Workload *workload = g_new0(Workload, 1);
        workload->name = g_strdup(workloads[w]);
        workload->spec = g_strdup(workloads[w]);
        workload->has_bounds = workload->bounds_agree = TRUE;
        workload->no_reuse = 1000000;
        workload->optimal_reuse = 1000;
        g_ptr_array_add(rows, workload);
    }
    Comparison *comparison = comparison_new(columns, rows);
    set_cell(comparison, RATIOS, FIRST_FIT, 0, 2000, 0.5, 0.6);
    set_cell(comparison, RATIOS, NO_REUSE, 0, 20000, 4.0, 4.1);
    set_cell(comparison, RATIOS, LIBC, 0, 2000000, 1.0, 1.1);
    set_cell(comparison, RATIOS, JEMALLOC, 0, 0, 0.25, 0.3);
    set_cell(comparison, CRASH, FIRST_FIT, 11, 0, 0.1, 0.1);
    set_cell(comparison, CRASH, NO_REUSE, 0, 4000, 1.0, 1.0);
    set_cell(comparison, CRASH, LIBC, 0, 3000, 1.0, 1.0);
    set_cell(comparison, CRASH, JEMALLOC, 0, 0, 1.0, 1.0);
    set_cell(comparison, NO_LIBC, FIRST_FIT, 0, 1500, 3.0, 3.0);
    set_cell(comparison, NO_LIBC, NO_REUSE, 0, 9000, 1.0, 1.0);
    set_cell(comparison, NO_LIBC, LIBC, 68, 0, 0.2, 0.2);
    set_cell(comparison, NO_LIBC, JEMALLOC, 0, 0, 2.0, 2.0);
    return comparison;
}

/* Draws `comparison` into a fresh file and reads it back; the caller
 * destroys the surface. */
static gboolean write_chart(const char *path, const void *comparison, GError **error)
{
    return chart_write(path, comparison, error);
}

static cairo_surface_t *draw(const Comparison *comparison)
{
    return png_written(write_chart, comparison);
}

/* Pixels of exactly `rgb` in the rectangle [x0, x1) x [y0, y1). */
static int pixels_of(cairo_surface_t *surface, guint32 rgb, int x0, int x1, int y0, int y1)
{
    int count = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            count += png_pixel(surface, x, y) == rgb;
    return count;
}

/* Pixels darker than mid grey in the rectangle: crosses and text. */
static int dark_pixels(cairo_surface_t *surface, int x0, int x1, int y0, int y1)
{
    int count = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            guint32 rgb = png_pixel(surface, x, y);
            count += (rgb >> 16) < 0x80 && ((rgb >> 8) & 0xff) < 0x80 && (rgb & 0xff) < 0x80;
        }
    return count;
}

/* The height of the bar of `allocator` on `workload` in the panel between
 * top and bottom: its colour's pixels in the bar's middle column. */
static int bar_height(cairo_surface_t *surface, const ChartGeometry *g, guint workload,
                      guint allocator, int top, int bottom)
{
    int x = chart_bar_left(g, workload, allocator) + g->bar_width / 2;
    return pixels_of(surface, chart_allocator_colour(allocator), x, x + 1, top, bottom);
}

/* The crafted comparison, its geometry and its picture read back: set up
 * afresh for each test that draws it. */
static Comparison *crafted;
static ChartGeometry g;
static cairo_surface_t *png;

static void draw_crafted(void)
{
    crafted = crafted_comparison();
    chart_geometry(crafted, &g);
    png = draw(crafted);
}

static void free_crafted(void)
{
    cairo_surface_destroy(png);
    comparison_free(crafted);
}

START_TEST(picture_has_the_stated_size)
{
    ck_assert_int_eq(cairo_image_surface_get_width(png), g.width);
    ck_assert_int_eq(cairo_image_surface_get_height(png), g.height);
    ck_assert_int_lt(g.legend_bottom, g.ratio_top);
    ck_assert_int_lt(g.ratio_bottom, g.time_top);
    ck_assert_int_lt(g.time_bottom, g.height);
}
END_TEST

/* 40 workloads x 8 allocators (the default comparison's), the size the
 * chart is made for: every bar has its own columns inside the picture. */
START_TEST(forty_workloads_by_eight_allocators_fit)
{
    GPtrArray *columns = g_ptr_array_new_with_free_func((GDestroyNotify)allocator_column_free);
    for (int a = 0; a < 8; a++) {
        AllocatorColumn *column = g_new0(AllocatorColumn, 1);
        column->spec = g_strdup_printf("a%d", a);
        column->name = g_strdup(column->spec);
        g_ptr_array_add(columns, column);
    }
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)workload_free);
    for (int w = 0; w < 40; w++) {
        Workload *workload = g_new0(Workload, 1);
        workload->name = g_strdup_printf("tester-%d", w);
        g_ptr_array_add(rows, workload);
    }
    g_autoptr(Comparison) comparison = comparison_new(columns, rows);
    ChartGeometry wide;
    chart_geometry(comparison, &wide);
    ck_assert_int_ge(wide.bar_width, 5);
    ck_assert_int_lt(chart_bar_left(&wide, 0, 7) + wide.bar_width, chart_bar_left(&wide, 1, 0));
    ck_assert_int_le(chart_bar_left(&wide, 39, 7) + wide.bar_width, wide.width);
    ck_assert_int_le(wide.width, 3000);
}
END_TEST

/* On `workload`, the bars of `low`, `mid` and `high` (ratios r1 < r2 < r3
 * with log(r3 / r2) = 2 log(r2 / r1)) between top and bottom: all drawn,
 * rising, and spaced as a log scale spaces them (to 2 rows of rounding). */
static void assert_log_bars(guint workload, guint low, guint mid, guint high, int top, int bottom)
{
    int h1 = bar_height(png, &g, workload, low, top, bottom);
    int h2 = bar_height(png, &g, workload, mid, top, bottom);
    int h3 = bar_height(png, &g, workload, high, top, bottom);
    ck_assert_int_gt(h1, 0);
    ck_assert_int_gt(h2, h1);
    ck_assert_int_gt(h3, h2);
    ck_assert_int_le(abs((h3 - h2) - 2 * (h2 - h1)), 2);
}

/* 2 < 20 < 2000 in the MAX panel (one decade, then two); 0.5 < 1 < 4 in
 * the time panel (CPU time over libc's: log 4 is twice log 2). */
START_TEST(bars_grow_with_the_ratio_in_each_allocators_colour)
{
    assert_log_bars(RATIOS, FIRST_FIT, NO_REUSE, LIBC, g.ratio_top, g.ratio_bottom);
    assert_log_bars(RATIOS, FIRST_FIT, LIBC, NO_REUSE, g.time_top, g.time_bottom);
}
END_TEST

/* The header bound of no-libc, 1.2 x optimal: a black line two pixels high
 * across its bars (first-fit's reaches 1.5) at log10(1.2) of the MAX
 * panel's five decades (0.1 to 10^4) above 0.1: two dark pixels more in the
 * bar's column than without it. */
START_TEST(header_bound_is_a_line_across_the_bars)
{
    int x = chart_bar_left(&g, NO_LIBC, FIRST_FIT) + g.bar_width / 2;
    int before = dark_pixels(png, x, x + 1, g.ratio_top, g.ratio_bottom);
    Workload *workload = g_ptr_array_index(crafted->workloads, NO_LIBC);
    workload->header_bound[0] = 1200;
    cairo_surface_t *with_line = draw(crafted);
    ck_assert_int_eq(dark_pixels(with_line, x, x + 1, g.ratio_top, g.ratio_bottom), before + 2);
    double y = g.ratio_bottom - (log10(1.2) + 1) / 5 * (g.ratio_bottom - g.ratio_top);
    int row = (int)round(y);
    ck_assert_uint_eq(png_pixel(with_line, x, row - 1), CHART_HEADER_BOUND_COLOUR);
    ck_assert_uint_eq(png_pixel(with_line, x, row), CHART_HEADER_BOUND_COLOUR);
    cairo_surface_destroy(with_line);
}
END_TEST

/* jemalloc's heap is not measured: no bar in the MAX panel but "n/m"
 * written there, and a bar in the time panel. */
START_TEST(unmeasured_max_has_no_bar_but_a_mark)
{
    int left = chart_bar_left(&g, RATIOS, JEMALLOC);
    ck_assert_int_eq(pixels_of(png, chart_allocator_colour(JEMALLOC), left, left + g.bar_width,
                               g.ratio_top, g.ratio_bottom),
                     0);
    ck_assert_int_gt(
        dark_pixels(png, left, left + g.bar_width, g.ratio_bottom - 30, g.ratio_bottom - 1), 10);
    ck_assert_int_gt(bar_height(png, &g, RATIOS, JEMALLOC, g.time_top, g.time_bottom), 0);
}
END_TEST

/* first-fit crashed on CRASH: no bar in either panel, a dark cross and code
 * where it would be; the other allocators' bars on that workload stand. */
START_TEST(failed_cell_is_marked_in_both_panels)
{
    int left = chart_bar_left(&g, CRASH, FIRST_FIT), right = left + g.bar_width;
    guint32 colour = chart_allocator_colour(FIRST_FIT);
    ck_assert_int_eq(pixels_of(png, colour, left, right, g.ratio_top, g.ratio_bottom), 0);
    ck_assert_int_eq(pixels_of(png, colour, left, right, g.time_top, g.time_bottom), 0);
    ck_assert_int_gt(dark_pixels(png, left, right, g.ratio_bottom - 30, g.ratio_bottom - 1), 10);
    ck_assert_int_gt(dark_pixels(png, left, right, g.time_bottom - 30, g.time_bottom - 1), 10);
    /* An OK cell's slot has no mark at its foot (the bar fills it). */
    int ok_left = chart_bar_left(&g, CRASH, NO_REUSE);
    ck_assert_int_eq(dark_pixels(png, ok_left, ok_left + g.bar_width - 1, g.ratio_bottom - 30,
                                 g.ratio_bottom - 1),
                     0);
    ck_assert_int_gt(bar_height(png, &g, CRASH, NO_REUSE, g.ratio_top, g.ratio_bottom), 0);
}
END_TEST

START_TEST(legend_shows_every_allocators_colour)
{
    for (guint a = 0; a < ALLOCATORS; a++) {
        guint32 colour = chart_allocator_colour(a);
        ck_assert_int_gt(pixels_of(png, colour, 0, g.width, g.legend_top, g.legend_bottom), 100);
        for (guint b = 0; b < a; b++)
            ck_assert_uint_ne(colour, chart_allocator_colour(b));
    }
    /* The legend's names are written beside the squares. */
    ck_assert_int_gt(dark_pixels(png, 0, g.width, g.legend_top, g.legend_bottom), 100);
}
END_TEST

/* With libc OK: CPU time over libc's; with libc failed: TIME over the
 * fastest OK TIME; a failed cell: none. */
START_TEST(time_ratio_is_over_libc_else_over_the_fastest)
{
    g_autoptr(Comparison) comparison = crafted_comparison();
    gboolean by_libc;
    double ratio =
        chart_time_ratio(comparison, comparison_cell(comparison, RATIOS, NO_REUSE), &by_libc);
    ck_assert(by_libc);
    ck_assert_double_eq_tol(ratio, 4.0, 1e-9);
    ratio = chart_time_ratio(comparison, comparison_cell(comparison, NO_LIBC, FIRST_FIT), &by_libc);
    ck_assert(!by_libc);
    ck_assert_double_eq_tol(ratio, 3.0, 1e-9);
    ratio = chart_time_ratio(comparison, comparison_cell(comparison, CRASH, FIRST_FIT), &by_libc);
    ck_assert_double_eq(ratio, 0.0);
}
END_TEST

START_TEST(unwritable_file_is_an_error_naming_it)
{
    g_autoptr(Comparison) comparison = crafted_comparison();
    g_autoptr(GError) error = NULL;
    ck_assert(!chart_write("/nonexistent-folder/chart.png", comparison, &error));
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error->message, "/nonexistent-folder/chart.png"));
    ck_assert_ptr_null(strchr(error->message, '\n'));
}
END_TEST

START_TEST(markdown_names_the_chart_from_where_the_report_is)
{
    g_autofree char *same = chart_markdown_href("out/comparison.png", "out/comparison.md");
    ck_assert_str_eq(same, "comparison.png");
    g_autofree char *other = chart_markdown_href("/tmp/pictures/c.png", "out/comparison.md");
    ck_assert_str_eq(other, "/tmp/pictures/c.png");
    g_autofree char *stdout_report = chart_markdown_href("pictures/c.png", NULL);
    ck_assert_str_eq(stdout_report, "pictures/c.png");
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("chart");
    TCase *drawn = tcase_create("drawn");
    tcase_add_checked_fixture(drawn, draw_crafted, free_crafted);
    tcase_add_test(drawn, picture_has_the_stated_size);
    tcase_add_test(drawn, bars_grow_with_the_ratio_in_each_allocators_colour);
    tcase_add_test(drawn, unmeasured_max_has_no_bar_but_a_mark);
    tcase_add_test(drawn, failed_cell_is_marked_in_both_panels);
    tcase_add_test(drawn, legend_shows_every_allocators_colour);
    tcase_add_test(drawn, header_bound_is_a_line_across_the_bars);
    suite_add_tcase(suite, drawn);
    TCase *figures = tcase_create("figures");
    tcase_add_test(figures, forty_workloads_by_eight_allocators_fit);
    tcase_add_test(figures, time_ratio_is_over_libc_else_over_the_fastest);
    tcase_add_test(figures, unwritable_file_is_an_error_naming_it);
    tcase_add_test(figures, markdown_names_the_chart_from_where_the_report_is);
    suite_add_tcase(suite, figures);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? 1 : 0;
}
