/* Tries: the heap grows with mmap instead of brk: pages mapped at fixed
 * addresses right above the break, and glibc's cached break __curbrk moved
 * over them, so the shim sees an ordinary heap, checks its blocks as inside
 * it and measures the honest MAX, while the kernel's break never moves.
 * Caught by: the kernel's brk witness; its MAX (0) is not the shim's -> 67.
 * (Graded on the witnessed MAX alone, this cheat would score a perfect 0.) */
#include <stdint.h>

static void *mapped_grow(intptr_t bytes);
#define CHEAT_GROW(bytes) mapped_grow(bytes)
#include "cheat_core.h"

#define PAGE ((uintptr_t)4096)

/* The end of the pages mapped above the break so far (0: none yet). */
static uintptr_t mapped_end;

/* sbrk for the core, on mmap: maps the pages missing up to
 * __curbrk + `bytes` and moves __curbrk there; the old __curbrk, or
 * (void *)-1. */
static void *mapped_grow(intptr_t bytes)
{
    uintptr_t old = (uintptr_t)__curbrk;
    uintptr_t top = old + (uintptr_t)bytes;
    if (mapped_end == 0)
        mapped_end = (old + PAGE - 1) & ~(PAGE - 1); /* the kernel's heap ends here */
    if (top > mapped_end) {
        uintptr_t end = (top + PAGE - 1) & ~(PAGE - 1);
        void *map = mmap((void *)mapped_end, end - mapped_end, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (map != (void *)mapped_end)
            return (void *)-1;
        mapped_end = end;
    }
    __curbrk = (void *)top;
    return (void *)old;
}
