/*
 * tester-5: coalescing a freed block with the free block before it.
 *
 * Exercises: 64 groups [A 8000][B 8000][guard 100] are allocated; in each
 * group A is freed first, then B, so B must merge with its previous
 * neighbour. Then one 16000-byte block per group is requested: it only fits
 * where A and B merged. Guards and new blocks carry patterns and must stay
 * intact and disjoint. The line counts requests that landed at the start of a
 * merged hole (any group's A).
 *
 * A good allocator: 64 of 64 land on the merged holes, the heap does not
 * grow for them (MAX ~ 64 x 16 KiB). Without coalescing (or without reuse)
 * MAX roughly doubles.
 */
#include "coalesce.h"
#include "tester.h"


enum { GROUPS = COALESCE_GROUPS, HALF_BYTES = 8000, GUARD_BYTES = 100 };

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "coalescing with the previous block: free A then B, then ask for A + B");
    struct coalesce_groups c = {.parts = 2, .part_bytes = HALF_BYTES, .guard_bytes = GUARD_BYTES};
    coalesce_allocate(&c);
    /* A first, then B: B merges with its previous neighbour. */
    static const int order[2] = {0, 1};
    coalesce_free_parts(&c, order);
    int reused = coalesce_refill_groups(&c);
    tester_pass("Coalescing with the previous block: %d of %d blocks of %d bytes reused two "
                "freed neighbours of %d bytes, all intact",
                reused, GROUPS, 2 * HALF_BYTES, HALF_BYTES);
    return 0;
}
