/* Tries: a constructor closes every descriptor above 2: the region's, the
 * proof's, and whatever else mstats handed the program, hoping to blind it.
 * Caught by: the completion proof; the tester cannot write its proof line
 * -> 96. (The shim has mapped the region before the allocator loads, so the
 * figures themselves survive.) */
#include "cheat_core.h"

/* Before main: every descriptor above 2 closed. */
__attribute__((constructor)) static void close_the_harness_out(void)
{
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
}
