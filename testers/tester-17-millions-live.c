/*
 * tester-17: 5 million small live allocations.
 *
 * Exercises: 5,000,000 blocks of 16 to 48 bytes (sizes cycle in steps of
 * 8), all live at once, each with its own pattern, all checked, then freed
 * in allocation order, so each free merges with the free block before it.
 * (Millions of separate free blocks would make this run slower than the
 * harness' 30 s under load; tester-8 stresses a big free index.)
 *
 * A good allocator: about a second without the harness, PEAK-LIVE 160 MB,
 * MAX = PEAK-LIVE plus one header per block (224 MB with 16-byte headers
 * and 16-byte rounding).
 */
#include "tester.h"

#include <stdlib.h>

enum { LIVE_COUNT = 5000000 };

static unsigned char *live[LIVE_COUNT];

/* The size of block number i: 16, 24, 32, 40 or 48 bytes. */
static size_t live_size(size_t i)
{
    return 16 + 8 * (i % 5);
}

int main(int argc, char **argv)
{
    tester_options(argc, argv, "5 million live blocks of 16 to 48 bytes, checked, then freed");
    size_t requested = live_blocks_allocate(live, LIVE_COUNT, live_size, "malloc");
    for (size_t i = 0; i < LIVE_COUNT; i++)
        free(live[i]);
    tester_pass("Many live blocks: %d blocks (%zu bytes) were live at once and intact, then "
                "freed",
                LIVE_COUNT, requested);
    return 0;
}
