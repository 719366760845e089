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

#include <stdlib.h>

enum { GROUPS = 64, HALF_BYTES = 8000, GUARD_BYTES = 100 };

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "coalescing with the previous block: free A then B, then ask for A + B");
    unsigned char *first[GROUPS], *second[GROUPS], *guard[GROUPS];
    uintptr_t first_start[GROUPS];
    uint64_t guard_tag[GROUPS];
    for (int g = 0; g < GROUPS; g++) {
        first[g] = require_block(malloc(HALF_BYTES), 16, "malloc(8000) for A");
        second[g] = require_block(malloc(HALF_BYTES), 16, "malloc(8000) for B");
        guard[g] = require_block(malloc(GUARD_BYTES), 16, "malloc(100) for a guard");
        pattern_fill(first[g], HALF_BYTES, 3 * g);
        pattern_fill(second[g], HALF_BYTES, 3 * g + 1);
        guard_tag[g] = 3 * g + 2;
        pattern_fill(guard[g], GUARD_BYTES, guard_tag[g]);
        first_start[g] = (uintptr_t)first[g];
    }
    for (int g = 0; g < GROUPS; g++) {
        pattern_require(first[g], HALF_BYTES, 3 * g, "A");
        free(first[g]);
        pattern_require(second[g], HALF_BYTES, 3 * g + 1, "B");
        free(second[g]);
    }
    int reused =
        coalesce_refill(GROUPS, 2 * HALF_BYTES, first_start, guard, guard_tag, GUARD_BYTES);
    tester_pass("Coalescing with the previous block: %d of %d blocks of %d bytes reused two "
                "freed neighbours of %d bytes, all intact",
                reused, GROUPS, 2 * HALF_BYTES, HALF_BYTES);
    return 0;
}
