/*
 * tester-13: very many tiny allocations (header overhead).
 *
 * Exercises: 1,000,000 blocks of 1 to 8 bytes (sizes cycle 1, 2, ..., 8),
 * all live at once, each filled with its own pattern; all are checked, then
 * freed, every other one first so the frees also coalesce.
 *
 * A good allocator keeps the cost of a tiny block small: PEAK-LIVE is
 * 4.5 MB, and MAX / PEAK-LIVE is the overhead per byte. With a 16-byte
 * minimum payload plus header, expect MAX near 32 MB (ratio ~7);
 * anything much larger means a fat header or no splitting.
 */
#include "tester.h"

#include <stdlib.h>

enum { TINY_COUNT = 1000000, LARGEST_TINY = 8 };

static unsigned char *tiny[TINY_COUNT];

/* The size of tiny block number i: 1 to 8 bytes, cycling. */
static size_t tiny_size(size_t i)
{
    return 1 + i % LARGEST_TINY;
}

int main(int argc, char **argv)
{
    tester_options(argc, argv, "1,000,000 live blocks of 1 to 8 bytes (header overhead)");
    size_t requested = live_blocks_allocate(tiny, TINY_COUNT, tiny_size, "malloc(1..8)");
    for (size_t start = 0; start < 2; start++) {
        for (size_t i = start; i < TINY_COUNT; i += 2)
            free(tiny[i]);
    }
    tester_pass("Tiny blocks: %d blocks of 1 to %d bytes (%zu bytes) were live at once and intact",
                TINY_COUNT, LARGEST_TINY, requested);
    return 0;
}
