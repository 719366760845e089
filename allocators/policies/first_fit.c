/*
 * first-fit: place each block in the free block with the lowest address that
 * fits.
 * Tie-break: none is needed; addresses are unique.
 * Cost: O(log n). Free blocks of up to 1008 bytes sit in bins of one size,
 * each a heap whose root is its lowest address, and a tournament over the
 * bins names the lowest address among all bins that fit (free_index.h);
 * larger blocks sit in an AVL tree in address order whose nodes keep their
 * subtree's largest size, which a larger request descends toward the
 * leftmost subtree that can hold it.
 * Weakness: splinters left by splitting pile up at the low end of the heap,
 * so small holes there fragment memory that large requests cannot use.
 */
#include "policy.h"

#include "free_index.h"
#include "heap.h"

static block *find_fit(size_t size)
{
    return free_index_lowest_fit(&heap.free, size);
}

static block *scan_fit(size_t size)
{
    for (block *b = heap_first(); !block_is_epilogue(b); b = block_next(b))
        if (block_is_free(b) && block_size(b) >= size)
            return b;
    return NULL;
}

const struct policy mstats_policy = {
    .name = "first-fit",
    .reuses = true,
    .order = FREE_ORDER_BY_ADDRESS_BINNED,
    .find_fit = find_fit,
    .scan_fit = scan_fit,
};
