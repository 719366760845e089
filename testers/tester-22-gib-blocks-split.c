/*
 * tester-22: GiB blocks split and freed 10,000 times.
 *
 * Exercises, in each of 10,000 rounds: malloc(2 GiB), free it, then
 * malloc(1 GiB) and malloc(512 MiB), both live at once, free both. One
 * byte at each end of every block is written with the round's pattern and
 * checked before the block is freed, and the two smaller blocks are checked
 * not to overlap. Only a few pages are ever touched. (The CS 241/341 malloc
 * contest runs this pattern; this program is our own.)
 *
 * A good allocator splits the freed 2 GiB block for the 1 GiB and 512 MiB
 * requests and coalesces it again: MAX = 2 GiB (plus a page), under the
 * 2.5 GiB limit; TIME well under a second without the harness. no-reuse
 * needs 2 GiB + 1 GiB in the first round and ends with STATUS 68 (the
 * 2.5 GiB memory limit); without a limit it exits 20 once sbrk refuses.
 */
#include "tester.h"

#include <stdlib.h>

#define MIB ((size_t)1 << 20)
enum { ROUNDS = 10000 };
static const size_t WHOLE_BYTES = 2048 * MIB, LARGE_BYTES = 1024 * MIB, SMALL_BYTES = 512 * MIB;

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "10,000 rounds of malloc(2 GiB), free, malloc(1 GiB) and malloc(512 MiB), "
                   "free both, with the end bytes of every block checked");
    size_t alignment = malloc_alignment_for(SMALL_BYTES);
    for (uint64_t round = 0; round < ROUNDS; round++) {
        uint64_t tag = 3 * round;
        unsigned char *whole = require_block(malloc(WHOLE_BYTES), alignment, "malloc(2 GiB)");
        pattern_fill_ends(whole, WHOLE_BYTES, tag);
        pattern_require_ends(whole, WHOLE_BYTES, tag, "the 2 GiB block");
        free(whole);
        unsigned char *large = require_block(malloc(LARGE_BYTES), alignment, "malloc(1 GiB)");
        pattern_fill_ends(large, LARGE_BYTES, tag + 1);
        unsigned char *small = require_block(malloc(SMALL_BYTES), alignment, "malloc(512 MiB)");
        pattern_fill_ends(small, SMALL_BYTES, tag + 2);
        struct tester_span spans[] = {{(uintptr_t)large, LARGE_BYTES},
                                      {(uintptr_t)small, SMALL_BYTES}};
        spans_require_disjoint(spans, 2, "the 1 GiB and 512 MiB blocks");
        pattern_require_ends(large, LARGE_BYTES, tag + 1, "the 1 GiB block");
        pattern_require_ends(small, SMALL_BYTES, tag + 2, "the 512 MiB block");
        free(large);
        free(small);
    }
    tester_pass("GiB split: %d rounds of a 2 GiB block freed and split into 1 GiB + 512 MiB, "
                "every end byte intact",
                ROUNDS);
    return 0;
}
