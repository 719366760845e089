/*
 * wrong_fit.c - a broken policy for tests only: best-fit's own order and
 * definition (scan_smallest_fit, the one best_fit.c uses), but a find_fit that returns
 * the largest free block, a worse fit whenever a smaller one fits.
 * MSTATS_VERIFY=1 must catch it at the first such placement
 * (test_placement_check.c).
 */
#include "../../allocators/policies/smallest_fit.h"
#include "policy.h"

/* The largest free block (the highest-address one among equals), by a walk
 * of the heap: a test needs no speed. */
static block *largest_block(size_t size)
{
    block *largest = NULL;
    for (block *b = heap_first(); !block_is_epilogue(b); b = block_next(b))
        if (block_is_free(b) && (!largest || block_size(b) >= block_size(largest)))
            largest = b;
    return largest && block_size(largest) >= size ? largest : NULL;
}

const struct policy mstats_policy = {
    .name = "wrong-fit",
    .reuses = true,
    .order = FREE_ORDER_BY_SIZE_THEN_ADDRESS,
    .find_fit = largest_block,
    .scan_fit = scan_smallest_fit,
};
