/* mstats --diff A,B: one workload run under two allocators, recorded, and
 * compared (diff.h); the runs, the report and the chart. */
#ifndef MSTATS_DIFF_RUN_H
#define MSTATS_DIFF_RUN_H

#include "single_run.h"

/* What --diff needs besides the run options. */
typedef struct {
    const char *pair;      /* "A,B" as given */
    gboolean json;         /* --json */
    const char *json_file; /* --json=FILE (NULL: on stdout when json) */
    const char *chart;     /* --chart FILE.png (NULL: none) */
} DiffRequest;

/* Runs `program` under both allocators of `diff->pair` and prints the
 * comparison. Returns mstats' exit status: 0 when both runs were OK and
 * comparable, 1 otherwise, 2 for a usage error (one line on stderr). */
int diff_run(const SingleRunOptions *options, const DiffRequest *diff, char **program);

#endif
