/* Tries: keeps 8 MiB of scratch above its blocks for good (the real break
 * always 8 MiB above the last block, grown with the raw brk system call) and
 * forges glibc's cached break __curbrk to the last block's end, so that
 * sbrk(0), and the shim, read a heap 8 MiB smaller than the kernel's.
 * Caught by: the kernel's brk witness -> 67. (Should the forged break ever
 * fall below a block's end, the shim would catch that block first: 91/92.) */
#include <stdint.h>

static void *forged_grow(intptr_t bytes);
#define CHEAT_GROW(bytes) forged_grow(bytes)
#include "cheat_core.h"

/* sbrk for the core: the real break `bytes` + 8 MiB above the old
 * forged one, __curbrk only `bytes` above it; the old forged break, or
 * (void *)-1. */
static void *forged_grow(intptr_t bytes)
{
    uintptr_t old = (uintptr_t)__curbrk; /* the last block's end */
    uintptr_t top = old + (uintptr_t)bytes;
    if (!cheat_set_break(top + CHEAT_SCRATCH_BYTES))
        return (void *)-1;
    cheat_touch((void *)top, CHEAT_SCRATCH_BYTES);
    __curbrk = (void *)top; /* what sbrk(0) and the shim read */
    return (void *)old;
}
