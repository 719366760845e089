/* Tries: about 2.5 s of CPU burnt inside the first malloc, with a brk(0) (a
 * trace stop of the kernel's witness that moves nothing) every few
 * microseconds, so that the witness's allowance for its stops stretches the
 * timeout past the work (issue 20: mstats -t 1 passed with 462,485 stops).
 * MSTATS_CHEAT_NO_BRK=1 in the environment does the same work without the
 * brk calls, which times out: the test's proof that the work alone fails.
 * Caught by: the timeout (15): a stop earns time only when its brk moved the
 * kernel's break across a page. */
#include <stdint.h>
#include <time.h>

static void burn_with_stops(void);
#define CHEAT_ON_CALL() burn_with_stops()
#include "cheat_core.h"

/* CPU time burnt in all. */
#define BURN_NS 2500000000LL

static long long cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* A few microseconds of work. */
static void spin(void)
{
    for (volatile unsigned i = 0; i < 2000; i++) {
    }
}

static void burn_with_stops(void)
{
    static int burnt;
    if (burnt)
        return;
    burnt = 1;
    const char *off = getenv("MSTATS_CHEAT_NO_BRK");
    int stops = off == NULL || strcmp(off, "1") != 0;
    long long end = cpu_ns() + BURN_NS;
    while (cpu_ns() < end) {
        spin();
        if (stops)
            cheat_kernel_break(); /* brk(0): the break stays where it is */
    }
}
