/* The shadow of the heap: one bit per 16-byte granule, set while a live block
 * covers the granule, so that an overlapping block is caught by testing its own
 * granules (a word of 64 granules at a time) instead of comparing it with every
 * live block. A second bitmap remembers every granule where a block ever
 * started, which tells a double free from a free of a pointer never returned.
 * Both are reserved with mmap MAP_NORESERVE over [base, base + span), span
 * being the memory limit: the heap can never be larger without stopping the
 * program first. The caller holds the shim lock and has checked that blocks
 * lie inside [base, base + span).
 */
#ifndef MSTATS_SHADOW_H
#define MSTATS_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uintptr_t base;   /* heap start, rounded down to a granule */
    uint64_t span;    /* bytes covered */
    uint64_t *live;   /* bit g: granule g lies in a live block */
    uint64_t *starts; /* bit g: a block once started at granule g */
} Shadow;

#define SHADOW_GRANULE 16u

/* Reserves both bitmaps for `span` bytes from `base`. False when mmap fails. */
__attribute__((visibility("hidden"))) bool shadow_init(Shadow *shadow, uintptr_t base,
                                                       uint64_t span);

static inline uint64_t shadow_granules(uint64_t size)
{
    /* A zero-byte block still owns its first granule: two malloc(0) at one
     * address are an overlap. */
    return size == 0 ? 1 : (size + SHADOW_GRANULE - 1) / SHADOW_GRANULE;
}

/* Mask of bits [from, to) within one word, 0 <= from < to <= 64. */
static inline uint64_t shadow_mask(unsigned from, unsigned to)
{
    uint64_t high = to == 64 ? ~0ULL : (1ULL << to) - 1;
    return high & ~((1ULL << from) - 1);
}

/* Marks the granules of [address, address + size) live. Returns 0 when none
 * was live before, else the address of the first granule already live (the
 * marking is then incomplete: the caller stops the program). */
static inline uintptr_t shadow_claim(Shadow *shadow, uintptr_t address, uint64_t size)
{
    uint64_t first = (address - shadow->base) / SHADOW_GRANULE;
    uint64_t end = first + shadow_granules(size + (address % SHADOW_GRANULE));
    for (uint64_t g = first; g < end;) {
        uint64_t word = g / 64;
        unsigned from = g % 64;
        unsigned to = end - word * 64 >= 64 ? 64 : (unsigned)(end - word * 64);
        uint64_t mask = shadow_mask(from, to);
        uint64_t taken = shadow->live[word] & mask;
        if (taken)
            return shadow->base + (word * 64 + (unsigned)__builtin_ctzll(taken)) * SHADOW_GRANULE;
        shadow->live[word] |= mask;
        g = word * 64 + to;
    }
    shadow->starts[first / 64] |= 1ULL << (first % 64);
    return 0;
}

/* Marks the granules of [address, address + size) free again. */
static inline void shadow_release(Shadow *shadow, uintptr_t address, uint64_t size)
{
    uint64_t first = (address - shadow->base) / SHADOW_GRANULE;
    uint64_t end = first + shadow_granules(size + (address % SHADOW_GRANULE));
    for (uint64_t g = first; g < end;) {
        uint64_t word = g / 64;
        unsigned from = g % 64;
        unsigned to = end - word * 64 >= 64 ? 64 : (unsigned)(end - word * 64);
        shadow->live[word] &= ~shadow_mask(from, to);
        g = word * 64 + to;
    }
}

/* True when a block ever started at `address` (which lies in the span). */
static inline bool shadow_was_start(const Shadow *shadow, uintptr_t address)
{
    uint64_t g = (address - shadow->base) / SHADOW_GRANULE;
    return (shadow->starts[g / 64] >> (g % 64)) & 1;
}

static inline bool shadow_covers(const Shadow *shadow, uintptr_t address)
{
    return address >= shadow->base && address - shadow->base < shadow->span;
}

#endif
