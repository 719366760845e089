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


enum { GROUPS = COALESCE_GROUPS, PART_BYTES = 6000, GUARD_BYTES = 100 };

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "coalescing with both neighbours: free A and C, then B, then ask for A + B + C");
    struct coalesce_groups c = {.parts = 3, .part_bytes = PART_BYTES, .guard_bytes = GUARD_BYTES};
    coalesce_allocate(&c);
    /* The middle block goes last, between two free ones. */
    static const int order[3] = {0, 2, 1};
    coalesce_free_parts(&c, order);
    int reused = coalesce_refill_groups(&c);
    tester_pass("Coalescing with both neighbours: %d of %d blocks of %d bytes reused three freed "
                "blocks of %d bytes, all intact",
                reused, GROUPS, 3 * PART_BYTES, PART_BYTES);
    return 0;
}
