/*
 * buddy: place each block in a free block of the smallest free order that
 * holds it, splitting it in halves down to the order the request needs.
 * Tie-break: among the free blocks of that order, the lowest address. (This
 * is best-fit over power-of-two blocks.)
 * Cost: O(1) to find (a bitmap of the non-empty orders, each order's bin an
 * address-ordered pairing heap whose root is its lowest block); a split or a
 * merge is O(log n) per level amortized (removing a buddy from its bin), and
 * there are at most BUDDY_MAX_ORDER levels.
 * Weakness: internal fragmentation. Every request is rounded up to a power of
 * two (header included), so up to half of every block is wasted: a 2 GiB
 * request needs a 4 GiB block. And the heap grows to the end of the block
 * it places, which must start at a multiple of its size.
 *
 * Growth: the heap is one conceptual tree from buddy.base. When no free block
 * holds an order-k request, it is placed at the lowest multiple of 2^k from
 * which the heap is free to its end (the top free run, when 2^k-aligned, or
 * the heap end rounded up to 2^k), and the break grows to the end of that
 * block: the skipped space becomes free blocks of the orders its alignment
 * gives, each merged with its buddy as a freed block is.
 */
#include "buddy.h"

#include <errno.h>
#include <string.h>

#include "free_bin.h"

static void bin_insert(block *b, int order)
{
    free_bin_insert(buddy.base, &buddy.bin_root[order], ref_of(b));
    buddy.bins_used |= (uint64_t)1 << order;
    buddy.free_count++;
}

static void bin_remove(block *b, int order)
{
    free_bin_remove(buddy.base, &buddy.bin_root[order], ref_of(b));
    if (!buddy.bin_root[order])
        buddy.bins_used &= ~((uint64_t)1 << order);
    buddy.free_count--;
}

/* True when b is a free block of exactly `order` (so in that order's bin). */
static bool free_of_order(const block *b, int order)
{
    return b && b->header == order_size(order);
}

/* Wipes the header and bin node of a block absorbed by a merge: a stale
 * free() of it then finds no block, and calloc finds no old links in new
 * memory (buddy_allocator.c). */
static void absorb(block *b)
{
    memset(b, 0, HEADER_SIZE + sizeof(struct bin_node));
}

block *buddy_find_fit(int order)
{
    uint64_t fitting = buddy.bins_used & ~(((uint64_t)1 << order) - 1);
    if (!fitting)
        return NULL;
    int found = __builtin_ctzll(fitting);
    return free_block_at(buddy.base, buddy.bin_root[found]);
}

block *buddy_scan_fit(int order)
{
    block *best = NULL;
    for (block *b = block_at_offset(0); (char *)b < buddy.end; b = block_next(b))
        if (block_is_free(b) && block_size(b) >= order_size(order) &&
            (!best || block_size(b) < block_size(best)))
            best = b;
    return best;
}

void buddy_release(block *b)
{
    int order = order_of_size(block_size(b));
    for (block *mate; order < BUDDY_MAX_ORDER && free_of_order(mate = buddy_of(b, order), order);
         order++) {
        bin_remove(mate, order);
        if (mate < b) {
            absorb(b);
            b = mate;
        } else {
            absorb(mate);
        }
    }
    b->header = order_size(order);
    bin_insert(b, order);
}

/* Splits b (whose header gives its order) down to `order`: the upper half of
 * each split becomes a free block in its bin. Keeps b's flags. */
static void split(block *b, int order)
{
    size_t flags = b->header & BLOCK_FLAGS;
    for (int at = order_of_size(block_size(b)); at > order;) {
        at--;
        block *upper = (block *)((char *)b + order_size(at));
        upper->header = order_size(at);
        bin_insert(upper, at);
    }
    b->header = order_size(order) | flags;
}

void buddy_shrink(block *b, int order)
{
    split(b, order);
}

/* The offset at which an order-k block is placed when nothing fits: the
 * lowest multiple of 2^k from which the heap is free to its end. */
static size_t growth_offset(int order)
{
    size_t size = order_size(order), end = (size_t)(buddy.end - buddy.base);
    size_t above = (end + size - 1) & ~(size - 1);
    if (above == end)
        return end; /* a free block of 2^k at the top would have been found */
    /* [above - size, end) is a block boundary onwards (no block crosses a
     * multiple of 2^k without holding all 2^k after it); its free blocks
     * are merged, so a run of them is O(log n) long. */
    size_t at = above - size;
    for (block *b = block_at_offset(at); (char *)b < buddy.end; b = block_next(b))
        if (!block_is_free(b))
            return above;
    return at;
}

/* Grows the heap so that a free block of `order` exists: appends the space
 * up to the end of the block at growth_offset, as free blocks of the orders
 * their alignment allows (each merged like a freed block). False with
 * errno = ENOMEM. */
static bool grow_for(int order)
{
    size_t at = growth_offset(order), new_end = at + order_size(order);
    if (new_end >= HEAP_LIMIT) {
        errno = ENOMEM;
        return false;
    }
    if (!buddy_heap_extend(buddy.base + new_end))
        return false;
    for (size_t offset = (size_t)(buddy.end - buddy.base); offset < new_end;) {
        int piece = order;
        while (piece > BUDDY_MIN_ORDER &&
               (offset % order_size(piece) || offset + order_size(piece) > new_end))
            piece--;
        block *b = block_at_offset(offset);
        b->header = order_size(piece);
        offset += order_size(piece);
        buddy.end = buddy.base + offset; /* the piece's upper buddy is not there yet */
        buddy_release(b);
    }
    return true;
}

block *buddy_take(int order)
{
    block *b = buddy_find_fit(order);
    if (buddy.verify)
        buddy_verify_placement(b, buddy_scan_fit(order), order);
    if (!b) {
        if (!grow_for(order))
            return NULL;
        b = buddy_find_fit(order);
        if (buddy.verify)
            buddy_verify_placement(b, buddy_scan_fit(order), order);
    }
    bin_remove(b, order_of_size(block_size(b)));
    b->header |= BLOCK_USED;
    split(b, order);
    return b;
}

bool buddy_grow_in_place(block *b, int order)
{
    size_t offset = offset_of(b), end = (size_t)(buddy.end - buddy.base);
    if (offset % order_size(order))
        return false; /* b is an upper half at some level */
    int have = order_of_size(block_size(b)), level;
    for (level = have; level < order && offset + order_size(level) < end; level++)
        if (!free_of_order(block_at_offset(offset + order_size(level)), level))
            return false;
    size_t new_end = offset + order_size(order);
    if (new_end > end) {
        if (new_end >= HEAP_LIMIT || !buddy_heap_extend(buddy.base + new_end))
            return false;
    }
    for (int at = have; at < level; at++) {
        block *mate = block_at_offset(offset + order_size(at));
        bin_remove(mate, at);
        absorb(mate);
    }
    if (new_end > end)
        buddy.end = buddy.base + new_end;
    b->header = order_size(order) | BLOCK_USED;
    return true;
}
