/* sbrk and brk, interposed so that the heap is sampled the moment the break
 * moves (MAX is the peak of the break, not only its value between calls) and
 * a heap past the memory limit stops the program at once (68).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "measure.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* After the break moved: MAX, and the limit. `cause` says where. */
static void heap_moved(const char *cause)
{
    if (shim.figures != NULL)
        check_limit(heap_note(), cause, NULL);
}

SHIM_EXPORT void *sbrk(intptr_t increment)
{
    void *old = __sbrk(increment);
    if (old != (void *)-1 && increment != 0 && shim.phase != SHIM_UNLOADED)
        heap_moved("in sbrk");
    return old;
}

SHIM_EXPORT int brk(void *address)
{
    if (shim.real_brk == NULL)
        shim_start();
    if (shim.real_brk == NULL) {
        errno = ENOSYS;
        return -1;
    }
    int result = shim.real_brk(address);
    if (result == 0 && shim.phase != SHIM_UNLOADED)
        heap_moved("in brk");
    return result;
}
