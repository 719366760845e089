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
    uint64_t *ids; /* one word per id: see trace_model.c */
    size_t ids_mapped;
    uint64_t live_raw;     /* requested bytes live now */
    uint64_t live_rounded; /* the same, each block rounded as trace_block_size_16() does */
    uint64_t live_blocks;  /* live blocks now */
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

/*
 * Apply OP (its id in range, or -1 for `f -1`) to MODEL and add it to TRACE's counts and
 * bounds. Returns TRACE_VERDICT_OK, or why the rules refuse it (then nothing changed).
 */
enum trace_verdict trace_model_apply(struct trace_model *model, const struct op_fields *op,
                                     struct trace *trace);

/* Append to REASON why OP got VERDICT from MODEL (call before applying anything else). */
void trace_model_explain(const struct trace_model *model, enum trace_verdict verdict,
                         const struct op_fields *op, struct text_buffer *reason);

#endif
