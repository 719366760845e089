/*
 * buddy.h - the binary buddy system's layout, its one state struct, and the
 * functions its files share (Knuth, TAOCP vol. 1, 2.5, after Knowlton 1965).
 *
 * The heap is one conceptual buddy tree whose offset 0 is `buddy.base`:
 *
 *   offset 0                                                        end
 *   |<------------------------------ 2^k ------------------------->|
 *   |<---------- 2^(k-1) ---------->|<---------- 2^(k-1) ---------->|
 *   |  2^(k-2)     |   2^(k-2)      |              ...              |
 *
 * 1. A block of order k is 2^k bytes (32 bytes to 8 GiB) and starts at an
 *    offset from base that is a multiple of 2^k. Its buddy is the block of
 *    the same order at offset ^ 2^k. The blocks tile [base, end) exactly.
 * 2. A request takes a block of the smallest order that holds it; a larger
 *    free block is split in halves, the upper half of each split staying free.
 * 3. A freed block merges with its buddy while the buddy is free and whole,
 *    so no two free buddies of one order are ever left side by side.
 *
 *   block of order k                     inner marker (aligned requests)
 *   +----------------------+             +----------------------+
 *   | header    8 B        |  2^k | USED | distance | INNER       |  8 B
 *   +----------------------+ <- p        +----------------------+ <- p
 *   | payload  2^k - 8 B   |
 *   |  free: bin_node 16 B |  (free_bin.h), in the bin of order k
 *   +----------------------+
 *
 * The header is block.h's (size and flags), so block_size() and friends
 * apply; blocks start 8 mod 16 and payloads are 16-byte aligned. Only USED
 * is ever set in a header. An aligned request (alignment over 16) returns a
 * pointer p inside its block's payload; the 8 bytes before p then hold an
 * inner marker: the distance from the block to p - 8 (a multiple of 16),
 * with the BUDDY_INNER bit. The guarantee: a request of n bytes costs one
 * block of 2^ceil(log2(n + 8)) bytes (at least 32), so internal
 * fragmentation is below half of every block, plus the heap's growth to
 * the next block boundary (buddy_heap.c).
 */
#ifndef MSTATS_BUDDY_H
#define MSTATS_BUDDY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"

enum {
    BUDDY_MIN_ORDER = 5,  /* 32 bytes: header + bin_node + 8 */
    BUDDY_MAX_ORDER = 33, /* 8 GiB: the heap stays below HEAP_LIMIT (block.h) */
    BUDDY_ORDERS = BUDDY_MAX_ORDER + 1,
    BUDDY_INNER = 2, /* an inner marker, never a block header */
};
_Static_assert(((size_t)1 << BUDDY_MAX_ORDER) < HEAP_LIMIT, "the largest block fits the heap");

/* The allocator's state. */
struct buddy {
    char *base; /* offset 0 of the tree: the first block's header, 8 mod 16; NULL before init */
    char *end;  /* the end of the last block: the break as this allocator holds it */
    /* bin_root[k]: the free blocks of order k, an address-ordered pairing
     * heap (free_bin.h) whose root is the lowest; 0 when empty. */
    uint32_t bin_root[BUDDY_ORDERS];
    uint64_t bins_used; /* bit k: bin k holds blocks */
    size_t free_count;  /* blocks in the bins */
    bool verify;        /* MSTATS_VERIFY=1: check everything after every call */
    /* Serialises every call (buddy_allocator.c), and is taken around fork(). */
    pthread_mutex_t lock;
    bool locked; /* the current call holds `lock` (a single-threaded process skips it) */
    /* The break as this allocator moved it, when it keeps it itself
     * (heap.c's rule; 0: the kernel's break). */
    uintptr_t own_break;
};

extern struct buddy buddy;

static inline size_t order_size(int order)
{
    return (size_t)1 << order;
}
/* The order of a block of `size` bytes (a power of two). */
static inline int order_of_size(size_t size)
{
    return __builtin_ctzll(size);
}
/* The smallest order whose block holds an n-byte payload; 0 when none can. */
static inline int order_for(size_t n)
{
    if (n > order_size(BUDDY_MAX_ORDER) - HEADER_SIZE)
        return 0;
    size_t need = n + HEADER_SIZE; /* at least 8, so need - 1 is not 0 */
    int order = 64 - __builtin_clzll(need - 1);
    return order < BUDDY_MIN_ORDER ? BUDDY_MIN_ORDER : order;
}
static inline size_t offset_of(const block *b)
{
    return (size_t)((const char *)b - buddy.base);
}
static inline block *block_at_offset(size_t offset)
{
    return (block *)(buddy.base + offset);
}
static inline uint32_t ref_of(const block *b)
{
    return (uint32_t)(offset_of(b) / ALIGNMENT + 1);
}
/* The buddy of b (of order `order`) when it starts inside the heap, else
 * NULL. Inside the heap a block starts there, since the blocks tile it. */
static inline block *buddy_of(const block *b, int order)
{
    size_t offset = offset_of(b) ^ order_size(order);
    return buddy.base + offset < buddy.end ? block_at_offset(offset) : NULL;
}

/* buddy_heap.c: set-up and the break. Caller holds the lock. */
/* Sets up an empty heap (reads MSTATS_VERIFY). False with errno set when
 * sbrk fails. */
bool buddy_heap_init(void);
/* Moves the break from buddy.end to new_end (later), which the caller has
 * checked against HEAP_LIMIT. False with errno = ENOMEM when sbrk fails or
 * someone else moved the break (the new memory is then given back). Does not
 * change buddy.end. */
bool buddy_heap_extend(const char *new_end);

/* buddy_tree.c: the policy, splitting and merging. Caller holds the lock. */
/* The free block the policy places an order-`order` block in: of the
 * smallest free order >= order, the lowest address. NULL when none. O(1). */
block *buddy_find_fit(int order);
/* The same answer by a walk of the heap: the policy's definition. */
block *buddy_scan_fit(int order);
/* A block of `order`, marked used, placed by the policy, the heap grown to
 * the end of the block when nothing fits; NULL with errno = ENOMEM. */
block *buddy_take(int order);
/* Frees the block b (in use, or new heap memory with its header set):
 * merges it with its buddy while that is free and whole, then bins it. */
void buddy_release(block *b);
/* Splits b (in use) down to `order`, freeing the upper halves. */
void buddy_shrink(block *b, int order);
/* Grows b (in use) in place to `order` by merging with its free buddies
 * (and growing the heap when b reaches its end). False when b is not the
 * lower half at every level or a buddy is in use. */
bool buddy_grow_in_place(block *b, int order);

/* buddy_verify.c: MSTATS_VERIFY. Each aborts through allocator_fail. */
/* Aborts unless `chosen` (find_fit's answer) equals `expected` (scan_fit's). */
void buddy_verify_placement(const block *chosen, const block *expected, int order);
/* Walks the heap and the bins; aborts on the first broken invariant. */
void buddy_verify_heap(void);
/* True when b starts a block of the heap (a linear walk). */
bool buddy_verify_is_block(const block *b);

#endif
