/*
 * free_index.c - intrusive AVL tree of free blocks (Adelson-Velsky and
 * Landis 1962), augmented with each subtree's largest block size.
 *
 * Insert and remove are recursive over the tree's height (at most about
 * 1.44 log2 n, so under 50 levels for any heap under 64 GiB) and rebalance on
 * the way back up, refreshing heights and maxima.
 */
#include "free_index.h"

#include "fail.h"

static inline struct free_node *node(const block *b)
{
    return (struct free_node *)((char *)b + HEADER_SIZE);
}

static inline uint32_t ref_of(const struct free_index *ix, const block *b)
{
    return b ? (uint32_t)(((const char *)b - ix->base) / ALIGNMENT + 1) : 0;
}

static inline block *block_at(const struct free_index *ix, uint32_t ref)
{
    return ref ? (block *)(ix->base + (size_t)(ref - 1) * ALIGNMENT) : NULL;
}

static inline uint32_t height_of(const struct free_index *ix, uint32_t ref)
{
    return ref ? node(block_at(ix, ref))->height : 0;
}
static inline uint32_t max_of(const struct free_index *ix, uint32_t ref)
{
    return ref ? node(block_at(ix, ref))->max_units : 0;
}

int free_index_order(const struct free_index *ix, const block *a, const block *b)
{
    if (ix->order == FREE_ORDER_BY_SIZE_THEN_ADDRESS && block_size(a) != block_size(b))
        return block_size(a) < block_size(b) ? -1 : 1;
    return (a > b) - (a < b);
}

static inline uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a > b ? a : b;
    return m > c ? m : c;
}

/* Recomputes b's height and subtree maximum from its children. */
static void refresh(const struct free_index *ix, block *b)
{
    struct free_node *n = node(b);
    uint32_t hl = height_of(ix, n->left), hr = height_of(ix, n->right);
    n->height = 1 + (hl > hr ? hl : hr);
    n->max_units =
        max3((uint32_t)(block_size(b) / ALIGNMENT), max_of(ix, n->left), max_of(ix, n->right));
}

static uint32_t rotate_right(const struct free_index *ix, block *b)
{
    block *l = block_at(ix, node(b)->left);
    node(b)->left = node(l)->right;
    node(l)->right = ref_of(ix, b);
    refresh(ix, b);
    refresh(ix, l);
    return ref_of(ix, l);
}

static uint32_t rotate_left(const struct free_index *ix, block *b)
{
    block *r = block_at(ix, node(b)->right);
    node(b)->right = node(r)->left;
    node(r)->left = ref_of(ix, b);
    refresh(ix, b);
    refresh(ix, r);
    return ref_of(ix, r);
}

/* Restores the AVL balance at b (children balanced, heights off by at most
 * two) and returns the subtree's new root. */
static uint32_t rebalance(const struct free_index *ix, block *b)
{
    struct free_node *n = node(b);
    refresh(ix, b);
    int64_t balance = (int64_t)height_of(ix, n->left) - (int64_t)height_of(ix, n->right);
    if (balance > 1) {
        block *l = block_at(ix, n->left);
        if (height_of(ix, node(l)->left) < height_of(ix, node(l)->right))
            n->left = rotate_left(ix, l);
        return rotate_right(ix, b);
    }
    if (balance < -1) {
        block *r = block_at(ix, n->right);
        if (height_of(ix, node(r)->right) < height_of(ix, node(r)->left))
            n->right = rotate_right(ix, r);
        return rotate_left(ix, b);
    }
    return ref_of(ix, b);
}

static uint32_t insert(const struct free_index *ix, uint32_t root, block *b)
{
    if (!root) {
        struct free_node *n = node(b);
        n->left = n->right = 0;
        refresh(ix, b);
        return ref_of(ix, b);
    }
    block *r = block_at(ix, root);
    if (free_index_order(ix, b, r) < 0)
        node(r)->left = insert(ix, node(r)->left, b);
    else
        node(r)->right = insert(ix, node(r)->right, b);
    return rebalance(ix, r);
}

/* Unlinks the leftmost block of the subtree into *min; returns the rest. */
static uint32_t remove_min(const struct free_index *ix, uint32_t root, block **min)
{
    block *r = block_at(ix, root);
    if (!node(r)->left) {
        *min = r;
        return node(r)->right;
    }
    node(r)->left = remove_min(ix, node(r)->left, min);
    return rebalance(ix, r);
}

static uint32_t remove(const struct free_index *ix, uint32_t root, block *b)
{
    if (!root)
        allocator_fail("free index", b, "a free block to remove is not in the index");
    block *r = block_at(ix, root);
    int order = r == b ? 0 : free_index_order(ix, b, r);
    if (order < 0) {
        node(r)->left = remove(ix, node(r)->left, b);
    } else if (order > 0) {
        node(r)->right = remove(ix, node(r)->right, b);
    } else {
        if (r != b)
            allocator_fail("free index", b, "two free blocks share one index key");
        struct free_node *n = node(r);
        if (!n->left || !n->right)
            return n->left ? n->left : n->right;
        block *successor;
        uint32_t right = remove_min(ix, n->right, &successor);
        node(successor)->left = n->left;
        node(successor)->right = right;
        return rebalance(ix, successor);
    }
    return rebalance(ix, r);
}

void free_index_init(struct free_index *ix, char *base, enum free_order order)
{
    *ix = (struct free_index){.base = base, .order = order};
}

void free_index_insert(struct free_index *ix, block *b)
{
    ix->root = insert(ix, ix->root, b);
    ix->count++;
}

void free_index_remove(struct free_index *ix, block *b)
{
    ix->root = remove(ix, ix->root, b);
    ix->count--;
}

static uint32_t replace(const struct free_index *ix, uint32_t root, block *was, block *now)
{
    if (!root)
        allocator_fail("free index", was, "a free block to replace is not in the index");
    block *r = block_at(ix, root);
    if (r == was) {
        if (now != was)
            *node(now) = *node(was);
        refresh(ix, now);
        return ref_of(ix, now);
    }
    struct free_node *n = node(r);
    if (free_index_order(ix, was, r) < 0)
        n->left = replace(ix, n->left, was, now);
    else
        n->right = replace(ix, n->right, was, now);
    refresh(ix, r);
    return root;
}

void free_index_replace(struct free_index *ix, block *was, block *now)
{
    ix->root = replace(ix, ix->root, was, now);
}

block *free_index_root(const struct free_index *ix)
{
    return block_at(ix, ix->root);
}
block *free_index_left(const struct free_index *ix, const block *b)
{
    return block_at(ix, node(b)->left);
}
block *free_index_right(const struct free_index *ix, const block *b)
{
    return block_at(ix, node(b)->right);
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
static block *lowest_fit_in(const struct free_index *ix, block *b, size_t size)
{
    if (free_index_max(b) < size)
        return NULL;
    for (;;) {
        block *left = free_index_left(ix, b);
        if (free_index_max(left) >= size)
            b = left;
        else if (block_size(b) >= size)
            return b;
        else
            b = free_index_right(ix, b); /* its maximum must be the one that fits */
    }
}

block *free_index_lowest_fit(const struct free_index *ix, size_t size)
{
    return lowest_fit_in(ix, free_index_root(ix), size);
}

/* Walks the boundary path between blocks ending at or before addr and those
 * ending after it; at most one full lowest_fit_in descent succeeds, so the
 * cost stays O(height). */
static block *fit_ending_after(const struct free_index *ix, block *b, uintptr_t addr, size_t size)
{
    if (!b || free_index_max(b) < size)
        return NULL;
    if (block_end(b) <= addr)
        return fit_ending_after(ix, free_index_right(ix, b), addr, size);
    block *found = fit_ending_after(ix, free_index_left(ix, b), addr, size);
    if (found)
        return found;
    if (block_size(b) >= size)
        return b;
    return lowest_fit_in(ix, free_index_right(ix, b), size);
}

block *free_index_lowest_fit_ending_after(const struct free_index *ix, uintptr_t addr, size_t size)
{
    return fit_ending_after(ix, free_index_root(ix), addr, size);
}
