/* Starting the shim (start.c), and the bypass rule that every entry point of
 * the family asks first: whether this call is measured, starting the shim
 * on the first call of all. Apart from shim.h so that the module state does
 * not depend on the code that starts it. */
#ifndef MSTATS_SHIM_START_H
#define MSTATS_SHIM_START_H

#include "shim.h"

/* Starts the shim if it has not started: maps the region, loads the allocator.
 * Safe to call from any entry point; calls made while it runs use the boot arena. */
SHIM_HIDDEN void shim_start(void);

/* The bypass rule, the one place that decides whether a call is measured: it
 * is when the shim is ready and this thread is not already inside it (a call
 * the allocator makes into the family is not the program's). A call that
 * finds the shim not started starts it first. Unmeasured calls go to bypass.c. */
static inline bool shim_measures_call(void)
{
    if (SHIM_LIKELY(shim_ready() && shim_depth == 0))
        return true;
    if (shim.phase != SHIM_UNLOADED)
        return false;
    shim_start();
    return shim_ready() && shim_depth == 0;
}

#endif
