/* Tries: 2.5 s of CPU burnt inside the first malloc, with a brk(0) (a trace
 * stop of the kernel's witness that moves nothing) every few microseconds,
 * so that the witness's allowance for its stops stretches the timeout past
 * the work (issue 20: mstats -t 1 passed with 462,485 stops).
 * MSTATS_CHEAT_NO_BRK=1 in the environment burns the same CPU time without
 * the brk calls, which times out.
 * Caught by: the timeout (15): a stop of a brk that moved no break across a
 * page earns no time. */
static void brk_zero(void);
#define CHEAT_ON_CALL() (cheat_calls == 1 ? cheat_burn_with(brk_zero) : (void)0)
#include "cheat_core.h"

static void brk_zero(void)
{
    cheat_kernel_break(); /* brk(0): the break stays where it is */
}
