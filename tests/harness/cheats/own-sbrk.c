/* Tries: the allocator defines sbrk itself (the brk system call, keeping
 * glibc's cached break __curbrk up to date the way glibc's sbrk does) and
 * uses only that one, so the shim's sbrk never sees a growth; in every call
 * it also takes and gives back 8 MiB of scratch, which the shim, sampling the
 * break only after the call, misses.
 * Caught by: the kernel's brk witness -> 67. (Were __curbrk not kept up to
 * date, the shim would catch the blocks first as beyond its idea of the heap
 * end: 91.) */
#include <stdint.h>

static void *own_sbrk(intptr_t increment);
#define CHEAT_GROW(bytes) own_sbrk(bytes)
#define CHEAT_ON_CALL() cheat_scratch_through(own_sbrk)
#include "cheat_core.h"

/* glibc's sbrk, redone on the system call: the old break, or (void *)-1. */
static void *own_sbrk(intptr_t increment)
{
    void *old = cheat_raw_sbrk(increment);
    if (old != (void *)-1)
        __curbrk = (unsigned char *)old + increment;
    return old;
}

/* Exported too, as an allocator that brings its own sbrk would. */
void *sbrk(intptr_t increment)
{
    return own_sbrk(increment);
}
