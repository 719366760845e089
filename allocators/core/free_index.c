/*
 * free_index.c - intrusive AVL tree of free blocks (Adelson-Velsky and
 * Landis 1962), augmented with each subtree's largest block size.
 *
 * Insert and remove are recursive over the tree's height (at most about
 * 1.44 log2 n, so under 50 levels for any heap under 64 GiB) and rebalance on
 * the way back up, refreshing heights and maxima.
 */
#include "free_index.h"

#include "allocator.h"
#include "heap.h"
#include "policy.h"

static inline struct free_node *node(const block *b)
{
    return (struct free_node *)((char *)b + HEADER_SIZE);
}

static inline uint32_t ref_of(const block *b)
{
    return b ? (uint32_t)(((const char *)b - heap.base) / ALIGNMENT + 1) : 0;
}

static inline block *block_at(uint32_t ref)
{
    return ref ? (block *)(heap.base + (size_t)(ref - 1) * ALIGNMENT) : NULL;
}

static inline uint32_t height_of(uint32_t ref)
{
    return ref ? node(block_at(ref))->height : 0;
}
static inline uint32_t max_of(uint32_t ref)
{
    return ref ? node(block_at(ref))->max_units : 0;
}

static inline uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a > b ? a : b;
    return m > c ? m : c;
}

/* Recomputes b's height and subtree maximum from its children. */
static void refresh(block *b)
{
    struct free_node *n = node(b);
    uint32_t hl = height_of(n->left), hr = height_of(n->right);
    n->height = 1 + (hl > hr ? hl : hr);
    n->max_units = max3((uint32_t)(block_size(b) / ALIGNMENT), max_of(n->left), max_of(n->right));
}

static uint32_t rotate_right(block *b)
{
    block *l = block_at(node(b)->left);
    node(b)->left = node(l)->right;
    node(l)->right = ref_of(b);
    refresh(b);
    refresh(l);
    return ref_of(l);
}

static uint32_t rotate_left(block *b)
{
    block *r = block_at(node(b)->right);
    node(b)->right = node(r)->left;
    node(r)->left = ref_of(b);
    refresh(b);
    refresh(r);
    return ref_of(r);
}

/* Restores the AVL balance at b (children balanced, heights off by at most
 * two) and returns the subtree's new root. */
static uint32_t rebalance(block *b)
{
    struct free_node *n = node(b);
    refresh(b);
    int64_t balance = (int64_t)height_of(n->left) - (int64_t)height_of(n->right);
    if (balance > 1) {
        block *l = block_at(n->left);
        if (height_of(node(l)->left) < height_of(node(l)->right))
            n->left = rotate_left(l);
        return rotate_right(b);
    }
    if (balance < -1) {
        block *r = block_at(n->right);
        if (height_of(node(r)->right) < height_of(node(r)->left))
            n->right = rotate_right(r);
        return rotate_left(b);
    }
    return ref_of(b);
}

static uint32_t insert(uint32_t root, block *b)
{
    if (!root) {
        struct free_node *n = node(b);
        n->left = n->right = 0;
        refresh(b);
        return ref_of(b);
    }
    block *r = block_at(root);
    if (mstats_policy.order(b, r) < 0)
        node(r)->left = insert(node(r)->left, b);
    else
        node(r)->right = insert(node(r)->right, b);
    return rebalance(r);
}

/* Unlinks the leftmost block of the subtree into *min; returns the rest. */
static uint32_t remove_min(uint32_t root, block **min)
{
    block *r = block_at(root);
    if (!node(r)->left) {
        *min = r;
        return node(r)->right;
    }
    node(r)->left = remove_min(node(r)->left, min);
    return rebalance(r);
}

static uint32_t remove(uint32_t root, block *b)
{
    if (!root)
        allocator_fail("free index", b, "a free block to remove is not in the index");
    block *r = block_at(root);
    int order = r == b ? 0 : mstats_policy.order(b, r);
    if (order < 0) {
        node(r)->left = remove(node(r)->left, b);
    } else if (order > 0) {
        node(r)->right = remove(node(r)->right, b);
    } else {
        if (r != b)
            allocator_fail("free index", b, "two free blocks share one index key");
        struct free_node *n = node(r);
        if (!n->left || !n->right)
            return n->left ? n->left : n->right;
        block *successor;
        uint32_t right = remove_min(n->right, &successor);
        node(successor)->left = n->left;
        node(successor)->right = right;
        return rebalance(successor);
    }
    return rebalance(r);
}

void free_index_insert(block *b)
{
    heap.index_root = insert(heap.index_root, b);
    heap.free_blocks++;
}

void free_index_remove(block *b)
{
    heap.index_root = remove(heap.index_root, b);
    heap.free_blocks--;
}

static uint32_t replace(uint32_t root, block *was, block *now)
{
    if (!root)
        allocator_fail("free index", was, "a free block to replace is not in the index");
    block *r = block_at(root);
    if (r == was) {
        if (now != was)
            *node(now) = *node(was);
        refresh(now);
        return ref_of(now);
    }
    struct free_node *n = node(r);
    if (mstats_policy.order(was, r) < 0)
        n->left = replace(n->left, was, now);
    else
        n->right = replace(n->right, was, now);
    refresh(r);
    return root;
}

void free_index_replace(block *was, block *now)
{
    heap.index_root = replace(heap.index_root, was, now);
}

bool free_index_by_address(void)
{
    return mstats_policy.order == policy_order_by_address;
}

block *free_index_root(void)
{
    return block_at(heap.index_root);
}
block *free_index_left(const block *b)
{
    return block_at(node(b)->left);
}
block *free_index_right(const block *b)
{
    return block_at(node(b)->right);
}
size_t free_index_max(const block *b)
{
    return b ? (size_t)node(b)->max_units * ALIGNMENT : 0;
}
uint32_t free_index_height(const block *b)
{
    return b ? node(b)->height : 0;
}

/* Lowest-address fit within the subtree at b: descends toward the leftmost
 * subtree whose maximum is large enough. O(height). */
static block *lowest_fit_in(block *b, size_t size)
{
    if (free_index_max(b) < size)
        return NULL;
    for (;;) {
        block *left = free_index_left(b);
        if (free_index_max(left) >= size)
            b = left;
        else if (block_size(b) >= size)
            return b;
        else
            b = free_index_right(b); /* its maximum must be the one that fits */
    }
}

block *free_index_lowest_fit(size_t size)
{
    return lowest_fit_in(free_index_root(), size);
}

/* Walks the boundary path between blocks ending at or before addr and those
 * ending after it; at most one full lowest_fit_in descent succeeds, so the
 * cost stays O(height). */
static block *fit_ending_after(block *b, uintptr_t addr, size_t size)
{
    if (!b || free_index_max(b) < size)
        return NULL;
    if (block_end(b) <= addr)
        return fit_ending_after(free_index_right(b), addr, size);
    block *found = fit_ending_after(free_index_left(b), addr, size);
    if (found)
        return found;
    if (block_size(b) >= size)
        return b;
    return lowest_fit_in(free_index_right(b), size);
}

block *free_index_lowest_fit_ending_after(uintptr_t addr, size_t size)
{
    return fit_ending_after(free_index_root(), addr, size);
}
