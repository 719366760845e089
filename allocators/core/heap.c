/*
 * heap.c - heap set-up and growth: the only code that calls sbrk.
 */
#include "heap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "break_move.h"

struct heap heap = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* sbrk(increment) that refuses what sbrk's intptr_t cannot express. */
static void *heap_sbrk(size_t increment)
{
    if (increment > (size_t)INTPTR_MAX) {
        errno = ENOMEM;
        return (void *)-1;
    }
    return break_move(&heap.own_break, (intptr_t)increment);
}

bool heap_init(void)
{
    heap.verify = env_flag("MSTATS_VERIFY");
    char *brk_now = break_move(&heap.own_break, 0);
    if (brk_now == (char *)-1)
        return false;
    /* Pad so that the first header is 8 mod 16 and its payload 16-aligned. */
    size_t pad = (size_t)(ALIGNMENT + HEADER_SIZE - (uintptr_t)brk_now % ALIGNMENT) % ALIGNMENT;
    char *start = heap_sbrk(pad + HEADER_SIZE);
    if (start == (char *)-1)
        return false;
    heap.base = start + pad;
    heap.epilogue = (block *)heap.base;
    heap.epilogue->header = BLOCK_USED | BLOCK_PREV_USED;
    return true;
}

/* Someone else moved the break: the new memory starts at `got`, not at the
 * heap end. The old epilogue becomes a foreign block spanning the gap, and a
 * new block of `size` bytes starts at the first 8-mod-16 address past it.
 * Returns that block, or NULL (errno = ENOMEM) when the gap cannot be bridged. */
static block *heap_bridge_gap(char *got, size_t got_size, size_t size)
{
    char *old_end = (char *)heap.epilogue + HEADER_SIZE;
    if (got < old_end) {
        errno = ENOMEM; /* the break went backwards under us: not our heap */
        return NULL;
    }
    size_t gap = (size_t)(got - (char *)heap.epilogue);
    gap = (gap + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
    block *fresh = (block *)((char *)heap.epilogue + gap);
    char *needed_end = (char *)fresh + size + HEADER_SIZE;
    if (needed_end > got + got_size) {
        char *more = heap_sbrk((size_t)(needed_end - (got + got_size)));
        if (more != got + got_size)
            return NULL; /* errno set by sbrk, or the break moved again */
    }
    heap.epilogue->header =
        gap | BLOCK_USED | BLOCK_FOREIGN | (heap.epilogue->header & BLOCK_PREV_USED);
    fresh->header = size | BLOCK_PREV_USED;
    heap.epilogue = block_next(fresh);
    heap.epilogue->header = BLOCK_USED;
    return fresh;
}

block *heap_extend(block *top, size_t size)
{
    size_t shortfall = size - (top ? block_size(top) : 0);
    if ((size_t)((char *)heap.epilogue - heap.base) + shortfall >= HEAP_LIMIT) {
        errno = ENOMEM;
        return NULL;
    }
    char *got = heap_sbrk(shortfall);
    if (got == (char *)-1)
        return NULL;
    if (got != (char *)heap.epilogue + HEADER_SIZE)
        return heap_bridge_gap(got, shortfall, size);

    block *grown = top ? top : heap.epilogue;
    grown->header = size | (grown->header & BLOCK_FLAGS);
    heap.epilogue = block_next(grown);
    heap.epilogue->header = BLOCK_USED | (block_used(grown) ? BLOCK_PREV_USED : 0);
    if (block_is_free(grown))
        *block_footer(grown) = grown->header;
    return grown;
}
