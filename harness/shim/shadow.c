/* The shadow bitmaps' memory: reserved once, pages appear as the heap grows. */
#include "shadow.h"

#include <stddef.h>
#include <sys/mman.h>

static uint64_t *reserve_bits(uint64_t bits)
{
    uint64_t bytes = (bits + 63) / 64 * 8;
    void *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return map == MAP_FAILED ? NULL : map;
}

bool shadow_init(Shadow *shadow, uintptr_t base, uint64_t span)
{
    shadow->base = base & ~(uintptr_t)(SHADOW_GRANULE - 1);
    shadow->span = span;
    /* One spare granule so that a block ending exactly at the span is covered. */
    uint64_t granules = span / SHADOW_GRANULE + 2;
    shadow->live = reserve_bits(granules);
    shadow->starts = reserve_bits(granules);
    return shadow->live != NULL && shadow->starts != NULL;
}
