/* The live table: every block the allocator returned and the program has not
 * freed, as pointer -> (requested size, recording id). Open addressing with
 * linear probing and backward-shift deletion (no tombstones), kept at most half
 * full, so lookup, insert and remove are O(1) expected whatever the number of
 * live blocks. Memory comes from mmap; growing doubles and rehashes.
 * The caller holds the shim lock.
 */
#ifndef MSTATS_LIVE_TABLE_H
#define MSTATS_LIVE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uintptr_t pointer; /* 0 marks an empty slot (NULL is never live) */
    uint64_t size;     /* bytes the program requested */
    uint64_t id;       /* recording id */
} LiveBlock;

typedef struct {
    LiveBlock *slots;
    uint64_t mask;  /* capacity - 1; capacity is a power of two */
    uint64_t count; /* occupied slots */
} LiveTable;

/* Allocates the first slot array. Returns false when mmap fails. */
__attribute__((visibility("hidden"))) bool live_table_init(LiveTable *table);
/* Doubles the capacity (called when the table would pass half full). */
__attribute__((visibility("hidden"))) void live_table_grow(LiveTable *table);

static inline uint64_t live_table_home(const LiveTable *table, uintptr_t pointer)
{
    /* Pointers are 16-aligned: drop the zero bits, then Fibonacci hashing. */
    return ((pointer >> 4) * 0x9E3779B97F4A7C15ULL >> 20) & table->mask;
}

/* Returns the block at `pointer`, or NULL if it is not live. */
static inline LiveBlock *live_table_find(const LiveTable *table, uintptr_t pointer)
{
    for (uint64_t i = live_table_home(table, pointer);; i = (i + 1) & table->mask) {
        LiveBlock *slot = &table->slots[i];
        if (slot->pointer == pointer)
            return slot;
        if (slot->pointer == 0)
            return NULL;
    }
}

/* Adds a block; the caller has checked that `pointer` is not live. */
static inline void live_table_insert(LiveTable *table, uintptr_t pointer, uint64_t size,
                                     uint64_t id)
{
    if ((table->count + 1) * 2 > table->mask + 1)
        live_table_grow(table);
    uint64_t i = live_table_home(table, pointer);
    while (table->slots[i].pointer != 0)
        i = (i + 1) & table->mask;
    table->slots[i] = (LiveBlock){pointer, size, id};
    table->count++;
}

/* Removes `slot` (from live_table_find), shifting later entries of its probe
 * run back so that every entry stays reachable from its home slot. */
static inline void live_table_remove(LiveTable *table, LiveBlock *slot)
{
    uint64_t hole = (uint64_t)(slot - table->slots);
    for (uint64_t i = (hole + 1) & table->mask;; i = (i + 1) & table->mask) {
        uintptr_t pointer = table->slots[i].pointer;
        if (pointer == 0)
            break;
        uint64_t home = live_table_home(table, pointer);
        /* Move the entry into the hole unless its home lies in (hole, i]. */
        bool home_between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!home_between) {
            table->slots[hole] = table->slots[i];
            hole = i;
        }
    }
    table->slots[hole].pointer = 0;
    table->count--;
}

#endif
