/*
 * tester-9: calloc.
 *
 * Exercises: 500 rounds that fill 32 blocks of random sizes (1 byte to
 * 16 KiB) with patterns, free them, then calloc 32 blocks of random sizes
 * and require every byte to be zero: reused memory must be cleared, not
 * just fresh memory from sbrk. Then calloc(n, size) where n * size
 * overflows size_t, and calloc of more than any heap can hold: both must
 * return NULL with errno ENOMEM. calloc(0, 8) may return NULL or a unique
 * block; a block is freed.
 *
 * A good allocator: all zero, and MAX stays near one round's working set
 * (about 300 KiB) because each round reuses the last round's memory.
 */
#include "tester.h"

#include <errno.h>
#include <stdlib.h>

enum { ROUNDS = 500, PER_ROUND = 32, MAX_BYTES = 16 * 1024 };

/* Fails unless all `size` bytes of `block` are zero. */
static void require_zeroed(const unsigned char *block, size_t size)
{
    uint64_t read_back = 0; /* the bytes ORed: what the proof says was read */
    for (size_t i = 0; i < size; i++) {
        if (block[i] != 0)
            tester_fail(TESTER_EXIT_NOT_ZEROED, "calloc block %p: byte %zu of %zu is 0x%02x",
                        (const void *)block, i, size, block[i]);
        read_back |= block[i];
    }
    tester_proof_add(MSTATS_PROOF_ZEROED, size, 0, read_back);
}

/* Fails unless calloc(count, size) returns NULL and sets errno to ENOMEM. */
static void require_refused(size_t count, size_t size)
{
    errno = 0;
    void *block = calloc(count, size);
    if (block != NULL || errno != ENOMEM)
        tester_fail(TESTER_EXIT_WRONG_ERROR,
                    "calloc(%zu, %zu) returned %p with errno %d, not "
                    "NULL with ENOMEM",
                    count, size, block, errno);
    tester_proof_add(MSTATS_PROOF_REFUSED, count, size, (uint64_t)errno);
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "calloc: reused memory is zeroed; nmemb * size overflow and impossible sizes "
                   "give NULL and ENOMEM");
    struct tester_rng rng;
    rng_seed(&rng, 9);
    unsigned char *blocks[PER_ROUND];
    size_t zeroed_bytes = 0;
    for (uint64_t round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < PER_ROUND; i++) {
            size_t size = rng_between(&rng, 1, MAX_BYTES);
            blocks[i] = require_block(malloc(size), malloc_alignment_for(size), "malloc");
            pattern_fill(blocks[i], size, round * PER_ROUND + i);
        }
        for (int i = 0; i < PER_ROUND; i++)
            free(blocks[i]);
        for (int i = 0; i < PER_ROUND; i++) {
            /* Split the size into count x element size, as callers do. */
            size_t element = (size_t)1 << rng_between(&rng, 0, 4);
            size_t count = rng_between(&rng, 1, MAX_BYTES / element);
            blocks[i] = require_block(calloc(count, element), malloc_alignment_for(count * element),
                                      "calloc");
            require_zeroed(blocks[i], count * element);
            zeroed_bytes += count * element;
        }
        for (int i = 0; i < PER_ROUND; i++)
            free(blocks[i]);
    }

    /* volatile: the compiler must not see (and reject) the huge constants. */
    volatile size_t half = SIZE_MAX / 2 + 1, everything = SIZE_MAX;
    require_refused(half, 2);
    require_refused(2, half);
    require_refused(everything, everything);
    require_refused(1, everything - 4096);

    void *empty = calloc(0, 8);
    free(empty);
    tester_pass("calloc: %d blocks (%zu bytes) were zero even on reused memory; overflowing "
                "and impossible sizes gave NULL with ENOMEM",
                ROUNDS * PER_ROUND, zeroed_bytes);
    return 0;
}
