/* Tries: _exit(0) from the allocator's constructor, which runs while the
 * shim loads it, before the program's main: no call, MAX 0, STATUS OK.
 * Caught by: the completion proof -> 96. */
#include "cheat_core.h"

/* While the shim loads the allocator: exit 0. */
__attribute__((constructor)) static void exit_before_main(void)
{
    _exit(0);
}
