/*
 * replay.h: replaying a parsed trace through the process's malloc, checking every block.
 *
 * What is checked, and what it costs (docs/traces.md):
 * - a (and r of an id holding no block, realloc(NULL, n)) fills the new block's pattern;
 * - every byte is checked before the allocator gets it back: the whole block before f, the
 *   bytes a shrinking r drops before the call, every block left live at the end;
 * - an r keeps the block's pattern: after the call the kept part (the smaller size) is
 *   checked at its edges, and only the bytes a growing r adds are filled. A block that
 *   moved is checked in full the first time it moves, and again whenever its size has
 *   doubled since its last full check: at most three times its largest size over its life,
 *   never more than an allocator that copies the block moves. So a trace replays in time
 *   linear in the bytes it requests, however often it reallocs.
 * The pointer table is mmap'd: the only malloc calls a replay makes are the trace's own.
 */
#ifndef MSTATS_REPLAY_H
#define MSTATS_REPLAY_H

#include "proof_digest.h"
#include "trace.h"

/* mreplay's exit statuses, one per kind of failure (docs/traces.md lists them). */
enum mreplay_exit {
    MREPLAY_EXIT_OK = 0,
    MREPLAY_EXIT_ALLOCATION_FAILED = 1, /* malloc or realloc returned NULL for a size > 0 */
    MREPLAY_EXIT_USAGE = 2,             /* bad command line or malformed trace */
    MREPLAY_EXIT_CORRUPTED = 3,         /* a block's bytes differ from its pattern */
    MREPLAY_EXIT_MISALIGNED = 4,        /* a block is not aligned as --align requires */
};

/* The alignment a block must have (--align). */
enum replay_alignment {
    /* C17: a block of fewer than 16 bytes needs 8 (no object that fits needs more), a
     * larger one 16. glibc, jemalloc and mimalloc all meet it. The default. */
    REPLAY_ALIGN_C17 = 0,
    REPLAY_ALIGN_NONE = 1, /* any address: mstats --align 1, as the courses' contests */
    REPLAY_ALIGN_8 = 8,    /* every block 8-aligned: what CS 241 allocators return */
    REPLAY_ALIGN_16 = 16,  /* every block 16-aligned, whatever its size */
};

/* What went wrong in a replay; read when replay_trace() returns non-zero. */
struct replay_failure {
    enum mreplay_exit status;
    uint64_t op_index;        /* the operation being replayed (op_count: the final cleanup) */
    int32_t id;               /* the block's id */
    uint64_t size;            /* the size requested, or the size of the corrupted block */
    uint64_t offset;          /* corrupted: the first wrong byte */
    unsigned expected, found; /* corrupted: that byte's expected and found values */
    uintptr_t address;        /* misaligned: the pointer returned */
    unsigned alignment;       /* misaligned: the alignment it needed */
    const char *call; /* the call that returned a bad block, or when the corruption was seen */
};

/* What verifying a replay cost: the bytes mreplay itself wrote and read. */
struct replay_costs {
    uint64_t bytes_filled;      /* pattern bytes written: new blocks, and what r added */
    uint64_t bytes_checked;     /* pattern bytes read back */
    uint64_t reallocs_in_place; /* r of a live block that kept its address */
    uint64_t reallocs_moved;    /* r of a live block that got a new address */
    uint64_t bytes_moved;       /* kept bytes of the moved ones: what a copying allocator moved */
};

/* The completion proof of a run (proof_digest.h): every check that passed adds to SUM, the
 * same on every allocator. Only the checks every allocator gets count: the bytes a shrinking
 * r drops, the edges of what an r keeps (not the full check of a moved block, since which r
 * moves is the allocator's choice), every block before f and at the end, and the size of
 * every block returned. */
struct replay_proof {
    const struct mstats_proof *proof; /* its challenge; nothing is added when not active */
    struct mstats_proof_sum sum;
};

/* Replay TRACE, requiring ALIGNMENT of every block, adding to *COSTS and to PROOF's sum.
 * Returns MREPLAY_EXIT_OK, or another status with *FAILURE filled. */
enum mreplay_exit replay_trace(const struct trace *trace, enum replay_alignment alignment,
                               struct replay_failure *failure, struct replay_costs *costs,
                               struct replay_proof *proof);

#endif
