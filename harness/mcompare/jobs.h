/* Scale-out: --emit-jobs DIR prints one self-contained shell command per
 * cell (absolute paths; each runs `mcompare` on that one cell and writes its
 * JSON into DIR) and writes DIR/manifest.json, the plan; --merge DIR rebuilds
 * the comparison from those files, so that the same table, formats and score
 * come out. Any job runner can run the lines: GNU parallel, a cluster's
 * queue, or a plain `sh`. */
#ifndef MCOMPARE_JOBS_H
#define MCOMPARE_JOBS_H

#include <stdio.h>

#include "comparison.h"

#define MCOMPARE_MANIFEST "manifest.json"

/* Writes DIR/manifest.json and prints the jobs of every cell of `plan` to
 * `out`, one line each. FALSE + error when DIR cannot be written. */
gboolean jobs_emit(Comparison *plan, const char *dir, FILE *out, GError **error);

/* Reads DIR/manifest.json (if present), then every other DIR/\*.json in name
 * order (the jobs write cell-NNNNN.json; a result file by any name counts); returns
 * the comparison with bounds derived, cells without a file marked not run.
 * NULL + error (naming the file) when DIR holds nothing readable. */
Comparison *jobs_merge(const char *dir, GError **error);

#endif
