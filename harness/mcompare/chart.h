/* The comparison as a picture (mcompare --chart FILE.png): two panels over
 * the same workloads, MAX / optimal reuse above and the time ratio below,
 * one bar per allocator in its own colour, on log scales with round ticks,
 * and in the upper panel a black line at each workload's header bound.
 * A failed cell is a cross with its status code; a cell whose MAX is not
 * measured (a reference allocator on mmap) says "n/m"; one that did not run
 * says "n/r". The geometry is public so that tests can find the bars. */
#ifndef MCOMPARE_CHART_H
#define MCOMPARE_CHART_H

#include <glib.h>

#include "comparison.h"

/* The MAX panel's line at each workload's header bound (8-byte headers)
 * over optimal reuse (docs/mcompare.md). */
#define CHART_HEADER_BOUND_COLOUR 0x000000u

/* Where things are, in pixels from the top left of the picture. */
typedef struct {
    int width, height;
    int legend_top, legend_bottom; /* the row of coloured squares and names */
    int ratio_top, ratio_bottom;   /* the MAX / optimal panel's plot area */
    int time_top, time_bottom;     /* the time ratio panel's plot area */
    int plot_left;                 /* x of the first workload's first bar */
    int bar_width, group_width;    /* one allocator's bar; one workload's bars and gap */
} ChartGeometry;

/* The size and layout of the chart of `comparison` (it widens with the
 * number of workloads and allocators). */
void chart_geometry(const Comparison *comparison, ChartGeometry *geometry);

/* The left edge of the bar of `allocator` on `workload`. */
int chart_bar_left(const ChartGeometry *geometry, guint workload, guint allocator);

/* The colour (0xRRGGBB) of the allocator column at `allocator`: a
 * colour-blind-safe palette, repeated after eight. */
guint32 chart_allocator_colour(guint allocator);

/* The time ratio of an OK cell: its CPU time over libc's on the same
 * workload when libc's cell is OK, else its TIME over the fastest OK cell's
 * (*by_libc says which); times below a millisecond count as one. 0 for a
 * cell that is not OK. */
double chart_time_ratio(const Comparison *comparison, const Cell *cell, gboolean *by_libc);

/* Draws the chart and writes it to `path` in place (output_file.h). FALSE +
 * error "PATH: reason" when it cannot be written. */
gboolean chart_write(const char *path, const Comparison *comparison, GError **error);

/* How a Markdown report at `report_path` (NULL: stdout) names the chart at
 * `chart_path`: its base name when both are in one folder (the pair can be
 * moved together), else its absolute path (stdout: the path as given). */
char *chart_markdown_href(const char *chart_path, const char *report_path);

#endif
