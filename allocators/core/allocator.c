/*
 * allocator.c - the allocator's entry points over the heap and a policy.
 *
 * One lock serialises every call. Placing a block is: ask the policy for a
 * free block and split off the tail when it can hold a minimum block (take,
 * claim), else grow the heap by the shortfall. Freeing coalesces with both
 * neighbours at once through the boundary tags (release); realloc shrinks
 * (trim) and grows in place when it can. Under MSTATS_VERIFY the whole heap
 * is checked after every call (verify.c).
 */
#include "allocator.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/single_threaded.h>

#include "fail.h"
#include "free_index.h"
#include "heap.h"
#include "policy.h"
#include "verify.h"

/* A child of fork() must not inherit the lock held by another thread. */
static void lock_before_fork(void)
{
    pthread_mutex_lock(&heap.lock);
}
static void unlock_after_fork(void)
{
    pthread_mutex_unlock(&heap.lock);
}

__attribute__((constructor)) static void allocator_setup(void)
{
    allocator_fail_set_strategy(mstats_policy.name);
    pthread_atfork(lock_before_fork, unlock_after_fork, unlock_after_fork);
}

/* Takes the lock and makes sure the heap and its free index exist. Returns
 * false (lock not held, errno = ENOMEM) when they cannot be set up.
 * A process that has never started a thread (libc's __libc_single_threaded,
 * which glibc's own malloc consults the same way) has no one to exclude: it
 * skips the mutex's two atomic operations. No thread can start during a
 * call, so the call that skipped the lock also skips the unlock (heap.locked
 * says which); once threads exist every call locks, and heap.locked is
 * written only under the lock. */
static bool lock_heap(void)
{
    bool lock = !__libc_single_threaded;
    if (lock)
        pthread_mutex_lock(&heap.lock);
    heap.locked = lock;
    if (heap.base)
        return true;
    if (heap_init()) {
        free_index_init(&heap.free, heap.base, mstats_policy.order);
        return true;
    }
    heap.locked = false;
    if (lock)
        pthread_mutex_unlock(&heap.lock);
    errno = ENOMEM;
    return false;
}

/* Verifies the heap (MSTATS_VERIFY) and drops the lock if the call took it. */
static void unlock_heap(void)
{
    if (heap.verify)
        verify_heap();
    if (heap.locked) {
        heap.locked = false;
        pthread_mutex_unlock(&heap.lock);
    }
}

/* Hands a block that is leaving use back to the heap: coalesced with its free
 * neighbours and indexed, or retired under a policy without reuse. */
static void release(block *b)
{
    if (!mstats_policy.reuses) {
        b->header |= BLOCK_RETIRED;
        return;
    }
    /* Coalescing: the boundary tags say whether each neighbour is free, and
     * the merged block spans b and the free ones. */
    block *prev = block_prev_used(b) ? NULL : block_prev(b);
    block *next = block_is_free(block_next(b)) ? block_next(b) : NULL;
    block *start = prev ? prev : b;
    block *end = next ? block_next(next) : block_next(b);
    /* In the index the merged block takes a free neighbour's place (no
     * search where the order allows), and the other one, if both are free,
     * leaves. */
    block *neighbour = prev ? prev : next;
    size_t neighbour_size = neighbour ? block_size(neighbour) : 0;
    if (prev && next)
        free_index_remove(&heap.free, next);
    if (prev)
        b->header = 0; /* a stale free(b) now finds no block in use */
    block_set_free(start, (size_t)((char *)end - (char *)start));
    if (neighbour)
        free_index_replace(&heap.free, neighbour, neighbour_size, start);
    else
        free_index_insert(&heap.free, start);
}

/* Splits b (in use) down to `size` bytes when the rest can form a block of
 * its own, and releases the rest. */
static void trim(block *b, size_t size)
{
    size_t rest_size = block_size(b) - size;
    /* Without reuse a split-off tail could never serve anyone: keep blocks
     * whole, which also keeps the heap append-only (verify.c). */
    if (rest_size < MIN_BLOCK || !mstats_policy.reuses)
        return;
    b->header = size | (b->header & BLOCK_FLAGS);
    block *rest = block_next(b);
    rest->header = rest_size | BLOCK_USED | BLOCK_PREV_USED;
    release(rest);
}

/* Takes the indexed free block b into use for a `size`-byte block, and
 * splits off the rest when it can form a block of its own: the rest stays
 * free, in the index (free_index_split). */
static void claim(block *b, size_t size)
{
    size_t rest_size = block_size(b) - size;
    if (rest_size < MIN_BLOCK) {
        free_index_remove(&heap.free, b);
        block_set_used(b);
        return;
    }
    block *rest = (block *)((char *)b + size);
    rest->header = rest_size | BLOCK_PREV_USED;
    *block_footer(rest) = rest->header;
    free_index_split(&heap.free, b, rest);
    b->header = size | BLOCK_USED | (b->header & BLOCK_PREV_USED);
}

/* Grows the heap so that a block of `size` bytes (a multiple of 16) sits at
 * its top, extending a free top block if there is one (taking it out of the
 * free index). Returns that block, free and not indexed, or NULL with
 * errno = ENOMEM. */
static block *grow_for(size_t size)
{
    block *top = heap_top_free();
    if (top)
        free_index_remove(&heap.free, top);
    block *grown = heap_extend(top, size);
    if (top && grown != top)
        free_index_insert(&heap.free, top); /* not extended: it stays a free block */
    return grown;
}

/* A block of `size` bytes (more only by a remainder too small to split off),
 * marked used, chosen by the policy or grown at the heap top; NULL with
 * errno = ENOMEM. Caller holds the lock. */
static block *take(size_t size)
{
    block *b = NULL;
    if (mstats_policy.reuses) {
        b = mstats_policy.find_fit(size);
        if (heap.verify)
            verify_placement(b, mstats_policy.scan_fit(size), size);
    }
    if (b) {
        claim(b, size);
        return b;
    }
    if (!(b = grow_for(size)))
        return NULL;
    block_set_used(b);
    return b;
}

/* take, then tell the policy where the block went. */
static block *place(size_t size)
{
    block *b = take(size);
    if (b && mstats_policy.placed)
        mstats_policy.placed(b);
    return b;
}

/* The block of p, which must be one this allocator handed out and that is
 * still in use; anything else aborts, naming `caller`. */
static block *in_use_block_or_abort(const void *p, const char *caller)
{
    block *b = block_of_payload(p);
    bool plausible = heap_contains(b) && (uintptr_t)p % ALIGNMENT == 0;
    if (plausible && heap.verify)
        plausible = verify_is_block(b);
    if (!plausible)
        allocator_fail(caller, p, "pointer was not returned by this allocator");
    if (!block_used(b) || (b->header & (BLOCK_RETIRED | BLOCK_FOREIGN)))
        allocator_fail(caller, p, "double free: the block is not in use");
    return b;
}

static void poison(void *p, int byte, size_t n)
{
    if (heap.verify)
        memset(p, byte, n);
}

/* The block size a request of `size` bytes needs, with the heap locked; 0
 * (nothing locked) when the size is impossible (errno = ENOMEM) or the heap
 * cannot start. Every entry point that places a block begins here. */
static size_t lock_for_request(size_t size)
{
    size_t bsize = block_size_for(size);
    if (!bsize) {
        errno = ENOMEM;
        return 0;
    }
    return lock_heap() ? bsize : 0;
}

void *core_malloc(size_t size)
{
    size_t bsize = lock_for_request(size);
    if (!bsize)
        return NULL;
    block *b = place(bsize);
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
    /* Keep the index node and footer area out of the poison: release writes them. */
    poison(p, 0x55, block_size(b) - HEADER_SIZE);
    release(b);
    unlock_heap();
}

/* calloc clears only what may hold old data: memory that was in the heap
 * before this call. Bytes the heap grew by come from sbrk, which hands out
 * zeroed pages (and our heap never shrinks, so none were used before), as
 * glibc assumes too (MORECORE_CLEARS). Only the footer that growth may write
 * into a block extended at the top lies there, and it is cleared. */
void *core_calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    size_t bsize = lock_for_request(total);
    if (!bsize)
        return NULL;
    char *fresh = (char *)heap.epilogue + HEADER_SIZE; /* the heap's end before this call */
    block *b = place(bsize);
    char *p = b ? block_payload(b) : NULL;
    if (p && heap.verify) {
        memset(p, 0, total); /* verify mode poisoned it all */
    } else if (p) {
        char *end = p + total;
        memset(p, 0, (size_t)((end <= fresh ? end : p < fresh ? fresh : p) - p));
        if (end > fresh)
            *block_footer(b) = 0;
    }
    unlock_heap();
    return p;
}

/* Grows the in-use block b in place to `size` bytes: into a free successor,
 * and at the heap top by growing the heap. Returns false when it cannot. */
static bool grow_in_place(block *b, size_t size)
{
    block *next = block_next(b);
    if (block_is_free(next)) {
        free_index_remove(&heap.free, next);
        b->header += block_size(next);
        block_next(b)->header |= BLOCK_PREV_USED;
        if (block_size(b) >= size)
            return true;
        next = block_next(b);
    }
    if (next != heap.epilogue)
        return false;
    block *grown = heap_extend(b, size);
    if (grown == b)
        return true;
    if (grown) { /* the break moved under us: fresh memory joins the heap */
        block_set_used(grown);
        release(grown);
    }
    return false;
}

void *core_realloc(void *p, size_t size)
{
    if (!p)
        return core_malloc(size);
    if (size == 0) {
        core_free(p);
        return NULL;
    }
    size_t bsize = lock_for_request(size);
    if (!bsize)
        return NULL;
    block *b = in_use_block_or_abort(p, "realloc");
    void *result = p;
    if (block_size(b) >= bsize || grow_in_place(b, bsize)) {
        trim(b, bsize);
    } else {
        block *moved = place(bsize);
        if (moved) {
            result = block_payload(moved);
            memcpy(result, p, block_size(b) - HEADER_SIZE);
            poison(p, 0x55, block_size(b) - HEADER_SIZE);
            release(b);
        } else {
            result = NULL; /* p stays valid, errno = ENOMEM from the heap */
        }
    }
    unlock_heap();
    return result;
}

void *core_aligned(size_t alignment, size_t size)
{
    if (alignment <= ALIGNMENT)
        return core_malloc(size);
    size_t bsize = block_size_for(size);
    /* Room for a front gap that is either empty or a block of its own. */
    size_t room;
    if (!bsize || __builtin_add_overflow(bsize, alignment + MIN_BLOCK, &room) ||
        room >= HEAP_LIMIT) {
        errno = ENOMEM;
        return NULL;
    }
    if (!lock_heap())
        return NULL;
    block *b = take(room);
    if (b) {
        uintptr_t payload = (uintptr_t)block_payload(b);
        uintptr_t aligned = (payload + alignment - 1) & ~(uintptr_t)(alignment - 1);
        if (aligned != payload && aligned - payload < MIN_BLOCK)
            aligned += alignment;
        if (aligned != payload) {
            size_t gap = aligned - payload;
            block *front = b;
            b = block_of_payload((void *)aligned);
            b->header = (block_size(front) - gap) | BLOCK_USED | BLOCK_PREV_USED;
            front->header = gap | (front->header & BLOCK_FLAGS);
            release(front);
        }
        trim(b, bsize);
        if (mstats_policy.placed)
            mstats_policy.placed(b);
        poison(block_payload(b), 0xAA, block_size(b) - HEADER_SIZE);
    }
    unlock_heap();
    return b ? block_payload(b) : NULL;
}

size_t core_usable_size(const void *p)
{
    if (!p || !lock_heap())
        return 0;
    size_t usable = block_size(in_use_block_or_abort(p, "malloc_usable_size")) - HEADER_SIZE;
    unlock_heap();
    return usable;
}

void core_heap_info(struct mstats_heap_info *info)
{
    *info = (struct mstats_heap_info){.strategy = mstats_policy.name};
    if (!lock_heap())
        return;
    info->start = heap.base;
    info->end = heap.epilogue;
    for (block *b = heap_first(); !block_is_epilogue(b); b = block_next(b)) {
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
