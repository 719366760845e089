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
    unsigned char *address; /* NULL when not live, or when malloc(0) returned NULL */
    uint64_t size;
    uint64_t seed;
};

#define REPLAY_ALIGNMENT 16

/* Check BLOCK's first SIZE bytes; on a mismatch fill FAILURE and return non-zero. */
static int check_block(const struct live_block *block, uint64_t size, int32_t id, const char *when,
                       struct replay_failure *failure)
{
    size_t offset = block_pattern_check(block->address, (size_t)size, block->seed);
    if (offset == size)
        return 0;
    failure->status = MREPLAY_EXIT_CORRUPTED;
    failure->call = when;
    failure->id = id;
    failure->size = block->size;
    failure->offset = offset;
    failure->expected = block_pattern_byte(block->seed, offset);
    failure->found = block->address[offset];
    return 1;
}

/* Accept ADDRESS returned for SIZE bytes, or fill FAILURE and return non-zero. */
static int check_returned(void *address, uint64_t size, int32_t id, const char *call,
                          struct replay_failure *failure)
{
    failure->id = id;
    failure->size = size;
    failure->call = call;
    failure->address = (uintptr_t)address;
    if (address == NULL && size > 0) {
        failure->status = MREPLAY_EXIT_ALLOCATION_FAILED;
        return 1;
    }
    if ((uintptr_t)address % REPLAY_ALIGNMENT != 0) {
        failure->status = MREPLAY_EXIT_MISALIGNED;
        return 1;
    }
    return 0;
}

/* Replay every operation of TRACE against the table BLOCKS (zeroed, id_count entries). */
static enum mreplay_exit replay_ops(const struct trace *trace, struct live_block *blocks,
                                    struct replay_failure *failure)
{
    for (uint64_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        failure->op_index = i;
        if (op->id < 0) { /* f -1 */
            /* Through a volatile, or the compiler drops free(NULL) as a no-op and the
             * allocator under test would see one call fewer than the trace makes. */
            void *volatile null_block = NULL;
            free(null_block);
            continue;
        }
        struct live_block *block = &blocks[op->id];
        switch (op->kind) {
        case TRACE_OP_ALLOC: {
            void *address = malloc((size_t)op->size);
            if (check_returned(address, op->size, op->id, "malloc", failure))
                return failure->status;
            block->address = address;
            block->size = op->size;
            block->seed = block_pattern_seed(op->id, i);
            block_pattern_fill(block->address, (size_t)block->size, block->seed);
            break;
        }
        case TRACE_OP_REALLOC: {
            if (check_block(block, block->size, op->id, "before realloc", failure))
                return failure->status;
            void *address = realloc(block->address, (size_t)op->size);
            if (check_returned(address, op->size, op->id, "realloc", failure))
                return failure->status;
            /* realloc(p, 0) may free p and return NULL: the id then holds no block. */
            uint64_t kept = op->size < block->size ? op->size : block->size;
            block->address = address;
            if (address != NULL && check_block(block, kept, op->id, "after realloc", failure))
                return failure->status;
            block->size = address != NULL ? op->size : 0;
            block->seed = block_pattern_seed(op->id, i);
            block_pattern_fill(block->address, (size_t)block->size, block->seed);
            break;
        }
        default:
            if (check_block(block, block->size, op->id, "before free", failure))
                return failure->status;
            free(block->address);
            memset(block, 0, sizeof *block);
            break;
        }
    }
    /* Check and free what the trace left live, so the next trace starts from nothing. */
    failure->op_index = trace->op_count;
    for (uint32_t id = 0; id < trace->id_count; id++) {
        struct live_block *block = &blocks[id];
        if (block->address == NULL)
            continue;
        if (check_block(block, block->size, (int32_t)id, "at the end, before free", failure))
            return failure->status;
        free(block->address);
    }
    return MREPLAY_EXIT_OK;
}

enum mreplay_exit replay_trace(const struct trace *trace, struct replay_failure *failure)
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
    enum mreplay_exit status = replay_ops(trace, blocks, failure);
    munmap(blocks, table_size);
    return status;
}
