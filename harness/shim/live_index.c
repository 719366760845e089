/* The live index's memory (reserved once; pages appear as the heap grows) and
 * its rare path: blocks of 4 GiB or more, whose size does not fit a granule's
 * 32-bit entry. */
#include "live_index.h"

#include <stddef.h>
#include <sys/mman.h>

static void *reserve(uint64_t bytes)
{
    void *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return map == MAP_FAILED ? NULL : map;
}

bool live_index_init(LiveIndex *index, uintptr_t base, uint64_t span, unsigned granule)
{
    index->shift = (unsigned)__builtin_ctz(granule);
    index->base = base & ~(uintptr_t)(granule - 1);
    index->span = span;
    /* One spare granule so that a block ending exactly at the span is covered. */
    index->granules = span / granule + 2;
    index->ids = NULL;
    uint64_t bits = index->granules;
    unsigned k = 0;
    do {
        if (k == LIVE_INDEX_LEVELS_MAX)
            return false;
        uint64_t words = (bits + 63) / 64;
        index->words[k] = words;
        index->starts[k] = reserve(words * 8);
        if (index->starts[k] == NULL)
            return false;
        k++;
        bits = words;
    } while (bits > 1);
    index->levels_reserved = k;
    index->levels = 1;
    index->cover = 64;
    index->sizes = reserve(index->granules * sizeof(uint32_t));
    index->ever = reserve((index->granules + 63) / 64 * 8);
    return index->sizes != NULL && index->ever != NULL;
}

/* A new top level's one word has bit 0 set while the old top word is not
 * zero; the levels above the ones in use were never written, so are zero. */
void live_index_raise(LiveIndex *index, uint64_t g)
{
    while (g >= index->cover && index->levels < index->levels_reserved) {
        if (index->starts[index->levels - 1][0] != 0)
            index->starts[index->levels][0] = 1;
        index->levels++;
        index->cover *= 64;
    }
}

bool live_index_reserve_ids(LiveIndex *index)
{
    index->ids = reserve(index->granules * sizeof(uint32_t));
    return index->ids != NULL;
}

bool live_index_put_huge(LiveIndex *index, uintptr_t start, uint64_t size)
{
    for (unsigned i = 0; i < LIVE_INDEX_HUGE_MAX; i++) {
        if (index->huge[i].start == 0) {
            index->huge[i].start = start;
            index->huge[i].size = size;
            return true;
        }
    }
    return false;
}

uint64_t live_index_take_huge(LiveIndex *index, uintptr_t start, bool remove)
{
    for (unsigned i = 0; i < LIVE_INDEX_HUGE_MAX; i++) {
        if (index->huge[i].start == start) {
            uint64_t size = index->huge[i].size;
            if (remove)
                index->huge[i].start = 0;
            return size;
        }
    }
    return UINT32_MAX; /* unreachable: the entry was put when the block was inserted */
}
