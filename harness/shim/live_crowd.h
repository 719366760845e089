/* The crowd: the live blocks that share a slot of the live index with a
 * later block (live_index.h), by start address, with their size and
 * recording id. Only an index whose granule is smaller than its slot
 * (--align 1) has one, and only allocators that hand out blocks closer than
 * a slot apart fill it.
 *
 * An open-addressing hash table with linear probing, kept at most half full;
 * a removal shifts the entries after it back, so there are no tombstones.
 * Cost: O(1) expected per call; when full it doubles into a new mapping
 * (amortized O(1)). Memory: at most 64 bytes per crowded block at its peak
 * (16-byte entries, half full after doubling), from mmap: the shim cannot
 * call malloc. The caller holds the shim lock.
 */
#ifndef MSTATS_LIVE_CROWD_H
#define MSTATS_LIVE_CROWD_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uintptr_t start; /* 0: an empty place */
    uint32_t size;   /* smaller than a slot: a later block starts inside the slot */
    uint32_t id;     /* recording id */
} LiveCrowdEntry;

typedef struct {
    LiveCrowdEntry *entries; /* `capacity` places; NULL until the first block */
    uint64_t capacity;       /* a power of two, or 0 */
    uint64_t count;          /* blocks held */
} LiveCrowd;

/* Adds the block at `start` (not held yet). False, with nothing changed,
 * when the table must grow and mmap fails. */
__attribute__((visibility("hidden"))) bool live_crowd_put(LiveCrowd *crowd, uintptr_t start,
                                                          uint32_t size, uint32_t id);
/* The entry of the block at `start`, which the crowd holds. */
__attribute__((visibility("hidden"))) LiveCrowdEntry live_crowd_get(const LiveCrowd *crowd,
                                                                    uintptr_t start);
/* Removes the block at `start`, which the crowd holds, and returns its entry. */
__attribute__((visibility("hidden"))) LiveCrowdEntry live_crowd_take(LiveCrowd *crowd,
                                                                     uintptr_t start);

#endif
