/* The live index: every block the allocator returned and the program has not
 * freed, indexed by address, so that each check costs the same whatever the
 * block's size and however many blocks are live.
 *
 * The heap span [base, base + span) is cut into granules of the checked
 * alignment (16 bytes, or 8 with --align 8, or 1 with --align 1, which checks
 * none); a live block starts on a granule. Sizes and ids are kept per slot:
 * a granule, or 8 bytes (LIVE_INDEX_SLOT_MIN) where granules are smaller.
 *   - starts: a hierarchical bitmap, one bit per granule at level 0 (set where
 *     a live block starts), and at level k one bit per word of level k-1 (set
 *     while that word is not zero). The nearest live start below or above an
 *     address is found in O(levels) word operations. Only the levels that the
 *     blocks so far need are in use: `levels` grows (never shrinks) to the
 *     fewest whose single top word covers every granule a block ever started
 *     on, so a small heap costs few levels whatever the span reserved (one
 *     page of heap: 2 levels, where the span of 2.5 GiB would take 5).
 *   - sizes: per slot, the requested size of the last live block starting in
 *     it (UINT32_MAX: look it up among the few huge blocks of 4 GiB or more).
 *   - ids: per slot, that block's recording id (reserved only when recording).
 *   - crowd: the other live blocks of a slot, by address (live_crowd.h). Live
 *     blocks are disjoint, so each ends before the slot's next start: all are
 *     smaller than a slot. Only --align 1 has slots of several granules, and
 *     an allocator whose blocks lie 8 bytes apart or more (a 4-byte header
 *     and 4-byte payloads, say) never crowds one.
 *   - ever: one bit per granule where a block once started, which tells a
 *     double free from a free of a pointer never returned.
 * All arrays are reserved with mmap MAP_NORESERVE; pages appear only where the
 * heap has blocks, and a block's entries lie at an offset proportional to its
 * address, so the index is touched with the heap's own locality.
 *
 * Invariant: live blocks are pairwise disjoint (every insert is checked with
 * live_index_clash first), where a block occupies [start, start + max(size, 1)):
 * two zero-byte blocks at one address overlap. So the only block that can
 * contain an address is the one with the nearest start at or below it.
 * The caller holds the shim lock and passes addresses inside the span.
 */
#ifndef MSTATS_LIVE_INDEX_H
#define MSTATS_LIVE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live_crowd.h"

#define LIVE_INDEX_LEVELS_MAX 8
#define LIVE_INDEX_SLOT_MIN 8u /* bytes of a slot where granules are smaller */
#define LIVE_INDEX_HUGE_MAX 64 /* blocks of 4 GiB or more live at once */
#define LIVE_INDEX_NONE UINT64_MAX

typedef struct {
    uintptr_t start;
    uint64_t size; /* bytes the program requested */
    uint32_t id;   /* recording id */
} LiveBlock;

typedef struct {
    uintptr_t base;      /* heap start, rounded down to a slot */
    uint64_t span;       /* bytes covered from base */
    unsigned shift;      /* log2 of the granule */
    unsigned slot_shift; /* log2 of the slot: shift, or more when granules are small */
    unsigned levels;     /* levels of `starts` in use; the top one is a single word */
    unsigned levels_reserved;
    uint64_t cover; /* 64^levels: the granules the levels in use index */
    uint64_t *starts[LIVE_INDEX_LEVELS_MAX];
    uint64_t words[LIVE_INDEX_LEVELS_MAX]; /* words of each level */
    uint32_t *sizes;                       /* per slot */
    uint32_t *ids;                         /* per slot; NULL unless recording */
    uint64_t *ever;                        /* bit per granule */
    uint64_t granules;                     /* granules covered */
    uint64_t slots;                        /* slots covered */
    LiveCrowd crowd;                       /* blocks before their slot's last */
    struct {
        uintptr_t start; /* 0: unused */
        uint64_t size;
    } huge[LIVE_INDEX_HUGE_MAX];
} LiveIndex;

/* Reserves the index for `span` bytes from `base` with granules of `granule`
 * bytes (a power of two). False when mmap fails. */
__attribute__((visibility("hidden"))) bool live_index_init(LiveIndex *index, uintptr_t base,
                                                           uint64_t span, unsigned granule);
/* Reserves the per-block recording ids. False when mmap fails. */
__attribute__((visibility("hidden"))) bool live_index_reserve_ids(LiveIndex *index);
/* Adds levels until granule g is covered (live_index.c). */
__attribute__((visibility("hidden"))) void live_index_raise(LiveIndex *index, uint64_t g);
/* Size storage for blocks of 4 GiB or more (live_index.c); false when all
 * LIVE_INDEX_HUGE_MAX places are taken. */
__attribute__((visibility("hidden"))) bool live_index_put_huge(LiveIndex *index, uintptr_t start,
                                                               uint64_t size);
__attribute__((visibility("hidden"))) uint64_t live_index_take_huge(LiveIndex *index,
                                                                    uintptr_t start, bool remove);
/* The entries of a block starting at granule g of a slot of several granules
 * (live_index.c): on insert, before g is marked; on remove, while it is. The
 * insert is false, with nothing changed, when the crowd cannot grow. */
__attribute__((visibility("hidden"))) bool live_index_share_slot(LiveIndex *index, uint64_t g,
                                                                 uint64_t size, uint32_t id);
__attribute__((visibility("hidden"))) void live_index_leave_slot(LiveIndex *index, uint64_t g);

static inline bool live_index_covers(const LiveIndex *index, uintptr_t address)
{
    return address >= index->base && address - index->base < index->span;
}

static inline uint64_t live_index_granule_of(const LiveIndex *index, uintptr_t address)
{
    return (address - index->base) >> index->shift;
}

static inline uintptr_t live_index_address_of(const LiveIndex *index, uint64_t granule)
{
    return index->base + (granule << index->shift);
}

static inline bool live_index_bit(const uint64_t *bits, uint64_t i)
{
    return (bits[i / 64] >> (i % 64)) & 1;
}

/* The smallest live start granule >= g, or LIVE_INDEX_NONE. */
static inline uint64_t live_index_next(const LiveIndex *index, uint64_t g)
{
    unsigned k = 0;
    uint64_t i = g;
    for (;;) {
        if (k == index->levels || (i >> 6) >= index->words[k])
            return LIVE_INDEX_NONE;
        uint64_t bits = index->starts[k][i >> 6] & (~0ULL << (i & 63));
        if (bits != 0) {
            i = (i & ~63ULL) + (uint64_t)__builtin_ctzll(bits);
            break;
        }
        i = (i >> 6) + 1; /* the next word of this level, as a bit of the level above */
        k++;
    }
    while (k-- > 0)
        i = (i << 6) + (uint64_t)__builtin_ctzll(index->starts[k][i]);
    return i;
}

/* The largest live start granule <= g, or LIVE_INDEX_NONE. */
static inline uint64_t live_index_previous(const LiveIndex *index, uint64_t g)
{
    unsigned k = 0;
    uint64_t i = g < index->cover ? g : index->cover - 1; /* none starts above */
    for (;;) {
        if (k == index->levels)
            return LIVE_INDEX_NONE;
        unsigned bit = (unsigned)(i & 63);
        uint64_t mask = bit == 63 ? ~0ULL : (2ULL << bit) - 1;
        uint64_t bits = index->starts[k][i >> 6] & mask;
        if (bits != 0) {
            i = (i & ~63ULL) + 63 - (uint64_t)__builtin_clzll(bits);
            break;
        }
        if ((i >> 6) == 0)
            return LIVE_INDEX_NONE;
        i = (i >> 6) - 1; /* the previous word of this level */
        k++;
    }
    while (k-- > 0)
        i = (i << 6) + 63 - (uint64_t)__builtin_clzll(index->starts[k][i]);
    return i;
}

/* The slot of granule g. */
static inline uint64_t live_index_slot_of(const LiveIndex *index, uint64_t g)
{
    return g >> (index->slot_shift - index->shift);
}

/* Granule g's place in its slot: 0 for the slot's first granule. */
static inline unsigned live_index_place_in_slot(const LiveIndex *index, uint64_t g)
{
    return (unsigned)(g & ((1u << (index->slot_shift - index->shift)) - 1));
}

/* The live starts of g's slot, as bits from the slot's first granule (a slot
 * never straddles a level-0 word: it has at most 64 granules, and the base
 * is a slot's start). */
static inline uint64_t live_index_slot_starts(const LiveIndex *index, uint64_t g)
{
    unsigned granules = 1u << (index->slot_shift - index->shift);
    uint64_t first = g - live_index_place_in_slot(index, g);
    uint64_t mask = (2ULL << (granules - 1)) - 1; /* `granules` ones, up to 64 */
    return (index->starts[0][first >> 6] >> (first & 63)) & mask;
}

/* True when no live block starts in g's slot after granule g: the block at
 * g is the slot's last, with its size and id in the slot's entries. */
static inline bool live_index_last_in_slot(const LiveIndex *index, uint64_t g)
{
    if (index->slot_shift == index->shift)
        return true;
    return (live_index_slot_starts(index, g) >> live_index_place_in_slot(index, g) >> 1) == 0;
}

/* Fills `block` with the live block starting at granule g. */
static inline void live_index_block_at(LiveIndex *index, uint64_t g, LiveBlock *block)
{
    block->start = live_index_address_of(index, g);
    if (__builtin_expect(!live_index_last_in_slot(index, g), 0)) {
        LiveCrowdEntry entry = live_crowd_get(&index->crowd, block->start);
        block->size = entry.size;
        block->id = entry.id;
        return;
    }
    uint64_t slot = live_index_slot_of(index, g);
    uint32_t size = index->sizes[slot];
    if (__builtin_expect(size == UINT32_MAX, 0))
        block->size = live_index_take_huge(index, block->start, false);
    else
        block->size = size;
    block->id = index->ids != NULL ? index->ids[slot] : 0;
}

/* Makes `size` and `id` the entries of `slot`. */
static inline void live_index_set_entry(LiveIndex *index, uint64_t slot, uint64_t size, uint32_t id)
{
    index->sizes[slot] = size >= UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    if (index->ids != NULL)
        index->ids[slot] = id;
}

static inline uint64_t live_index_extent(uint64_t size)
{
    return size == 0 ? 1 : size;
}

/* Fills `block` with the live block starting at `address`; false when no
 * live block starts there. */
static inline bool live_index_find(LiveIndex *index, uintptr_t address, LiveBlock *block)
{
    if (!live_index_covers(index, address) || (address & ((1u << index->shift) - 1)) != 0)
        return false;
    uint64_t g = live_index_granule_of(index, address);
    if (!live_index_bit(index->starts[0], g))
        return false;
    live_index_block_at(index, g, block);
    return true;
}

/* Fills `block` with the live block whose extent contains `address`. */
static inline bool live_index_containing(LiveIndex *index, uintptr_t address, LiveBlock *block)
{
    if (!live_index_covers(index, address))
        return false;
    uint64_t g = live_index_previous(index, live_index_granule_of(index, address));
    if (g == LIVE_INDEX_NONE)
        return false;
    live_index_block_at(index, g, block);
    return address - block->start < live_index_extent(block->size);
}

/* The smallest live start granule in [first, last], or LIVE_INDEX_NONE; a
 * range of up to 64 granules is read off level 0 alone (at most two words),
 * without the climb that live_index_next makes when nothing starts near. */
static inline uint64_t live_index_first_in(const LiveIndex *index, uint64_t first, uint64_t last)
{
    if (first > last)
        return LIVE_INDEX_NONE;
    if (last - first >= 64) {
        uint64_t g = live_index_next(index, first);
        return g <= last ? g : LIVE_INDEX_NONE;
    }
    uint64_t word = first >> 6;
    uint64_t up_to_last = ~0ULL >> (63 - (last & 63)); /* bits 0..last%64 */
    uint64_t bits = index->starts[0][word] & (~0ULL << (first & 63));
    if ((last >> 6) == word)
        bits &= up_to_last;
    if (bits != 0)
        return (word << 6) + (uint64_t)__builtin_ctzll(bits);
    if ((last >> 6) == word)
        return LIVE_INDEX_NONE;
    bits = index->starts[0][word + 1] & up_to_last;
    return bits != 0 ? ((word + 1) << 6) + (uint64_t)__builtin_ctzll(bits) : LIVE_INDEX_NONE;
}

/* The start of a live block that [address, address + max(size, 1)) would
 * overlap, or 0 when none does. `address` is granule-aligned, and the whole
 * extent lies inside the span. */
static inline uintptr_t live_index_clash(LiveIndex *index, uintptr_t address, uint64_t size)
{
    uint64_t g = live_index_granule_of(index, address);
    uint64_t below = live_index_previous(index, g);
    if (below != LIVE_INDEX_NONE) {
        LiveBlock block;
        live_index_block_at(index, below, &block);
        if (address - block.start < live_index_extent(block.size))
            return block.start;
    }
    uint64_t last = live_index_granule_of(index, address + live_index_extent(size) - 1);
    uint64_t above = live_index_first_in(index, g + 1, last);
    return above != LIVE_INDEX_NONE ? live_index_address_of(index, above) : 0;
}

/* Makes [address, address + size) live under recording id `id`; the caller
 * has checked live_index_clash. False, with nothing changed, when the index
 * cannot hold it: a block of 4 GiB or more with LIVE_INDEX_HUGE_MAX such live
 * already, or a crowd that cannot grow (size below UINT32_MAX). The caller
 * decides what that means (the shim cannot measure the run). */
static inline bool live_index_insert(LiveIndex *index, uintptr_t address, uint64_t size,
                                     uint32_t id)
{
    uint64_t g = live_index_granule_of(index, address);
    bool huge = size >= UINT32_MAX;
    if (__builtin_expect(huge, 0) && !live_index_put_huge(index, address, size))
        return false;
    if (__builtin_expect(index->slot_shift != index->shift, 0)) {
        if (!live_index_share_slot(index, g, size, id)) {
            if (huge)
                live_index_take_huge(index, address, true);
            return false;
        }
    } else {
        live_index_set_entry(index, g, size, id);
    }
    if (__builtin_expect(g >= index->cover, 0))
        live_index_raise(index, g);
    index->ever[g / 64] |= 1ULL << (g % 64);
    uint64_t i = g;
    for (unsigned k = 0; k < index->levels; k++) {
        uint64_t *word = &index->starts[k][i >> 6];
        bool was_empty = *word == 0;
        *word |= 1ULL << (i & 63);
        if (!was_empty)
            break;
        i >>= 6;
    }
    return true;
}

/* Makes the live block starting at `address` free again. */
static inline void live_index_remove(LiveIndex *index, uintptr_t address)
{
    uint64_t g = live_index_granule_of(index, address);
    if (__builtin_expect(index->slot_shift != index->shift, 0))
        live_index_leave_slot(index, g);
    else if (__builtin_expect(index->sizes[g] == UINT32_MAX, 0))
        live_index_take_huge(index, address, true);
    uint64_t i = g;
    for (unsigned k = 0; k < index->levels; k++) {
        uint64_t *word = &index->starts[k][i >> 6];
        *word &= ~(1ULL << (i & 63));
        if (*word != 0)
            break;
        i >>= 6;
    }
}

/* True when a block once started at `address` (granule-aligned, in the span). */
static inline bool live_index_was_start(const LiveIndex *index, uintptr_t address)
{
    return live_index_bit(index->ever, live_index_granule_of(index, address));
}

#endif
