/*
 * tester-4: coalescing a freed block with the free block after it.
 *
 * Exercises: 64 groups [A 8000][B 8000][guard 100] are allocated; in each
 * group B is freed first, then A, so A must merge with its next neighbour.
 * Then one 16000-byte block per group is requested: it only fits where A
 * and B merged. Guards and new blocks carry patterns and must stay intact
 * and disjoint. The line counts requests that landed at the start of a
 * merged hole (any group's A).
 *
 * A good allocator: 64 of 64 land on the merged holes, the heap does not
 * grow for them (MAX ~ 64 x 16 KiB). Without coalescing (or without reuse)
 * MAX roughly doubles.
 */
#include "tester.h"

#include <stdlib.h>

enum { GROUPS = 64, HALF_BYTES = 8000, GUARD_BYTES = 100 };

int main(void)
{
    unsigned char *first[GROUPS], *second[GROUPS], *guard[GROUPS], *merged[GROUPS];
    uintptr_t first_start[GROUPS];
    for (int g = 0; g < GROUPS; g++) {
        first[g] = require_block(malloc(HALF_BYTES), 16, "malloc(8000) for A");
        second[g] = require_block(malloc(HALF_BYTES), 16, "malloc(8000) for B");
        guard[g] = require_block(malloc(GUARD_BYTES), 16, "malloc(100) for a guard");
        pattern_fill(first[g], HALF_BYTES, 3 * g);
        pattern_fill(second[g], HALF_BYTES, 3 * g + 1);
        pattern_fill(guard[g], GUARD_BYTES, 3 * g + 2);
        first_start[g] = (uintptr_t)first[g];
    }
    for (int g = 0; g < GROUPS; g++) {
        pattern_require(second[g], HALF_BYTES, 3 * g + 1, "B");
        free(second[g]);
        pattern_require(first[g], HALF_BYTES, 3 * g, "A");
        free(first[g]);
    }
    struct tester_span spans[2 * GROUPS];
    int reused = 0;
    for (int g = 0; g < GROUPS; g++) {
        merged[g] = require_block(malloc(2 * HALF_BYTES), 16, "malloc(16000)");
        pattern_fill(merged[g], 2 * HALF_BYTES, 1000 + g);
        for (int h = 0; h < GROUPS; h++)
            reused += (uintptr_t)merged[g] == first_start[h];
        spans[2 * g] = (struct tester_span){(uintptr_t)merged[g], 2 * HALF_BYTES};
        spans[2 * g + 1] = (struct tester_span){(uintptr_t)guard[g], GUARD_BYTES};
    }
    spans_require_disjoint(spans, 2 * GROUPS, "merged blocks and guards");
    for (int g = 0; g < GROUPS; g++) {
        pattern_require(guard[g], GUARD_BYTES, 3 * g + 2, "a guard");
        pattern_require(merged[g], 2 * HALF_BYTES, 1000 + g, "a 16000-byte block");
        free(merged[g]);
        free(guard[g]);
    }
    tester_pass("Coalescing with the next block: %d of %d blocks of %d bytes reused two freed "
                "neighbours of %d bytes, all intact",
                reused, GROUPS, 2 * HALF_BYTES, HALF_BYTES);
    return 0;
}
