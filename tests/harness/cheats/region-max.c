/* Tries: a destructor maps mstats' shared region (the memfd named
 * "mstats-region" in /proc/self/fd, layout from the public protocol header)
 * and lowers MAX to PEAK-LIVE and AVG with it, keeping every consistency
 * relation the runner checks: UTILIZATION 1.0.
 * Caught by: the kernel's brk witness; the shim's MAX (the forged one) is not
 * the witnessed MAX -> 67, and the graded MAX is the witnessed one. */
#include "cheat_core.h"

/* At exit: MAX and AVG forged in the region, mapped anew. */
__attribute__((destructor)) static void forge_max(void)
{
    MstatsRegion *region = cheat_map_region();
    if (region != NULL)
        cheat_forge_max(&region->processes[0].figures);
}
