/*
 * allocator.c - the allocator's entry points over the heap and a policy.
 *
 * One lock serialises every call. Placing a block is: ask the policy for a
 * free block and split off the tail when it can hold a minimum block (take,
 * claim), else grow the heap by the shortfall. Freeing coalesces with both
 * neighbours at once through the boundary tags (release); realloc shrinks
 * (trim) and grows in place when it can. Under a policy with runs, small
 * requests take a slot of a run instead (runs.h: run_take, run_give). Under
 * MSTATS_VERIFY the whole heap is checked after every call (verify.c).
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

/* The first call's part of lock_heap: sets up the heap, or drops the lock. */
__attribute__((noinline)) static bool start_heap(bool lock)
{
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
    return __builtin_expect(heap.base != NULL, 1) || start_heap(lock);
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

/* True when b, a block handed out, is a slot: never under a policy without
 * runs (a constant after link-time optimization, so the fits pay nothing). */
static inline bool a_slot(const block *b)
{
    return mstats_policy.run_max && is_slot(b);
}

/* The slot size a request of n bytes takes under the policy; 0 when it
 * takes a heap block. */
static size_t slot_size_for(size_t n)
{
    return run_slot_size_for(mstats_policy.run_max, n);
}

/* Makes a new run of `slot_size`-byte slots, every one free, placed like a
 * heap block, and adds it to its class. False (errno = ENOMEM) when the
 * heap cannot grow. */
__attribute__((noinline)) static bool run_new(size_t slot_size)
{
    unsigned class = run_class(slot_size);
    unsigned slots = run_slots_for(slot_size, heap.runs.slots[class]);
    block *b = place(run_block_size(slot_size, slots));
    if (!b)
        return false;
    b->header |= BLOCK_RUN;
    struct run *run = (struct run *)b;
    run->slot_size = (uint16_t)slot_size;
    run->slots = (uint16_t)slots;
    run->free = run_all_free(run);
    for (unsigned i = 0; i < slots; i++)
        *slot_header(run_slot(run, i)) = slot_free_header(slot_size, i);
    free_bin_insert(heap.base, &heap.runs.root[class], free_ref_of(heap.base, b));
    heap.runs.slots[class] += slots;
    return true;
}

/* A slot of `slot_size` bytes, marked used: the lowest free one of the
 * class's lowest-address run that has one (a new run when none has); NULL
 * with errno = ENOMEM. */
static block *run_take(size_t slot_size)
{
    uint32_t *root = &heap.runs.root[run_class(slot_size)];
    if (!*root && !run_new(slot_size))
        return NULL;
    struct run *run = (struct run *)free_block_at(heap.base, *root);
    block *slot = run_slot(run, (unsigned)__builtin_ctzll(run->free));
    if (heap.verify)
        verify_slot_placement(slot, slot_size);
    run->free &= run->free - 1;
    if (!run->free) /* full: it leaves the class's runs with a free slot */
        free_bin_remove(heap.base, root, *root);
    *slot_header(slot) |= SLOT_USED;
    return slot;
}

/* Takes a run with every slot free out of its class and gives it back to
 * the heap. */
static void run_release(struct run *run, unsigned class)
{
    free_bin_remove(heap.base, &heap.runs.root[class], free_ref_of(heap.base, (block *)run));
    heap.runs.slots[class] -= run->slots;
    run->header &= ~(size_t)BLOCK_RUN;
    release((block *)run);
}

/* Frees a slot in use. A run with every slot free stays only while no other
 * run of its class has a free slot: one left empty beside others goes back
 * to the heap, and one kept goes as soon as another run gets a free slot (it
 * was then the only run in the class's pairing heap). */
static void run_give(block *slot)
{
    struct run *run = run_of_slot(slot);
    unsigned class = run_class(run->slot_size);
    uint32_t *root = &heap.runs.root[class];
    *slot_header(slot) &= ~SLOT_USED;
    if (!run->free) {
        struct run *kept = (struct run *)free_block_at(heap.base, *root);
        if (kept && !kept->child && kept->free == run_all_free(kept))
            run_release(kept, class);
        free_bin_insert(heap.base, root, free_ref_of(heap.base, (block *)run));
    }
    run->free |= (uint64_t)1 << slot_index(slot);
    if (run->free == run_all_free(run) &&
        !(*root == free_ref_of(heap.base, (block *)run) && !run->child)) /* not alone */
        run_release(run, class);
}

/* True when the slot header b could be a slot of a run of the heap: a run
 * header where its offset leads, a slot size of a class, and the header of
 * a slot of that run (its index and offset agree). */
static bool slot_is_plausible(const block *b)
{
    const struct run *run = run_of_slot(b);
    if (!heap_contains(run) || !block_is_run((const block *)run))
        return false;
    size_t size = run->slot_size;
    unsigned index = slot_index(b);
    return size >= SLOT_MIN && size <= mstats_policy.run_max && size % ALIGNMENT == 0 &&
           index < run->slots && (*slot_header(b) & ~SLOT_USED) == slot_free_header(size, index);
}

/* The block of p, which must be one this allocator handed out (a heap block
 * or a slot) and that is still in use; anything else aborts, naming
 * `caller`. */
static block *in_use_block_or_abort(const void *p, const char *caller)
{
    block *b = block_of_payload(p);
    bool plausible = heap_contains(b) && (uintptr_t)p % ALIGNMENT == 0;
    bool slot = plausible && a_slot(b);
    if (slot)
        plausible = slot_is_plausible(b);
    if (plausible && heap.verify)
        plausible = verify_is_block(slot ? (const block *)run_of_slot(b) : b);
    if (!plausible)
        allocator_fail(caller, p, "pointer was not returned by this allocator");
    if (slot ? !slot_used(b) : !block_used(b) || (b->header & (BLOCK_RETIRED | BLOCK_FOREIGN)))
        allocator_fail(caller, p, "double free: the block is not in use");
    return b;
}

/* The bytes a program may use of the block or slot b. */
static size_t usable(const block *b)
{
    return a_slot(b) ? (size_t)run_of_slot(b)->slot_size - SLOT_HEADER
                     : block_size(b) - HEADER_SIZE;
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

/* A block for an n-byte request (bsize = block_size_for(n)): a slot when
 * the policy serves n from a run, else a heap block the policy places. The
 * payload, or NULL with errno = ENOMEM. Caller holds the lock. */
static inline __attribute__((always_inline)) void *allocate(size_t n, size_t bsize)
{
    size_t slot_size = slot_size_for(n);
    block *b = slot_size ? run_take(slot_size) : place(bsize);
    if (!b)
        return NULL;
    poison(block_payload(b), 0xAA, usable(b));
    return block_payload(b);
}

/* Hands a block or slot in use back. */
static inline __attribute__((always_inline)) void give_back(block *b)
{
    poison(block_payload(b), 0x55, usable(b));
    if (a_slot(b))
        run_give(b);
    else
        release(b);
}

void *core_malloc(size_t size)
{
    size_t slot_size = slot_size_for(size);
    if (slot_size) { /* a slot, the common request: no heap block's size to work out */
        if (!lock_heap())
            return NULL;
        block *b = run_take(slot_size);
        void *p = b ? block_payload(b) : NULL;
        if (p)
            poison(p, 0xAA, slot_size - SLOT_HEADER);
        unlock_heap();
        return p;
    }
    size_t bsize = lock_for_request(size);
    if (!bsize)
        return NULL;
    void *p = allocate(size, bsize);
    unlock_heap();
    return p;
}

void core_free(void *p)
{
    if (!p || !lock_heap())
        return;
    give_back(in_use_block_or_abort(p, "free"));
    unlock_heap();
}

/* calloc clears only what may hold old data: memory that was in the heap
 * before this call. Bytes the heap grew by come from sbrk, which hands out
 * zeroed pages (and our heap never shrinks, so none were used before), as
 * glibc assumes too (MORECORE_CLEARS). Only the footer that growth may write
 * into a block extended at the top lies there, and it is cleared. */
void *core_calloc(size_t total)
{
    size_t bsize = lock_for_request(total);
    if (!bsize)
        return NULL;
    char *fresh = (char *)heap.epilogue + HEADER_SIZE; /* the heap's end before this call */
    char *p = allocate(total, bsize);
    block *b = p ? block_of_payload(p) : NULL;
    if (p && (heap.verify || a_slot(b))) {
        memset(p, 0, total); /* verify mode poisoned it all; a slot may have been used */
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
    size_t bsize = lock_for_request(size);
    if (!bsize)
        return NULL;
    block *b = in_use_block_or_abort(p, "realloc");
    void *result = p;
    if (a_slot(b) ? usable(b) >= size : block_size(b) >= bsize || grow_in_place(b, bsize)) {
        if (!a_slot(b)) /* a slot keeps its size */
            trim(b, bsize);
    } else if ((result = allocate(size, bsize))) {
        memcpy(result, p, usable(b)); /* it grew: the old block is the smaller */
        give_back(b);
    } /* else p stays valid, errno = ENOMEM from the heap */
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
    size_t n = usable(in_use_block_or_abort(p, "malloc_usable_size"));
    unlock_heap();
    return n;
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
