/*
 * buddy_verify.c - the buddy strategy's MSTATS_VERIFY checks (buddy.h).
 *
 * Checks: the placement equals its linear definition (buddy_scan_fit); every
 * block a power of two from 32 bytes to the largest order, aligned to its
 * size relative to base, inside the heap, with no flag but USED; the blocks
 * tile the heap to its end; no free block's buddy is free and whole; every
 * bin a valid address-ordered pairing heap of free blocks of its order, its
 * bitmap bit set exactly when it holds blocks, and the bins together holding
 * exactly the heap's free blocks. Failures go through allocator_fail: the
 * heap is suspect and the lock is held, so nothing here allocates. Linear in
 * the heap per call: for tests, not for measuring.
 */
#include "buddy.h"

#include <stdio.h>

#include "fail.h"
#include "free_bin.h"

void buddy_verify_placement(const block *chosen, const block *expected, int order)
{
    if (chosen != expected)
        allocator_failf("placement", chosen,
                        "for an order-%d block (%zu bytes) the bins chose %p (%zu bytes) but the "
                        "policy names %p (%zu bytes)",
                        order, order_size(order), (const void *)chosen,
                        chosen ? block_size(chosen) : 0, (const void *)expected,
                        expected ? block_size(expected) : 0);
}

bool buddy_verify_is_block(const block *b)
{
    for (block *at = block_at_offset(0); (char *)at < buddy.end; at = block_next(at))
        if (at == b)
            return true;
    return false;
}

/* A member of bin `order`: a block of the heap, free and of the order. */
static void bin_member(const block *b, int order)
{
    if ((const char *)b < buddy.base || (const char *)b >= buddy.end)
        allocator_failf("bins", b, "bin %d links to a block outside the heap", order);
    if (b->header != order_size(order))
        allocator_failf("bins", b, "bin %d holds a block whose header is %#zx", order, b->header);
}

/* Checks bin `order` (free_bin_verify) and its bitmap bit. Returns the
 * number of blocks in it. */
static size_t verify_bin(int order)
{
    uint32_t root = buddy.bin_root[order];
    bool used = buddy.bins_used >> order & 1;
    if (used != (root != 0))
        allocator_failf("bins", free_block_at(buddy.base, root),
                        "bin %d is %s but its bitmap bit says %d", order,
                        root ? "not empty" : "empty", used);
    return free_bin_verify(buddy.base, root, "bin", order, buddy.free_count, bin_member);
}

void buddy_verify_heap(void)
{
    size_t free_count = 0;
    block *b = block_at_offset(0);
    for (; (char *)b < buddy.end; b = block_next(b)) {
        size_t size = block_size(b), offset = offset_of(b);
        if (b->header & BLOCK_FLAGS & ~(size_t)BLOCK_USED)
            allocator_failf("layout", b, "header %#zx has a flag other than USED", b->header);
        if (size < order_size(BUDDY_MIN_ORDER) || size > order_size(BUDDY_MAX_ORDER) ||
            (size & (size - 1)))
            allocator_failf("layout", b,
                            "has a size of %zu bytes, not a power of two from %zu to %zu", size,
                            order_size(BUDDY_MIN_ORDER), order_size(BUDDY_MAX_ORDER));
        if (offset % size)
            allocator_failf("layout", b, "at offset %zu is not aligned to its size %zu", offset,
                            size);
        if ((uintptr_t)block_payload(b) % ALIGNMENT)
            allocator_failf("layout", b, "has a misaligned payload");
        if ((char *)block_next(b) > buddy.end)
            allocator_failf("layout", b, "runs %zu bytes past the heap end",
                            (size_t)((char *)block_next(b) - buddy.end));
        if (block_is_free(b)) {
            int order = order_of_size(size);
            const block *mate = buddy_of(b, order);
            if (order < BUDDY_MAX_ORDER && mate && mate->header == size)
                allocator_failf("merging", b, "is free and so is its buddy %p of the same order",
                                (const void *)mate);
            free_count++;
        }
    }
    if ((char *)b != buddy.end)
        allocator_failf("layout", b, "the blocks do not end at the heap end %p", (void *)buddy.end);
    /* Each bin holds only free blocks of its order, each once (the links back
     * match), so equal counts mean every free block is in its bin. */
    size_t binned = 0;
    for (int order = 0; order < BUDDY_ORDERS; order++) {
        if (order < BUDDY_MIN_ORDER && buddy.bin_root[order])
            allocator_failf("bins", NULL, "bin %d is below the smallest order", order);
        binned += verify_bin(order);
    }
    if (buddy.bins_used >> BUDDY_ORDERS)
        allocator_failf("bins", NULL, "the bitmap marks orders past the largest");
    if (binned != free_count || binned != buddy.free_count)
        allocator_failf("bins", NULL,
                        "hold %zu blocks (counted %zu) but the heap has %zu free blocks", binned,
                        buddy.free_count, free_count);
}
