/*
 * free_index.c - the index of free blocks: a treap of the larger blocks
 * (Seidel and Aragon 1996), augmented with each subtree's largest block
 * size; the bins beside it (free_bin.c) and their tournament.
 *
 * The treap is a binary search tree in the index's order that is also a
 * heap in priorities drawn from a keyed hash of each block's address, so its
 * shape is that of a random tree: expected depth O(log n) whatever the order
 * of the calls, and an insertion or removal rotates a node a constant number
 * of times on average. Every node links to its parent, so removing or
 * replacing a block needs no search: it is unlinked where it is, and only
 * the subtree maxima above it are refreshed, up to the first that comes out
 * unchanged.
 */
#include "free_index.h"

#include <string.h>
#include <sys/random.h>

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

static inline struct free_node *node_at(const struct free_index *ix, uint32_t ref)
{
    return node(block_at(ix, ref));
}

static inline uint32_t max_of(const struct free_index *ix, uint32_t ref)
{
    return ref ? node_at(ix, ref)->max_units : 0;
}

static inline uint32_t units_of(const block *b)
{
    return (uint32_t)(block_size(b) / ALIGNMENT);
}

int free_index_order(const struct free_index *ix, const block *a, const block *b)
{
    if (ix->order == FREE_ORDER_BY_SIZE_THEN_ADDRESS && block_size(a) != block_size(b))
        return block_size(a) < block_size(b) ? -1 : 1;
    return (a > b) - (a < b);
}

/* True when a sorts before b in the index order (both free, distinct). */
static inline bool sorts_before(const struct free_index *ix, const block *a, const block *b)
{
    if (ix->order == FREE_ORDER_BY_SIZE_THEN_ADDRESS && block_size(a) != block_size(b))
        return block_size(a) < block_size(b);
    return a < b;
}

static inline uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a > b ? a : b;
    return m > c ? m : c;
}

/* A node's priority: where its block ends (in refs: free blocks end at
 * distinct places) under the index's key, mixed by the finalizer of
 * MurmurHash3, a bijection, so no two nodes tie. The end, not the start: a
 * block split from its front or merged with the block before it keeps its
 * end, so it keeps its place in the heap order too (free_index_replace). */
static inline uint32_t priority(const struct free_index *ix, uint32_t ref)
{
    uint32_t h = (ref + units_of(block_at(ix, ref))) ^ ix->key;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

uint32_t free_index_priority(const struct free_index *ix, const block *b)
{
    return priority(ix, ref_of(ix, b));
}

/* Recomputes the subtree maximum of ref from its children. */
static void refresh(const struct free_index *ix, uint32_t ref)
{
    struct free_node *n = node_at(ix, ref);
    n->max_units = max3(units_of(block_at(ix, ref)), max_of(ix, n->left), max_of(ix, n->right));
}

/* The link that holds ref: its parent's child field, or the root. */
static uint32_t *link_to(struct free_index *ix, uint32_t ref)
{
    uint32_t parent = node_at(ix, ref)->parent;
    if (!parent)
        return &ix->root;
    struct free_node *p = node_at(ix, parent);
    return p->left == ref ? &p->left : &p->right;
}

/* Rotates x above its parent, keeping the order and both subtree maxima:
 * x's subtree now holds what its parent's held. */
static void rotate_up(struct free_index *ix, uint32_t x)
{
    struct free_node *xn = node_at(ix, x);
    uint32_t p = xn->parent;
    struct free_node *pn = node_at(ix, p);
    uint32_t *link = link_to(ix, p), moved;
    if (pn->left == x) {
        moved = xn->right;
        pn->left = moved;
        xn->right = p;
    } else {
        moved = xn->left;
        pn->right = moved;
        xn->left = p;
    }
    if (moved)
        node_at(ix, moved)->parent = p;
    xn->parent = pn->parent;
    pn->parent = x;
    *link = x;
    xn->max_units = pn->max_units;
    refresh(ix, p);
}

/* Rotates x up while it outranks its parent, then down (its higher child up)
 * while a child outranks it: restores the heap order around x alone. */
static void sift(struct free_index *ix, uint32_t x)
{
    struct free_node *n = node_at(ix, x);
    uint32_t rank = priority(ix, x);
    while (n->parent && rank > priority(ix, n->parent))
        rotate_up(ix, x);
    for (;;) {
        uint32_t top = n->left;
        if (!top || (n->right && priority(ix, n->right) > priority(ix, top)))
            top = n->right;
        if (!top || priority(ix, top) < rank)
            return;
        rotate_up(ix, top);
    }
}

/* Fails unless ref is linked where its parent says: a cheap check that a
 * block to remove or replace is in the tree. */
static uint32_t *linked_or_fail(struct free_index *ix, block *b, const char *what)
{
    uint32_t ref = ref_of(ix, b), *link = link_to(ix, ref);
    if (*link != ref)
        allocator_fail("free index", b, what);
    return link;
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
 * above it. All six, without a branch: a first fit takes the lowest block,
 * which wins every match, so most changes reach the top anyway. */
static void tournament_set(struct free_index *ix, int leaf, uint32_t ref)
{
    if (ix->order != FREE_ORDER_BY_ADDRESS_BINNED)
        return;
    uint32_t *t = ix->lowest, low = ref - 1;
    size_t i = FREE_LEAVES + (size_t)leaf;
    t[i] = low;
    for (; i > 1; i /= 2) {
        uint32_t sibling = t[i ^ 1];
        low = low < sibling ? low : sibling;
        t[i / 2] = low;
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

void free_index_init(struct free_index *ix, char *base, enum free_order order)
{
    *ix = (struct free_index){.base = base, .order = order};
    ix->bin_max = order == FREE_ORDER_BY_SIZE_THEN_ADDRESS ? FREE_BIN_MAX
                  : order == FREE_ORDER_BY_ADDRESS_BINNED  ? FREE_ADDRESS_BIN_MAX
                                                           : 0;
    memset(ix->lowest, 0xff, sizeof ix->lowest);
    /* A key the program cannot know keeps the expected depth whatever it
     * does; without one the base address, which ASLR moves, serves. */
    if (getrandom(&ix->key, sizeof ix->key, GRND_NONBLOCK) != sizeof ix->key)
        ix->key = (uint32_t)((uintptr_t)base >> 4);
}

void free_index_insert(struct free_index *ix, block *b)
{
    ix->count++;
    int bin = bin_of(ix, block_size(b));
    if (bin >= 0) {
        bin_insert(ix, bin, b);
        return;
    }
    /* Down by the order to an empty link; every subtree on the way will
     * hold b, so its maximum is raised as we pass. Then up by priority. */
    uint32_t ref = ref_of(ix, b), units = units_of(b), parent = 0, *link = &ix->root;
    while (*link) {
        parent = *link;
        block *r = block_at(ix, parent);
        if (r == b)
            allocator_fail("free index", b, "a free block to insert is already in the index");
        struct free_node *rn = node(r);
        if (rn->max_units < units)
            rn->max_units = units;
        link = &rn->left + !sorts_before(ix, b, r);
    }
    *node(b) = (struct free_node){.max_units = units, .parent = parent};
    *link = ref;
    sift(ix, ref);
    if (ix->order == FREE_ORDER_BY_ADDRESS_BINNED &&
        ref - 1 < ix->lowest[FREE_LEAVES + FREE_LOWEST_LEAF])
        tournament_set(ix, FREE_LOWEST_LEAF, ref);
}

void free_index_remove(struct free_index *ix, block *b)
{
    ix->count--;
    if (b == ix->held) {
        ix->held = NULL;
        return;
    }
    int bin = bin_of(ix, block_size(b));
    if (bin >= 0) {
        bin_remove(ix, bin, b);
        return;
    }
    uint32_t ref = ref_of(ix, b), units = units_of(b);
    linked_or_fail(ix, b, "a free block to remove is not in the index");
    /* Down until b has at most one child, the higher-priority child rising
     * each time; then b's one child (or none) takes its place. */
    struct free_node *n = node(b);
    while (n->left && n->right)
        rotate_up(ix, priority(ix, n->left) > priority(ix, n->right) ? n->left : n->right);
    uint32_t child = n->left ? n->left : n->right;
    *link_to(ix, ref) = child;
    if (child)
        node_at(ix, child)->parent = n->parent;
    /* Only subtrees whose maximum was b's size can have lost it. */
    for (uint32_t at = n->parent; at && node_at(ix, at)->max_units == units;
         at = node_at(ix, at)->parent) {
        refresh(ix, at);
        if (node_at(ix, at)->max_units == units)
            break;
    }
    if (is_main_lowest(ix, ref))
        main_lowest_changed(ix);
}

/* Updates r's subtree maximum after one part of its subtree (r itself or a
 * child's subtree) changed its maximum from `was` to `now`, reading the other
 * parts only when the maximum may have fallen below what they hold. */
static void update_max(const struct free_index *ix, uint32_t r, uint32_t was, uint32_t now)
{
    struct free_node *n = node_at(ix, r);
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
    if (was == ix->held) {
        ix->held = now;
        return;
    }
    uint32_t w = ref_of(ix, was), r = ref_of(ix, now);
    if (is_main_lowest(ix, w))
        tournament_set(ix, FREE_LOWEST_LEAF, r);
    uint32_t *link = linked_or_fail(ix, was, "a free block to replace is not in the index");
    struct free_node *n = node(was);
    uint32_t old_max = n->max_units, old_units = units_of(was);
    if (r != w) {
        *node(now) = *n;
        *link = r;
        n = node(now);
        if (n->left)
            node_at(ix, n->left)->parent = r;
        if (n->right)
            node_at(ix, n->right)->parent = r;
    }
    /* The order is unchanged; maxima can be, up to where one is not. */
    update_max(ix, r, old_units, units_of(now));
    uint32_t new_max = n->max_units;
    for (uint32_t at = n->parent; at && new_max != old_max; at = node_at(ix, at)->parent) {
        uint32_t before = node_at(ix, at)->max_units;
        update_max(ix, at, old_max, new_max);
        old_max = before;
        new_max = node_at(ix, at)->max_units;
    }
    if (r == w)
        sift(ix, r); /* it grew at its end, so its priority changed */
}

void free_index_hold(struct free_index *ix, block *b)
{
    if (b == ix->held)
        return;
    if (ix->held) {
        ix->count--; /* insert counts it again */
        free_index_insert(ix, ix->held);
    }
    if (b) {
        free_index_remove(ix, b);
        ix->count++; /* still in the index */
    }
    ix->held = b;
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
block *free_index_parent(const struct free_index *ix, const block *b)
{
    return block_at(ix, node(b)->parent);
}
size_t free_index_max(const block *b)
{
    return b ? (size_t)node(b)->max_units * ALIGNMENT : 0;
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
    /* The first bin at or above the request's that holds blocks: its root
     * has the lowest address of that size. */
    int bin = bin_at_least(ix, size);
    if (bin >= 0)
        return block_at(ix, ix->bin_root[bin]);
    /* The main tree: the leftmost block not smaller than the request. */
    block *best = NULL;
    for (block *b = free_index_root(ix); b;) {
        bool fits = block_size(b) >= size;
        if (fits)
            best = b;
        b = block_at(ix, fits ? node(b)->left : node(b)->right);
    }
    return best;
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
