/* The heap map: a picture of where every block lived in the heap and when.
 *
 * x is time (operations of the run, left to right), y is the offset in the
 * heap (bottom = heap start). Live requested bytes are blue; heap the
 * allocator had obtained but the program was not using (free blocks,
 * headers, padding) is grey; above the break the heap did not exist yet.
 * So fragmentation shows as grey below the break line.
 *
 * Ticks sit on round values (1, 2 or 5 times a power of ten, in B, KiB,
 * MiB or GiB on the y axis, in calls on the x axis).
 *
 * Early tiny heaps: when the heap of the run's first tenth is under 1/16 of
 * MAX, its blocks would be a sliver of a few rows at the bottom. The y axis
 * is then split at a round value L just above that early heap: the bottom
 * HEAP_MAP_SPLIT_ROWS rows show [0, L), the rest [L, MAX], each linear, with
 * a dashed line between. A log axis would also enlarge them, but it would
 * draw the same free block thinner the higher it lies, so grey area would
 * no longer be wasted bytes; with two linear bands it is, within each band.
 */
#ifndef MSTATS_RUNNER_HEAP_MAP_H
#define MSTATS_RUNNER_HEAP_MAP_H

#include <glib.h>

#include "region_layout.h"

/* The plot area inside the picture, in pixels from the top left. */
enum {
    HEAP_MAP_WIDTH = 1100,
    HEAP_MAP_HEIGHT = 640,
    HEAP_MAP_PLOT_LEFT = 90,
    HEAP_MAP_PLOT_TOP = 50,
    HEAP_MAP_PLOT_WIDTH = 960,
    HEAP_MAP_PLOT_HEIGHT = 500,
    HEAP_MAP_SPLIT_ROWS = 150, /* the bottom band of a split y axis */
};

/* Pixel colours, 0xRRGGBB. */
#define HEAP_MAP_LIVE 0x2f6fb5u
#define HEAP_MAP_UNUSED 0xc8c8c8u
#define HEAP_MAP_ABSENT 0xffffffu
#define HEAP_MAP_FAILED 0xc0392bu /* the FAILED line of the title */

/* The run a heap map shows, for its title. */
typedef struct {
    const char *program;   /* the program's base name */
    const char *allocator; /* the allocator's name */
    guint64 heap_max;      /* MAX: the top of the y axis */
    guint64 peak_live;     /* PEAK-LIVE */
    int failed_code;       /* 0: STATUS OK; else the code of REASON (the title says FAILED) */
    const char *reason;    /* REASON's words when failed_code != 0; may be NULL */
} HeapMapRun;

/* Draws `count` recorded operations (ids below `ids`) of `run` as a PNG at
 * `path`. A failed run's title has a second line in HEAP_MAP_FAILED. */
gboolean heap_map_write(const char *path, const MstatsRecordedOp *ops, guint64 count, guint32 ids,
                        const HeapMapRun *run, GError **error);

/* Axis ticks: round values (1, 2 or 5 times a power of ten, in the unit of
 * their label) from 0 up to `top`. */
typedef struct {
    guint64 value;  /* bytes or operations */
    char label[24]; /* "500 B", "1.5 MiB", "20k" */
} HeapMapTick;

/* Fills `ticks` (room for HEAP_MAP_MAX_TICKS) with about `wanted` round
 * values in [from, top]: byte offsets labelled in B, KiB, MiB or GiB when
 * `bytes`, else operation counts (k, M). Returns how many. */
guint heap_map_ticks(guint64 from, guint64 top, guint wanted, gboolean bytes, HeapMapTick *ticks);

enum { HEAP_MAP_MAX_TICKS = 16 };

#endif
