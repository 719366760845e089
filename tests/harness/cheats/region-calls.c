/* Tries: a destructor maps mstats' shared region and pads CALLS with a
 * million frees made at an empty heap (samples and the heap sum kept
 * consistent), which dilutes AVG to almost nothing.
 * Caught by: the cross-check against the reference run; CALLS differ -> 97
 * (and AVG is never graded anyway). */
#include "cheat_core.h"

/* At exit: a million frees added to the region's CALLS. */
__attribute__((destructor)) static void pad_calls(void)
{
    MstatsRegion *region = cheat_map_region();
    if (region == NULL)
        return;
    MstatsFigures *f = &region->processes[0].figures;
    f->calls[MSTATS_FN_FREE] += 1000000;
    f->samples += 1000000; /* each padded call sampled an empty heap: sum unchanged */
}
