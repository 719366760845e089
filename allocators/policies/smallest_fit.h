/*
 * smallest_fit.h - best-fit's choice among heap blocks, shared by the
 * policies that make it (best-fit; segregated-fit for its large blocks).
 */
#ifndef MSTATS_SMALLEST_FIT_H
#define MSTATS_SMALLEST_FIT_H

#include "free_index.h"
#include "heap.h"

/* The smallest free block of at least `size` bytes, the lowest-address one
 * among equals, through the index: O(log n). */
static inline block *smallest_fit(size_t size)
{
    return free_index_smallest_fit(&heap.free, size);
}

/* The same answer by a walk of the heap: the definition. */
static inline block *scan_smallest_fit(size_t size)
{
    block *best = NULL;
    for (block *b = heap_first(); !block_is_epilogue(b); b = block_next(b))
        if (block_is_free(b) && block_size(b) >= size &&
            (!best || block_size(b) < block_size(best)))
            best = b;
    return best;
}

#endif
