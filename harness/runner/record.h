/* The shim's recorded operations: mapped from the recording memfd, turned
 * into a CS:APP .rep trace or a heap map (heap_map.h). */
#ifndef MSTATS_RUNNER_RECORD_H
#define MSTATS_RUNNER_RECORD_H

#include <glib.h>

#include "region_layout.h"

/* The `count` operations in the recording memfd, read-only; NULL with
 * *error set when they cannot be mapped, or NULL and no error when count
 * is 0. Give them back with record_unmap. */
const MstatsRecordedOp *record_map(int record_fd, guint64 count, GError **error);
void record_unmap(const MstatsRecordedOp *ops, guint64 count);

/* Writes `path` through the trace library's writer: the header (suggested
 * heap size = `heap_max`, number of ids, number of operations, weight 1),
 * then one line per operation. A realloc(NULL, n), recorded as a realloc of
 * a fresh id, is written as `r ID SIZE` (mdriver's realloc(NULL, n)). */
gboolean record_write_rep(const char *path, const MstatsRecordedOp *ops, guint64 count, guint32 ids,
                          guint64 heap_max, GError **error);

#endif
