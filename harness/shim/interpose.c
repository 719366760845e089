/* The exported malloc family: the only file that knows about interposition.
 * Each entry point applies the bypass rule (shim.h), forwards a measured call
 * to the allocator inside the shim, and hands the outcome to measure.c.
 * Arguments that no allocator could serve (an overflowing size) are refused
 * here, the way glibc refuses them, and counted as failed calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "measure.h"
#include "start.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

__thread int shim_depth __attribute__((tls_model("initial-exec")));
__thread const Call *shim_call __attribute__((tls_model("initial-exec")));

/* The alignment every block of `call` must have: the checked one, or more. */
static inline uint64_t checked_alignment(size_t requested)
{
    return requested > shim.alignment ? requested : shim.alignment;
}

/* A request refused before reaching the allocator: errno = ENOMEM, NULL, and
 * a failed call in the figures when measured. */
static void *refuse(MstatsFunction fn, uintptr_t old, size_t count)
{
    errno = ENOMEM;
    if (shim_measures_call()) {
        Call call = {.fn = fn, .old = old, .count = count};
        bool locked = shim_enter(&call);
        measure_call(&call);
        shim.figures->failed_calls++;
        shim_leave(locked);
    }
    return NULL;
}

SHIM_EXPORT void *malloc(size_t size)
{
    if (SHIM_UNLIKELY(!shim_measures_call()))
        return bypass_malloc(size, SHIM_ALIGNMENT, MSTATS_FN_MALLOC);
    Call call = {.fn = MSTATS_FN_MALLOC, .size = size, .alignment = shim.alignment};
    bool locked = shim_enter(&call);
    void *p = shim.allocator.malloc(size);
    measure_new_block(&call, p);
    shim_leave(locked);
    return p;
}

SHIM_EXPORT void *calloc(size_t count, size_t size)
{
    if (SHIM_UNLIKELY(!shim_measures_call()))
        return bypass_calloc(count, size);
    size_t total;
    bool overflow = __builtin_mul_overflow(count, size, &total);
    Call call = {.fn = MSTATS_FN_CALLOC,
                 .count = count,
                 .size = overflow ? SIZE_MAX : total,
                 .alignment = shim.alignment};
    bool locked = shim_enter(&call);
    void *p = shim.allocator.calloc(count, size);
    if (overflow && p != NULL)
        call.size = 0; /* an allocator that ignores the overflow: checked as size 0 */
    measure_new_block(&call, p);
    shim_leave(locked);
    return p;
}

SHIM_EXPORT void free(void *pointer)
{
    if (SHIM_UNLIKELY(boot_owns(pointer) || !shim_measures_call())) {
        bypass_free(pointer);
        return;
    }
    Call call = {.fn = MSTATS_FN_FREE, .old = (uintptr_t)pointer};
    bool locked = shim_enter(&call);
    measure_free(&call);
    shim.allocator.free(pointer);
    measure_call(&call);
    if (SHIM_UNLIKELY(shim.recording) && !shim.heap_unmeasured)
        recorder_settle_heap();
    shim_leave(locked);
}

/* realloc and reallocarray of a measured call; `call` holds the request. */
static void *resize_block(const Call *call, void *pointer, size_t count, size_t size)
{
    const AllocatorFunctions *a = &shim.allocator;
    bool by_array = call->fn == MSTATS_FN_REALLOCARRAY &&
                    shim.serving[MSTATS_FN_REALLOCARRAY].name == MSTATS_FN_REALLOCARRAY;
    bool locked = shim_enter(call);
    void *result;
    if (pointer == NULL) {
        result = by_array ? a->reallocarray(NULL, count, size) : a->realloc(NULL, call->size);
        measure_new_block(call, result);
    } else {
        Resize old = measure_resize_begin(call);
        result = by_array ? a->reallocarray(pointer, count, size) : a->realloc(pointer, call->size);
        measure_resize_end(call, &old, result);
    }
    shim_leave(locked);
    return result;
}

SHIM_EXPORT void *realloc(void *pointer, size_t size)
{
    if (SHIM_UNLIKELY(boot_owns(pointer) || !shim_measures_call()))
        return bypass_realloc(pointer, size, MSTATS_FN_REALLOC);
    Call call = {.fn = MSTATS_FN_REALLOC,
                 .old = (uintptr_t)pointer,
                 .size = size,
                 .alignment = shim.alignment};
    return resize_block(&call, pointer, 1, size);
}

SHIM_EXPORT void *reallocarray(void *pointer, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total))
        return refuse(MSTATS_FN_REALLOCARRAY, (uintptr_t)pointer, count);
    if (SHIM_UNLIKELY(boot_owns(pointer) || !shim_measures_call()))
        return bypass_realloc(pointer, total, MSTATS_FN_REALLOCARRAY);
    Call call = {.fn = MSTATS_FN_REALLOCARRAY,
                 .old = (uintptr_t)pointer,
                 .count = count,
                 .size = total,
                 .alignment = shim.alignment};
    return resize_block(&call, pointer, count, size);
}

/* Allocates call->size bytes aligned to `alignment` with the function that
 * serves call->fn; malloc serves it only up to SHIM_ALIGNMENT: past that, a
 * missing aligned function is fatal (66). */
static void *allocate_aligned(const Call *call, size_t alignment, int *error)
{
    const AllocatorFunctions *a = &shim.allocator;
    void *p = NULL;
    *error = 0;
    switch (shim.serving[call->fn].name) {
    case MSTATS_FN_POSIX_MEMALIGN:
        *error = a->posix_memalign(&p, alignment, call->size);
        return *error == 0 ? p : NULL;
    case MSTATS_FN_ALIGNED_ALLOC:
        return a->aligned_alloc(alignment, call->size);
    case MSTATS_FN_MEMALIGN:
        return a->memalign(alignment, call->size);
    case MSTATS_FN_VALLOC:
        return a->valloc(call->size);
    case MSTATS_FN_PVALLOC:
        return a->pvalloc(call->size);
    default:
        if (alignment <= SHIM_ALIGNMENT)
            return a->malloc(call->size);
        fail_missing(mstats_function_name(call->fn), call);
    }
}

/* The aligned family: one path, checked against the larger of the checked
 * alignment and `alignment` (a power of two). */
static void *aligned_common(MstatsFunction fn, size_t alignment, size_t size, int *error)
{
    if (SHIM_UNLIKELY(!shim_measures_call())) {
        *error = 0;
        return bypass_malloc(size, alignment, fn);
    }
    Call call = {.fn = fn, .size = size, .alignment = checked_alignment(alignment)};
    bool locked = shim_enter(&call);
    void *p = allocate_aligned(&call, alignment, error);
    measure_new_block(&call, p);
    shim_leave(locked);
    return p;
}

static bool power_of_two(size_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

/* glibc's rule for memalign and aligned_alloc (2.36): an alignment that is
 * not a power of two is rounded up to one (0 to 1); one past SIZE_MAX / 2 + 1
 * is EINVAL. False for EINVAL. */
static bool round_alignment(size_t *alignment)
{
    if (*alignment > SIZE_MAX / 2 + 1)
        return false;
    size_t rounded = 1;
    while (rounded < *alignment)
        rounded <<= 1;
    *alignment = rounded;
    return true;
}

SHIM_EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
    if (!power_of_two(alignment) || alignment % sizeof(void *) != 0)
        return EINVAL;
    int error;
    void *p = aligned_common(MSTATS_FN_POSIX_MEMALIGN, alignment, size, &error);
    if (p == NULL)
        return error != 0 ? error : ENOMEM;
    *result = p;
    return 0;
}

SHIM_EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    if (!round_alignment(&alignment)) {
        errno = EINVAL;
        return NULL;
    }
    int error;
    return aligned_common(MSTATS_FN_ALIGNED_ALLOC, alignment, size, &error);
}

SHIM_EXPORT void *memalign(size_t alignment, size_t size)
{
    if (!round_alignment(&alignment)) {
        errno = EINVAL;
        return NULL;
    }
    int error;
    return aligned_common(MSTATS_FN_MEMALIGN, alignment, size, &error);
}

SHIM_EXPORT void *valloc(size_t size)
{
    int error;
    return aligned_common(MSTATS_FN_VALLOC, (size_t)sysconf(_SC_PAGESIZE), size, &error);
}

SHIM_EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded;
    if (__builtin_add_overflow(size, page - 1, &rounded))
        return refuse(MSTATS_FN_PVALLOC, 0, 0);
    int error;
    return aligned_common(MSTATS_FN_PVALLOC, page, rounded & ~(page - 1), &error);
}

SHIM_EXPORT size_t malloc_usable_size(void *pointer)
{
    if (pointer == NULL)
        return 0;
    if (boot_owns(pointer))
        return boot_size(pointer);
    if (!shim_ready())
        return 0;
    if (shim.allocator.malloc_usable_size != NULL)
        return shim.allocator.malloc_usable_size(pointer);
    /* An allocator without it: the requested size is what is known usable.
     * Asked from inside a call the shim is measuring (the allocator's own
     * code), this thread holds the shim already: entering again would take
     * the lock twice and forget the call a crash must name. */
    if (shim_depth > 0)
        return measure_live_size((uintptr_t)pointer);
    bool locked = shim_enter(NULL);
    size_t size = measure_live_size((uintptr_t)pointer);
    shim_leave(locked);
    return size;
}
