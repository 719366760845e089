/*
 * tester-10: realloc edge cases.
 *
 * Exercises, each with patterns checked across the call:
 *  - realloc(NULL, n) behaves as malloc(n);
 *  - shrinking keeps the first n bytes;
 *  - growing when the next block has been freed (an allocator that grows in
 *    place keeps the address; the line says whether it did);
 *  - growing when a live block follows (it must move, or prove it had room;
 *    the live neighbour must be untouched);
 *  - 1,000 small growth steps of one block;
 *  - realloc(p, 0), which may free and return NULL or return a block;
 *  - realloc and reallocarray of impossible sizes: NULL with ENOMEM, and the
 *    old block intact and still usable.
 *
 * A good allocator grows in place when the next block is free, moves only
 * when it must, and MAX stays small (under 100 KiB).
 */
#include "tester.h"

#include <errno.h>
#include <stdlib.h>

enum { BLOCK_BYTES = 1000, STEPS = 1000 };

/* realloc that must succeed, with its alignment checked. */
static unsigned char *resize(void *block, size_t size, const char *what)
{
    return require_block(realloc(block, size), malloc_alignment_for(size), what);
}

/* Fails unless realloc(block, size) is refused with NULL + ENOMEM. */
static void require_realloc_refused(void *block, size_t size)
{
    /* The address as a number: after a realloc the old pointer may be dead. */
    uintptr_t address = (uintptr_t)block;
    errno = 0;
    void *moved = realloc(block, size);
    if (moved != NULL || errno != ENOMEM)
        tester_fail(TESTER_EXIT_WRONG_ERROR,
                    "realloc(%#jx, %zu) returned %p with errno %d, not NULL with ENOMEM",
                    (uintmax_t)address, size, moved, errno);
    tester_proof_add(MSTATS_PROOF_REFUSED, size, 0, (uint64_t)errno);
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "realloc: NULL, shrink, grow in place, grow by moving, 1,000 small steps, size "
                   "0, impossible sizes");
    unsigned char *block = resize(NULL, BLOCK_BYTES, "realloc(NULL, 1000)");
    pattern_fill(block, BLOCK_BYTES, 1);

    block = resize(block, 200, "realloc shrinking to 200");
    pattern_require(block, 200, 1, "a block shrunk to 200 bytes");
    free(block);

    /* Grow into a freed next block. */
    block = resize(NULL, BLOCK_BYTES, "realloc(NULL, 1000)");
    unsigned char *next = resize(NULL, 4 * BLOCK_BYTES, "realloc(NULL, 4000)");
    unsigned char *fence = resize(NULL, 64, "realloc(NULL, 64)");
    pattern_fill(block, BLOCK_BYTES, 2);
    pattern_fill(fence, 64, 3);
    free(next);
    uintptr_t before = (uintptr_t)block;
    block = resize(block, 3 * BLOCK_BYTES, "realloc growing to 3000");
    bool grew_in_place = (uintptr_t)block == before;
    pattern_require(block, BLOCK_BYTES, 2, "a block grown into a freed neighbour");
    pattern_require(fence, 64, 3, "the block after the freed neighbour");

    /* Grow with a live block right behind: the fence must survive. */
    unsigned char *blocked = resize(NULL, BLOCK_BYTES, "realloc(NULL, 1000)");
    unsigned char *neighbour = resize(NULL, BLOCK_BYTES, "realloc(NULL, 1000)");
    pattern_fill(blocked, BLOCK_BYTES, 4);
    pattern_fill(neighbour, BLOCK_BYTES, 5);
    before = (uintptr_t)blocked;
    blocked = resize(blocked, 16 * BLOCK_BYTES, "realloc growing to 16000");
    bool moved = (uintptr_t)blocked != before;
    pattern_require(blocked, BLOCK_BYTES, 4, "a block grown past a live neighbour");
    pattern_require(neighbour, BLOCK_BYTES, 5, "the live neighbour of a grown block");
    pattern_fill(blocked, 16 * BLOCK_BYTES, 4);
    struct tester_span spans[] = {{(uintptr_t)block, 3 * BLOCK_BYTES},
                                  {(uintptr_t)fence, 64},
                                  {(uintptr_t)blocked, 16 * BLOCK_BYTES},
                                  {(uintptr_t)neighbour, BLOCK_BYTES}};
    spans_require_disjoint(spans, sizeof spans / sizeof spans[0], "blocks after realloc");

    /* Many small steps, the way a growing buffer is used. */
    struct tester_rng rng;
    rng_seed(&rng, 10);
    size_t size = 1;
    unsigned char *growing = resize(NULL, size, "realloc(NULL, 1)");
    pattern_fill(growing, size, 6);
    for (int step = 0; step < STEPS; step++) {
        size_t bigger = size + rng_between(&rng, 1, 64);
        growing = resize(growing, bigger, "realloc growing a buffer");
        pattern_require(growing, size, 6, "a buffer growing step by step");
        pattern_fill_range(growing, size, bigger, 6);
        size = bigger;
    }

    /* Size 0: either freed (NULL) or a block that must be freed. */
    unsigned char *zero = resize(NULL, 100, "realloc(NULL, 100)");
    zero = realloc(zero, 0);
    free(zero);

    volatile size_t impossible = SIZE_MAX - 4096, half = SIZE_MAX / 2 + 1;
    require_realloc_refused(growing, impossible);
    errno = 0;
    void *array = reallocarray(growing, half, 2);
    if (array != NULL || errno != ENOMEM)
        tester_fail(TESTER_EXIT_WRONG_ERROR,
                    "reallocarray(p, %zu, 2) returned %p with errno %d, "
                    "not NULL with ENOMEM",
                    (size_t)half, array, errno);
    tester_proof_add(MSTATS_PROOF_REFUSED, half, 2, (uint64_t)errno);
    pattern_require(growing, size, 6, "a block after refused reallocs");
    growing = resize(growing, size / 2, "realloc after a refused realloc");
    pattern_require(growing, size / 2, 6, "a block shrunk after refused reallocs");

    pattern_require(block, BLOCK_BYTES, 2, "a grown block");
    pattern_require(fence, 64, 3, "a fence");
    pattern_require(neighbour, BLOCK_BYTES, 5, "a live neighbour");
    pattern_require(blocked, 16 * BLOCK_BYTES, 4, "a moved block");
    free(block);
    free(fence);
    free(blocked);
    free(neighbour);
    free(growing);
    tester_pass("realloc edge cases passed: NULL, shrink, grow into a freed neighbour (%s), grow "
                "past a live one (%s), %d small steps to %zu bytes, size 0, impossible sizes",
                grew_in_place ? "in place" : "moved", moved ? "moved" : "in place", STEPS, size);
    return 0;
}
