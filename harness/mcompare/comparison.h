/* The comparison: allocators x workloads, one cell each, and the figures
 * derived from them (the three bounds per workload, MAX / optimal per cell, the
 * geometric mean and total time per allocator). Every formatter, the rubric
 * and --merge read this one structure; the scheduler and --merge fill it. */
#ifndef MCOMPARE_COMPARISON_H
#define MCOMPARE_COMPARISON_H

#include <glib.h>

#include "run.h"

typedef enum {
    WORKLOAD_TESTER,  /* tester-N from the build's bin/ */
    WORKLOAD_TRACE,   /* a .rep file replayed by mreplay */
    WORKLOAD_PROGRAM, /* any other program, with its arguments */
} WorkloadKind;

typedef struct {
    char *name; /* as shown, and as rubric sections name it */
    char *spec; /* absolute, re-resolvable form (emitted jobs use it) */
    WorkloadKind kind;
    char **argv; /* absolute program path and arguments */
    /* The lecture's bounds. Traces: from the file (bounds_from_trace). Testers
     * and programs: REQUESTED and PEAK-LIVE of the OK cells (the smallest),
     * bounds_agree FALSE when the OK cells disagree (threads). */
    gboolean has_bounds;
    gboolean bounds_from_trace;
    gboolean bounds_agree;
    guint64 no_reuse;
    guint64 optimal_reuse;
    /* The header bound (docs/mcompare.md) for 8- and 16-byte headers
     * (mstats_header_size): from the file, or the OK cells' smallest. */
    guint64 header_bound[MSTATS_HEADER_BOUNDS];
    /* What one of our testers exercises, in a few words (from its --help);
     * NULL for other workloads. */
    char *about;
} Workload;

typedef struct {
    char *spec; /* as given: a built-in name, libc, or an absolute .so path */
    char *name; /* shown: built-in name, libc, or the file's base name */
    char *path; /* the file loaded */
    /* Added only as the libc reference of a rubric's time-ratio checks: its
     * cells run beside the graded ones, and it is shown but never graded. */
    gboolean reference_only;
} AllocatorColumn;

/* The allocator whose CPU time a rubric's time-ratio compares with. */
#define MCOMPARE_REFERENCE_ALLOCATOR "libc"

typedef enum {
    CELL_PENDING,
    CELL_DONE,    /* result holds the outcome, failure included */
    CELL_NOT_RUN, /* interrupted, or no result file in a merge: reason says which */
} CellState;

/* mstats_run could not even start the program (exec failure, fork failure). */
#define CELL_CODE_NOT_STARTED 127

typedef struct {
    guint workload;
    guint allocator;
    CellState state;
    MstatsRunResult result; /* meaningful when state == CELL_DONE */
    char *output_tail;      /* last line the program printed, kept for failed cells */
    char *not_run_reason;   /* when state == CELL_NOT_RUN */
} Cell;

typedef struct {
    GPtrArray *allocators; /* AllocatorColumn * */
    GPtrArray *workloads;  /* Workload * */
    Cell *cells;           /* workload-major: cells[w * allocators->len + a] */
    guint cell_count;
    double timeout_seconds;
    guint64 memory_limit;
    unsigned alignment;     /* every block of every cell is checked for it: 16, 8, 1 (none) */
    gboolean no_sandbox;    /* cells run outside the sandbox (--no-sandbox) */
    double elapsed_seconds; /* wall time of the whole comparison */
    gboolean interrupted;
    /* Paths every cell may write (--writable; canonical, NULL-terminated;
     * NULL: none). Not owned: the options' array, which outlives it. */
    const char *const *writable_paths;
} Comparison;

/* Per-allocator summary: the last row of the table. */
typedef struct {
    double geomean_ratio; /* of MAX / optimal over OK cells with a bound; 0 if none */
    guint ratio_cells;    /* cells in the geometric mean */
    double total_time;    /* TIME summed over cells that ran */
    guint ok_cells;
    guint failed_cells;
    guint not_run_cells;
} AllocatorSummary;

/* An empty comparison over the given columns and rows (both taken over). */
Comparison *comparison_new(GPtrArray *allocators, GPtrArray *workloads);
void comparison_free(Comparison *comparison);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Comparison, comparison_free)

Cell *comparison_cell(Comparison *comparison, guint workload, guint allocator);
const Cell *comparison_cell_const(const Comparison *comparison, guint workload, guint allocator);

void workload_free(Workload *workload);
void allocator_column_free(AllocatorColumn *column);

/* TRUE when the cell ran and its STATUS is OK. */
gboolean cell_ok(const Cell *cell);
/* OK, and its heap was measured: not a reference allocator on mmap
 * (jemalloc, ...), whose MAX and PEAK-LIVE are "not measured". */
gboolean cell_heap_measured(const Cell *cell);
/* The allocator column (the workload row) at an index of the comparison. */
const AllocatorColumn *comparison_column(const Comparison *comparison, guint allocator);
const Workload *comparison_workload(const Comparison *comparison, guint workload);

/* The libc column's cell on `workload`, or NULL when libc is not a column. */
const Cell *comparison_reference_cell(const Comparison *comparison, guint workload);

/* Derives testers' and programs' bounds from the OK cells. Call once all
 * cells are in. */
void comparison_derive_bounds(Comparison *comparison);

/* MAX / optimal of an OK cell whose workload has a non-zero optimal bound,
 * else 0 (shown as a dash). */
double cell_ratio(const Comparison *comparison, const Cell *cell);

void comparison_summarize(const Comparison *comparison, guint allocator, AllocatorSummary *summary);

/* "OK" for a cell that passed; for others, the code and reason in one line. */
char *cell_describe_failure(const Cell *cell);

const char *workload_kind_name(WorkloadKind kind);

#endif
