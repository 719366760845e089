/*
 * trace_model.c: opening and closing the id table, and the messages for refused operations
 * (see trace_model.h; applying an operation is inline there).
 */
#include "trace_model.h"
#include "trace_memory.h"

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
        text_add(reason, model->ids[op->id] == TRACE_ID_NEVER
                             ? ", which was never allocated"
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
