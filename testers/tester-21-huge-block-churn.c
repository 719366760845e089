/*
 * tester-21: 128 MiB-class blocks churned 100,000 times.
 *
 * Exercises, in round i of 100,000: a = malloc(128 MiB + i) and
 * b = malloc(128 MiB + i), both live at once; free both; then
 * c = malloc(256 MiB + 2i), which fits exactly where a and b were once they
 * coalesce; free c. One byte at each end of every block is written with
 * the round's pattern and checked before the block is freed, and a's bytes
 * are checked again after b's were written, so blocks that overlap or are
 * shorter than asked show up. Only a few pages are ever touched: the work
 * is the allocator's, not memory bandwidth. (The CS 241/341 malloc contest
 * runs this pattern; this program is our own.)
 *
 * A good allocator splits and coalesces the same 256 MiB region every
 * round: MAX = 256 MiB plus the 200 KB the sizes creep up by, TIME well
 * under a second without the harness. no-reuse needs 512 MiB more every
 * round and ends with STATUS 68 (the 2.5 GiB memory limit) in round 5;
 * without a limit it exits 20 once sbrk refuses.
 */
#include "tester.h"

#include <stdlib.h>

#define MIB ((size_t)1 << 20)
enum { ROUNDS = 100000 };
static const size_t HALF_BYTES = 128 * MIB;

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "100,000 rounds of malloc(128 MiB + i) twice, free both, malloc(256 MiB + 2i), "
                   "with the end bytes of every block checked");
    size_t alignment = malloc_alignment_for(HALF_BYTES);
    for (size_t round = 0; round < ROUNDS; round++) {
        size_t half = HALF_BYTES + round, whole = 2 * half;
        uint64_t tag = 3 * (uint64_t)round;
        unsigned char *a = require_block(malloc(half), alignment, "malloc(128 MiB + i), first");
        pattern_fill_ends(a, half, tag);
        unsigned char *b = require_block(malloc(half), alignment, "malloc(128 MiB + i), second");
        pattern_fill_ends(b, half, tag + 1);
        struct tester_span spans[] = {{(uintptr_t)a, half}, {(uintptr_t)b, half}};
        spans_require_disjoint(spans, 2, "the two 128 MiB blocks");
        pattern_require_ends(a, half, tag, "the first 128 MiB block");
        pattern_require_ends(b, half, tag + 1, "the second 128 MiB block");
        free(a);
        free(b);
        unsigned char *c = require_block(malloc(whole), alignment, "malloc(256 MiB + 2i)");
        pattern_fill_ends(c, whole, tag + 2);
        pattern_require_ends(c, whole, tag + 2, "the 256 MiB block");
        free(c);
    }
    tester_pass("Huge-block churn: %d rounds of two 128 MiB blocks and one 256 MiB block, "
                "every end byte intact",
                ROUNDS);
    return 0;
}
