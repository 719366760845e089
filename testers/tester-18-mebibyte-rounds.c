/*
 * tester-18: repeated 1 MiB allocate, fill, free.
 *
 * Exercises: 1,000 rounds of malloc(1 MiB), fill the whole block with a
 * pattern for that round, check it, free. A small block allocated every
 * 10th round stays live until the end, so the big block's hole gets a
 * neighbour and must still be reused rather than piled up.
 *
 * A good allocator: MAX ~ 1 MiB plus the small blocks (about 1.1 MB);
 * each round reuses the last one's memory. no-reuse: ~1 GiB, the sum of
 * all requests (still below the 2.5 GiB limit).
 */
#include "tester.h"

#include <stdlib.h>

enum { ROUNDS = 1000, BIG_BYTES = 1024 * 1024, SMALL_EVERY = 10, SMALL_BYTES = 64 };

static unsigned char *small[ROUNDS / SMALL_EVERY];

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "1,000 rounds of a 1 MiB block allocated, filled, checked and freed");
    for (uint64_t round = 0; round < ROUNDS; round++) {
        unsigned char *big = require_block(malloc(BIG_BYTES), 16, "malloc(1 MiB)");
        pattern_fill(big, BIG_BYTES, round);
        pattern_require(big, BIG_BYTES, round, "a 1 MiB block");
        if (round % SMALL_EVERY == 0) {
            unsigned char *kept = require_block(malloc(SMALL_BYTES), 16, "malloc(64)");
            pattern_fill(kept, SMALL_BYTES, ROUNDS + round);
            small[round / SMALL_EVERY] = kept;
        }
        free(big);
    }
    for (uint64_t i = 0; i < ROUNDS / SMALL_EVERY; i++) {
        pattern_require(small[i], SMALL_BYTES, ROUNDS + i * SMALL_EVERY, "a small block");
        free(small[i]);
    }
    tester_pass("Big rounds: %d rounds of a 1 MiB block allocated, filled, checked and freed",
                ROUNDS);
    return 0;
}
