/* Running the cells of a comparison, JOBS at a time, each through the runner
 * library with its own timeout and memory limit. A failed cell is a result,
 * never a lost run; Ctrl-C (SIGINT), SIGTERM and SIGHUP stop the programs
 * running, mark what had not finished as not run, and return. */
#ifndef MCOMPARE_SCHEDULER_H
#define MCOMPARE_SCHEDULER_H

#include "comparison.h"

typedef struct {
    guint jobs;     /* cells at a time, >= 1 */
    gboolean quiet; /* no progress on stderr */
} SchedulerOptions;

/* Runs every CELL_PENDING cell of `comparison`. On return every cell is
 * CELL_DONE or CELL_NOT_RUN, comparison->interrupted says whether a signal
 * stopped the run, and comparison->elapsed_seconds is set. */
void scheduler_run(Comparison *comparison, const SchedulerOptions *options);

#endif
