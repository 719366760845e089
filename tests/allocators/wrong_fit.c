/*
 * wrong_fit.c - a broken policy for tests only: it claims to be best-fit
 * (scan_fit is best-fit's definition) but its find_fit returns the largest
 * free block, a worse fit whenever a smaller one fits. MSTATS_VERIFY=1 must
 * catch it at the first such placement (test_placement_check.c).
 */
#include "policy.h"

#include "free_index.h"
#include "heap.h"

/* The rightmost block of the (size, address) tree: the largest. */
static block *largest_block(size_t size)
{
    block *b = free_index_root(&heap.free);
    while (b && free_index_right(&heap.free, b))
        b = free_index_right(&heap.free, b);
    return b && block_size(b) >= size ? b : NULL;
}

static block *best_fit_by_scan(size_t size)
{
    block *best = NULL;
    for (block *b = heap_first(); !block_is_epilogue(b); b = block_next(b))
        if (block_is_free(b) && block_size(b) >= size &&
            (!best || block_size(b) < block_size(best)))
            best = b;
    return best;
}

const struct policy mstats_policy = {
    .name = "wrong-fit",
    .reuses = true,
    .order = FREE_ORDER_BY_SIZE_THEN_ADDRESS,
    .find_fit = largest_block,
    .scan_fit = best_fit_by_scan,
};
