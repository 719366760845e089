/*
 * report.h - what bench-report measured, shared by its measuring part
 * (report.c) and its writers (report_write.c), which report.c calls.
 */
#ifndef MSTATS_BENCH_REPORT_H
#define MSTATS_BENCH_REPORT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* One allocator column: glibc, a strategy, or a preloaded general allocator. */
struct allocator {
    char *name;    /* "glibc", "best-fit", "jemalloc", ... */
    char *preload; /* the .so for LD_PRELOAD; NULL for glibc */
    bool ours;     /* a built-in strategy: MAX is measured for it */
};

enum workload_kind { WORKLOAD_REAL_TRACE, WORKLOAD_SYNTHETIC_TRACE, WORKLOAD_TESTER };

/* One workload row. */
struct workload {
    char *name; /* "gcc.rep", "tester-7" */
    char *path; /* the .rep file or the tester program */
    enum workload_kind kind;
    uint64_t header_bound; /* bytes; 0 when unknown */
};

/* One cell: the medians and ratios of one allocator on one workload. */
struct cell {
    double median_ns;  /* CPU time, median over the rounds; < 0 when a run failed */
    double time_ratio; /* median_ns / glibc's; 0 when unknown */
    uint64_t max;      /* MAX from mcompare; 0 when not measured */
    double max_ratio;  /* max / header bound; 0 when unknown */
};

struct bench {
    GPtrArray *allocators; /* struct allocator * */
    GPtrArray *workloads;  /* struct workload * */
    struct cell *cells;    /* [workload * allocators->len + allocator] */
    int trace_rounds, tester_rounds;
};

static inline struct cell *bench_cell(const struct bench *bench, guint workload, guint allocator)
{
    return &bench->cells[workload * bench->allocators->len + allocator];
}

/* Writes the table to `out` as text (markdown = false) or Markdown. */
void bench_write_table(const struct bench *bench, FILE *out, bool markdown);
/* Writes every figure as JSON to `path`; false with a message on failure. */
bool bench_write_json(const struct bench *bench, const char *path);
/* Draws the geometric-mean ratios per allocator as a PNG at `path`. */
bool bench_write_chart(const struct bench *bench, const char *path);

#endif
