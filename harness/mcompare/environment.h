/* Whether this machine can meet a rubric's requirements, checked before any
 * cell runs: a grade that could only come out 0 for a reason of the
 * grader's (no sandbox can start, the witness cannot trace) is never
 * computed, and the grader is told what to change. */
#ifndef MSTATS_MCOMPARE_ENVIRONMENT_H
#define MSTATS_MCOMPARE_ENVIRONMENT_H

#include <glib.h>

#include "comparison.h"
#include "rubric.h"

/* mcompare's exit status when the environment cannot meet the rubric. */
#define MCOMPARE_EXIT_ENVIRONMENT 3

/* NULL when `rubric` (may be NULL: nothing required) can be met for
 * `comparison` here; else one line naming the cause and the fix (g_free). */
char *environment_unmet(const Rubric *rubric, const Comparison *comparison);

#endif
