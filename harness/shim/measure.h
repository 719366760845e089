/* Measuring and checking one call of the malloc family: the figures (counts,
 * heap samples, requested and live bytes) and the checks on every block that
 * comes back or goes away. interpose.c forwards a call to the allocator and
 * hands the outcome here; violation.c turns a failed check into words.
 *
 * Every function here runs inside the shim (shim_enter held) for a measured
 * call, and may end the program through violation_exit.
 */
#ifndef MSTATS_SHIM_MEASURE_H
#define MSTATS_SHIM_MEASURE_H

#include "shim.h"
#include "violation.h"

/* Counts `call` and samples the heap for AVG; past the memory limit -> 68. */
SHIM_HIDDEN void measure_call(const Call *call);

/* A call that made a new block (malloc, calloc, the aligned family, realloc
 * of NULL): counts it, then checks `pointer` (91-94) and makes it live. NULL
 * is a failed call unless the request was for 0 bytes. */
SHIM_HIDDEN void measure_new_block(const Call *call, void *pointer);

/* free(call->old): checks that the pointer is live (95), then drops it. The
 * caller frees it in the allocator afterwards and then calls measure_call. */
SHIM_HIDDEN void measure_free(const Call *call);

/* A resize in progress: the block being resized, as it was. */
typedef struct {
    uintptr_t pointer;
    uint64_t size;
    uint32_t id;
} Resize;

/* Before realloc(call->old, ...) of a live block: checks that it is live (95)
 * and releases its extent, since the new block may overlap it (grown in place). */
SHIM_HIDDEN Resize measure_resize_begin(const Call *call);

/* After the allocator's realloc returned `result`: counts the call and either
 * restores the old block (failed), drops it (realloc(p, 0) freed it) or
 * replaces it by the checked new block. */
SHIM_HIDDEN void measure_resize_end(const Call *call, const Resize *old, void *result);

/* The requested size of the live block at `pointer`, or 0 when none. */
SHIM_HIDDEN uint64_t measure_live_size(uintptr_t pointer);

/* Past the memory limit the program stops with 68; `where` and `call` (NULL
 * inside sbrk/brk) say when. */
static inline void check_limit(uint64_t heap, const char *where, const Call *call)
{
    if (SHIM_UNLIKELY(heap > shim.memory_limit))
        fail_limit(heap, where, call);
}

#endif
