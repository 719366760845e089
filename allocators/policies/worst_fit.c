/*
 * worst-fit: place each block in the largest free block, if it fits.
 * Tie-break: among free blocks of that size, the lowest address.
 * Cost: O(log n). The index is best-fit's, ordered by (size, address): the
 * root of its tree of larger blocks, else its bitmap of bins of small sizes,
 * knows the largest size, and the lowest block of that size is best-fit's
 * answer for exactly that size.
 * Weakness: it breaks up the largest blocks first, so a later large request
 * finds none left and the heap must grow.
 */
#include "policy.h"

#include "free_index.h"
#include "heap.h"

static block *find_fit(size_t size)
{
    /* The lowest-address block of the largest size is best-fit's answer
     * for exactly that size. */
    size_t largest = free_index_largest(&heap.free);
    return largest >= size ? free_index_smallest_fit(&heap.free, largest) : NULL;
}

static block *scan_fit(size_t size)
{
    block *worst = NULL;
    for (block *b = heap_first(); !block_is_epilogue(b); b = block_next(b))
        if (block_is_free(b) && (!worst || block_size(b) > block_size(worst)))
            worst = b;
    return worst && block_size(worst) >= size ? worst : NULL;
}

const struct policy mstats_policy = {
    .name = "worst-fit",
    .reuses = true,
    .order = FREE_ORDER_BY_SIZE_THEN_ADDRESS,
    .find_fit = find_fit,
    .scan_fit = scan_fit,
};
