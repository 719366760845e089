/*
 * trace_model.h: what each operation of a trace means, apart from how it is written. It
 * keeps the state of every id (never allocated, freed, or live with a size), decides which
 * operations the rules allow, and accumulates the counts and the three bounds of trace.h.
 *
 * Under TRACE_RULES_MDRIVER an id that holds no block (never allocated, or freed) behaves
 * as in CS:APP's mdriver, which keeps a zeroed pointer per id: `r ID SIZE` is
 * realloc(NULL, SIZE), a fresh block of SIZE, and `f ID` is free(NULL), which changes
 * nothing. TRACE_RULES_STRICT rejects both, for traces written by hand.
 */
#ifndef MSTATS_TRACE_MODEL_H
#define MSTATS_TRACE_MODEL_H

#include "text_buffer.h"
#include "trace.h"
#include "trace_scan.h"

/* The state of a trace's ids while its operations are applied in order. */
struct trace_model {
    enum trace_rules rules;
    uint64_t *ids; /* one word per id: TRACE_ID_* below */
    size_t ids_mapped;
    uint64_t live_raw;       /* requested bytes live now */
    uint64_t live_rounded;   /* the same, each block rounded as trace_block_size_16() does */
    uint64_t live_header_8;  /* the same, each block as trace_header_block(size, 8) */
    uint64_t live_header_16; /* and as trace_header_block(size, 16) */
    uint64_t live_blocks;    /* live blocks now */
};

/* Why an operation was refused. */
enum trace_verdict {
    TRACE_VERDICT_OK,
    TRACE_VERDICT_ALLOC_OF_LIVE,     /* `a` of a live id (both rules) */
    TRACE_VERDICT_EMPTY_REALLOC,     /* `r` of an id holding no block (strict only) */
    TRACE_VERDICT_EMPTY_FREE,        /* `f` of an id holding no block (strict only) */
    TRACE_VERDICT_REQUESTS_OVERFLOW, /* the sizes requested add up to more than 2^64 */
};

/* Start MODEL for ID_COUNT ids, all holding no block. Returns 0, or -1 when the table
 * cannot be mapped. */
int trace_model_open(struct trace_model *model, enum trace_rules rules, uint64_t id_count);

/* Release MODEL's table. Safe on a model that failed to open or was never opened (zeroed). */
void trace_model_close(struct trace_model *model);

/* Append to REASON why OP got VERDICT from MODEL (call before applying anything else). */
void trace_model_explain(const struct trace_model *model, enum trace_verdict verdict,
                         const struct op_fields *op, struct text_buffer *reason);

/* The table holds one word per id: never allocated, allocated earlier but freed, or live
 * with SIZE, stored as SIZE + TRACE_ID_LIVE_BIAS. A fresh mapping is zero: all "never". */
enum { TRACE_ID_NEVER = 0, TRACE_ID_FREED = 1, TRACE_ID_LIVE_BIAS = 2 };

/*
 * The bounds follow the replay exactly: an `a`, and an `r` of an id holding no block, add a
 * block; an `r` of a live block replaces its old size by the new one in one step; an `f` of
 * a live block removes it; `f -1` and, under mdriver's rules, `f` of an id holding no block
 * change nothing. So PEAK-LIVE of a replay under mstats equals optimal_reuse.
 * Inline, as scan_plain_op() is: it runs once per operation of every trace.
 */

/* Add a block of SIZE to the live figures and raise the optimal bounds if need be. */
static inline void trace_model_add_live(struct trace_model *model, uint64_t size,
                                        struct trace *trace)
{
    model->live_raw += size;
    model->live_rounded += trace_block_size_16(size);
    if (model->live_raw > trace->bounds.optimal_reuse)
        trace->bounds.optimal_reuse = model->live_raw;
    if (model->live_rounded > trace->bounds.optimal_reuse_16)
        trace->bounds.optimal_reuse_16 = model->live_rounded;
    model->live_header_8 += trace_header_block(size, 8);
    model->live_header_16 += trace_header_block(size, 16);
    if (model->live_header_8 > trace->bounds.header_8)
        trace->bounds.header_8 = model->live_header_8;
    if (model->live_header_16 > trace->bounds.header_16)
        trace->bounds.header_16 = model->live_header_16;
}

/* Remove a block of SIZE from the live figures. */
static inline void trace_model_remove_live(struct trace_model *model, uint64_t size)
{
    model->live_raw -= size;
    model->live_rounded -= trace_block_size_16(size);
    model->live_header_8 -= trace_header_block(size, 8);
    model->live_header_16 -= trace_header_block(size, 16);
}

/*
 * Apply OP (its id in range, or -1 for `f -1`) to MODEL and add it to TRACE's counts and
 * bounds. Returns TRACE_VERDICT_OK, or why the rules refuse it (the parse then fails, so a refused
 * operation may have changed the counts).
 */
static inline enum trace_verdict trace_model_apply(struct trace_model *model,
                                                   const struct op_fields *op, struct trace *trace)
{
    if (op->id < 0) { /* f -1: free(NULL), nothing changes */
        trace->free_count++;
        return TRACE_VERDICT_OK;
    }
    uint64_t *slot = &model->ids[op->id];
    uint64_t state = *slot;
    int is_live = state >= TRACE_ID_LIVE_BIAS;
    if (op->kind == 'f') {
        trace->free_count++;
        if (is_live) {
            trace_model_remove_live(model, state - TRACE_ID_LIVE_BIAS);
            model->live_blocks--;
            *slot = TRACE_ID_FREED;
        } else if (model->rules == TRACE_RULES_STRICT) {
            return TRACE_VERDICT_EMPTY_FREE;
        } else {
            trace->empty_free_count++; /* free(NULL) */
        }
        return TRACE_VERDICT_OK;
    }
    if (is_live) {
        if (op->kind == 'a')
            return TRACE_VERDICT_ALLOC_OF_LIVE;
        /* r of a live block: the old size goes as the new one comes */
        trace_model_remove_live(model, state - TRACE_ID_LIVE_BIAS);
        trace->realloc_count++;
    } else { /* a, or r of an id holding no block (realloc(NULL, SIZE)): a new block */
        if (op->kind == 'a') {
            trace->alloc_count++;
        } else if (model->rules == TRACE_RULES_STRICT) {
            return TRACE_VERDICT_EMPTY_REALLOC;
        } else {
            trace->realloc_count++;
            trace->empty_realloc_count++;
        }
        trace->ids_used += state == TRACE_ID_NEVER;
        model->live_blocks++;
    }
    if (__builtin_add_overflow(trace->bounds.no_reuse, op->size, &trace->bounds.no_reuse))
        return TRACE_VERDICT_REQUESTS_OVERFLOW;
    if (op->size > trace->largest_request)
        trace->largest_request = op->size;
    *slot = op->size + TRACE_ID_LIVE_BIAS;
    trace_model_add_live(model, op->size, trace);
    return TRACE_VERDICT_OK;
}

#endif
