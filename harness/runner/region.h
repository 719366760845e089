/* The parent's side of the shared region and of the recording memfd. */
#ifndef MSTATS_RUNNER_REGION_H
#define MSTATS_RUNNER_REGION_H

#include <glib.h>

#include "region_layout.h"

typedef struct {
    int fd; /* memfd, close-on-exec until the child clears it */
    MstatsRegion *map;
    int record_fd; /* -1 without recording */
} RunnerRegion;

/* Creates and initialises the region (and the recording memfd if asked). */
gboolean runner_region_create(RunnerRegion *region, guint64 memory_limit, gboolean record,
                              GError **error);

/* Checks that the shim left a consistent region: magic words and the
 * relations between figures. Returns NULL when sound, else the words of the
 * problem (to free). */
char *runner_region_problem(const RunnerRegion *region);

void runner_region_close(RunnerRegion *region);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RunnerRegion, runner_region_close)

#endif
