/*
 * best-fit: place each block in the smallest free block that fits.
 * Tie-break: among free blocks of that size, the lowest address.
 * Cost: O(log n). The index is ordered by (size, address): each small size
 * has its own bin, a heap ordered by address found through a bitmap, whose
 * root is the answer; larger blocks share one tree, whose leftmost block not
 * smaller than the request is the answer (free_index.h).
 * Weakness: the remainders it splits off are as small as possible, so the
 * heap fills with slivers too small for any request.
 */
#include "policy.h"

#include "smallest_fit.h"

const struct policy mstats_policy = {
    .name = "best-fit",
    .reuses = true,
    .order = FREE_ORDER_BY_SIZE_THEN_ADDRESS,
    .find_fit = smallest_fit,
    .scan_fit = scan_smallest_fit,
};
