/* Measuring and checking one call: the steps every measured call goes through.
 *   1. the call is counted and the heap (break - heap start) sampled: MAX is
 *      the peak, AVG the mean over calls; past the memory limit -> 68;
 *   2. a returned block must lie in [heap start, break) (91), end by the break
 *      (92), be aligned (93) and not overlap a live block (94);
 *   3. a freed or reallocated pointer must be a live block's start (95).
 * With an mmap reference allocator (shim.heap_unmeasured) only step 1 and
 * the requested bytes are measured: its blocks are not in the heap.
 * Cost per call: O(1) figures and O(log64 span) live-index work, whatever the
 * block's size and the number of live blocks; no system call (the break is
 * the one the shim keeps: shim_break).
 */
#include "measure.h"

void measure_call(const Call *call)
{
    MstatsFigures *f = shim.figures;
    uint64_t heap = heap_note();
    f->calls[call->fn]++;
    f->heap_sum += heap;
    f->samples++;
    check_limit(heap, "after ", call);
}

/* Makes a block live in the index, or ends the run when the index cannot
 * hold it (more than LIVE_INDEX_HUGE_MAX blocks of 4 GiB or more, or no
 * memory for blocks closer than 8 bytes under --align 1). */
static void insert_live(uintptr_t p, uint64_t size, uint32_t id)
{
    if (SHIM_UNLIKELY(!live_index_insert(&shim.live, p, size, id)))
        violation_exit(MSTATS_CODE_NO_STATS,
                       size >= UINT32_MAX
                           ? "statistics could not be collected: more than 64 blocks of 4 GiB "
                             "or more live at once"
                           : "statistics could not be collected: the shim could not map its "
                             "bookkeeping memory");
}

/* Counts a block of `size` in or out of the header bounds (region_layout.h). */
static inline void count_header_bound(MstatsFigures *f, uint64_t size, bool live)
{
    for (int h = 0; h < MSTATS_HEADER_BOUNDS; h++) {
        uint64_t block = mstats_header_block(size, mstats_header_size(h));
        if (!live) {
            f->live_header[h] -= block;
            continue;
        }
        f->live_header[h] += block;
        if (f->live_header[h] > f->peak_header[h])
            f->peak_header[h] = f->live_header[h];
    }
}

/* Step 2: checks a returned block and makes it live under recording id `id`. */
static void add_block(const Call *call, void *pointer, uint32_t id)
{
    uintptr_t p = (uintptr_t)pointer;
    uintptr_t brk = shim_break();
    if (SHIM_UNLIKELY(p < shim.heap_start || p >= brk))
        fail_block(MSTATS_CODE_OUTSIDE_HEAP, call, p, brk, 0);
    if (SHIM_UNLIKELY(call->size > brk - p))
        fail_block(MSTATS_CODE_PAST_HEAP_END, call, p, brk, 0);
    if (SHIM_UNLIKELY((p & (call->alignment - 1)) != 0)) /* a power of two */
        fail_block(MSTATS_CODE_MISALIGNED, call, p, brk, 0);
    uintptr_t clash = live_index_clash(&shim.live, p, call->size);
    if (SHIM_UNLIKELY(clash != 0))
        fail_block(MSTATS_CODE_OVERLAP, call, p, brk, clash);
    insert_live(p, call->size, id);
    MstatsFigures *f = shim.figures;
    f->live += call->size;
    f->live_blocks++;
    if (f->live > f->peak_live)
        f->peak_live = f->live;
    count_header_bound(f, call->size, true);
}

/* Step 3: the live block at call->old, or the program stops with 95. */
static LiveBlock find_live(const Call *call)
{
    LiveBlock block;
    if (SHIM_UNLIKELY(!live_index_find(&shim.live, call->old, &block)))
        fail_not_live(call);
    return block;
}

static void drop_block(const LiveBlock *block)
{
    MstatsFigures *f = shim.figures;
    f->live -= block->size;
    f->live_blocks--;
    count_header_bound(f, block->size, false);
    live_index_remove(&shim.live, block->start);
}

void measure_new_block(const Call *call, void *pointer)
{
    measure_call(call);
    if (pointer == NULL) {
        if (call->size != 0)
            shim.figures->failed_calls++;
        return;
    }
    shim.figures->requested += call->size;
    if (shim.heap_unmeasured)
        return;
    uint32_t id = 0;
    if (SHIM_UNLIKELY(shim.recording)) {
        id = recorder_take_id();
        /* realloc(NULL, n) is written as mdriver writes it: `r` of a new id. */
        MstatsOpKind kind = call->fn == MSTATS_FN_REALLOC || call->fn == MSTATS_FN_REALLOCARRAY
                                ? MSTATS_OP_REALLOC
                                : MSTATS_OP_ALLOC;
        recorder_log(kind, call->fn, id, call->size, (uintptr_t)pointer);
    }
    add_block(call, pointer, id);
}

void measure_free(const Call *call)
{
    if (shim.heap_unmeasured)
        return;
    if (call->old == 0) {
        if (SHIM_UNLIKELY(shim.recording))
            recorder_log(MSTATS_OP_FREE_NULL, call->fn, 0, 0, 0);
        return;
    }
    LiveBlock block = find_live(call);
    if (SHIM_UNLIKELY(shim.recording)) {
        recorder_log(MSTATS_OP_FREE, call->fn, block.id, 0, 0);
        recorder_release_id(block.id);
    }
    drop_block(&block);
}

Resize measure_resize_begin(const Call *call)
{
    if (shim.heap_unmeasured)
        return (Resize){call->old, 0, 0};
    LiveBlock block = find_live(call);
    /* The new block may overlap the old one (grown in place): release first. */
    drop_block(&block);
    return (Resize){block.start, block.size, block.id};
}

void measure_resize_end(const Call *call, const Resize *old, void *result)
{
    measure_call(call);
    MstatsFigures *f = shim.figures;
    if (result == NULL && call->size != 0) {
        /* Failed: the old block stays live and unchanged. */
        f->failed_calls++;
        if (shim.heap_unmeasured)
            return;
        insert_live(old->pointer, old->size, old->id);
        f->live += old->size;
        f->live_blocks++;
        count_header_bound(f, old->size, true);
        return;
    }
    if (result == NULL) {
        /* realloc(p, 0) that freed p (glibc's behaviour). */
        if (SHIM_UNLIKELY(shim.recording)) {
            recorder_log(MSTATS_OP_FREE, call->fn, old->id, 0, 0);
            recorder_release_id(old->id);
        }
        return;
    }
    f->requested += call->size;
    if (shim.heap_unmeasured)
        return;
    if (SHIM_UNLIKELY(shim.recording))
        recorder_log(MSTATS_OP_REALLOC, call->fn, old->id, call->size, (uintptr_t)result);
    add_block(call, result, old->id);
}

uint64_t measure_live_size(uintptr_t pointer)
{
    LiveBlock block;
    return live_index_find(&shim.live, pointer, &block) ? block.size : 0;
}
