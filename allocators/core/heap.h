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

#include <pthread.h>

#include "block.h"
#include "free_index.h"
#include "runs.h"

/* The allocator's state. Two pieces stand apart from it:
 * - next-fit's rover (policies/next_fit.c): a policy's own state, read and
 *   written only by its policy file; the core knows each policy only through
 *   struct policy (policy.h), never its state.
 * - the strategy's name for failure messages (fail.c): fail.c depends on
 *   nothing, so that the free index, and its tests without a heap, can
 *   report a broken invariant. */
struct heap {
    char *base;             /* first block header; 8 mod 16; NULL before heap_init */
    block *epilogue;        /* the size-0 header that ends the heap */
    struct free_index free; /* the free blocks (free_index.c), set up by the allocator */
    struct runs runs;       /* the runs of small slots (runs.h), under a policy with runs */
    bool verify;            /* MSTATS_VERIFY=1: check everything after every call */
    /* Serialises every call (allocator.c), and is taken around fork(). */
    pthread_mutex_t lock;
    bool locked; /* the current call holds `lock` (a single-threaded process skips it) */
    /* The break as this allocator moved it, when it keeps it itself (heap.c;
     * 0: the kernel's break, as glibc's sbrk(0) reads it). */
    uintptr_t own_break;
    /* Under a policy without reuse: the top block the last check ended on,
     * where the next one resumes (verify.c); NULL before the first. */
    block *verify_resume;
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
