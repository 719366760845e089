/* mstats --diff: where two allocators part ways on one workload.
 *
 * Both runs are recorded by the shim (region_layout.h's MstatsRecordedOp:
 * per call its kind, function, id, size, the block's offset from the heap
 * start and the heap size after the call). A deterministic workload makes the
 * same calls in both runs, so operation i of one recording is call i of the
 * other; the comparison walks both once, side by side:
 *   - the split: the first call after which the two heaps differ in size;
 *   - the parting: the first call whose block the two placed at different
 *     offsets (at or before the split: placements differ before sizes do);
 *   - each run's MAX and the first call after which it was reached;
 *   - the widest gap: the call after which the heaps differ most.
 * Where a block went is told by the live blocks before its call: the free
 * block it took is the gap between the live blocks around it (their
 * requested bytes; the gap holds headers and padding too), or the top of
 * the heap when no live block lies above it.
 * Cost: one pass over both recordings, plus one replay of each up to a call
 * for each placement told (O(calls + ids)).
 */
#ifndef MSTATS_DIFF_H
#define MSTATS_DIFF_H

#include <glib.h>

#include "region_layout.h"

/* One run's recording. */
typedef struct {
    const MstatsRecordedOp *ops;
    guint64 count;
    guint32 ids; /* every op's id is below it */
} DiffRecording;

/* Where one run placed the block of a call, and which free block it took. */
typedef struct {
    gboolean placed;     /* the call made a block (malloc, realloc, ...); FALSE for a free */
    guint64 offset;      /* the block's start, from the heap start */
    guint64 gap_start;   /* the end of the live block below it (0: none below) */
    guint64 gap_end;     /* the start of the live block above it, or heap_before at the top */
    gboolean at_top;     /* no live block above it: it took the top of the heap */
    guint64 heap_before; /* the heap before the call */
    guint64 heap_after;  /* and after it */
} DiffPlacement;

/* A call of the workload as both runs made it. */
typedef struct {
    guint64 call;     /* 1-based; 0: no such call */
    guint16 function; /* MstatsFunction */
    guint16 kind;     /* MstatsOpKind */
    guint64 size;     /* bytes requested; for a free, the size of the block freed */
    DiffPlacement placement[2];
} DiffCall;

typedef struct {
    guint64 calls;        /* compared: both runs' calls when comparable, else the common ones */
    gboolean comparable;  /* the runs made the same calls (kind, function, id, size) */
    guint64 differ_from;  /* the first call that differs (0: none); calls = differ_from - 1 */
    gboolean same_length; /* both made `calls` calls (one may have stopped early) */
    DiffCall parted;      /* the first call placed at different offsets (call 0: none) */
    DiffCall split;       /* the first call after which the heaps differ (call 0: none) */
    guint64 max[2];       /* each run's peak heap over the compared calls */
    guint64 max_call[2];  /* the first call after which it was reached */
    guint64 widest;       /* the call after which |heap A - heap B| was largest (0: never apart) */
    guint64 widest_heap[2];
} DiffFigures;

/* Compares the recordings of runs 0 and 1 of one workload. */
void diff_compare(const DiffRecording runs[2], DiffFigures *figures);

/* The heap after call `call` (1-based) of `run`, 0 before the first. */
static inline guint64 diff_heap_after(const DiffRecording *run, guint64 call)
{
    return call == 0 || call > run->count ? 0 : run->ops[call - 1].heap;
}

/* The words of a call: "malloc of 3000 bytes", "free of a 24-byte block",
 * "free(NULL)". */
char *diff_call_words(const DiffCall *call);

/* The text report: [mstats]: lines for a student (docs/mstats.md). `names`
 * are the two allocators' names, `program` the workload's; `status` the
 * runs' STATUS words ("OK", "FAILED=(...): reason"). */
char *diff_report_text(const DiffFigures *figures, const char *const names[2], const char *program,
                       const char *const status[2]);

/* The chart: both heap-size curves over the calls, the split and both
 * peaks marked (docs/mstats.md). */
typedef struct {
    const DiffRecording *runs; /* two */
    const DiffFigures *figures;
    const char *const *names; /* two */
    const char *program;
} DiffChart;

/* Picture geometry, for the tests. */
enum {
    DIFF_CHART_WIDTH = 1100,
    DIFF_CHART_HEIGHT = 600,
    DIFF_CHART_PLOT_LEFT = 90,
    DIFF_CHART_PLOT_TOP = 50,
    DIFF_CHART_PLOT_WIDTH = 960,
    DIFF_CHART_PLOT_HEIGHT = 460,
};
/* The two curves' colours and the split line's, 0xRRGGBB. */
#define DIFF_CHART_COLOUR_A 0x0072b2u
#define DIFF_CHART_COLOUR_B 0xd55e00u
#define DIFF_CHART_COLOUR_SPLIT 0x555555u

/* The plot column of call `call` (1-based) of `calls`, and the plot row from
 * the top of `heap` bytes under a y axis from 0 to `top`. */
int diff_chart_column(guint64 call, guint64 calls);
int diff_chart_row(guint64 heap, guint64 top);
/* The y axis's top for `figures`: the larger MAX and a sixteenth, at least 1. */
guint64 diff_chart_top(const DiffFigures *figures);

gboolean diff_chart_write(const char *path, const DiffChart *chart, GError **error);

#endif
