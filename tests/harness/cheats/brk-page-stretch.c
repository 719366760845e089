/* Tries: brk0-stretch with stops that do move the break: 2.5 s of CPU burnt
 * inside the second malloc, giving back the heap's top page with the shim's
 * sbrk and taking it again every few microseconds, so that the kernel's
 * break crosses a page at every stop, below the heap's peak. The witness
 * agrees with the shim, and a flat allowance per page-crossing stop would
 * stretch the timeout past the work.
 * MSTATS_CHEAT_NO_BRK=1 in the environment burns the same CPU time without
 * the brk calls, which times out.
 * Caught by: the timeout (15): a stop whose brk moves the break within the
 * largest heap the run has had earns only the time the witness took over
 * it, less than the program waited. */
static void page_back_and_forth(void);
#define CHEAT_ON_CALL() (cheat_calls == 2 ? cheat_burn_with(page_back_and_forth) : (void)0)
#include "cheat_core.h"

/* The top page of the heap (unused: the core's last step is 64 KiB), given
 * back and taken again. */
static void page_back_and_forth(void)
{
    if (sbrk(-4096) != (void *)-1)
        sbrk(4096);
}
