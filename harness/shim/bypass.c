/* The slow ways in: calls that shim_measures_call() says are not measured.
 * From inside the allocator (the shim is ready, this thread is already in
 * it) a call goes straight to the allocator, uncounted; while the shim is
 * loading, the boot arena serves it. A block of the boot arena stays there:
 * freeing it does nothing, and resizing it moves it within the arena.
 *
 * One call from inside the allocator can only loop: one the shim would
 * forward to the very function running for this thread's measured call (the
 * allocator's calloc calling calloc, as the malloc + memset that GCC turns
 * into a tail call to calloc does). A tail call never grows the stack, so no
 * overflow would ever stop it. An allocator may call itself once or twice on
 * purpose (a retry after growing its heap, or a start-up that allocates), so
 * such calls are forwarded but counted while they nest: SELF_CALLS_MAX deep
 * with none returning, none will, and the program ends at once
 * (crash_self_call). The check costs the other bypassed calls one
 * predictable branch; measured calls nothing.
 */
#include <errno.h>
#include <string.h>

#include "shim.h"

/* Calls of the running function nested inside it past which it is a loop. */
#define SELF_CALLS_MAX 100

/* Calls of the running function, from inside it, that have not returned. */
static __thread unsigned self_calls __attribute__((tls_model("initial-exec")));

/* True when `target`, where the shim would forward a call from inside the
 * allocator, is the function running for this thread's measured call. */
static inline bool runs_now(AllocatorEntry target)
{
    const Call *call = shim_call;
    return SHIM_UNLIKELY(call != NULL && shim.serving[call->fn].entry == target);
}

/* One more call of the running function from inside it (`called`, as the
 * allocator called it); self_calls-- when it returns. */
static void self_call_begin(MstatsFunction called)
{
    if (++self_calls >= SELF_CALLS_MAX)
        crash_self_call(called, self_calls);
}

static __attribute__((noinline, cold)) void *malloc_again(size_t size, MstatsFunction called)
{
    self_call_begin(called);
    void *p = shim.allocator.malloc(size);
    self_calls--;
    return p;
}

static __attribute__((noinline, cold)) void *memalign_again(size_t alignment, size_t size,
                                                            MstatsFunction called)
{
    self_call_begin(called);
    void *p = shim.allocator.memalign(alignment, size);
    self_calls--;
    return p;
}

static __attribute__((noinline, cold)) void *calloc_again(size_t count, size_t size)
{
    self_call_begin(MSTATS_FN_CALLOC);
    void *p = shim.allocator.calloc(count, size);
    self_calls--;
    return p;
}

static __attribute__((noinline, cold)) void free_again(void *pointer)
{
    self_call_begin(MSTATS_FN_FREE);
    shim.allocator.free(pointer);
    self_calls--;
}

static __attribute__((noinline, cold)) void *realloc_again(void *pointer, size_t size,
                                                           MstatsFunction called)
{
    self_call_begin(called);
    void *p = shim.allocator.realloc(pointer, size);
    self_calls--;
    return p;
}

void *bypass_malloc(size_t size, size_t alignment, MstatsFunction called)
{
    if (shim_ready()) {
        if (alignment <= SHIM_ALIGNMENT) {
            if (runs_now((AllocatorEntry)shim.allocator.malloc))
                return malloc_again(size, called);
            return shim.allocator.malloc(size);
        }
        if (shim.allocator.memalign != NULL) {
            if (runs_now((AllocatorEntry)shim.allocator.memalign))
                return memalign_again(alignment, size, called);
            return shim.allocator.memalign(alignment, size);
        }
    }
    return boot_alloc(size, alignment);
}

void *bypass_calloc(size_t count, size_t size)
{
    if (shim_ready()) {
        if (runs_now((AllocatorEntry)shim.allocator.calloc))
            return calloc_again(count, size);
        return shim.allocator.calloc(count, size);
    }
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return boot_alloc(total, SHIM_ALIGNMENT); /* never reused: already zero */
}

void bypass_free(void *pointer)
{
    if (shim_ready() && !boot_owns(pointer)) {
        if (runs_now((AllocatorEntry)shim.allocator.free))
            free_again(pointer);
        else
            shim.allocator.free(pointer);
    }
}

void *bypass_realloc(void *pointer, size_t size, MstatsFunction called)
{
    if (shim_ready() && !boot_owns(pointer)) {
        if (runs_now((AllocatorEntry)shim.allocator.realloc))
            return realloc_again(pointer, size, called);
        return shim.allocator.realloc(pointer, size);
    }
    void *moved = boot_alloc(size, SHIM_ALIGNMENT);
    if (moved != NULL && pointer != NULL) {
        size_t old = boot_owns(pointer) ? boot_size(pointer) : 0;
        memcpy(moved, pointer, old < size ? old : size);
    }
    return moved;
}
