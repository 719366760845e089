/* Honest: the control, but its heap grows one page per sbrk call (16 calls
 * per 64 KiB step), as an allocator that grows by the page does, so that
 * every call is a brk system call and a stop of the kernel's witness. Not a
 * cheat: check_cheats.py runs it under a tight -t, witnessed and not, to
 * show that the time the witness takes over a growing heap is given back. */
#include <stdint.h>

static void *grow_by_pages(intptr_t bytes);
#define CHEAT_GROW(bytes) grow_by_pages(bytes)
#include "cheat_core.h"

/* sbrk(bytes) (a multiple of the page) a page at a time: the old break, or
 * (void *)-1 with the heap as it was. */
static void *grow_by_pages(intptr_t bytes)
{
    void *old = sbrk(0);
    for (intptr_t grown = 0; grown < bytes; grown += 4096)
        if (sbrk(4096) == (void *)-1) {
            sbrk(-grown);
            return (void *)-1;
        }
    return old;
}
