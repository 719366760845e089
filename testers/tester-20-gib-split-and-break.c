/*
 * tester-20: GiB-scale split and break, with overlap checks.
 *
 * Exercises, with every block patterned and every phase checked for
 * overlap between all live blocks:
 *  1. one 1 GiB block, filled, checked and freed;
 *  2. split: seeded random pieces of 4 KiB to 256 KiB until 768 MiB are
 *     live (about 6,000 pieces);
 *  3. break: every other piece is freed, and seeded random blocks of 1 KiB
 *     to 128 KiB are allocated until 320 MiB more are live;
 *  4. everything is checked and freed.
 *
 * A good allocator splits the freed 1 GiB block for phase 2 and refills
 * the broken holes in phase 3: MAX stays at 1 GiB (plus a page). no-reuse
 * needs the sum, 1 GiB + 768 MiB + 320 MiB = 2.06 GiB, which is why the
 * phases have these sizes: it stays under the 2.5 GiB limit.
 */
#include "tester.h"

#include <stdlib.h>

#define MIB ((size_t)1 << 20)
enum { MAX_BLOCKS = 40000 };
static const size_t WHOLE_BYTES = 1024 * MIB, SPLIT_BYTES = 768 * MIB, REFILL_BYTES = 320 * MIB;

/* A live block and its pattern tag. */
struct piece {
    unsigned char *block;
    size_t size;
    uint64_t tag;
};

static struct piece pieces[MAX_BLOCKS];
static struct tester_span spans[MAX_BLOCKS];
static size_t piece_count;

/*
 * Allocates seeded random pieces of [low, high] bytes until `total` more
 * bytes are live; each is patterned with its own tag.
 */
static void allocate_pieces(struct tester_rng *rng, size_t low, size_t high, size_t total)
{
    for (size_t live = 0; live < total;) {
        if (piece_count == MAX_BLOCKS)
            tester_fail(TESTER_EXIT_SETUP, "more than %d pieces", MAX_BLOCKS);
        size_t size = rng_between(rng, low, high);
        struct piece *piece = &pieces[piece_count];
        piece->block = require_block(malloc(size), 16, "malloc of a piece");
        piece->size = size;
        piece->tag = 1000 + piece_count;
        pattern_fill(piece->block, size, piece->tag);
        piece_count++;
        live += size;
    }
}

/* Fails unless no two live pieces overlap. */
static void require_pieces_disjoint(const char *what)
{
    size_t count = 0;
    for (size_t i = 0; i < piece_count; i++) {
        if (pieces[i].block != NULL)
            spans[count++] = (struct tester_span){(uintptr_t)pieces[i].block, pieces[i].size};
    }
    spans_require_disjoint(spans, count, what);
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "a freed 1 GiB block split into 768 MiB of pieces, every other one freed and "
                   "refilled with 320 MiB, with overlap checks");
    unsigned char *whole = require_block(malloc(WHOLE_BYTES), 16, "malloc(1 GiB)");
    pattern_fill(whole, WHOLE_BYTES, 20);
    pattern_require(whole, WHOLE_BYTES, 20, "the 1 GiB block");
    free(whole);

    struct tester_rng rng;
    rng_seed(&rng, 20);
    allocate_pieces(&rng, 4096, 256 * 1024, SPLIT_BYTES);
    size_t split_count = piece_count;
    require_pieces_disjoint("split pieces");

    for (size_t i = 0; i < split_count; i += 2) {
        pattern_require(pieces[i].block, pieces[i].size, pieces[i].tag, "a piece before free");
        free(pieces[i].block);
        pieces[i].block = NULL;
    }
    allocate_pieces(&rng, 1024, 128 * 1024, REFILL_BYTES);
    require_pieces_disjoint("pieces after the break");

    for (size_t i = 0; i < piece_count; i++) {
        if (pieces[i].block == NULL)
            continue;
        pattern_require(pieces[i].block, pieces[i].size, pieces[i].tag, "a piece at the end");
        free(pieces[i].block);
    }
    tester_pass("Split and break: a freed 1 GiB block, %zu pieces (768 MiB), every other one "
                "freed and %zu refills (320 MiB), no overlaps, all data intact",
                split_count, piece_count - split_count);
    return 0;
}
