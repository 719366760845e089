/*
 * tester-8: reuse through the free list with very many live blocks around.
 *
 * Exercises: 100,000 live 48-byte blocks with 100,000 free 48-byte holes
 * between them (none can coalesce), then 400,000 rounds over a ring of 64
 * working blocks: free the oldest, allocate 1 to 1024 bytes (seeded
 * random). Most requests are too big for every hole, so an allocator that
 * walks its free list visits 100,000 holes per call (minutes); an indexed one
 * answers in O(log n) (about a second). Every block carries a pattern,
 * checked before its free; the live blocks are checked at the end.
 *
 * A good allocator: fast, and MAX ~ the setup (6.4 MB with 16-byte
 * headers) plus one working set, because freed working blocks are reused
 * and the tiny requests refill holes. no-reuse piles up ~220 MB.
 */
#include "tester.h"

#include <stdlib.h>

enum { PAIRS = 100000, SMALL_BYTES = 48, RING = 64, ROUNDS = 400000, MAX_BYTES = 1024 };

static unsigned char *kept[PAIRS];

/* A working block and what it holds. */
struct working_block {
    unsigned char *block;
    size_t size;
    uint64_t tag;
};

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "400,000 malloc/free rounds next to 100,000 live blocks and 100,000 holes");
    for (int i = 0; i < PAIRS; i++) {
        unsigned char *hole = require_block(malloc(SMALL_BYTES), 16, "malloc(48) for a hole");
        kept[i] = require_block(malloc(SMALL_BYTES), 16, "malloc(48) for a live block");
        pattern_fill(kept[i], SMALL_BYTES, i);
        free(hole);
    }

    struct tester_rng rng;
    rng_seed(&rng, 8);
    struct working_block ring[RING] = {{0}};
    for (uint64_t round = 0; round < ROUNDS; round++) {
        struct working_block *slot = &ring[round % RING];
        if (slot->block != NULL) {
            pattern_require(slot->block, slot->size, slot->tag, "a working block");
            free(slot->block);
        }
        slot->size = rng_between(&rng, 1, MAX_BYTES);
        slot->tag = PAIRS + round;
        slot->block = require_block(malloc(slot->size), malloc_alignment_for(slot->size),
                                    "malloc for a working block");
        pattern_fill(slot->block, slot->size, slot->tag);
    }
    for (int r = 0; r < RING; r++) {
        pattern_require(ring[r].block, ring[r].size, ring[r].tag, "a working block");
        free(ring[r].block);
    }
    for (int i = 0; i < PAIRS; i++) {
        pattern_require(kept[i], SMALL_BYTES, i, "a live 48-byte block");
        free(kept[i]);
    }
    tester_pass("Reuse among many: %d rounds of malloc/free next to %d live blocks and %d "
                "holes, all data intact",
                ROUNDS, PAIRS, PAIRS);
    return 0;
}
