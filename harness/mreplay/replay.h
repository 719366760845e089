/*
 * replay.h: replaying a parsed trace through the process's malloc, checking every block.
 *
 * Each a and r fills the whole block with its pattern; each r and f first checks the whole
 * block; after an r the preserved prefix (the smaller of the old and new sizes) must still
 * hold the old pattern. Blocks still live after the last operation are checked and freed,
 * so several traces in one run do not pile up. The pointer table is mmap'd: the only
 * malloc calls a replay makes are the trace's own.
 */
#ifndef MSTATS_REPLAY_H
#define MSTATS_REPLAY_H

#include "trace.h"

/* mreplay's exit statuses, one per kind of failure (docs/traces.md lists them). */
enum mreplay_exit {
    MREPLAY_EXIT_OK = 0,
    MREPLAY_EXIT_ALLOCATION_FAILED = 1, /* malloc or realloc returned NULL for a size > 0 */
    MREPLAY_EXIT_USAGE = 2,             /* bad command line or malformed trace */
    MREPLAY_EXIT_CORRUPTED = 3,         /* a block's bytes differ from its pattern */
    MREPLAY_EXIT_MISALIGNED = 4,        /* a block is not 16-byte aligned */
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
    const char *call; /* the call that returned a bad block, or when the corruption was seen */
};

/* Replay TRACE. Returns MREPLAY_EXIT_OK, or another status with *FAILURE filled. */
enum mreplay_exit replay_trace(const struct trace *trace, struct replay_failure *failure);

#endif
