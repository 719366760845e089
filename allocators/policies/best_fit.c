/*
 * best-fit: place each block in the smallest free block that fits.
 * Tie-break: among free blocks of that size, the lowest address.
 * Cost: O(log n). The index is an AVL tree ordered by (size, address); the
 * leftmost block not smaller than the request is the answer.
 * Weakness: the remainders it splits off are as small as possible, so the
 * heap fills with slivers too small for any request.
 */
#include "policy.h"

#include "free_index.h"
#include "heap.h"

static int by_size_then_address(const block *a, const block *b)
{
    if (block_size(a) != block_size(b))
        return block_size(a) < block_size(b) ? -1 : 1;
    return policy_order_by_address(a, b);
}

static block *find_fit(size_t size)
{
    block *best = NULL;
    for (block *b = free_index_root(); b;) {
        if (block_size(b) >= size) {
            best = b;
            b = free_index_left(b);
        } else {
            b = free_index_right(b);
        }
    }
    return best;
}

static block *scan_fit(size_t size)
{
    block *best = NULL;
    for (block *b = heap_first(); !block_is_epilogue(b); b = block_next(b))
        if (block_is_free(b) && block_size(b) >= size &&
            (!best || block_size(b) < block_size(best)))
            best = b;
    return best;
}

const struct policy mstats_policy = {
    .name = "best-fit",
    .reuses = true,
    .order = by_size_then_address,
    .find_fit = find_fit,
    .scan_fit = scan_fit,
};
