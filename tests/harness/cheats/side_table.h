/* The side table of side-table.c and memfd-table.c: the honest bump core
 * (cheat_core.h) with no header in the heap. Each block's size, which realloc
 * needs, is kept outside the heap instead, in a table of (offset from the
 * first block, size) pairs: 16 bytes a block, in the order the blocks were
 * handed out, so in increasing offsets (the heap only grows), and found again
 * by a binary search. The heap holds nothing but the blocks, each rounded up
 * to 16 bytes and 16-aligned as before.
 *
 * The table doubles when full. The cheat that includes this header defines
 * where it lives:
 *   static void *side_table_resize(void *table, size_t bytes, size_t new_bytes)
 * maps the table at `new_bytes` with its first `bytes` kept (table NULL and
 * bytes 0 the first time), returning it or MAP_FAILED; never malloc. */
#ifndef MSTATS_CHEAT_SIDE_TABLE_H
#define MSTATS_CHEAT_SIDE_TABLE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

static void *side_table_resize(void *table, size_t bytes, size_t new_bytes);

/* One block: where it starts, from the first block, and its size. */
typedef struct {
    uint64_t offset;
    uint64_t size;
} SideEntry;

/* The first table: 64 Ki blocks. */
#define SIDE_TABLE_FIRST_BYTES ((size_t)1 << 20)

static SideEntry *side_entries;
static size_t side_count, side_capacity;
/* The first block's address: offsets count from it. */
static uintptr_t side_base;

/* Keeps a new block's size; 0 when the table cannot grow, or when the block
 * lies below the last one (the heap never shrinks, so it cannot). */
static int side_keep(void *block, size_t size)
{
    uintptr_t at = (uintptr_t)block;
    if (side_count == 0)
        side_base = at;
    else if (at < side_base || at - side_base <= side_entries[side_count - 1].offset)
        return 0;
    if (side_count == side_capacity) {
        size_t bytes = side_capacity * sizeof(SideEntry);
        size_t new_bytes = bytes == 0 ? SIDE_TABLE_FIRST_BYTES : 2 * bytes;
        void *table = side_table_resize(side_entries, bytes, new_bytes);
        if (table == MAP_FAILED)
            return 0;
        side_entries = table;
        side_capacity = new_bytes / sizeof(SideEntry);
    }
    side_entries[side_count++] = (SideEntry){at - side_base, size};
    return 1;
}

/* The size kept for `block`, or 0 for a pointer that is no block's. */
static size_t side_size_of(void *block)
{
    uintptr_t at = (uintptr_t)block;
    if (side_count == 0 || at < side_base)
        return 0;
    uint64_t offset = at - side_base;
    size_t low = 0, high = side_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (side_entries[middle].offset < offset)
            low = middle + 1;
        else
            high = middle;
    }
    return low < side_count && side_entries[low].offset == offset ? side_entries[low].size : 0;
}

#define CHEAT_HEADER_BYTES 0
#define CHEAT_KEEP_SIZE(block, size) side_keep(block, size)
#define CHEAT_SIZE_OF(block) side_size_of(block)
#include "cheat_core.h"

#endif
