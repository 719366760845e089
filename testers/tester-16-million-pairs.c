/*
 * tester-16: 10 million malloc/free pairs of a small size.
 *
 * Exercises: 10,000,000 times malloc(32), write a 32-byte pattern, check
 * it, free. Only one block is live at a time; the cost is pure call speed.
 *
 * A good allocator reuses the same block every time: MAX stays at one page
 * or so and TIME is a second or two (the harness adds its own checks).
 * no-reuse shows the opposite bound: every block is new, MAX ~ 10 million
 * blocks (480 MB with a 16-byte header).
 */
#include "tester.h"

#include <stdlib.h>

enum { PAIRS = 10000000, BLOCK_BYTES = 32 };

int main(int argc, char **argv)
{
    tester_options(argc, argv, "10 million malloc/free pairs of 32 bytes");
    for (uint64_t pair = 0; pair < PAIRS; pair++) {
        unsigned char *block = require_block(malloc(BLOCK_BYTES), 16, "malloc(32)");
        pattern_fill(block, BLOCK_BYTES, pair);
        pattern_require(block, BLOCK_BYTES, pair, "a 32-byte block");
        free(block);
    }
    tester_pass("Speed: %d malloc/free pairs of %d bytes, every block intact", PAIRS, BLOCK_BYTES);
    return 0;
}
