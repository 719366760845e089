/*
 * free_index.c - intrusive AVL tree of free blocks (Adelson-Velsky and
 * Landis 1962), augmented with each subtree's largest block size.
 *
 * Insert, remove and replace descend once, recording the path, then walk it
 * back up refreshing heights and maxima and rebalancing, and stop at the
 * first subtree whose height and maximum came out unchanged: most calls touch
 * only a few nodes above the change.
 */
#include "free_index.h"

#include <string.h>

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

/* True when a sorts before b in the index order (both free, distinct). */
static inline bool sorts_before(const struct free_index *ix, const block *a, const block *b)
{
    if (ix->order == FREE_ORDER_BY_SIZE_THEN_ADDRESS && block_size(a) != block_size(b))
        return block_size(a) < block_size(b);
    return a < b;
}

/* The bin of a small block size under the size order, or -1 for the main tree. */
static inline int bin_of(const struct free_index *ix, size_t size)
{
    if (ix->order != FREE_ORDER_BY_SIZE_THEN_ADDRESS || size > FREE_BIN_MAX)
        return -1;
    return (int)((size - MIN_BLOCK) / ALIGNMENT);
}

/* The root link of the tree that holds (or would hold) b. */
static inline uint32_t *tree_of(struct free_index *ix, const block *b)
{
    int bin = bin_of(ix, block_size(b));
    return bin < 0 ? &ix->root : &ix->bin_root[bin];
}

/* Follows the index order from b's tree's root toward b, recording the path,
 * until the link that holds b (or the empty link where b belongs). Returns
 * that link. */
static uint32_t *descend(struct free_index *ix, const block *b, struct free_path *path)
{
    if (b == ix->found) { /* the last search's answer: its path is known */
        ix->found = NULL;
        path->depth = ix->found_path.depth;
        memcpy(path->link, ix->found_path.link, sizeof *path->link * (size_t)path->depth);
        return ix->found_link;
    }
    ix->found = NULL; /* the index is about to change */
    uint32_t *link = tree_of(ix, b);
    path->depth = 0;
    while (*link) {
        block *r = block_at(ix, *link);
        if (r == b)
            break;
        path->link[path->depth++] = link;
        /* left and right are adjacent: index them, so that a random path
         * costs no mispredicted branches. */
        link = &node(r)->left + !sorts_before(ix, b, r);
    }
    return link;
}

/* Walks a path back up from its deepest node after a change below it:
 * refreshes heights and maxima, rebalances, and stops as soon as a subtree
 * at or above `settled` (a path index) comes out with the height and maximum
 * it had, since nothing above it changes. Below `settled` the nodes' figures
 * are not yet to be trusted, so every one is refreshed. */
static void repair_upward(struct free_index *ix, struct free_path *path, int settled)
{
    for (int i = path->depth - 1; i >= 0; i--) {
        uint32_t *link = path->link[i];
        struct free_node *n = node(block_at(ix, *link));
        uint32_t old_height = n->height, old_max = n->max_units;
        *link = rebalance(ix, block_at(ix, *link));
        n = node(block_at(ix, *link));
        if (i <= settled && n->height == old_height && n->max_units == old_max)
            return;
    }
}

void free_index_init(struct free_index *ix, char *base, enum free_order order)
{
    *ix = (struct free_index){.base = base, .order = order};
}

void free_index_insert(struct free_index *ix, block *b)
{
    struct free_path path;
    uint32_t *link = descend(ix, b, &path);
    if (*link)
        allocator_fail("free index", b, "a free block to insert is already in the index");
    struct free_node *n = node(b);
    n->left = n->right = 0;
    refresh(ix, b);
    *link = ref_of(ix, b);
    repair_upward(ix, &path, path.depth);
    int bin = bin_of(ix, block_size(b));
    if (bin >= 0)
        ix->bin_used[bin / 64] |= (uint64_t)1 << (bin % 64);
    ix->count++;
}

void free_index_remove(struct free_index *ix, block *b)
{
    struct free_path path;
    uint32_t *link = descend(ix, b, &path);
    if (!*link)
        allocator_fail("free index", b, "a free block to remove is not in the index");
    struct free_node *n = node(b);
    int settled = path.depth;
    if (!n->left || !n->right) {
        *link = n->left ? n->left : n->right;
    } else {
        /* Unlink b's successor (the leftmost of its right subtree) and put it
         * in b's place; the path then runs through the successor. */
        int at_b = path.depth;
        path.link[path.depth++] = link;
        uint32_t *succ_link = &n->right;
        while (node(block_at(ix, *succ_link))->left) {
            path.link[path.depth++] = succ_link;
            succ_link = &node(block_at(ix, *succ_link))->left;
        }
        block *successor = block_at(ix, *succ_link);
        *succ_link = node(successor)->right;
        *node(successor) = *n;
        *link = ref_of(ix, successor);
        if (path.depth > at_b + 1)
            path.link[at_b + 1] = &node(successor)->right;
        /* The successor carries b's old figures, which counted b itself. */
        settled = at_b;
    }
    repair_upward(ix, &path, settled);
    int bin = bin_of(ix, block_size(b));
    if (bin >= 0 && !ix->bin_root[bin])
        ix->bin_used[bin / 64] &= ~((uint64_t)1 << (bin % 64));
    ix->count--;
}

/* Updates r's subtree maximum after one part of its subtree (r itself or a
 * child's subtree) changed its maximum from `was` to `now`, reading the other
 * parts only when the maximum may have fallen below what they hold. */
static void update_max(const struct free_index *ix, block *r, uint32_t was, uint32_t now)
{
    struct free_node *n = node(r);
    if (now >= n->max_units)
        n->max_units = now;
    else if (was == n->max_units)
        refresh(ix, r);
}

void free_index_replace(struct free_index *ix, block *was, block *now)
{
    struct free_path path;
    uint32_t *link = descend(ix, was, &path);
    if (!*link)
        allocator_fail("free index", was, "a free block to replace is not in the index");
    uint32_t old_max = node(was)->max_units;
    uint32_t old_units = (uint32_t)(block_size(was) / ALIGNMENT);
    if (now != was)
        *node(now) = *node(was);
    update_max(ix, now, old_units, (uint32_t)(block_size(now) / ALIGNMENT));
    *link = ref_of(ix, now);
    /* Heights are unchanged; only maxima can be, and only up to where one is not. */
    uint32_t new_max = node(now)->max_units;
    for (int i = path.depth - 1; i >= 0 && new_max != old_max; i--) {
        block *r = block_at(ix, *path.link[i]);
        uint32_t before = node(r)->max_units;
        update_max(ix, r, old_max, new_max);
        old_max = before;
        new_max = node(r)->max_units;
    }
}

block *free_index_root(const struct free_index *ix)
{
    return block_at(ix, ix->root);
}
int free_index_trees(const struct free_index *ix)
{
    return ix->order == FREE_ORDER_BY_SIZE_THEN_ADDRESS ? 1 + FREE_BINS : 1;
}

block *free_index_tree_root(const struct free_index *ix, int tree)
{
    return block_at(ix, tree ? ix->bin_root[tree - 1] : ix->root);
}

bool free_index_contains(const struct free_index *ix, const block *b)
{
    int bin = bin_of(ix, block_size(b));
    block *at = block_at(ix, bin < 0 ? ix->root : ix->bin_root[bin]);
    while (at && at != b)
        at = sorts_before(ix, b, at) ? free_index_left(ix, at) : free_index_right(ix, at);
    return at == b;
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

/* Records `b`, reached through `link` after the first `depth` links of
 * `path`, as the last search's answer, and returns it. */
static block *remember_found(struct free_index *ix, block *b, uint32_t *link,
                             const struct free_path *path, int depth)
{
    ix->found = b;
    ix->found_link = link;
    ix->found_path.depth = depth;
    if (path != &ix->found_path)
        memcpy(ix->found_path.link, path->link, sizeof *path->link * (size_t)depth);
    return b;
}

block *free_index_smallest_fit(struct free_index *ix, size_t size)
{
    struct free_path *path = &ix->found_path;
    size_t units = size <= MIN_BLOCK ? 0 : (size - MIN_BLOCK + ALIGNMENT - 1) / ALIGNMENT;
    int bin = ix->order == FREE_ORDER_BY_SIZE_THEN_ADDRESS && units < FREE_BINS ? (int)units : -1;
    if (bin >= 0) {
        /* The first bin at or above the request's that holds blocks; its
         * leftmost block has the lowest address of that size. */
        for (int word = bin / 64; word < (FREE_BINS + 63) / 64; word++) {
            uint64_t used = ix->bin_used[word];
            if (word == bin / 64)
                used &= ~(uint64_t)0 << (bin % 64);
            if (used) {
                uint32_t *link = &ix->bin_root[word * 64 + __builtin_ctzll(used)];
                int depth = 0;
                while (node(block_at(ix, *link))->left) {
                    path->link[depth++] = link;
                    link = &node(block_at(ix, *link))->left;
                }
                return remember_found(ix, block_at(ix, *link), link, path, depth);
            }
        }
    }
    /* The main tree: the leftmost block not smaller than the request. The
     * path to the best so far is a prefix of the path walked. */
    uint32_t *best_link = NULL;
    int best_depth = 0, depth = 0;
    for (uint32_t *link = &ix->root; *link;) {
        block *b = block_at(ix, *link);
        if (block_size(b) >= size) {
            best_link = link;
            best_depth = depth;
        }
        path->link[depth++] = link;
        link = &node(b)->left + (block_size(b) < size);
    }
    if (!best_link) {
        ix->found = NULL;
        return NULL;
    }
    return remember_found(ix, block_at(ix, *best_link), best_link, path, best_depth);
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

block *free_index_lowest_fit(struct free_index *ix, size_t size)
{
    /* lowest_fit_in from the root, recording the path. */
    struct free_path *path = &ix->found_path;
    ix->found = NULL;
    if (free_index_max(block_at(ix, ix->root)) < size)
        return NULL;
    int depth = 0;
    for (uint32_t *link = &ix->root;;) {
        block *b = block_at(ix, *link);
        path->link[depth++] = link;
        if (free_index_max(block_at(ix, node(b)->left)) >= size)
            link = &node(b)->left;
        else if (block_size(b) >= size)
            return remember_found(ix, b, link, path, depth - 1);
        else
            link = &node(b)->right; /* its maximum must be the one that fits */
    }
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
