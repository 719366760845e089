/*
 * replay.c: the replay loop (see replay.h).
 */
#include "replay.h"

#include "block_pattern.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* What the replayer knows about one id. */
struct live_block {
    unsigned char *address; /* NULL when the id holds no block, or malloc(0) or realloc(p, 0)
                               returned NULL */
    uint64_t size;
    uint64_t seed;         /* of the life: set by a or realloc(NULL, n), kept by r */
    uint64_t checked_size; /* the size at the last full check after a move; 0: none yet */
    int live;              /* the trace holds the id (a or r, and no f since), whatever the
                              allocator returned for it: the calls made must not depend on that */
};

/* Bytes checked at each edge of a block kept in place by realloc. */
#define EDGE_BYTES 8

/* The replay of one trace: its table, its rules, what it cost, and its completion proof. */
struct replay {
    struct live_block *blocks;
    enum replay_alignment alignment;
    struct replay_failure *failure;
    struct replay_costs *costs;
    struct replay_proof *proof;
};

/* What a range check counts: its bytes in the costs, its result in the proof. Only checks
 * that every allocator gets (whatever it does with a realloc) go into the proof. */
enum check_use {
    CHECK_COSTED = 1,
    CHECK_PROVED = 2,
};

/* Check bytes FROM .. TO-1 of BLOCK (USE: what the check counts in); on a mismatch fill the
 * failure (WHEN it was seen, SHOWN_SIZE the size to name) and return non-zero. */
static int check_range(struct replay *replay, const struct live_block *block, uint64_t from,
                       uint64_t to, uint64_t shown_size, int32_t id, const char *when, unsigned use)
{
    if (from >= to)
        return 0;
    if (use & CHECK_COSTED)
        replay->costs->bytes_checked += to - from;
    uint64_t read_back;
    size_t offset =
        block_pattern_read(block->address, (size_t)from, (size_t)to, block->seed, &read_back);
    if (offset == to) {
        if ((use & CHECK_PROVED) && replay->proof->proof->active)
            mstats_proof_add(&replay->proof->sum, replay->proof->proof, MSTATS_PROOF_PATTERN,
                             block->seed, from, to, read_back);
        return 0;
    }
    struct replay_failure *failure = replay->failure;
    failure->status = MREPLAY_EXIT_CORRUPTED;
    failure->call = when;
    failure->id = id;
    failure->size = shown_size;
    failure->offset = offset;
    failure->expected = block_pattern_byte(block->seed, offset);
    failure->found = block->address[offset];
    return 1;
}

/* Fill bytes FROM .. TO-1 of BLOCK with its pattern. */
static void fill_range(struct replay *replay, struct live_block *block, uint64_t from, uint64_t to)
{
    if (from >= to)
        return;
    replay->costs->bytes_filled += to - from;
    block_pattern_fill(block->address, (size_t)from, (size_t)to, block->seed);
}

/* The alignment a block of SIZE bytes must have under RULE. */
static unsigned required_alignment(enum replay_alignment rule, uint64_t size)
{
    if (rule == REPLAY_ALIGN_C17)
        return size < 16 ? 8 : 16;
    return (unsigned)rule;
}

/* Accept ADDRESS returned for SIZE bytes, or fill the failure and return non-zero. */
static int check_returned(struct replay *replay, void *address, uint64_t size, int32_t id,
                          const char *call)
{
    struct replay_failure *failure = replay->failure;
    failure->id = id;
    failure->size = size;
    failure->call = call;
    failure->address = (uintptr_t)address;
    if (address == NULL && size > 0) {
        failure->status = MREPLAY_EXIT_ALLOCATION_FAILED;
        return 1;
    }
    failure->alignment = required_alignment(replay->alignment, size);
    if ((uintptr_t)address % failure->alignment != 0) {
        failure->status = MREPLAY_EXIT_MISALIGNED;
        return 1;
    }
    /* The size only: whether a block of 0 bytes is NULL is the allocator's choice. */
    if (replay->proof->proof->active)
        mstats_proof_add(&replay->proof->sum, replay->proof->proof, MSTATS_PROOF_RETURNED, size, 0,
                         0, size);
    return 0;
}

/* free(NULL), through a volatile: the compiler would drop a literal free(NULL) as a no-op,
 * and the allocator under test would see one call fewer than the trace makes. */
static void free_null(void)
{
    void *volatile null_block = NULL;
    free(null_block);
}

/* Check the first and last EDGE_BYTES of the first KEPT bytes of BLOCK after a realloc
 * (USE: what the check counts in). */
static int check_edges(struct replay *replay, const struct live_block *block, uint64_t kept,
                       int32_t id, unsigned use)
{
    uint64_t head = kept < EDGE_BYTES ? kept : EDGE_BYTES;
    uint64_t tail_start = kept - head > EDGE_BYTES ? kept - EDGE_BYTES : head;
    return check_range(replay, block, 0, head, kept, id, "after realloc", use) ||
           check_range(replay, block, tail_start, kept, kept, id, "after realloc", use);
}

/* `a ID SIZE`, or with BY_REALLOC `r ID SIZE` of an id holding no block (realloc(NULL,
 * SIZE)): a new life with its own pattern. Returns 0 or non-zero with the failure filled. */
static int replay_new_block(struct replay *replay, const struct trace_op *op, uint64_t index,
                            int by_realloc)
{
    struct live_block *block = &replay->blocks[op->id];
    const char *call = by_realloc ? "realloc" : "malloc";
    /* block->address is NULL here: realloc(block->address, n) is the trace's
     * realloc(NULL, n), which the compiler cannot fold into malloc(n). */
    void *address =
        by_realloc ? realloc(block->address, (size_t)op->size) : malloc((size_t)op->size);
    if (check_returned(replay, address, op->size, op->id, call))
        return 1;
    *block = (struct live_block){address, op->size, block_pattern_seed(op->id, index), 0, 1};
    fill_range(replay, block, 0, block->size);
    return 0;
}

/* `r ID SIZE` of a live block, operation INDEX (see replay.h for what is checked). Returns 0
 * or non-zero. */
static int replay_realloc(struct replay *replay, const struct trace_op *op, uint64_t index)
{
    struct live_block *block = &replay->blocks[op->id];
    uint64_t old_size = block->size, new_size = op->size;
    uint64_t kept = new_size < old_size ? new_size : old_size;
    /* A block of 0 bytes keeps nothing: it starts a new life, with the pattern realloc(NULL,
     * n) would give it. Whether malloc(0) or realloc(p, 0) returned NULL (no block: the next
     * r is realloc(NULL, n)) or a block is the allocator's choice, and what follows, the
     * proof included, must not depend on it. */
    if (old_size == 0)
        block->seed = block_pattern_seed(op->id, index);
    /* The bytes a shrink drops go back to the allocator: check them while they are ours. */
    if (check_range(replay, block, kept, old_size, old_size, op->id, "before realloc",
                    CHECK_COSTED | CHECK_PROVED))
        return 1;
    unsigned char *old_address = block->address;
    void *address = realloc(old_address, (size_t)new_size);
    if (check_returned(replay, address, new_size, op->id, "realloc"))
        return 1;
    block->address = address;
    if (address == NULL) { /* realloc(p, 0) freed p: the id holds no block, yet is live */
        block->size = 0;
        return 0;
    }
    int moved = (unsigned char *)address != old_address;
    if (kept > 0 && moved) {
        replay->costs->reallocs_moved++;
        replay->costs->bytes_moved += kept;
    } else if (kept > 0) {
        replay->costs->reallocs_in_place++;
    }
    /* A moved block is checked in full on its first move, and once its size has doubled
     * since its last full check: the geometric sum keeps the cost linear in its size. Which
     * realloc moves a block is the allocator's choice, so the proof takes the edges of every
     * realloc's kept bytes instead (read once more after a full check, not costed again). */
    if (moved && (block->checked_size == 0 || kept >= 2 * block->checked_size)) {
        if (check_range(replay, block, 0, kept, kept, op->id, "after realloc", CHECK_COSTED) ||
            check_edges(replay, block, kept, op->id, CHECK_PROVED))
            return 1;
        block->checked_size = kept;
    } else if (check_edges(replay, block, kept, op->id, CHECK_COSTED | CHECK_PROVED)) {
        return 1;
    }
    block->size = new_size;
    fill_range(replay, block, kept, new_size);
    return 0;
}

/* `f ID`: check the whole block, then free it (free(NULL) for an id holding no block). */
static int replay_free(struct replay *replay, int32_t id, const char *when)
{
    struct live_block *block = &replay->blocks[id];
    if (block->address == NULL) {
        free_null();
    } else {
        if (check_range(replay, block, 0, block->size, block->size, id, when,
                        CHECK_COSTED | CHECK_PROVED))
            return 1;
        free(block->address);
    }
    memset(block, 0, sizeof *block);
    return 0;
}

/* Replay every operation of TRACE. */
static enum mreplay_exit replay_ops(struct replay *replay, const struct trace *trace)
{
    struct replay_failure *failure = replay->failure;
    for (uint64_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        failure->op_index = i;
        int failed = 0;
        if (op->id < 0) /* f -1 */
            free_null();
        else if (op->kind == TRACE_OP_ALLOC)
            failed = replay_new_block(replay, op, i, 0);
        else if (op->kind == TRACE_OP_REALLOC && replay->blocks[op->id].address == NULL)
            failed = replay_new_block(replay, op, i, 1);
        else if (op->kind == TRACE_OP_REALLOC)
            failed = replay_realloc(replay, op, i);
        else
            failed = replay_free(replay, op->id, "before free");
        if (failed)
            return failure->status;
    }
    /* Check and free what the trace left live, so the next trace starts from nothing: one
     * free per live id, free(NULL) for one holding no block, so that the calls are the same
     * whether malloc(0) and realloc(p, 0) returned NULL or a block (both are allowed). */
    failure->op_index = trace->op_count;
    for (uint32_t id = 0; id < trace->id_count; id++)
        if (replay->blocks[id].live && replay_free(replay, (int32_t)id, "at the end, before free"))
            return failure->status;
    return MREPLAY_EXIT_OK;
}

enum mreplay_exit replay_trace(const struct trace *trace, enum replay_alignment alignment,
                               struct replay_failure *failure, struct replay_costs *costs,
                               struct replay_proof *proof)
{
    memset(failure, 0, sizeof *failure);
    size_t table_size = ((size_t)trace->id_count + 1) * sizeof(struct live_block);
    struct live_block *blocks = mmap(NULL, table_size, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (blocks == MAP_FAILED) {
        failure->status = MREPLAY_EXIT_ALLOCATION_FAILED;
        failure->call = "mmap of the pointer table";
        return failure->status;
    }
    struct replay replay = {blocks, alignment, failure, costs, proof};
    enum mreplay_exit status = replay_ops(&replay, trace);
    munmap(blocks, table_size);
    return status;
}
