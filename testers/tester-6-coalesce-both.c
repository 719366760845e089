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
#include "tester.h"

#include <stdlib.h>

enum { GROUPS = 64, PART_BYTES = 6000, GUARD_BYTES = 100 };

int main(void)
{
    unsigned char *part[GROUPS][3], *guard[GROUPS], *merged[GROUPS];
    uintptr_t first_start[GROUPS];
    for (int g = 0; g < GROUPS; g++) {
        for (int p = 0; p < 3; p++) {
            part[g][p] = require_block(malloc(PART_BYTES), 16, "malloc(6000)");
            pattern_fill(part[g][p], PART_BYTES, 4 * g + p);
        }
        guard[g] = require_block(malloc(GUARD_BYTES), 16, "malloc(100) for a guard");
        pattern_fill(guard[g], GUARD_BYTES, 4 * g + 3);
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
    struct tester_span spans[2 * GROUPS];
    int reused = 0;
    for (int g = 0; g < GROUPS; g++) {
        merged[g] = require_block(malloc(3 * PART_BYTES), 16, "malloc(18000)");
        pattern_fill(merged[g], 3 * PART_BYTES, 1000 + g);
        for (int h = 0; h < GROUPS; h++)
            reused += (uintptr_t)merged[g] == first_start[h];
        spans[2 * g] = (struct tester_span){(uintptr_t)merged[g], 3 * PART_BYTES};
        spans[2 * g + 1] = (struct tester_span){(uintptr_t)guard[g], GUARD_BYTES};
    }
    spans_require_disjoint(spans, 2 * GROUPS, "merged blocks and guards");
    for (int g = 0; g < GROUPS; g++) {
        pattern_require(guard[g], GUARD_BYTES, 4 * g + 3, "a guard");
        pattern_require(merged[g], 3 * PART_BYTES, 1000 + g, "an 18000-byte block");
        free(merged[g]);
        free(guard[g]);
    }
    tester_pass("Coalescing with both neighbours: %d of %d blocks of %d bytes reused three freed "
                "blocks of %d bytes, all intact",
                reused, GROUPS, 3 * PART_BYTES, PART_BYTES);
    return 0;
}
