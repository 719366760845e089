/*
 * tester-7: free blocks that sit near each other but cannot be coalesced.
 *
 * Exercises: 128 holes of 3000 bytes, each followed by a live 64-byte
 * block, so no two holes touch. First 64 requests of 6000 bytes (more than
 * one hole, less than two holes plus the live block between them): an
 * allocator that merged across a live block would hand out memory that
 * overlaps it. Then 128 requests of 3000 bytes, which fit the holes exactly.
 * All blocks carry patterns; all live blocks must stay intact and disjoint.
 *
 * A good allocator: the 6000-byte blocks come from new memory at the top
 * (MAX grows by about 64 x 6000 bytes, unavoidably), and all 128 holes are
 * reused by the 3000-byte requests (the line says how many were).
 */
#include "tester.h"

#include <stdlib.h>

enum { HOLES = 128, HOLE_BYTES = 3000, LIVE_BYTES = 64, WIDE = 64, WIDE_BYTES = 6000 };

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "holes between live blocks: wider requests must not span a live block, "
                   "hole-sized ones reuse the holes");
    unsigned char *hole[HOLES], *live[HOLES], *wide[WIDE], *refill[HOLES];
    uintptr_t hole_start[HOLES];
    for (int i = 0; i < HOLES; i++) {
        hole[i] = require_block(malloc(HOLE_BYTES), 16, "malloc(3000) for a hole");
        live[i] = require_block(malloc(LIVE_BYTES), 16, "malloc(64) for a live block");
        pattern_fill(hole[i], HOLE_BYTES, 2 * i);
        pattern_fill(live[i], LIVE_BYTES, 2 * i + 1);
        hole_start[i] = (uintptr_t)hole[i];
    }
    for (int i = 0; i < HOLES; i++) {
        pattern_require(hole[i], HOLE_BYTES, 2 * i, "a 3000-byte block");
        free(hole[i]);
    }

    struct tester_span spans[HOLES + WIDE + HOLES];
    size_t count = 0;
    for (int i = 0; i < HOLES; i++)
        spans[count++] = (struct tester_span){(uintptr_t)live[i], LIVE_BYTES};
    for (int w = 0; w < WIDE; w++) {
        wide[w] = require_block(malloc(WIDE_BYTES), 16, "malloc(6000)");
        pattern_fill(wide[w], WIDE_BYTES, 1000 + w);
        spans[count++] = (struct tester_span){(uintptr_t)wide[w], WIDE_BYTES};
    }
    int reused = 0;
    for (int i = 0; i < HOLES; i++) {
        refill[i] = require_block(malloc(HOLE_BYTES), 16, "malloc(3000) for a refill");
        pattern_fill(refill[i], HOLE_BYTES, 2000 + i);
        spans[count++] = (struct tester_span){(uintptr_t)refill[i], HOLE_BYTES};
        for (int h = 0; h < HOLES; h++)
            reused += (uintptr_t)refill[i] == hole_start[h];
    }
    spans_require_disjoint(spans, count, "live, 6000-byte and refilled blocks");
    for (int i = 0; i < HOLES; i++) {
        pattern_require(live[i], LIVE_BYTES, 2 * i + 1, "a live 64-byte block");
        pattern_require(refill[i], HOLE_BYTES, 2000 + i, "a refilled 3000-byte block");
    }
    for (int w = 0; w < WIDE; w++)
        pattern_require(wide[w], WIDE_BYTES, 1000 + w, "a 6000-byte block");
    for (int i = 0; i < HOLES; i++) {
        free(live[i]);
        free(refill[i]);
    }
    for (int w = 0; w < WIDE; w++)
        free(wide[w]);
    tester_pass("Holes between live blocks: %d blocks of %d bytes stayed clear of %d live "
                "neighbours, and %d of %d holes of %d bytes were reused",
                WIDE, WIDE_BYTES, HOLES, reused, HOLES, HOLE_BYTES);
    return 0;
}
