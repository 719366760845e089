/*
 * heap.h - the allocator's one state struct and the heap's growth.
 *
 * heap.c is the only place that calls sbrk; it never touches the free index. The heap grows by the
 * shortfall only: when the block at the top of the heap is free, it is extended instead of a new
 * block being added, so MAX (the bytes obtained with sbrk) carries no slack beyond 16-byte
 * rounding.
 */
#ifndef MSTATS_HEAP_H
#define MSTATS_HEAP_H

#include "block.h"
#include "free_index.h"

struct heap {
    char *base;             /* first block header; 8 mod 16; NULL before heap_init */
    block *epilogue;        /* the size-0 header that ends the heap */
    struct free_index free; /* the free blocks (free_index.c), set up by the allocator */
    bool verify;            /* MSTATS_VERIFY=1: check everything after every call */
};

extern struct heap heap;

/* Sets up an empty heap (reads MSTATS_VERIFY). Returns false with errno set
 * when sbrk fails. Caller holds the allocator lock. */
bool heap_init(void);

/* The first block of the heap (the epilogue when the heap is empty). */
static inline block *heap_first(void)
{
    return (block *)heap.base;
}

/* The block before the epilogue when it is free, else NULL. */
static inline block *heap_top_free(void)
{
    return block_prev_used(heap.epilogue) ? NULL : block_prev(heap.epilogue);
}

/* Grows the heap so that `top` (the block before the epilogue, in use or
 * free but not indexed; NULL for none) becomes `size` bytes, flags kept.
 * Returns top; or, when someone else moved the break so that the new memory
 * is not adjacent, a new free, unindexed block of `size` bytes there; or NULL
 * with errno = ENOMEM. Caller holds the allocator lock. */
block *heap_extend(block *top, size_t size);

/* True when p lies inside the heap's blocks. */
static inline bool heap_contains(const void *p)
{
    return heap.base && (const char *)p >= heap.base && (const char *)p < (char *)heap.epilogue;
}

#endif
