/*
 * runs.h - runs of small blocks of one size (segregated-fit's size classes).
 *
 * A policy with runs (policy.h: run_max > 0) serves every block of at most
 * run_max bytes from a run: a heap block, placed like any other, cut into
 * slots of one size. A slot has a 4-byte header, so that a pointer tells at
 * once whether it is a slot and where its run starts; it needs no footer, no
 * index node and no 32-byte minimum, because the run's bitmap, not the heap,
 * knows which slots are free. A request of n bytes takes a slot of
 * max(16, round16(n + 4)) bytes, where a heap block takes max(32,
 * round16(n + 8)):
 *
 *   run (a used heap block, flags USED | RUN)
 *   +--------+------------------------+-----------+-----------+-----
 *   | header | links 12 B, sizes 4 B, | slot 0    | slot 1    | ...
 *   |  8 B   | bitmap 8 B, 4 unused   | hdr | pay | hdr | pay |
 *   +--------+------------------------+-----------+-----------+-----
 *   ^ 8 mod 16                        ^ run + 36: every slot header 12 mod 16,
 *                                       every payload 16-aligned
 *
 * A slot's header is the 4 bytes before its payload: SLOT_BIT, SLOT_USED
 * while it is handed out, its index and its offset in the run (both, so
 * that no call divides). It is where a heap
 * block's header has its top half, whose top bit no heap block sets (sizes
 * stay below HEAP_LIMIT): so the word before any payload says which it is.
 * A class is a slot size (16, 32, ... run_max); a run holds 1 to 64 slots.
 * The runs of a class that have a free slot form a pairing heap ordered by
 * address (free_bin.h, its node in the run's links), whose root is the
 * class's lowest-address such run.
 *
 * The rules are the policy's, stated in policies/segregated_fit.c: the
 * lowest free slot of the class's lowest-address run with one; a new run,
 * placed like a heap block, when none has; a run whose every slot is free
 * back to the heap as soon as another run of its class has a free slot.
 *
 * A slot is handled as a `block *` like a heap block, block_of_payload of its
 * payload: the first 4 of those 8 bytes belong to the slot before it (or to
 * the run's own), so only slot_header may read or write there.
 */
#ifndef MSTATS_RUNS_H
#define MSTATS_RUNS_H

#include "block.h"

/* A slot header; it may alias the word of a heap block's header. */
typedef uint32_t __attribute__((may_alias)) slot_word;

enum {
    SLOT_HEADER = 4,
    /* The first slot's header, from the run's header. */
    RUN_FIRST_SLOT = 36,
    /* A run's bytes besides its slots: its 36 bytes, and 12 that round the
     * slots' end to the next header's place (8 mod 16). */
    RUN_OVERHEAD = 48,
    /* The smallest slot: a header and 12 bytes. */
    SLOT_MIN = 16,
    /* Slot sizes up to this (and a policy's run_max at most this). */
    RUN_MAX_LIMIT = 1024,
    RUN_CLASSES = RUN_MAX_LIMIT / ALIGNMENT,
    /* The most slots a run has: one bitmap word. */
    RUN_MAX_SLOTS = 64,
};
#define SLOT_BIT ((uint32_t)1 << 31)
#define SLOT_USED ((uint32_t)1 << 30)
#define SLOT_OFFSET ((uint32_t)0xffff) /* bits 0-15: the offset in the run */
#define SLOT_INDEX_SHIFT 16            /* bits 16-21: the slot's index */
_Static_assert(HEAP_LIMIT >> 32 < SLOT_BIT, "no heap block's header sets SLOT_BIT");

/* A run's first 32 bytes. */
struct run {
    size_t header;              /* the heap block's */
    uint32_t child, next, prev; /* the class's pairing heap (struct bin_node) */
    uint16_t slot_size;         /* bytes, header included */
    uint16_t slots;             /* how many: 1 to 64 */
    uint64_t free;              /* bit i: slot i is free */
};

/* True when the heap block b is a run: in use, RUN, and not FOREIGN (only a
 * policy with runs sets RUN on a block in use; no-reuse's RETIRED is the
 * same bit). */
static inline bool block_is_run(const block *b)
{
    return (b->header & (BLOCK_USED | BLOCK_RUN | BLOCK_FOREIGN)) == (BLOCK_USED | BLOCK_RUN);
}

/* The header of the slot (or heap block) b. */
static inline slot_word *slot_header(const block *b)
{
    return (slot_word *)((char *)b + HEADER_SIZE - SLOT_HEADER);
}

/* The slot size a request of n bytes needs when slots reach `max` bytes; 0
 * when it is not served from a run (max is 0, or n too large). */
static inline size_t run_slot_size_for(size_t max, size_t n)
{
    if (!max || n > max - SLOT_HEADER)
        return 0;
    size_t size = (n + SLOT_HEADER + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
    return size < SLOT_MIN ? SLOT_MIN : size;
}

/* True when the block b is a slot (handed out or not). */
static inline bool is_slot(const block *b)
{
    return *slot_header(b) & SLOT_BIT;
}

/* True when the slot b is handed out. */
static inline bool slot_used(const block *b)
{
    return *slot_header(b) & SLOT_USED;
}

/* Where a slot's header says its run is. */
static inline struct run *run_of_slot(const block *slot)
{
    return (struct run *)((char *)slot_header(slot) - (*slot_header(slot) & SLOT_OFFSET));
}

/* The offset of slot i's header in a run of `slot_size`-byte slots. */
static inline size_t run_slot_offset(size_t slot_size, unsigned i)
{
    return RUN_FIRST_SLOT + (size_t)i * slot_size;
}

/* The header of slot i, free, in a run of `slot_size`-byte slots. */
static inline uint32_t slot_free_header(size_t slot_size, unsigned i)
{
    return SLOT_BIT | (uint32_t)i << SLOT_INDEX_SHIFT | (uint32_t)run_slot_offset(slot_size, i);
}

/* The index a slot's header gives. */
static inline unsigned slot_index(const block *slot)
{
    return *slot_header(slot) >> SLOT_INDEX_SHIFT & (RUN_MAX_SLOTS - 1);
}

/* The runs' state, part of the heap's (heap.h). */
struct runs {
    uint32_t root[RUN_CLASSES];  /* per class: its runs with a free slot (refs, free_bin.h) */
    uint32_t slots[RUN_CLASSES]; /* per class: its runs' slots */
};

/* How many slots a new run of `slot_size`-byte slots holds when its class's
 * runs hold `class_slots` already: as many again, so that a class's runs
 * double as it grows, and a class used a little costs a little; at least
 * RUN_MIN_SLOTS, at most 64 (one bitmap word) and, for large slots, what
 * fits in RUN_BYTES. */
enum { RUN_MIN_SLOTS = 2, RUN_BYTES = 4096 };
static inline unsigned run_slots_for(size_t slot_size, uint32_t class_slots)
{
    size_t most = RUN_BYTES / slot_size;
    most = most > RUN_MAX_SLOTS ? RUN_MAX_SLOTS : most < RUN_MIN_SLOTS ? RUN_MIN_SLOTS : most;
    return class_slots < RUN_MIN_SLOTS ? RUN_MIN_SLOTS
           : class_slots > most        ? (unsigned)most
                                       : class_slots;
}

/* The heap block size of a run of `slots` slots of `slot_size` bytes. */
static inline size_t run_block_size(size_t slot_size, unsigned slots)
{
    return RUN_OVERHEAD + slots * slot_size;
}

/* The bitmap of a run whose every slot is free. */
static inline uint64_t run_all_free(const struct run *run)
{
    return run->slots == 64 ? ~(uint64_t)0 : ((uint64_t)1 << run->slots) - 1;
}

/* Slot i of a run, as a block handle (block_of_payload of its payload). */
static inline block *run_slot(struct run *run, unsigned i)
{
    return (block *)((char *)run + run_slot_offset(run->slot_size, i) + SLOT_HEADER - HEADER_SIZE);
}

/* The class of a slot size. */
static inline unsigned run_class(size_t slot_size)
{
    return (unsigned)(slot_size / ALIGNMENT - 1);
}

#endif
