/* Tries: a destructor calls the shim's malloc (found with dlsym), outside any
 * measured call, so the shim counts malloc(1 GiB) as the program's request:
 * PEAK-LIVE and MAX grow together by 1 GiB and UTILIZATION nears 1.
 * Caught by: the cross-check against the reference run; CALLS, REQUESTED
 * and PEAK-LIVE differ -> 97. */
#include <dlfcn.h>

#include "cheat_core.h"

/* At exit: malloc(1 GiB) through the shim, counted as the program's. */
__attribute__((destructor)) static void inflate_by_a_request(void)
{
    void *(*shim_malloc)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "malloc");
    if (shim_malloc != NULL)
        shim_malloc((size_t)1 << 30);
}
