/*
 * buddy_heap.c - the buddy heap's set-up and break: the only code of the
 * buddy strategy that calls sbrk.
 *
 * The break follows the core's rule (core/heap.c, break_rule.h): kept exact
 * to the byte, the kernel's moved a page at a time, or sbrk itself under
 * mstats' shim. The tree needs contiguous memory: when someone else moved
 * the break, the memory sbrk returns does not continue the heap, so it is
 * given back and the request fails with ENOMEM (a documented limit).
 */
#include "buddy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "break_move.h"

struct buddy buddy = {.lock = PTHREAD_MUTEX_INITIALIZER};

bool buddy_heap_init(void)
{
    buddy.verify = env_flag("MSTATS_VERIFY");
    char *brk_now = break_move(&buddy.own_break, 0);
    if (brk_now == (char *)-1)
        return false;
    /* Pad so that the first header is 8 mod 16 and its payload 16-aligned. */
    size_t pad = (size_t)(ALIGNMENT + HEADER_SIZE - (uintptr_t)brk_now % ALIGNMENT) % ALIGNMENT;
    if (pad && break_move(&buddy.own_break, (intptr_t)pad) == (void *)-1)
        return false;
    buddy.base = buddy.end = brk_now + pad;
    return true;
}

bool buddy_heap_extend(const char *new_end)
{
    size_t increment = (size_t)(new_end - buddy.end);
    if (increment > (size_t)INTPTR_MAX) {
        errno = ENOMEM;
        return false;
    }
    char *got = break_move(&buddy.own_break, (intptr_t)increment);
    if (got == (char *)-1)
        return false;
    if (got != buddy.end) {
        (void)break_move(&buddy.own_break,
                         -(intptr_t)increment); /* not ours to keep: not the heap's end */
        errno = ENOMEM;
        return false;
    }
    return true;
}
