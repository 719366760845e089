/*
 * wrong_fit.c - a broken policy for tests only: best-fit's own order and
 * definition (scan_fit, from best_fit.c itself), but a find_fit that returns
 * the largest free block, a worse fit whenever a smaller one fits.
 * MSTATS_VERIFY=1 must catch it at the first such placement
 * (test_placement_check.c).
 */
#define mstats_policy best_fit_policy
#include "../../allocators/policies/best_fit.c"
#undef mstats_policy

/* The rightmost block of the main (size, address) tree, else of the largest
 * bin: the largest free block. */
static block *largest_block(size_t size)
{
    block *b = free_index_root(&heap.free);
    for (int tree = free_index_trees(&heap.free) - 1; !b && tree > 0; tree--)
        b = free_index_tree_root(&heap.free, tree);
    while (b && free_index_right(&heap.free, b))
        b = free_index_right(&heap.free, b);
    return b && block_size(b) >= size ? b : NULL;
}

const struct policy mstats_policy = {
    .name = "wrong-fit",
    .reuses = true,
    .order = FREE_ORDER_BY_SIZE_THEN_ADDRESS,
    .find_fit = largest_block,
    .scan_fit = scan_fit,
};
