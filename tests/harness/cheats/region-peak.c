/* Tries: a destructor maps mstats' shared region and raises PEAK-LIVE to MAX
 * (UTILIZATION 1.0), and REQUESTED with it so that REQUESTED >= PEAK-LIVE
 * still holds.
 * Caught by: the cross-check against the reference run on glibc; PEAK-LIVE
 * and REQUESTED are the workload's, not the allocator's -> 97, and the
 * graded PEAK-LIVE is the reference's. */
#include "cheat_core.h"

/* At exit: PEAK-LIVE (and REQUESTED) raised to MAX in the region. */
__attribute__((destructor)) static void inflate_peak_live(void)
{
    MstatsRegion *region = cheat_map_region();
    if (region == NULL)
        return;
    MstatsFigures *f = &region->processes[0].figures;
    f->peak_live = f->heap_max;
    if (f->requested < f->peak_live)
        f->requested = f->peak_live;
}
