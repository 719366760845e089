/*
 * tester-6: coalescing a freed block with both neighbours at once.
 *
 * Exercises: 64 groups [A 6000][B 6000][C 6000][guard 100]; in each group A
 * and C are freed first, then B, which must merge with both into one hole.
 * Then one 18000-byte block per group is requested: it only fits where all
 * three merged. Guards and new blocks carry patterns and must stay intact
 * and disjoint. The line counts requests that landed at the start of a
 * merged hole (any group's A).
 *
 * A good allocator: 64 of 64 land on the merged holes, the heap does not
 * grow for them (MAX ~ 64 x 18 KiB). Merging with one side only leaves
 * 12000-byte holes that are too small, and MAX roughly doubles.
 */
#include "coalesce.h"
#include "tester.h"

#include <stdlib.h>

enum { GROUPS = 64, PART_BYTES = 6000, GUARD_BYTES = 100 };

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "coalescing with both neighbours: free A and C, then B, then ask for A + B + C");
    unsigned char *part[GROUPS][3], *guard[GROUPS];
    uintptr_t first_start[GROUPS];
    uint64_t guard_tag[GROUPS];
    for (int g = 0; g < GROUPS; g++) {
        for (int p = 0; p < 3; p++) {
            part[g][p] = require_block(malloc(PART_BYTES), 16, "malloc(6000)");
            pattern_fill(part[g][p], PART_BYTES, 4 * g + p);
        }
        guard[g] = require_block(malloc(GUARD_BYTES), 16, "malloc(100) for a guard");
        guard_tag[g] = 4 * g + 3;
        pattern_fill(guard[g], GUARD_BYTES, guard_tag[g]);
        first_start[g] = (uintptr_t)part[g][0];
    }
    /* The order matters: the middle block goes last, between two free ones. */
    static const int free_order[3] = {0, 2, 1};
    for (int g = 0; g < GROUPS; g++) {
        for (int i = 0; i < 3; i++) {
            int p = free_order[i];
            pattern_require(part[g][p], PART_BYTES, 4 * g + p, "a 6000-byte block");
            free(part[g][p]);
        }
    }
    int reused =
        coalesce_refill(GROUPS, 3 * PART_BYTES, first_start, guard, guard_tag, GUARD_BYTES);
    tester_pass("Coalescing with both neighbours: %d of %d blocks of %d bytes reused three freed "
                "blocks of %d bytes, all intact",
                reused, GROUPS, 3 * PART_BYTES, PART_BYTES);
    return 0;
}
