/*
 * buddy_allocator.c - the buddy strategy's entry points (core/allocator.h's
 * core_* names, which core/exports.c maps onto the standard ones).
 *
 * One lock serialises every call, skipped while the process has never
 * started a thread, as in core/allocator.c. malloc takes a block of the
 * smallest order (buddy_tree.c); free merges it with its buddies; realloc
 * keeps the block when it already fits (splitting off the halves it no
 * longer needs), grows it in place when its buddies are free, and moves it
 * otherwise. Under MSTATS_VERIFY the whole heap is checked after every call
 * (buddy_verify.c) and payloads are poisoned (0xAA placed, 0x55 freed).
 */
#include "allocator.h"

#include <errno.h>
#include <string.h>
#include <sys/single_threaded.h>

#include "buddy.h"
#include "fail.h"
#include "free_bin.h"

static const char strategy_name[] = "buddy";

/* A child of fork() must not inherit the lock held by another thread. */
static void lock_before_fork(void)
{
    pthread_mutex_lock(&buddy.lock);
}
static void unlock_after_fork(void)
{
    pthread_mutex_unlock(&buddy.lock);
}

__attribute__((constructor)) static void allocator_setup(void)
{
    allocator_fail_set_strategy(strategy_name);
    pthread_atfork(lock_before_fork, unlock_after_fork, unlock_after_fork);
}

/* Takes the lock (unless the process is single-threaded: core/allocator.c's
 * lock_heap says why that is safe) and makes sure the heap exists. Returns
 * false (lock not held, errno = ENOMEM) when it cannot be set up. */
static bool lock_heap(void)
{
    bool lock = !__libc_single_threaded;
    if (lock)
        pthread_mutex_lock(&buddy.lock);
    buddy.locked = lock;
    if (buddy.base || buddy_heap_init())
        return true;
    buddy.locked = false;
    if (lock)
        pthread_mutex_unlock(&buddy.lock);
    errno = ENOMEM;
    return false;
}

/* Verifies the heap (MSTATS_VERIFY) and drops the lock if the call took it. */
static void unlock_heap(void)
{
    if (buddy.verify)
        buddy_verify_heap();
    if (buddy.locked) {
        buddy.locked = false;
        pthread_mutex_unlock(&buddy.lock);
    }
}

static void poison(void *p, int byte, size_t n)
{
    if (buddy.verify)
        memset(p, byte, n);
}

/* The order a request of `size` bytes needs, with the heap locked; 0
 * (nothing locked) when the size is impossible (errno = ENOMEM) or the heap
 * cannot start. Every entry point that places a block begins here. */
static int lock_for_request(size_t size)
{
    int order = order_for(size);
    if (!order) {
        errno = ENOMEM;
        return 0;
    }
    return lock_heap() ? order : 0;
}

/* The block that p, a pointer this allocator handed out and still in use,
 * lies in (its payload, or an aligned pointer inside it); anything else
 * aborts, naming `caller`. Without MSTATS_VERIFY the check is what the
 * header allows in O(1): a power-of-two size aligned relative to base and
 * inside the heap; with it, a walk confirms that a block starts there. */
static block *in_use_block_or_abort(const void *p, const char *caller)
{
    const char *at = p;
    bool plausible = (uintptr_t)p % ALIGNMENT == 0 && buddy.base &&
                     at >= buddy.base + HEADER_SIZE && at < buddy.end;
    block *b = plausible ? block_of_payload(p) : NULL;
    if (b && (b->header & BUDDY_INNER)) {
        size_t distance = b->header & ~BLOCK_FLAGS;
        plausible = distance <= (size_t)((char *)b - buddy.base);
        b = (block *)((char *)b - distance);
    }
    if (plausible && b->header == 0)
        allocator_fail(caller, p, "double free: the block was freed and merged with its buddy");
    size_t size = plausible ? block_size(b) : 0;
    plausible = plausible && size >= order_size(BUDDY_MIN_ORDER) &&
                size <= order_size(BUDDY_MAX_ORDER) && !(size & (size - 1)) &&
                offset_of(b) % size == 0 && (char *)b + size <= buddy.end &&
                !(b->header & BUDDY_INNER) && at < (char *)b + size;
    if (plausible && buddy.verify)
        plausible = buddy_verify_is_block(b);
    if (!plausible)
        allocator_fail(caller, p, "pointer was not returned by this allocator");
    if (!block_used(b))
        allocator_fail(caller, p, "double free: the block is not in use");
    return b;
}

/* The bytes from p to the end of its block b. */
static size_t usable_from(const block *b, const void *p)
{
    return (size_t)(block_end(b) - (uintptr_t)p);
}

void *core_malloc(size_t size)
{
    int order = lock_for_request(size);
    if (!order)
        return NULL;
    block *b = buddy_take(order);
    void *p = b ? block_payload(b) : NULL;
    if (b)
        poison(p, 0xAA, block_size(b) - HEADER_SIZE);
    unlock_heap();
    return p;
}

void core_free(void *p)
{
    if (!p || !lock_heap())
        return;
    block *b = in_use_block_or_abort(p, "free");
    poison(block_payload(b), 0x55, block_size(b) - HEADER_SIZE);
    buddy_release(b);
    unlock_heap();
}

/* calloc clears only what may hold old data: memory that was in the heap
 * before this call. Bytes the heap grew by come from sbrk, zeroed, and the
 * heap never shrinks; in them only headers and bin nodes were written, and
 * a merge wipes the ones it absorbs (buddy_tree.c), so only the block's own
 * bin node, the first 16 payload bytes, is cleared there. */
void *core_calloc(size_t total)
{
    int order = lock_for_request(total);
    if (!order)
        return NULL;
    char *fresh = buddy.end; /* the heap's end before this call */
    block *b = buddy_take(order);
    char *p = b ? block_payload(b) : NULL;
    if (p && buddy.verify) {
        memset(p, 0, total); /* verify mode poisoned it all */
    } else if (p) {
        char *end = p + total;
        char *old = end <= fresh ? end : p < fresh ? fresh : p;
        char *node = p + (total < sizeof(struct bin_node) ? total : sizeof(struct bin_node));
        memset(p, 0, (size_t)((old > node ? old : node) - p));
    }
    unlock_heap();
    return p;
}

/* Moves the block of p (usable bytes from p: `kept`) to a new block of
 * `order`: NULL with errno = ENOMEM when there is none (p stays valid). */
static void *move(void *p, block *b, size_t kept, int order)
{
    block *moved = buddy_take(order);
    if (!moved)
        return NULL;
    void *result = block_payload(moved);
    memcpy(result, p, kept);
    poison(block_payload(b), 0x55, block_size(b) - HEADER_SIZE);
    buddy_release(b);
    poison((char *)result + kept, 0xAA, block_size(moved) - HEADER_SIZE - kept);
    return result;
}

void *core_realloc(void *p, size_t size)
{
    int order = lock_for_request(size);
    if (!order)
        return NULL;
    block *b = in_use_block_or_abort(p, "realloc");
    void *result = p;
    size_t usable = usable_from(b, p);
    if (p != block_payload(b)) { /* an aligned block: kept as it is, or moved */
        if (size > usable)
            result = move(p, b, usable, order);
    } else if (order <= order_of_size(block_size(b))) {
        buddy_shrink(b, order);
    } else if (buddy_grow_in_place(b, order)) {
        poison((char *)p + usable, 0xAA, block_size(b) - HEADER_SIZE - usable);
    } else {
        result = move(p, b, usable, order);
    }
    unlock_heap();
    return result;
}

/* An aligned request takes a block with room for the payload at any
 * 16-byte position up to the alignment, returns the first aligned pointer
 * in it (marking an inner one, buddy.h), and splits off the upper halves the
 * payload does not reach. */
void *core_aligned(size_t alignment, size_t size)
{
    if (alignment <= ALIGNMENT)
        return core_malloc(size);
    size_t room;
    if (__builtin_add_overflow(size, alignment - ALIGNMENT, &room)) {
        errno = ENOMEM;
        return NULL;
    }
    int order = lock_for_request(room);
    if (!order)
        return NULL;
    block *b = buddy_take(order);
    char *p = NULL;
    if (b) {
        uintptr_t payload = (uintptr_t)block_payload(b);
        p = (char *)((payload + alignment - 1) & ~(uintptr_t)(alignment - 1));
        if ((uintptr_t)p != payload)
            *(size_t *)(p - HEADER_SIZE) = (size_t)(p - HEADER_SIZE - (char *)b) | BUDDY_INNER;
        while (order > BUDDY_MIN_ORDER && (size_t)(p - (char *)b) + size <= order_size(order - 1) &&
               (size_t)(p - (char *)b) < order_size(order - 1))
            order--;
        buddy_shrink(b, order);
        poison(p, 0xAA, usable_from(b, p));
    }
    unlock_heap();
    return p;
}

size_t core_usable_size(const void *p)
{
    if (!p || !lock_heap())
        return 0;
    block *b = in_use_block_or_abort(p, "malloc_usable_size");
    size_t usable = usable_from(b, p);
    unlock_heap();
    return usable;
}

void core_heap_info(struct mstats_heap_info *info)
{
    *info = (struct mstats_heap_info){.strategy = strategy_name};
    if (!lock_heap())
        return;
    info->start = buddy.base;
    info->end = buddy.end;
    for (block *b = block_at_offset(0); (char *)b < buddy.end; b = block_next(b)) {
        if (!block_is_free(b))
            continue;
        info->free_blocks++;
        info->free_bytes += block_size(b);
        if (block_size(b) > info->largest_free)
            info->largest_free = block_size(b);
    }
    info->usable_max = info->largest_free ? info->largest_free - HEADER_SIZE : 0;
    unlock_heap();
}
