/* The exported malloc family and sbrk/brk: the only file that knows about
 * interposition. Each call is forwarded to the allocator, then measured and
 * checked:
 *   1. the call is counted and the heap (break - heap start) sampled: MAX is
 *      the peak, AVG the mean over calls; past the memory limit -> 68;
 *   2. a returned block must lie in [heap start, break) (91), end by the break
 *      (92), be 16-aligned (93) and not overlap a live block (94, shadow bitmap);
 *   3. a freed or reallocated pointer must be live (95, live table).
 * Calls made before the allocator is ready, and calls the allocator makes into
 * the family itself (shim_depth > 0), bypass all of this.
 * Cost per call: one lock when the program has threads, O(1) table and bitmap
 * work, no system call (the break is read from glibc's cached __curbrk).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/single_threaded.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* >0 while this thread is inside the shim: a malloc call from the allocator
 * itself then goes straight to the allocator, uncounted. */
static __thread int shim_depth __attribute__((tls_model("initial-exec")));

/* What the program asked for, for counting and for the words of a REASON. */
typedef struct {
    MstatsFunction fn;
    uintptr_t old;      /* realloc/free argument */
    uint64_t count;     /* calloc/reallocarray element count */
    uint64_t size;      /* requested bytes (for calloc: count * element size) */
    uint64_t alignment; /* required alignment of the result */
} Call;

static inline bool shim_ready(void)
{
    return SHIM_LIKELY(__atomic_load_n(&shim.phase, __ATOMIC_ACQUIRE) == SHIM_READY);
}

/* Enters the shim; returns whether the lock was taken. A single-threaded
 * program (glibc's flag, cleared by the first pthread_create) needs none. */
static inline bool shim_enter(void)
{
    shim_depth++;
    bool locked = !__libc_single_threaded;
    if (locked)
        pthread_mutex_lock(&shim.lock);
    return locked;
}

static inline void shim_leave(bool locked)
{
    if (locked)
        pthread_mutex_unlock(&shim.lock);
    shim_depth--;
}

static void describe_call(struct text_buffer *r, const Call *call)
{
    text_add(r, mstats_function_name(call->fn));
    text_add(r, "(");
    switch (call->fn) {
    case MSTATS_FN_CALLOC:
        text_add_u64(r, call->count);
        text_add(r, ", ");
        text_add_u64(r, call->count ? call->size / call->count : 0);
        break;
    case MSTATS_FN_REALLOC:
        text_add_hex(r, call->old, 1);
        text_add(r, ", ");
        text_add_u64(r, call->size);
        break;
    case MSTATS_FN_REALLOCARRAY:
        text_add_hex(r, call->old, 1);
        text_add(r, ", ");
        text_add_u64(r, call->count);
        text_add(r, ", ");
        text_add_u64(r, call->count ? call->size / call->count : 0);
        break;
    case MSTATS_FN_POSIX_MEMALIGN:
    case MSTATS_FN_ALIGNED_ALLOC:
    case MSTATS_FN_MEMALIGN:
        text_add_u64(r, call->alignment);
        text_add(r, ", ");
        text_add_u64(r, call->size);
        break;
    case MSTATS_FN_FREE:
        text_add_hex(r, call->old, 1);
        break;
    default:
        text_add_u64(r, call->size);
        break;
    }
    text_add(r, ")");
}

static void add_range(struct text_buffer *r, uintptr_t from, uintptr_t to)
{
    text_add(r, "[");
    text_add_hex(r, from, 1);
    text_add(r, ", ");
    text_add_hex(r, to, 1);
    text_add(r, ")");
}

/* The live block containing `address`, found by a scan: failure path only. */
static const LiveBlock *live_block_containing(uintptr_t address)
{
    for (uint64_t i = 0; i <= shim.live.mask; i++) {
        const LiveBlock *b = &shim.live.slots[i];
        uint64_t extent = shadow_granules(b->size) * SHADOW_GRANULE;
        if (b->pointer != 0 && address >= b->pointer && address - b->pointer < extent)
            return b;
    }
    return NULL;
}

static __attribute__((noreturn, cold)) void fail_limit(uint64_t heap, const char *where,
                                                       const Call *call)
{
    char words[MSTATS_REASON_MAX];
    struct text_buffer r;
    text_init(&r, words, sizeof words);
    text_add(&r, "heap grew to ");
    text_add_u64(&r, heap);
    text_add(&r, " bytes, past the memory limit of ");
    text_add_u64(&r, shim.memory_limit);
    text_add(&r, " bytes ");
    text_add(&r, where);
    if (call != NULL)
        describe_call(&r, call);
    violation_exit(68, words);
}

static __attribute__((noreturn, cold)) void fail_block(int code, const Call *call, uintptr_t p,
                                                       uintptr_t brk, uintptr_t clash)
{
    char words[MSTATS_REASON_MAX];
    struct text_buffer r;
    text_init(&r, words, sizeof words);
    uint64_t extent = call->size;
    if (code == 91) {
        text_add(&r, "pointer ");
        text_add_hex(&r, p, 1);
        text_add(&r, " outside the heap ");
        add_range(&r, shim.heap_start, brk);
    } else if (code == 92) {
        text_add(&r, "block ");
        add_range(&r, p, p + extent);
        text_add(&r, " runs past the heap end ");
        text_add_hex(&r, brk, 1);
    } else if (code == 93) {
        text_add(&r, "pointer ");
        text_add_hex(&r, p, 1);
        text_add(&r, " not aligned to ");
        text_add_u64(&r, call->alignment);
        text_add(&r, " bytes");
    } else {
        text_add(&r, "block ");
        add_range(&r, p, p + extent);
        text_add(&r, " overlaps live block");
        const LiveBlock *other = live_block_containing(clash);
        if (other != NULL) {
            text_add(&r, " ");
            add_range(&r, other->pointer, other->pointer + other->size);
        } else {
            text_add(&r, " at ");
            text_add_hex(&r, clash, 1);
        }
    }
    text_add(&r, " returned by ");
    describe_call(&r, call);
    violation_exit(code, words);
}

static __attribute__((noreturn, cold)) void fail_not_live(const Call *call)
{
    char words[MSTATS_REASON_MAX];
    struct text_buffer r;
    text_init(&r, words, sizeof words);
    describe_call(&r, call);
    uintptr_t p = call->old;
    const LiveBlock *inside = live_block_containing(p);
    if (inside != NULL) {
        text_add(&r, " of a pointer inside live block ");
        add_range(&r, inside->pointer, inside->pointer + inside->size);
    } else if (shadow_covers(&shim.shadow, p) && p % SHADOW_GRANULE == 0 &&
               shadow_was_start(&shim.shadow, p)) {
        text_add(&r, " of a block already freed");
    } else {
        text_add(&r, " of a pointer the allocator never returned");
    }
    violation_exit(95, words);
}

static __attribute__((noreturn, cold)) void fail_missing(const char *function, const Call *call)
{
    char words[MSTATS_REASON_MAX];
    struct text_buffer r;
    text_init(&r, words, sizeof words);
    text_add(&r, "allocator lacks ");
    text_add(&r, function);
    text_add(&r, ", needed for ");
    describe_call(&r, call);
    violation_exit(66, words);
}

/* Reads the heap size (break - heap start) into heap_now and MAX. */
static inline uint64_t note_heap(void)
{
    MstatsFigures *f = shim.figures;
    uintptr_t brk = shim_break();
    uint64_t heap = brk > shim.heap_start ? brk - shim.heap_start : 0;
    f->heap_now = heap;
    if (heap > f->heap_max)
        f->heap_max = heap;
    return heap;
}

/* Past the memory limit the program stops with 68; `where` and `call` say
 * when. Called once the figures are complete, so the region stays coherent. */
static inline void check_limit(uint64_t heap, const char *where, const Call *call)
{
    if (SHIM_UNLIKELY(heap > shim.memory_limit))
        fail_limit(heap, where, call);
}

/* Step 1: counts the call and samples the heap for AVG. */
static inline void count_call(const Call *call)
{
    MstatsFigures *f = shim.figures;
    uint64_t heap = note_heap();
    f->calls[call->fn]++;
    f->heap_sum += heap;
    f->samples++;
    check_limit(heap, "after ", call);
}

/* Step 2: checks a returned block and makes it live under recording id `id`. */
static inline void add_block(const Call *call, void *pointer, uint64_t id)
{
    uintptr_t p = (uintptr_t)pointer;
    uintptr_t brk = shim_break();
    if (SHIM_UNLIKELY(p < shim.heap_start || p >= brk))
        fail_block(91, call, p, brk, 0);
    if (SHIM_UNLIKELY(call->size > brk - p))
        fail_block(92, call, p, brk, 0);
    if (SHIM_UNLIKELY(p % call->alignment != 0))
        fail_block(93, call, p, brk, 0);
    uintptr_t clash = shadow_claim(&shim.shadow, p, call->size);
    if (SHIM_UNLIKELY(clash != 0))
        fail_block(94, call, p, brk, clash);
    live_table_insert(&shim.live, p, call->size, id);
    MstatsFigures *f = shim.figures;
    f->live += call->size;
    f->live_blocks++;
    if (f->live > f->peak_live)
        f->peak_live = f->live;
}

/* Step 3: the live block at `pointer`, or the program stops with 95. */
static inline LiveBlock *find_live(const Call *call)
{
    LiveBlock *block = live_table_find(&shim.live, call->old);
    if (SHIM_UNLIKELY(block == NULL))
        fail_not_live(call);
    return block;
}

static inline void drop_block(LiveBlock *block)
{
    MstatsFigures *f = shim.figures;
    f->live -= block->size;
    f->live_blocks--;
    live_table_remove(&shim.live, block);
}

/* A new block (malloc, calloc, aligned variants, realloc of NULL). */
static inline void new_block_done(const Call *call, void *pointer)
{
    count_call(call);
    if (pointer == NULL) {
        if (call->size != 0)
            shim.figures->failed_calls++;
        return;
    }
    shim.figures->requested += call->size;
    uint32_t id = 0;
    if (SHIM_UNLIKELY(shim.recording)) {
        id = recorder_take_id();
        recorder_log(MSTATS_OP_ALLOC, id, call->size, (uintptr_t)pointer);
    }
    add_block(call, pointer, id);
}

/* For a call that found the shim not started: starts it, and returns true
 * when the caller should now take its normal (measured) path. */
static bool started_now(void)
{
    if (shim.phase != SHIM_UNLOADED)
        return false;
    shim_start();
    return shim_ready() && shim_depth == 0;
}

/* The slow ways in: while the shim is loading, or from inside the allocator. */
static void *malloc_bypass(size_t size, size_t alignment)
{
    if (shim_ready() && alignment <= SHIM_ALIGNMENT)
        return shim.allocator.malloc(size);
    return boot_alloc(size, alignment);
}

SHIM_EXPORT void *malloc(size_t size)
{
    if (SHIM_UNLIKELY(!shim_ready() || shim_depth != 0))
        return started_now() ? malloc(size) : malloc_bypass(size, SHIM_ALIGNMENT);
    bool locked = shim_enter();
    void *p = shim.allocator.malloc(size);
    Call call = {.fn = MSTATS_FN_MALLOC, .size = size, .alignment = SHIM_ALIGNMENT};
    new_block_done(&call, p);
    shim_leave(locked);
    return p;
}

SHIM_EXPORT void *calloc(size_t count, size_t size)
{
    size_t total;
    bool overflow = __builtin_mul_overflow(count, size, &total);
    if (SHIM_UNLIKELY(!shim_ready() || shim_depth != 0)) {
        if (started_now())
            return calloc(count, size);
        if (shim_ready() && shim_depth != 0)
            return shim.allocator.calloc(count, size);
        if (overflow) {
            errno = ENOMEM;
            return NULL;
        }
        void *p = malloc_bypass(total, SHIM_ALIGNMENT);
        if (p != NULL && !boot_owns(p))
            memset(p, 0, total);
        return p;
    }
    bool locked = shim_enter();
    void *p = shim.allocator.calloc(count, size);
    Call call = {.fn = MSTATS_FN_CALLOC,
                 .count = count,
                 .size = overflow ? SIZE_MAX : total,
                 .alignment = SHIM_ALIGNMENT};
    if (overflow && p != NULL)
        call.size = 0; /* an allocator that ignores the overflow: checked as size 0 */
    new_block_done(&call, p);
    shim_leave(locked);
    return p;
}

SHIM_EXPORT void free(void *pointer)
{
    if (SHIM_UNLIKELY(boot_owns(pointer)))
        return;
    if (SHIM_UNLIKELY(!shim_ready() || shim_depth != 0)) {
        if (shim_ready())
            shim.allocator.free(pointer);
        return;
    }
    bool locked = shim_enter();
    Call call = {.fn = MSTATS_FN_FREE, .old = (uintptr_t)pointer};
    if (pointer == NULL) {
        if (SHIM_UNLIKELY(shim.recording))
            recorder_log(MSTATS_OP_FREE_NULL, 0, 0, 0);
        shim.allocator.free(pointer);
        count_call(&call);
        shim_leave(locked);
        return;
    }
    LiveBlock *block = find_live(&call);
    shadow_release(&shim.shadow, block->pointer, block->size);
    if (SHIM_UNLIKELY(shim.recording)) {
        recorder_log(MSTATS_OP_FREE, (uint32_t)block->id, 0, 0);
        recorder_release_id((uint32_t)block->id);
    }
    drop_block(block);
    shim.allocator.free(pointer);
    count_call(&call);
    shim_leave(locked);
}

/* realloc and reallocarray once the shim is ready; `call` holds the request. */
static void *resize_block(const Call *call, void *pointer, size_t count, size_t size)
{
    bool locked = shim_enter();
    void *result;
    if (pointer == NULL) {
        result = call->fn == MSTATS_FN_REALLOC || shim.allocator.reallocarray == NULL
                     ? shim.allocator.realloc(NULL, call->size)
                     : shim.allocator.reallocarray(NULL, count, size);
        new_block_done(call, result);
        shim_leave(locked);
        return result;
    }
    LiveBlock *block = find_live(call);
    uint64_t old_size = block->size;
    uint32_t id = (uint32_t)block->id;
    /* The new block may overlap the old one (grown in place): release first. */
    shadow_release(&shim.shadow, block->pointer, old_size);
    result = call->fn == MSTATS_FN_REALLOC || shim.allocator.reallocarray == NULL
                 ? shim.allocator.realloc(pointer, call->size)
                 : shim.allocator.reallocarray(pointer, count, size);
    count_call(call);
    if (result == NULL && call->size != 0) {
        /* Failed: the old block stays live and unchanged. */
        shim.figures->failed_calls++;
        shadow_claim(&shim.shadow, (uintptr_t)pointer, old_size);
        shim_leave(locked);
        return NULL;
    }
    drop_block(block);
    if (result == NULL) {
        /* realloc(p, 0) that freed p (glibc's behaviour). */
        if (SHIM_UNLIKELY(shim.recording)) {
            recorder_log(MSTATS_OP_FREE, id, 0, 0);
            recorder_release_id(id);
        }
        shim_leave(locked);
        return NULL;
    }
    shim.figures->requested += call->size;
    if (SHIM_UNLIKELY(shim.recording))
        recorder_log(MSTATS_OP_REALLOC, id, call->size, (uintptr_t)result);
    add_block(call, result, id);
    shim_leave(locked);
    return result;
}

/* realloc of a boot block, or before the shim is ready: stays in the boot arena. */
static void *realloc_bypass(void *pointer, size_t size)
{
    if (started_now() && !boot_owns(pointer))
        return realloc(pointer, size);
    if (shim_ready() && shim_depth != 0 && !boot_owns(pointer))
        return shim.allocator.realloc(pointer, size);
    void *moved = boot_alloc(size, SHIM_ALIGNMENT);
    if (moved != NULL && pointer != NULL) {
        size_t old = boot_owns(pointer) ? boot_size(pointer) : 0;
        memcpy(moved, pointer, old < size ? old : size);
    }
    return moved;
}

SHIM_EXPORT void *realloc(void *pointer, size_t size)
{
    if (SHIM_UNLIKELY(!shim_ready() || shim_depth != 0 || boot_owns(pointer)))
        return realloc_bypass(pointer, size);
    Call call = {.fn = MSTATS_FN_REALLOC,
                 .old = (uintptr_t)pointer,
                 .size = size,
                 .alignment = SHIM_ALIGNMENT};
    return resize_block(&call, pointer, 1, size);
}

SHIM_EXPORT void *reallocarray(void *pointer, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        if (shim_ready() && shim_depth == 0) {
            bool locked = shim_enter();
            Call call = {.fn = MSTATS_FN_REALLOCARRAY, .old = (uintptr_t)pointer, .count = count};
            count_call(&call);
            shim.figures->failed_calls++;
            shim_leave(locked);
        }
        return NULL;
    }
    if (SHIM_UNLIKELY(!shim_ready() || shim_depth != 0 || boot_owns(pointer)))
        return realloc_bypass(pointer, total);
    Call call = {.fn = MSTATS_FN_REALLOCARRAY,
                 .old = (uintptr_t)pointer,
                 .count = count,
                 .size = total,
                 .alignment = SHIM_ALIGNMENT};
    return resize_block(&call, pointer, count, size);
}

/* Allocates `size` bytes aligned to `alignment` with the best function the
 * allocator has; a missing one is fatal (66) only when it is really needed. */
static void *allocate_aligned(const Call *call, int *error)
{
    const AllocatorFunctions *a = &shim.allocator;
    size_t alignment = call->alignment;
    void *p = NULL;
    *error = 0;
    if (call->fn == MSTATS_FN_POSIX_MEMALIGN && a->posix_memalign != NULL) {
        *error = a->posix_memalign(&p, alignment, call->size);
        return *error == 0 ? p : NULL;
    }
    if (call->fn == MSTATS_FN_ALIGNED_ALLOC && a->aligned_alloc != NULL)
        return a->aligned_alloc(alignment, call->size);
    if (call->fn == MSTATS_FN_VALLOC && a->valloc != NULL)
        return a->valloc(call->size);
    if (call->fn == MSTATS_FN_PVALLOC && a->pvalloc != NULL)
        return a->pvalloc(call->size);
    if (a->memalign != NULL)
        return a->memalign(alignment, call->size);
    if (a->posix_memalign != NULL) {
        *error = a->posix_memalign(&p, alignment, call->size);
        return *error == 0 ? p : NULL;
    }
    if (a->aligned_alloc != NULL)
        return a->aligned_alloc(alignment, call->size);
    if (alignment <= SHIM_ALIGNMENT)
        return a->malloc(call->size);
    fail_missing(mstats_function_name(call->fn), call);
}

static bool valid_alignment(size_t alignment)
{
    return alignment != 0 && (alignment & (alignment - 1)) == 0;
}

/* The aligned family: one path, checked against max(16, alignment). */
static void *aligned_common(MstatsFunction fn, size_t alignment, size_t size, int *error)
{
    if (SHIM_UNLIKELY(!shim_ready() || shim_depth != 0) && started_now())
        return aligned_common(fn, alignment, size, error);
    if (SHIM_UNLIKELY(!shim_ready() || shim_depth != 0)) {
        *error = 0;
        if (shim_ready() && shim.allocator.memalign != NULL)
            return shim.allocator.memalign(alignment, size);
        return malloc_bypass(size, alignment);
    }
    bool locked = shim_enter();
    Call call = {.fn = fn,
                 .size = size,
                 .alignment = alignment > SHIM_ALIGNMENT ? alignment : SHIM_ALIGNMENT};
    void *p = allocate_aligned(&call, error);
    new_block_done(&call, p);
    shim_leave(locked);
    return p;
}

SHIM_EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
    if (!valid_alignment(alignment) || alignment % sizeof(void *) != 0)
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
    if (!valid_alignment(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    int error;
    return aligned_common(MSTATS_FN_ALIGNED_ALLOC, alignment, size, &error);
}

SHIM_EXPORT void *memalign(size_t alignment, size_t size)
{
    if (!valid_alignment(alignment)) {
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
    int error;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return aligned_common(MSTATS_FN_PVALLOC, page, (size + page - 1) & ~(page - 1), &error);
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
    /* An allocator without it: the requested size is what is known usable. */
    bool locked = shim_enter();
    LiveBlock *block = live_table_find(&shim.live, (uintptr_t)pointer);
    size_t size = block != NULL ? block->size : 0;
    shim_leave(locked);
    return size;
}

void heap_note_break(const char *cause)
{
    if (shim.figures != NULL)
        check_limit(note_heap(), cause, NULL);
}

SHIM_EXPORT void *sbrk(intptr_t increment)
{
    void *old = __sbrk(increment);
    if (old != (void *)-1 && increment != 0 && shim.phase != SHIM_UNLOADED)
        heap_note_break("in sbrk");
    return old;
}

SHIM_EXPORT int brk(void *address)
{
    if (shim.real_brk == NULL)
        shim_start();
    if (shim.real_brk == NULL) {
        errno = ENOSYS;
        return -1;
    }
    int result = shim.real_brk(address);
    if (result == 0 && shim.phase != SHIM_UNLOADED)
        heap_note_break("in brk");
    return result;
}
