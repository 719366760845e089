/*
 * no-reuse: never hand out freed memory again; every block comes from the
 * top of the heap (bump allocation). This is the lecture's heap without
 * reuse: its MAX is the sum of all blocks ever allocated, the bound every
 * other strategy should beat.
 * Tie-break: none; there is never a choice.
 * Cost: O(1); the free index stays empty.
 * Weakness: memory grows with every allocation, whatever is freed.
 */
#include "policy.h"

static block *find_nothing(size_t size)
{
    (void)size;
    return NULL;
}

const struct policy mstats_policy = {
    .name = "no-reuse",
    .reuses = false,
    .order = FREE_ORDER_BY_ADDRESS, /* the index stays empty */
    .find_fit = find_nothing,
    .scan_fit = find_nothing,
};
