/*
 * trace_model.c: the ids, the rules and the bounds (see trace_model.h).
 *
 * The bounds follow the replay exactly: an `a`, and an `r` of an id holding no block, add a
 * block; an `r` of a live block replaces its old size by the new one in one step; an `f` of
 * a live block removes it; `f -1` and, under mdriver's rules, `f` of an id holding no block
 * change nothing. So PEAK-LIVE of a replay under mstats equals optimal_reuse.
 */
#include "trace_model.h"
#include "trace_memory.h"

/* The table holds one word per id: never allocated, allocated earlier but freed, or live
 * with SIZE, stored as SIZE + ID_LIVE_BIAS. A fresh mapping is zero: all "never". */
enum { ID_NEVER = 0, ID_FREED = 1, ID_LIVE_BIAS = 2 };

int trace_model_open(struct trace_model *model, enum trace_rules rules, uint64_t id_count)
{
    *model = (struct trace_model){.rules = rules};
    model->ids = trace_map_zeroed((size_t)id_count * sizeof *model->ids, &model->ids_mapped);
    return model->ids != NULL ? 0 : -1;
}

void trace_model_close(struct trace_model *model)
{
    trace_unmap(model->ids, model->ids_mapped);
    model->ids = NULL;
}

/* Add a block of SIZE to the live figures and raise the optimal bounds if need be. */
static void add_live(struct trace_model *model, uint64_t size, struct trace *trace)
{
    model->live_raw += size;
    model->live_rounded += trace_block_size_16(size);
    if (model->live_raw > trace->bounds.optimal_reuse)
        trace->bounds.optimal_reuse = model->live_raw;
    if (model->live_rounded > trace->bounds.optimal_reuse_16)
        trace->bounds.optimal_reuse_16 = model->live_rounded;
}

/* Remove a block of SIZE from the live figures. */
static void remove_live(struct trace_model *model, uint64_t size)
{
    model->live_raw -= size;
    model->live_rounded -= trace_block_size_16(size);
}

enum trace_verdict trace_model_apply(struct trace_model *model, const struct op_fields *op,
                                     struct trace *trace)
{
    if (op->id < 0) { /* f -1: free(NULL), nothing changes */
        trace->free_count++;
        return TRACE_VERDICT_OK;
    }
    uint64_t *slot = &model->ids[op->id];
    int is_live = *slot >= ID_LIVE_BIAS;
    int strict = model->rules == TRACE_RULES_STRICT;
    if (op->kind == 'a' && is_live)
        return TRACE_VERDICT_ALLOC_OF_LIVE;
    if (op->kind == 'f') {
        if (!is_live) {
            if (strict)
                return TRACE_VERDICT_EMPTY_FREE;
            trace->free_count++; /* free(NULL) */
            trace->empty_free_count++;
            return TRACE_VERDICT_OK;
        }
        remove_live(model, *slot - ID_LIVE_BIAS);
        model->live_blocks--;
        *slot = ID_FREED;
        trace->free_count++;
        return TRACE_VERDICT_OK;
    }
    if (op->kind == 'r' && !is_live && strict)
        return TRACE_VERDICT_EMPTY_REALLOC;
    if (__builtin_add_overflow(trace->bounds.no_reuse, op->size, &trace->bounds.no_reuse))
        return TRACE_VERDICT_REQUESTS_OVERFLOW;
    if (op->size > trace->largest_request)
        trace->largest_request = op->size;
    if (op->kind == 'a')
        trace->alloc_count++;
    else
        trace->realloc_count++;
    if (is_live) { /* r of a live block: the old size goes as the new one comes */
        remove_live(model, *slot - ID_LIVE_BIAS);
    } else { /* a, or r of an id holding no block (realloc(NULL, SIZE)): a new block */
        if (*slot == ID_NEVER)
            trace->ids_used++;
        if (op->kind == 'r')
            trace->empty_realloc_count++;
        model->live_blocks++;
    }
    *slot = op->size + ID_LIVE_BIAS;
    add_live(model, op->size, trace);
    return TRACE_VERDICT_OK;
}

void trace_model_explain(const struct trace_model *model, enum trace_verdict verdict,
                         const struct op_fields *op, struct text_buffer *reason)
{
    switch (verdict) {
    case TRACE_VERDICT_ALLOC_OF_LIVE:
        text_add(reason, "a of id ");
        text_add_i64(reason, op->id);
        text_add(reason, ", which is still live: free it first (ids are reused only after f)");
        break;
    case TRACE_VERDICT_EMPTY_REALLOC:
    case TRACE_VERDICT_EMPTY_FREE:
        text_add(reason, op->kind == 'r' ? "r (realloc) of id " : "f (free) of id ");
        text_add_i64(reason, op->id);
        text_add(reason, model->ids[op->id] == ID_NEVER ? ", which was never allocated"
                                                        : ", which is not live (already freed)");
        /* Only the strict rules get here: say what mdriver would have done instead. */
        text_add(reason, op->kind == 'r'
                             ? ": the strict rules refuse it (mdriver's call realloc(NULL, n))"
                             : ": the strict rules refuse it (mdriver's call free(NULL))");
        break;
    case TRACE_VERDICT_REQUESTS_OVERFLOW:
        text_add(reason, "the sizes requested so far add up to more than 2^64 bytes");
        break;
    default:
        break;
    }
}
