/* Comparing two recordings of one workload (diff.h). */
#include "diff.h"

#include <string.h>

/* TRUE when both runs made the same call: kind, function, id and size. */
static gboolean same_call(const MstatsRecordedOp *a, const MstatsRecordedOp *b)
{
    return a->kind == b->kind && a->function == b->function && a->id == b->id && a->size == b->size;
}

static gboolean makes_block(const MstatsRecordedOp *op)
{
    return op->kind == MSTATS_OP_ALLOC || op->kind == MSTATS_OP_REALLOC;
}

/* The live blocks of a run, by id, as its calls are replayed. */
typedef struct {
    guint64 *offset;
    guint64 *size; /* G_MAXUINT64: no live block */
} LiveBlocks;

static void replay_until(const DiffRecording *run, guint64 call, LiveBlocks *live)
{
    live->offset = g_new0(guint64, MAX(run->ids, 1));
    live->size = g_new(guint64, MAX(run->ids, 1));
    memset(live->size, 0xff, sizeof(guint64) * MAX(run->ids, 1));
    for (guint64 i = 0; i + 1 < call && i < run->count; i++) {
        const MstatsRecordedOp *op = &run->ops[i];
        if (op->id >= run->ids || op->kind == MSTATS_OP_FREE_NULL)
            continue;
        if (op->kind == MSTATS_OP_FREE) {
            live->size[op->id] = G_MAXUINT64;
        } else {
            live->offset[op->id] = op->offset;
            live->size[op->id] = op->size;
        }
    }
}

/* Where run's call `call` (1-based, within the recording) put its block, and
 * the size of the block a free released (*freed). */
static DiffPlacement place(const DiffRecording *run, guint64 call, guint64 *freed)
{
    const MstatsRecordedOp *op = &run->ops[call - 1];
    DiffPlacement placement = {.heap_before = diff_heap_after(run, call - 1),
                               .heap_after = op->heap};
    LiveBlocks live;
    replay_until(run, call, &live);
    if (op->id < run->ids && op->kind == MSTATS_OP_FREE && live.size[op->id] != G_MAXUINT64)
        *freed = live.size[op->id];
    if (makes_block(op) && op->id < run->ids) {
        live.size[op->id] = G_MAXUINT64; /* a realloc's old block is the new one's to take */
        placement.placed = TRUE;
        placement.offset = op->offset;
        placement.at_top = TRUE;
        placement.gap_end = placement.heap_before;
        for (guint32 id = 0; id < run->ids; id++) {
            if (live.size[id] == G_MAXUINT64)
                continue;
            guint64 start = live.offset[id], end = start + MAX(live.size[id], 1);
            if (end <= op->offset && end > placement.gap_start)
                placement.gap_start = end;
            if (start >= op->offset && (placement.at_top || start < placement.gap_end)) {
                placement.gap_end = start;
                placement.at_top = FALSE;
            }
        }
        if (placement.at_top && placement.gap_end < placement.gap_start)
            placement.gap_end = placement.gap_start;
    }
    g_free(live.offset);
    g_free(live.size);
    return placement;
}

/* Fills `call` for call number `number` of both runs. */
static void tell_call(const DiffRecording runs[2], guint64 number, DiffCall *call)
{
    const MstatsRecordedOp *op = &runs[0].ops[number - 1];
    call->call = number;
    call->function = op->function;
    call->kind = op->kind;
    call->size = op->size;
    for (int r = 0; r < 2; r++) {
        guint64 freed = 0;
        call->placement[r] = place(&runs[r], number, &freed);
        if (op->kind == MSTATS_OP_FREE)
            call->size = freed;
    }
}

void diff_compare(const DiffRecording runs[2], DiffFigures *figures)
{
    memset(figures, 0, sizeof *figures);
    guint64 common = MIN(runs[0].count, runs[1].count), widest_gap = 0;
    figures->comparable = TRUE;
    guint64 i = 0;
    for (; i < common; i++) {
        const MstatsRecordedOp *a = &runs[0].ops[i], *b = &runs[1].ops[i];
        if (!same_call(a, b)) {
            figures->comparable = FALSE;
            figures->differ_from = i + 1;
            break;
        }
        const guint64 heap[2] = {a->heap, b->heap};
        for (int r = 0; r < 2; r++)
            if (heap[r] > figures->max[r] || figures->max_call[r] == 0) {
                figures->max[r] = heap[r];
                figures->max_call[r] = i + 1;
            }
        if (figures->parted.call == 0 && makes_block(a) && a->offset != b->offset)
            figures->parted.call = i + 1;
        if (heap[0] == heap[1])
            continue;
        if (figures->split.call == 0)
            figures->split.call = i + 1;
        guint64 gap = heap[0] > heap[1] ? heap[0] - heap[1] : heap[1] - heap[0];
        if (gap > widest_gap) {
            widest_gap = gap;
            figures->widest = i + 1;
            figures->widest_heap[0] = heap[0];
            figures->widest_heap[1] = heap[1];
        }
    }
    figures->calls = i;
    figures->same_length = figures->comparable && runs[0].count == runs[1].count;
    if (figures->parted.call != 0)
        tell_call(runs, figures->parted.call, &figures->parted);
    if (figures->split.call != 0)
        tell_call(runs, figures->split.call, &figures->split);
}

char *diff_call_words(const DiffCall *call)
{
    const char *function =
        call->function < MSTATS_FN_COUNT ? mstats_function_name(call->function) : "call";
    if (call->kind == MSTATS_OP_FREE_NULL)
        return g_strdup_printf("%s(NULL)", function);
    if (call->kind == MSTATS_OP_FREE)
        return g_strdup_printf("%s of a %" G_GUINT64_FORMAT "-byte block", function, call->size);
    return g_strdup_printf("%s of %" G_GUINT64_FORMAT " bytes", function, call->size);
}
