/*
 * tester-3: block splitting.
 *
 * Exercises: one 256 KiB block is written, freed, and then 200 blocks of
 * 1000 bytes are allocated, each with its own pattern; all must stay intact
 * and disjoint. The line counts how many of them were carved out of the
 * freed 256 KiB block's address range.
 *
 * A good allocator splits the free block: all 200 land inside it and the
 * heap never grows past the first 256 KiB (MAX = 256 KiB plus a header;
 * UTILIZATION near 1, since the big block itself was live). An allocator
 * that cannot split (or never reuses: no-reuse) places them above it: MAX
 * about 256 KiB + 200 x 1 KiB.
 */
#include "tester.h"

#include <stdlib.h>

enum { BIG_BYTES = 256 * 1024, SMALL_COUNT = 200, SMALL_BYTES = 1000 };

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "splitting: a freed 256 KiB block must hold 200 blocks of 1000 bytes");
    unsigned char *big = require_block(malloc(BIG_BYTES), 16, "malloc(256 KiB)");
    pattern_fill(big, BIG_BYTES, 0);
    pattern_require(big, BIG_BYTES, 0, "the 256 KiB block");
    uintptr_t big_start = (uintptr_t)big;
    free(big);

    unsigned char *small[SMALL_COUNT];
    struct tester_span spans[SMALL_COUNT];
    int carved = 0;
    for (int i = 0; i < SMALL_COUNT; i++) {
        small[i] = require_block(malloc(SMALL_BYTES), 16, "malloc(1000)");
        pattern_fill(small[i], SMALL_BYTES, 1 + i);
        spans[i] = (struct tester_span){(uintptr_t)small[i], SMALL_BYTES};
        uintptr_t start = (uintptr_t)small[i];
        if (start >= big_start && start + SMALL_BYTES <= big_start + BIG_BYTES)
            carved++;
    }
    for (int i = 0; i < SMALL_COUNT; i++)
        pattern_require(small[i], SMALL_BYTES, 1 + i, "a 1000-byte block");
    spans_require_disjoint(spans, SMALL_COUNT, "1000-byte blocks");
    for (int i = 0; i < SMALL_COUNT; i++)
        free(small[i]);
    tester_pass("Splitting: %d of %d blocks of %d bytes were carved out of a freed %d KiB block, "
                "all intact",
                carved, SMALL_COUNT, SMALL_BYTES, BIG_BYTES / 1024);
    return 0;
}
