/* What the user sees while cells run: on a terminal, one redrawn line with a
 * bar, cells done and total, the running cells and the elapsed time (failed
 * cells are printed above it as they happen); otherwise one plain line per
 * finished cell. Everything goes to stderr; the report owns stdout. */
#ifndef MCOMPARE_PROGRESS_H
#define MCOMPARE_PROGRESS_H

#include "comparison.h"

typedef struct Progress Progress;

/* quiet: print nothing at all. */
Progress *progress_new(const Comparison *comparison, gboolean quiet);

/* A cell has finished (done or not run). */
void progress_cell_finished(Progress *progress, const Comparison *comparison, const Cell *cell,
                            guint done);

/* Redraws the bar (terminal only): `running` holds the indexes of the cells
 * running now. */
void progress_redraw(Progress *progress, const Comparison *comparison, const guint *running,
                     guint running_count, guint done, double elapsed);

/* Clears the bar and prints one closing line (interrupted or not). */
void progress_finish(Progress *progress, const Comparison *comparison, guint done, double elapsed);

void progress_free(Progress *progress);

#endif
