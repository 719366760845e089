/*
 * bound.c - the header bound of a trace (bound.h). libc only, no malloc:
 * bench-replay runs it on the allocator under test.
 */
#include "bound.h"

#include <sys/mman.h>

/* The bytes our block layout spends on an n-byte request. */
static uint64_t layout_block_size(uint64_t n)
{
    uint64_t size = (n + 8 + 15) & ~(uint64_t)15;
    return size < 32 ? 32 : size;
}

uint64_t trace_header_bound(const struct trace *trace)
{
    size_t bytes = (trace->id_count ? trace->id_count : 1) * sizeof(uint64_t);
    uint64_t *live = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (live == MAP_FAILED)
        return 0;
    uint64_t now = 0, peak = 0;
    for (uint64_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        if (op->id < 0)
            continue;
        now -= live[op->id];
        live[op->id] = op->kind == TRACE_OP_FREE ? 0 : layout_block_size(op->size);
        now += live[op->id];
        if (now > peak)
            peak = now;
    }
    munmap(live, bytes);
    return peak;
}
