/*
 * runs.h - runs of small blocks of one size (segregated-fit's size classes).
 *
 * A policy with runs (policy.h: run_max > 0) serves every block of at most
 * run_max bytes from a run: a heap block, placed like any other, cut into
 * slots of one size. A slot keeps an 8-byte header, so a pointer tells at
 * once whether it is a slot and where its run starts; but it needs no
 * footer, no index node and no 32-byte minimum, because the run's bitmap,
 * not the heap, knows which slots are free:
 *
 *   run (a used heap block, flags USED | RUN)
 *   +--------+-------------------+---------+---------+---------+-----
 *   | header | links 12 B, size, | slot 0  | slot 1  | slot 2  | ...
 *   |  8 B   | free bitmap 8 B   | hdr|pay | hdr|pay | hdr|pay |
 *   +--------+-------------------+---------+---------+---------+-----
 *   ^ 8 mod 16                   ^ run + 32: every slot header 8 mod 16
 *
 * A slot's header is its offset in the run with the flags RUN | FOREIGN
 * (SLOT_MARK, a pair no heap block carries) and USED while it is handed out.
 * A class is a slot size (16, 32, ... run_max); a run holds 1 to 64 slots. The runs of a class that have
 * a free slot form a pairing heap ordered by address (free_bin.h, its node in
 * the run's links), whose root is the class's lowest-address such run.
 *
 * The rules are the policy's, stated in policies/segregated_fit.c: the
 * lowest free slot of the class's lowest-address run with one; a new run,
 * placed like a heap block, when none has; a run whose every slot is free
 * back to the heap unless it is its class's only run.
 */
#ifndef MSTATS_RUNS_H
#define MSTATS_RUNS_H

#include "block.h"

enum {
    /* The flags of a slot header: a combination no heap block has. */
    SLOT_MARK = BLOCK_RUN | BLOCK_FOREIGN,
    /* The first slot's header, from the run's header. */
    RUN_FIRST_SLOT = 32,
    /* The smallest slot: a header and 8 bytes. */
    SLOT_MIN = 16,
    /* Slot sizes up to this (and a policy's run_max at most this). */
    RUN_MAX_LIMIT = 1024,
    RUN_CLASSES = RUN_MAX_LIMIT / ALIGNMENT,
};

/* A run's first 32 bytes. */
struct run {
    size_t header;              /* the heap block's */
    uint32_t child, next, prev; /* the class's pairing heap (struct bin_node) */
    uint16_t slot_size;         /* bytes, header included */
    uint16_t slots;             /* how many: 1 to 64 */
    uint64_t free;              /* bit i: slot i is free */
};
_Static_assert(sizeof(struct run) == RUN_FIRST_SLOT, "the slots start after the run's header");

/* The runs' state, part of the heap's (heap.h). */
struct runs {
    uint32_t root[RUN_CLASSES];  /* per class: its runs with a free slot (refs, free_bin.h) */
    uint32_t count[RUN_CLASSES]; /* per class: its runs */
    uint32_t slots[RUN_CLASSES]; /* per class: its runs' slots */
};

/* The slot size a request of n bytes needs when slots reach `max` bytes; 0
 * when it is not served from a run (max is 0, or n too large). */
static inline size_t run_slot_size_for(size_t max, size_t n)
{
    if (!max || n > max - HEADER_SIZE)
        return 0;
    size_t size = (n + HEADER_SIZE + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
    return size < SLOT_MIN ? SLOT_MIN : size;
}

/* True when the block b is a slot (handed out or not). */
static inline bool is_slot(const block *b)
{
    return (b->header & (BLOCK_RUN | BLOCK_FOREIGN)) == SLOT_MARK;
}

/* The run a slot belongs to. */
static inline struct run *run_of_slot(const block *slot)
{
    return (struct run *)((char *)slot - (slot->header & ~BLOCK_FLAGS));
}

/* How many slots a new run of `slot_size`-byte slots holds when its class's
 * runs hold `class_slots` already: as many again, so that a class's runs
 * double as it grows, and a class used a little costs a little; at least
 * RUN_MIN_SLOTS, at most 64 (one bitmap word) and, for large slots, what
 * fits in RUN_BYTES. */
enum { RUN_MIN_SLOTS = 2, RUN_MAX_SLOTS = 64, RUN_BYTES = 4096 };
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
    return RUN_FIRST_SLOT + slots * slot_size;
}

/* The bitmap of a run whose every slot is free. */
static inline uint64_t run_all_free(const struct run *run)
{
    return run->slots == 64 ? ~(uint64_t)0 : ((uint64_t)1 << run->slots) - 1;
}

/* Slot i of a run. */
static inline block *run_slot(struct run *run, unsigned i)
{
    return (block *)((char *)run + RUN_FIRST_SLOT + (size_t)i * run->slot_size);
}

/* The index of a run's slot. */
static inline unsigned run_slot_index(const struct run *run, const block *slot)
{
    return (unsigned)(((const char *)slot - (const char *)run - RUN_FIRST_SLOT) / run->slot_size);
}

/* The class of a slot size. */
static inline unsigned run_class(size_t slot_size)
{
    return (unsigned)(slot_size / ALIGNMENT - 1);
}

#endif
