/*
 * tester-23: a realloc recursion that doubles a block up to 1 GiB.
 *
 * Exercises: a block of 1 byte that a recursion doubles with realloc, one
 * level per doubling, up to 1 GiB (31 levels), twice: the first time the
 * heap is empty, the second time the 1 GiB freed by the first lies ahead.
 * Each level writes three sentinel bytes into the half it gained (its first,
 * middle and last byte) and, right after its realloc, checks the sentinels
 * of every level below it; on the way back each level checks its own once
 * more. A few bytes per level instead of the whole block keep the check
 * cheap while still catching a realloc that copies too little or moves the
 * block over live data. (The CS 241/341 malloc contest runs a realloc
 * recursion of this kind; this program is our own.)
 *
 * A good allocator grows the block in place, at the heap top the first
 * time and into the freed 1 GiB the second: MAX = 1 GiB (plus a page),
 * nothing copied, TIME a few milliseconds. no-reuse grows in place at the
 * top but cannot reuse the first GiB: MAX = 2 GiB, under the 2.5 GiB limit.
 */
#include "tester.h"

#include <stdlib.h>

enum { TOP_LEVEL = 30, ROUNDS = 2, SENTINELS = 3 };

static unsigned char *block;
static uint64_t round_tag;
static int reallocs, moves;

/* The sentinel offsets of `level` (the block is 2^level bytes): the first,
 * middle and last byte of the half that level gained; level 0 has only
 * byte 0, written three times. */
static void sentinel_offsets(int level, size_t offsets[SENTINELS])
{
    size_t size = (size_t)1 << level, half = size / 2;
    offsets[0] = half;
    offsets[1] = half + half / 2;
    offsets[2] = size - 1;
}

/* The pattern tag of `level`'s sentinels in this round. */
static uint64_t sentinel_tag(int level)
{
    return round_tag + (uint64_t)level;
}

static void write_sentinels(int level)
{
    size_t offsets[SENTINELS];
    sentinel_offsets(level, offsets);
    for (int i = 0; i < SENTINELS; i++)
        pattern_fill_range(block, offsets[i], offsets[i] + 1, sentinel_tag(level));
}

/* Fails unless the sentinels of levels [from, to] hold their pattern. */
static void require_sentinels(int from, int to, const char *what)
{
    for (int level = from; level <= to; level++) {
        size_t offsets[SENTINELS];
        sentinel_offsets(level, offsets);
        for (int i = 0; i < SENTINELS; i++)
            pattern_require_range(block, offsets[i], offsets[i] + 1, sentinel_tag(level), what);
    }
}

/* Doubles the block (2^(level-1) bytes, sentinels of the levels below
 * written) to 2^level bytes, and recurses up to TOP_LEVEL. */
static void grow(int level)
{
    size_t size = (size_t)1 << level;
    unsigned char *grown =
        require_block(realloc(block, size), malloc_alignment_for(size), "realloc (doubling)");
    reallocs++;
    if (grown != block)
        moves++;
    block = grown;
    require_sentinels(0, level - 1, "the sentinels of the smaller sizes after a doubling");
    write_sentinels(level);
    if (level < TOP_LEVEL)
        grow(level + 1);
    require_sentinels(level, level, "a level's sentinels after the doublings above it");
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "a recursion that doubles one block with realloc from 1 byte to 1 GiB, twice, "
                   "checking sentinel bytes of every size after each doubling");
    for (int round = 0; round < ROUNDS; round++) {
        round_tag = 100 * (uint64_t)round;
        block = require_block(malloc(1), 1, "malloc(1)");
        write_sentinels(0);
        grow(1);
        require_sentinels(0, TOP_LEVEL, "the 1 GiB block at the end of a round");
        free(block);
    }
    tester_pass("Realloc doubling: %d rounds of 1 byte doubled to 1 GiB (%d reallocs, %d moved), "
                "every sentinel intact",
                ROUNDS, reallocs, moves);
    return 0;
}
