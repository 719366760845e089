/* Turning the -a and -w words into allocator columns and workloads: tester
 * names, .rep traces (with their bounds), programs, and the `testers`,
 * `traces` and `all` sets. Everything is found relative to mcompare's own
 * executable, as mstats finds the shim. */
#ifndef MCOMPARE_WORKLOADS_H
#define MCOMPARE_WORKLOADS_H

#include <glib.h>

#include "comparison.h"

/* The built-in strategies and libc, in the table's order. */
#define MCOMPARE_DEFAULT_ALLOCATORS                                                                \
    "first-fit,next-fit,best-fit,worst-fit,no-reuse,segregated-fit,buddy,libc"

/* The folder of the shipped .rep traces: $MSTATS_TRACES_DIR, else
 * bin/../share/mstats/traces (build tree and install), else the source tree's
 * traces/. NULL + error when none holds a trace. */
char *mcompare_traces_dir(GError **error);

/* Appends the allocators of a comma-separated list (names or .so paths) to
 * `columns` (AllocatorColumn *). Fails with a usage error naming the word. */
gboolean allocators_add(const char *list, GPtrArray *columns, GError **error);

/* Appends the workloads of a comma-separated list to `workloads`
 * (Workload *): tester-N, FILE.rep, a program with arguments, or the sets
 * testers, traces, all. A malformed trace fails with FILE:LINE: reason. */
gboolean workloads_add(const char *list, GPtrArray *workloads, GError **error);

/* One workload word, named `label` when not NULL (rubric sections, jobs). */
Workload *workload_resolve(const char *word, const char *label, GError **error);

/* Reads a trace's two bounds into `workload`. */
gboolean workload_load_trace_bounds(Workload *workload, const char *path, GError **error);

#endif
