/*
 * free_index.c - intrusive AVL tree of free blocks (Adelson-Velsky and
 * Landis 1962), augmented with each subtree's largest block size; the bins
 * beside it (free_bin.c) and their tournament.
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
    return free_ref_of(ix->base, b);
}

static inline block *block_at(const struct free_index *ix, uint32_t ref)
{
    return free_block_at(ix->base, ref);
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

/* The bin of a small block size under a binned order, or -1 for the main tree. */
static inline int bin_of(const struct free_index *ix, size_t size)
{
    if (size > ix->bin_max)
        return -1;
    return (int)((size - MIN_BLOCK) / ALIGNMENT);
}

int free_index_bin_of(const struct free_index *ix, size_t size)
{
    return bin_of(ix, size);
}

/* Sets tournament leaf `leaf` to `ref` (0: none) and replays the matches
 * above it, up to the first whose winner stays the same. A node that got
 * lower wins its match outright; one that got higher matters only where it
 * was the winner, and only there is its sibling read. */
static void tournament_set(struct free_index *ix, int leaf, uint32_t ref)
{
    if (ix->order != FREE_ORDER_BY_ADDRESS_BINNED)
        return;
    uint32_t *t = ix->lowest;
    size_t i = FREE_LEAVES + (size_t)leaf;
    uint32_t was = t[i], now = ref - 1;
    t[i] = now;
    for (; i > 1 && was != now; i /= 2) {
        uint32_t before = t[i / 2], after = now;
        if (now > before) {
            if (was != before)
                return; /* the sibling won here, and still does */
            uint32_t sibling = t[i ^ 1];
            after = now < sibling ? now : sibling;
        }
        t[i / 2] = after;
        was = before;
        now = after;
    }
}

/* The main tree's lowest address changed, or may have: tells the tournament. */
static void main_lowest_changed(struct free_index *ix)
{
    if (ix->order != FREE_ORDER_BY_ADDRESS_BINNED)
        return;
    uint32_t ref = ix->root;
    while (ref && node(block_at(ix, ref))->left)
        ref = node(block_at(ix, ref))->left;
    tournament_set(ix, FREE_LOWEST_LEAF, ref);
}

/* Whether ref is the main tree's lowest address as the tournament knows it. */
static bool is_main_lowest(const struct free_index *ix, uint32_t ref)
{
    return ix->order == FREE_ORDER_BY_ADDRESS_BINNED &&
           ix->lowest[FREE_LEAVES + FREE_LOWEST_LEAF] == ref - 1;
}

/* Adds or removes b, of a bin's size, in bin `bin`, keeping the bitmap and
 * the tournament. */
static void bin_insert(struct free_index *ix, int bin, block *b)
{
    uint32_t *root = &ix->bin_root[bin], was = *root;
    free_bin_insert(ix->base, root, ref_of(ix, b));
    ix->bin_used[bin / 64] |= (uint64_t)1 << (bin % 64);
    if (*root != was)
        tournament_set(ix, bin, *root);
}
static void bin_remove(struct free_index *ix, int bin, block *b)
{
    uint32_t *root = &ix->bin_root[bin], was = *root;
    free_bin_remove(ix->base, root, ref_of(ix, b));
    if (!*root)
        ix->bin_used[bin / 64] &= ~((uint64_t)1 << (bin % 64));
    if (*root != was)
        tournament_set(ix, bin, *root);
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
    uint32_t *link = &ix->root;
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
    ix->bin_max = order == FREE_ORDER_BY_SIZE_THEN_ADDRESS ? FREE_BIN_MAX
                  : order == FREE_ORDER_BY_ADDRESS_BINNED  ? FREE_ADDRESS_BIN_MAX
                                                           : 0;
    memset(ix->lowest, 0xff, sizeof ix->lowest);
}

void free_index_insert(struct free_index *ix, block *b)
{
    ix->count++;
    int bin = bin_of(ix, block_size(b));
    if (bin >= 0) {
        bin_insert(ix, bin, b);
        return;
    }
    struct free_path path;
    uint32_t *link = descend(ix, b, &path);
    if (*link)
        allocator_fail("free index", b, "a free block to insert is already in the index");
    struct free_node *n = node(b);
    n->left = n->right = 0;
    refresh(ix, b);
    *link = ref_of(ix, b);
    repair_upward(ix, &path, path.depth);
    if (ix->order == FREE_ORDER_BY_ADDRESS_BINNED &&
        ref_of(ix, b) - 1 < ix->lowest[FREE_LEAVES + FREE_LOWEST_LEAF])
        tournament_set(ix, FREE_LOWEST_LEAF, ref_of(ix, b));
}

void free_index_remove(struct free_index *ix, block *b)
{
    ix->count--;
    if (b == ix->watched)
        ix->watched = NULL;
    int bin = bin_of(ix, block_size(b));
    if (bin >= 0) {
        bin_remove(ix, bin, b);
        return;
    }
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
    if (is_main_lowest(ix, ref_of(ix, b)))
        main_lowest_changed(ix);
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

bool free_index_can_replace(const struct free_index *ix, const block *was, size_t now_size)
{
    return ix->order != FREE_ORDER_BY_SIZE_THEN_ADDRESS && bin_of(ix, block_size(was)) < 0 &&
           bin_of(ix, now_size) < 0;
}

void free_index_replace(struct free_index *ix, block *was, block *now)
{
    if (was == ix->watched)
        ix->watched = NULL;
    if (is_main_lowest(ix, ref_of(ix, was)))
        tournament_set(ix, FREE_LOWEST_LEAF, ref_of(ix, now));
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
int free_index_bins(const struct free_index *ix)
{
    return ix->bin_max ? (int)((ix->bin_max - MIN_BLOCK) / ALIGNMENT + 1) : 0;
}

block *free_index_bin_root(const struct free_index *ix, int bin)
{
    return block_at(ix, ix->bin_root[bin]);
}

bool free_index_contains(const struct free_index *ix, const block *b)
{
    block *at = block_at(ix, ix->root);
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

/* The bin of the smallest size of at least `size` bytes, -1 when the
 * binned sizes hold none; sizes are multiples of 16. */
static int bin_at_least(const struct free_index *ix, size_t size)
{
    size_t units = size <= MIN_BLOCK ? 0 : (size - MIN_BLOCK) / ALIGNMENT;
    if (units >= (size_t)free_index_bins(ix))
        return -1;
    int bin = (int)units;
    for (int word = bin / 64; word < (FREE_BINS + 63) / 64; word++) {
        uint64_t used = ix->bin_used[word];
        if (word == bin / 64)
            used &= ~(uint64_t)0 << (bin % 64);
        if (used)
            return word * 64 + __builtin_ctzll(used);
    }
    return -1;
}

size_t free_index_largest(const struct free_index *ix)
{
    if (ix->root)
        return (size_t)node(block_at(ix, ix->root))->max_units * ALIGNMENT;
    for (int word = (FREE_BINS + 63) / 64 - 1; word >= 0; word--)
        if (ix->bin_used[word])
            return MIN_BLOCK + (size_t)(word * 64 + 63 - __builtin_clzll(ix->bin_used[word])) *
                                   ALIGNMENT;
    return 0;
}

block *free_index_smallest_fit(struct free_index *ix, size_t size)
{
    struct free_path *path = &ix->found_path;
    /* The first bin at or above the request's that holds blocks: its root
     * has the lowest address of that size. */
    int bin = bin_at_least(ix, size);
    if (bin >= 0)
        return block_at(ix, ix->bin_root[bin]);
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

/* The lowest key (ref minus one) among tournament leaves `leaf` onward. */
static uint32_t tournament_lowest_from(const struct free_index *ix, size_t leaf)
{
    const uint32_t *t = ix->lowest;
    uint32_t low = UINT32_MAX;
    for (size_t i = FREE_LEAVES + leaf, end = 2 * FREE_LEAVES; i < end; i /= 2, end /= 2)
        if (i & 1) {
            if (t[i] < low)
                low = t[i];
            i++;
        }
    return low;
}

block *free_index_lowest_fit(struct free_index *ix, size_t size)
{
    if (ix->order == FREE_ORDER_BY_ADDRESS_BINNED && size <= ix->bin_max) {
        /* Every block in the bins of size or more, and in the main tree,
         * fits: the lowest of their lowest addresses is the answer. */
        size_t leaf = size <= MIN_BLOCK ? 0 : (size - MIN_BLOCK) / ALIGNMENT;
        return block_at(ix, tournament_lowest_from(ix, leaf) + 1);
    }
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
