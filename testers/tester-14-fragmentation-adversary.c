/*
 * tester-14: a fragmentation adversary that tells the four placement policies apart.
 *
 * Exercises: 12 rounds of the same script, in units of 64 KiB. Each round
 * allocates five blocks of 12, 16, 5, 1 and 1 units, each followed by a
 * 64-byte guard that stays live to the end; frees the five (five holes
 * between guards); then allocates 7 units, frees it, allocates 9 and 4
 * units, and frees both. Every block carries a pattern checked before its
 * free; the guards are checked, and checked for overlap, at the end.
 *
 * Only the guards outlive a round, so PEAK-LIVE is one round's 35 units
 * (2.2 MB) and an ideal allocator's MAX stays near it. But each round's
 * blocks are placed into the holes the earlier rounds left, so the
 * policies' choices compound. Found by simulating the four policies with
 * 16-byte headers, and measured the same with the project's strategies:
 * best-fit 2.36 MB (it keeps the big holes whole for the big blocks),
 * first-fit 3.34 MB, next-fit 4.92 MB (the rover walks past holes that
 * would fit, and the heap grows instead), worst-fit 7.28 MB (it carves
 * every request out of the largest hole, so no big hole survives for the
 * next round's big blocks). no-reuse needs every byte requested (~43 MB).
 */
#include "tester.h"

#include <stdlib.h>

enum { UNIT = 64 * 1024, GUARD_BYTES = 64, ROUNDS = 12, HOLES = 5 };

/* One step of a round's request script. */
struct script_step {
    enum { ALLOCATE, FREE_OLDEST } action;
    size_t units;
};

static const size_t hole_units[HOLES] = {12, 16, 5, 1, 1};
static const struct script_step round_script[] = {
    {ALLOCATE, 7}, {FREE_OLDEST, 0}, {ALLOCATE, 9},
    {ALLOCATE, 4}, {FREE_OLDEST, 0}, {FREE_OLDEST, 0},
};
enum { SCRIPT_STEPS = sizeof round_script / sizeof round_script[0] };

/* A patterned block. */
struct tagged_block {
    unsigned char *block;
    size_t size;
    uint64_t tag;
};

static struct tagged_block guards[ROUNDS * HOLES];
static uint64_t next_tag;

/* Allocates and patterns a block of `size` bytes that must exist. */
static struct tagged_block allocate_tagged(size_t size)
{
    struct tagged_block tagged = {require_block(malloc(size), 16, "malloc"), size, next_tag++};
    pattern_fill(tagged.block, size, tagged.tag);
    return tagged;
}

/* Checks a block's pattern, then frees it. */
static void free_tagged(struct tagged_block tagged, const char *what)
{
    pattern_require(tagged.block, tagged.size, tagged.tag, what);
    free(tagged.block);
}

/* One round: holes between new guards, then the request script. */
static void play_round(int round)
{
    struct tagged_block holes[HOLES];
    for (int h = 0; h < HOLES; h++) {
        holes[h] = allocate_tagged(hole_units[h] * UNIT);
        guards[round * HOLES + h] = allocate_tagged(GUARD_BYTES);
    }
    for (int h = 0; h < HOLES; h++)
        free_tagged(holes[h], "a hole-to-be");

    struct tagged_block live[SCRIPT_STEPS];
    int oldest = 0, newest = 0;
    for (int s = 0; s < SCRIPT_STEPS; s++) {
        if (round_script[s].action == ALLOCATE)
            live[newest++] = allocate_tagged(round_script[s].units * UNIT);
        else
            free_tagged(live[oldest++], "a scripted block");
    }
    while (oldest < newest)
        free_tagged(live[oldest++], "a scripted block");
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "a fragmentation adversary on which first-, next-, best- and worst-fit end with "
                   "different MAX");
    for (int round = 0; round < ROUNDS; round++)
        play_round(round);
    struct tester_span spans[ROUNDS * HOLES];
    for (int g = 0; g < ROUNDS * HOLES; g++)
        spans[g] = (struct tester_span){(uintptr_t)guards[g].block, GUARD_BYTES};
    spans_require_disjoint(spans, ROUNDS * HOLES, "guards");
    for (int g = 0; g < ROUNDS * HOLES; g++)
        free_tagged(guards[g], "a guard");
    tester_pass("Fragmentation adversary: %d rounds of holes between guards and scripted "
                "requests, all data intact; compare MAX across strategies",
                ROUNDS);
    return 0;
}
