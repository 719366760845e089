/*
 * tester-24: 10 million tiny blocks live at once.
 *
 * Exercises: 10,000,000 blocks of 1 to 16 bytes (sizes cycle 1, 2, ...,
 * 16), all live at once, each filled with its own pattern; all are checked,
 * then each is checked again and freed, in allocation order, so each free
 * merges with the free block before it. (The CS 241/341 malloc contest has
 * a many-tiny-blocks tester; this program is our own.)
 *
 * PEAK-LIVE is 85 MB; what MAX shows is the cost of a header and the
 * minimum block: with 16-byte headers and 32-byte minimum blocks MAX is
 * 320 MB (3.8 x PEAK-LIVE) for every allocator, no-reuse included (nothing
 * is freed before the peak). TIME is a second or two without the harness.
 */
#include "tester.h"

#include <stdlib.h>

enum { LIVE_COUNT = 10000000, LARGEST = 16 };

static unsigned char *live[LIVE_COUNT];

/* The size of block number i: 1 to 16 bytes. */
static size_t live_size(size_t i)
{
    return 1 + i % LARGEST;
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "10 million blocks of 1 to 16 bytes live at once, each checked, then freed");
    size_t requested = live_blocks_allocate(live, LIVE_COUNT, live_size, "malloc(1..16)");
    for (size_t i = 0; i < LIVE_COUNT; i++) {
        pattern_require(live[i], live_size(i), i, "a block about to be freed");
        free(live[i]);
    }
    tester_pass("Tiny blocks: %d blocks of 1 to %d bytes (%zu bytes) were live at once and "
                "intact, then freed",
                LIVE_COUNT, LARGEST, requested);
    return 0;
}
