/*
 * next-fit: place each block in the first free block that fits at or after
 * the rover, which sits just past the last block placed; when none does,
 * wrap around once and take the first fit from the heap start.
 * Tie-break: none is needed; addresses are unique.
 * Rover: an address, so it survives coalescing: a free block that has
 * absorbed the rover's position contains it, and "at or after the rover"
 * means "ends after the rover".
 * Cost: O(log n): an address-ordered tree of the free blocks, searched from
 * the rover on (free_index_lowest_fit_ending_after). Consecutive placements
 * carve one free block from its front: the rest of the last split, which
 * starts at the rover, is the index's held block, found without a search and
 * carved again without a change to the tree.
 * Weakness: placements spread over the whole heap, so large free blocks near
 * the rover are broken up before earlier holes are reused (Knuth's exercise:
 * next-fit fragments more than first-fit).
 */
#include "policy.h"

#include "free_index.h"
#include "heap.h"

static uintptr_t rover; /* just past the last block placed; 0 at start */

static block *find_fit(size_t size)
{
    block *b = free_index_lowest_fit_ending_after(&heap.free, rover, size);
    return b ? b : free_index_lowest_fit(&heap.free, size);
}

static block *scan_fit(size_t size)
{
    block *wrapped = NULL;
    for (block *b = heap_first(); !block_is_epilogue(b); b = block_next(b)) {
        if (!block_is_free(b) || block_size(b) < size)
            continue;
        if (block_end(b) > rover)
            return b;
        if (!wrapped)
            wrapped = b;
    }
    return wrapped;
}

static void placed(const block *b)
{
    rover = block_end(b);
}

const struct policy mstats_policy = {
    .name = "next-fit",
    .reuses = true,
    .order = FREE_ORDER_BY_ADDRESS,
    .find_fit = find_fit,
    .scan_fit = scan_fit,
    .placed = placed,
};
