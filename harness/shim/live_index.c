/* The live index's memory (reserved once; pages appear as the heap grows) and
 * its rare paths: blocks of 4 GiB or more, whose size does not fit a slot's
 * 32-bit entry, and slots of several granules (--align 1). */
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
    unsigned slot = granule < LIVE_INDEX_SLOT_MIN ? LIVE_INDEX_SLOT_MIN : granule;
    index->shift = (unsigned)__builtin_ctz(granule);
    index->slot_shift = (unsigned)__builtin_ctz(slot);
    index->base = base & ~(uintptr_t)(slot - 1);
    index->span = span;
    /* One spare granule so that a block ending exactly at the span is covered. */
    index->granules = span / granule + 2;
    index->slots = span / slot + 2;
    index->ids = NULL;
    index->crowd = (LiveCrowd){0};
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
    index->sizes = reserve(index->slots * sizeof(uint32_t));
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
    index->ids = reserve(index->slots * sizeof(uint32_t));
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

/* The granule of the last live start before granule g in g's slot, or
 * LIVE_INDEX_NONE. */
static uint64_t last_before(const LiveIndex *index, uint64_t g)
{
    unsigned at = live_index_place_in_slot(index, g);
    uint64_t below = live_index_slot_starts(index, g) & ((1ULL << at) - 1);
    return below == 0 ? LIVE_INDEX_NONE : g - at + 63 - (uint64_t)__builtin_clzll(below);
}

/* A block before the slot's last goes to the crowd (it ends before the next
 * start: it is smaller than the slot); a new last sends the old one there. */
bool live_index_share_slot(LiveIndex *index, uint64_t g, uint64_t size, uint32_t id)
{
    if (!live_index_last_in_slot(index, g))
        return live_crowd_put(&index->crowd, live_index_address_of(index, g), (uint32_t)size, id);
    uint64_t slot = live_index_slot_of(index, g);
    uint64_t last = last_before(index, g);
    if (last != LIVE_INDEX_NONE &&
        !live_crowd_put(&index->crowd, live_index_address_of(index, last), index->sizes[slot],
                        index->ids != NULL ? index->ids[slot] : 0))
        return false;
    live_index_set_entry(index, slot, size, id);
    return true;
}

/* A block of the crowd leaves it; the slot's last leaves its entries to the
 * last start before it, which comes out of the crowd. */
void live_index_leave_slot(LiveIndex *index, uint64_t g)
{
    uintptr_t start = live_index_address_of(index, g);
    if (!live_index_last_in_slot(index, g)) {
        live_crowd_take(&index->crowd, start);
        return;
    }
    uint64_t slot = live_index_slot_of(index, g);
    if (index->sizes[slot] == UINT32_MAX)
        live_index_take_huge(index, start, true);
    uint64_t last = last_before(index, g);
    if (last != LIVE_INDEX_NONE) {
        LiveCrowdEntry entry = live_crowd_take(&index->crowd, live_index_address_of(index, last));
        live_index_set_entry(index, slot, entry.size, entry.id);
    }
}
