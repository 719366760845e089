/* Tries: _exit(0) from the allocator's destructor, after main returned (so
 * that nothing later, like stdio's flush, counts).
 * Not a cheat in effect: the workload finished and proved it before, so the
 * run is OK with the honest figures -> 0. */
#include "cheat_core.h"

/* After main and the proof: exit 0 at once. */
__attribute__((destructor)) static void exit_after_main(void)
{
    _exit(0);
}
