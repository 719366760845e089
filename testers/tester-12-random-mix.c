/*
 * tester-12: random mixes of malloc, realloc and free.
 *
 * Exercises: nine seeded runs, three seeds for each of three size ranges
 * (1-64 bytes over 1,000 slots, 1-4096 over 500, 1-65536 over 100). Each
 * step picks a slot: an empty one gets malloc; a full one gets realloc (40%)
 * or free (60%). The first and last 16 bytes of every block hold its
 * pattern (small blocks are patterned whole) and are checked before every
 * free and realloc; after a realloc the kept prefix is checked at both of
 * its ends and the new tail is written. At the end of a run every block is
 * checked and freed.
 *
 * A good allocator: all intact, and MAX close to the most bytes live at
 * once in the largest range (a few MB): freed memory is reused, not piled up.
 */
#include "tester.h"

#include <stdlib.h>

enum { END_BYTES = 16, MAX_SLOTS = 1000 };

/* One seeded run: a size range, how many slots and steps. */
struct mix_run {
    size_t max_size;
    int slots;
    int steps;
};

/* A live block in a slot. */
struct slot {
    unsigned char *block;
    size_t size;
    uint64_t tag;
};

static struct slot slots[MAX_SLOTS];

/* Writes the pattern into both ends of bytes [0, size). */
static void write_ends(const struct slot *slot, size_t size)
{
    if (size <= 2 * END_BYTES) {
        pattern_fill(slot->block, size, slot->tag);
        return;
    }
    pattern_fill_range(slot->block, 0, END_BYTES, slot->tag);
    pattern_fill_range(slot->block, size - END_BYTES, size, slot->tag);
}

/* Checks both ends of bytes [0, size) of the slot's block. */
static void check_ends(const struct slot *slot, size_t size, const char *what)
{
    if (size <= 2 * END_BYTES) {
        pattern_require(slot->block, size, slot->tag, what);
        return;
    }
    pattern_require_range(slot->block, 0, END_BYTES, slot->tag, what);
    pattern_require_range(slot->block, size - END_BYTES, size, slot->tag, what);
}

/* Performs one run; returns how many allocator calls it made. */
static uint64_t run_mix(const struct mix_run *run, uint64_t seed, uint64_t *next_tag)
{
    struct tester_rng rng;
    rng_seed(&rng, seed);
    uint64_t calls = 0;
    for (int step = 0; step < run->steps; step++) {
        struct slot *slot = &slots[rng_between(&rng, 0, (size_t)run->slots - 1)];
        size_t size = rng_between(&rng, 1, run->max_size);
        if (slot->block == NULL) {
            slot->block = require_block(malloc(size), malloc_alignment_for(size), "malloc");
            slot->size = size;
            slot->tag = (*next_tag)++;
            write_ends(slot, size);
        } else if (rng_between(&rng, 0, 9) < 4) {
            check_ends(slot, slot->size, "a block before realloc");
            size_t kept = slot->size < size ? slot->size : size;
            slot->block =
                require_block(realloc(slot->block, size), malloc_alignment_for(size), "realloc");
            /* The kept prefix ends where the old data ended only when growing;
             * when shrinking, its end was never written, so only its start counts. */
            if (size >= slot->size)
                check_ends(slot, kept, "a block after realloc");
            else
                pattern_require_range(slot->block, 0, kept < END_BYTES ? kept : END_BYTES,
                                      slot->tag, "a block after realloc");
            slot->size = size;
            write_ends(slot, size);
        } else {
            check_ends(slot, slot->size, "a block before free");
            free(slot->block);
            slot->block = NULL;
        }
        calls++;
    }
    for (int s = 0; s < run->slots; s++) {
        if (slots[s].block == NULL)
            continue;
        check_ends(&slots[s], slots[s].size, "a block at the end of a run");
        free(slots[s].block);
        slots[s].block = NULL;
        calls++;
    }
    return calls;
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "random malloc/realloc/free mixes, 3 seeds x 3 size ranges, data checked at "
                   "both ends of every block");
    static const struct mix_run runs[] = {
        {64, 1000, 150000},
        {4096, 500, 40000},
        {65536, 100, 4000},
    };
    uint64_t calls = 0, next_tag = 0;
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        for (uint64_t seed = 1; seed <= 3; seed++)
            calls += run_mix(&runs[r], 1000 * r + seed, &next_tag);
    }
    tester_pass("Random mix: %ju malloc/realloc/free calls over 3 seeds x 3 size ranges (up to "
                "64 B, 4 KiB, 64 KiB), data intact at both ends of every block",
                (uintmax_t)calls);
    return 0;
}
