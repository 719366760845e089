/* Turning the shim's recorded operations into a CS:APP .rep trace. */
#ifndef MSTATS_RUNNER_RECORD_H
#define MSTATS_RUNNER_RECORD_H

#include <glib.h>

#include "region_layout.h"

/* Writes `path` from the recording memfd: the header (suggested heap size =
 * `heap_max`, number of ids, number of operations, weight 1), then one line
 * per operation. */
gboolean record_write_rep(const char *path, int record_fd, const MstatsRegion *region,
                          guint64 heap_max, GError **error);

#endif
