/* Honest: grows the heap with brk, not sbrk. It finds the break with
 * sbrk(0) and sets the new one with brk(break + n), as allocators written
 * against the raw system interface do. Both are the program break the course
 * counts; the harness must see brk as it sees sbrk. */
#include <stdint.h>
#include <unistd.h>

static void *grow_with_brk(intptr_t bytes);
#define HONEST_GROW(bytes) grow_with_brk(bytes)
#include "honest_core.h"

/* sbrk(bytes) done with brk: the old break, or (void *)-1. */
static void *grow_with_brk(intptr_t bytes)
{
    char *old = sbrk(0);
    if (old == (void *)-1 || brk(old + bytes) != 0)
        return (void *)-1;
    return old;
}
