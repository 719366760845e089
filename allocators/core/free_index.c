/*
 * free_index.c - the index of free blocks: an AVL tree of the larger blocks
 * (Adelson-Velsky and Landis 1962), augmented with each subtree's largest
 * block size; the bins beside it (free_bin.c), their bitmap, and the
 * tournament over them (free_tournament.c).
 *
 * Every node links to its parent (the AVL balance rides in the link's top
 * two bits), so removing or replacing a block needs no search: it is
 * unlinked where it is, the subtree maxima above it are refreshed up to the
 * first that comes out unchanged, and the balance is restored on the way up
 * (an insertion rotates once at most).
 */
#include "free_index.h"

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

static inline uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a > b ? a : b;
    return m > c ? m : c;
}

static inline uint32_t parent_of(const struct free_node *n)
{
    return n->up & FREE_PARENT_MASK;
}
static inline void set_parent(struct free_node *n, uint32_t parent)
{
    n->up = (n->up & ~FREE_PARENT_MASK) | parent;
}
/* The height of the right subtree minus the left's: -1, 0 or 1. */
static inline int balance_of(const struct free_node *n)
{
    return (int)(n->up >> 30) - 1;
}
static inline void set_balance(struct free_node *n, int balance)
{
    n->up = (n->up & FREE_PARENT_MASK) | (uint32_t)(balance + 1) << 30;
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
    uint32_t parent = parent_of(node_at(ix, ref));
    if (!parent)
        return &ix->root;
    struct free_node *p = node_at(ix, parent);
    return p->left == ref ? &p->left : &p->right;
}

/* Rotates x above its parent, keeping the order and both subtree maxima:
 * x's subtree now holds what its parent's held. Balances are the caller's. */
static void rotate_up(struct free_index *ix, uint32_t x)
{
    struct free_node *xn = node_at(ix, x);
    uint32_t p = parent_of(xn);
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
        set_parent(node_at(ix, moved), p);
    set_parent(xn, parent_of(pn));
    set_parent(pn, x);
    *link = x;
    xn->max_units = pn->max_units;
    refresh(ix, p);
}

/* Restores the balance at p, which would be +-2 with `tall` its taller
 * child, by a single or a double rotation. Returns false only when the
 * subtree kept the height it had at p (a single rotation over a balanced
 * child, which only a removal leaves); else it is a level lower, which
 * after an insertion is the height it had before the insertion. */
static bool rotate_to_balance(struct free_index *ix, uint32_t p, uint32_t tall)
{
    struct free_node *pn = node_at(ix, p), *tn = node_at(ix, tall);
    int side = pn->left == tall ? -1 : 1, tall_balance = balance_of(tn);
    if (tall_balance != -side) { /* the outer grandchild is as tall: single */
        rotate_up(ix, tall);
        if (tall_balance == 0) { /* only after a removal */
            set_balance(pn, side);
            set_balance(tn, -side);
            return false;
        }
        set_balance(pn, 0);
        set_balance(tn, 0);
        return true;
    }
    /* The inner grandchild g is the taller: double. */
    uint32_t g = side < 0 ? tn->right : tn->left;
    struct free_node *gn = node_at(ix, g);
    int g_balance = balance_of(gn);
    rotate_up(ix, g);
    rotate_up(ix, g);
    set_balance(tn, g_balance == -side ? side : 0);
    set_balance(pn, g_balance == side ? -side : 0);
    set_balance(gn, 0);
    return true;
}

/* After the subtree at `child` grew by one level: walks up adjusting
 * balances, and rotates once where one goes out of range, after which the
 * height above is as it was. */
static void retrace_growth(struct free_index *ix, uint32_t child)
{
    for (uint32_t p = parent_of(node_at(ix, child)); p; child = p, p = parent_of(node_at(ix, p))) {
        struct free_node *pn = node_at(ix, p);
        int balance = balance_of(pn) + (pn->left == child ? -1 : 1);
        if (balance == -1 || balance == 1) {
            set_balance(pn, balance);
            continue;
        }
        if (balance == 0)
            set_balance(pn, 0);
        else
            rotate_to_balance(ix, p, child);
        return;
    }
}

/* After p's left (from_left) or right subtree lost one level: walks up
 * adjusting balances and rotating while the subtree keeps getting lower. */
static void retrace_removal(struct free_index *ix, uint32_t p, bool from_left)
{
    while (p) {
        struct free_node *pn = node_at(ix, p);
        uint32_t up = parent_of(pn);
        bool up_left = up && node_at(ix, up)->left == p;
        int balance = balance_of(pn) + (from_left ? 1 : -1);
        if (balance == 1 || balance == -1) {
            set_balance(pn, balance);
            return;
        }
        if (balance == 0)
            set_balance(pn, 0);
        else if (!rotate_to_balance(ix, p, balance > 0 ? pn->right : pn->left))
            return;
        p = up;
        from_left = up_left;
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

/* The bin of blocks of `size` bytes (a multiple of 16), whether or not the
 * order keeps that size in bins: bin 0 holds MIN_BLOCK, each next one 16
 * bytes more. It is also the tournament's leaf of that size. */
static inline size_t size_class(size_t size)
{
    return size <= MIN_BLOCK ? 0 : (size - MIN_BLOCK) / ALIGNMENT;
}

/* The bin of a small block size under a binned order, or -1 for the main tree. */
static inline int bin_of(const struct free_index *ix, size_t size)
{
    return size > ix->bin_max ? -1 : (int)size_class(size);
}

int free_index_bin_of(const struct free_index *ix, size_t size)
{
    return bin_of(ix, size);
}

/* Sets tournament leaf `leaf` to `ref` (0: none), under the order that has
 * a tournament. */
static void tournament_set(struct free_index *ix, int leaf, uint32_t ref)
{
    if (ix->order == FREE_ORDER_BY_ADDRESS_BINNED)
        free_tournament_set(&ix->tournament, leaf, ref);
}

/* The main tree's lowest address changed, or may have: tells the tournament. */
static void main_lowest_changed(struct free_index *ix)
{
    uint32_t ref = ix->root;
    while (ref && node_at(ix, ref)->left)
        ref = node_at(ix, ref)->left;
    tournament_set(ix, FREE_TREE_LEAF, ref);
}

/* Whether ref is the main tree's lowest address as the tournament knows it. */
static bool is_main_lowest(const struct free_index *ix, uint32_t ref)
{
    return ix->order == FREE_ORDER_BY_ADDRESS_BINNED &&
           free_tournament_leaf(&ix->tournament, FREE_TREE_LEAF) == ref;
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
    free_tournament_init(&ix->tournament);
}

/* Puts the free block b in its bin or the main tree; the caller counts it. */
static void add_to_bin_or_tree(struct free_index *ix, block *b)
{
    int bin = bin_of(ix, block_size(b));
    if (bin >= 0) {
        bin_insert(ix, bin, b);
        return;
    }
    /* Down by the order to an empty link; every subtree on the way will
     * hold b, so its maximum is raised as we pass. Then up for balance. */
    uint32_t ref = ref_of(ix, b), units = units_of(b), parent = 0, *link = &ix->root;
    while (*link) {
        parent = *link;
        block *r = block_at(ix, parent);
        if (r == b)
            allocator_fail("free index", b, "a free block to insert is already in the index");
        struct free_node *rn = node(r);
        if (rn->max_units < units)
            rn->max_units = units;
        link = &rn->left + !free_index_sorts_before(ix, b, r);
    }
    *node(b) = (struct free_node){.max_units = units};
    set_parent(node(b), parent);
    set_balance(node(b), 0);
    *link = ref;
    retrace_growth(ix, ref);
    if (ix->order == FREE_ORDER_BY_ADDRESS_BINNED) {
        uint32_t lowest = free_tournament_leaf(&ix->tournament, FREE_TREE_LEAF);
        if (!lowest || ref < lowest)
            free_tournament_set(&ix->tournament, FREE_TREE_LEAF, ref);
    }
}

/* free_index_remove of b, whose size was `size` bytes while it was indexed:
 * its header may since have been rewritten (free_index_replace). */
static void remove_sized(struct free_index *ix, block *b, size_t size)
{
    ix->count--;
    if (b == ix->held) {
        ix->held = NULL;
        return;
    }
    int bin = bin_of(ix, size);
    if (bin >= 0) {
        bin_remove(ix, bin, b);
        return;
    }
    uint32_t ref = ref_of(ix, b), units = (uint32_t)(size / ALIGNMENT), retrace_at, changed_to;
    uint32_t *link = linked_or_fail(ix, b, "a free block to remove is not in the index");
    struct free_node *n = node(b);
    uint32_t parent = parent_of(n);
    bool from_left;
    if (!n->left || !n->right) {
        uint32_t child = n->left ? n->left : n->right;
        from_left = parent && node_at(ix, parent)->left == ref;
        *link = child;
        if (child)
            set_parent(node_at(ix, child), parent);
        retrace_at = changed_to = parent;
    } else {
        /* b's successor s (the leftmost of its right subtree) takes b's
         * place, links and balance; the tree lost a level where s was. */
        uint32_t s = n->right;
        while (node_at(ix, s)->left)
            s = node_at(ix, s)->left;
        struct free_node *sn = node_at(ix, s);
        if (s == n->right) {
            retrace_at = s;
            from_left = false;
        } else {
            uint32_t sp = parent_of(sn);
            node_at(ix, sp)->left = sn->right;
            if (sn->right)
                set_parent(node_at(ix, sn->right), sp);
            sn->right = n->right;
            set_parent(node_at(ix, n->right), s);
            retrace_at = sp;
            from_left = true;
        }
        sn->left = n->left;
        set_parent(node_at(ix, n->left), s);
        sn->up = n->up;
        *link = s;
        changed_to = s;
    }
    /* Maxima first, so that the rotations start from true ones: every node
     * from where the tree changed up to b's old place may have lost a block
     * (s, or b); above it, only subtrees whose maximum was b's size. */
    uint32_t at = retrace_at;
    if (changed_to != parent) {
        for (; at != changed_to; at = parent_of(node_at(ix, at)))
            refresh(ix, at);
        refresh(ix, at);
        at = parent_of(node_at(ix, at));
    }
    for (; at && node_at(ix, at)->max_units == units; at = parent_of(node_at(ix, at))) {
        refresh(ix, at);
        if (node_at(ix, at)->max_units == units)
            break;
    }
    retrace_removal(ix, retrace_at, from_left);
    if (is_main_lowest(ix, ref))
        main_lowest_changed(ix);
}

void free_index_insert(struct free_index *ix, block *b)
{
    ix->count++;
    add_to_bin_or_tree(ix, b);
}

void free_index_remove(struct free_index *ix, block *b)
{
    remove_sized(ix, b, block_size(b));
}

/* True when a free block of `was_size` bytes in the index, grown or shrunk
 * to `now_size` bytes without passing another free block, keeps its place:
 * both sizes belong in an address-ordered tree. */
static bool can_replace(const struct free_index *ix, size_t was_size, size_t now_size)
{
    return ix->order != FREE_ORDER_BY_SIZE_THEN_ADDRESS && bin_of(ix, was_size) < 0 &&
           bin_of(ix, now_size) < 0;
}

void free_index_replace(struct free_index *ix, block *was, size_t was_size, block *now)
{
    if (was == ix->held) {
        ix->held = now;
        return;
    }
    if (!can_replace(ix, was_size, block_size(now))) {
        remove_sized(ix, was, was_size);
        free_index_insert(ix, now);
        return;
    }
    uint32_t w = ref_of(ix, was), r = ref_of(ix, now);
    if (is_main_lowest(ix, w))
        tournament_set(ix, FREE_TREE_LEAF, r);
    uint32_t *link = linked_or_fail(ix, was, "a free block to replace is not in the index");
    struct free_node *n = node(was);
    if (r != w) {
        *node(now) = *n;
        *link = r;
        n = node(now);
        if (n->left)
            set_parent(node_at(ix, n->left), r);
        if (n->right)
            set_parent(node_at(ix, n->right), r);
    }
    /* The order is unchanged; maxima can be, up to the first that is not.
     * Each is recomputed from its children, so that a shrink lowers them. */
    for (uint32_t at = r; at; at = parent_of(node_at(ix, at))) {
        uint32_t before = node_at(ix, at)->max_units;
        refresh(ix, at);
        if (node_at(ix, at)->max_units == before)
            break;
    }
}

void free_index_split(struct free_index *ix, block *b, block *rest)
{
    if (b == ix->held) {
        ix->held = rest;
        return;
    }
    free_index_remove(ix, b);
    block *was = ix->held;
    ix->held = rest;
    ix->count++;
    if (was)
        add_to_bin_or_tree(ix, was);
}

block *free_index_root(const struct free_index *ix)
{
    return block_at(ix, ix->root);
}
int free_index_bins(const struct free_index *ix)
{
    return ix->bin_max ? (int)size_class(ix->bin_max) + 1 : 0;
}

bool free_index_contains(const struct free_index *ix, const block *b)
{
    block *at = block_at(ix, ix->root);
    while (at && at != b)
        at =
            free_index_sorts_before(ix, b, at) ? free_index_left(ix, at) : free_index_right(ix, at);
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
    return block_at(ix, parent_of(node(b)));
}
int free_index_balance(const block *b)
{
    return balance_of(node(b));
}
size_t free_index_max(const block *b)
{
    return b ? (size_t)node(b)->max_units * ALIGNMENT : 0;
}

/* The bin of the smallest size of at least `size` bytes, -1 when the
 * binned sizes hold none; sizes are multiples of 16. */
static int bin_at_least(const struct free_index *ix, size_t size)
{
    size_t smallest = size_class(size);
    if (smallest >= (size_t)free_index_bins(ix))
        return -1;
    int bin = (int)smallest;
    for (int word = bin / 64; word < (FREE_BINS + 63) / 64; word++) {
        uint64_t used = ix->bin_used[word];
        if (word == bin / 64)
            used &= ~(uint64_t)0 << (bin % 64);
        if (used)
            return word * 64 + __builtin_ctzll(used);
    }
    return -1;
}

/* The held block when it holds `size` bytes and sorts before b, the answer
 * of a search of the tree and bins (NULL: none there), else b: the answer of
 * the whole index. */
static block *prefer_held(const struct free_index *ix, block *b, size_t size)
{
    block *held = ix->held;
    if (held && block_size(held) >= size && (!b || free_index_sorts_before(ix, held, b)))
        return held;
    return b;
}

/* The size of the largest block in the tree and bins, 0 for none. */
static size_t largest_indexed(const struct free_index *ix)
{
    if (ix->root)
        return (size_t)node(block_at(ix, ix->root))->max_units * ALIGNMENT;
    for (int word = (FREE_BINS + 63) / 64 - 1; word >= 0; word--)
        if (ix->bin_used[word])
            return MIN_BLOCK +
                   (size_t)(word * 64 + 63 - __builtin_clzll(ix->bin_used[word])) * ALIGNMENT;
    return 0;
}

size_t free_index_largest(const struct free_index *ix)
{
    size_t indexed = largest_indexed(ix), held = ix->held ? block_size(ix->held) : 0;
    return held > indexed ? held : indexed;
}

block *free_index_smallest_fit(struct free_index *ix, size_t size)
{
    /* The first bin at or above the request's that holds blocks: its root
     * has the lowest address of that size. */
    int bin = bin_at_least(ix, size);
    if (bin >= 0)
        return prefer_held(ix, block_at(ix, ix->bin_root[bin]), size);
    /* The main tree: the leftmost block not smaller than the request. */
    block *best = NULL;
    for (block *b = free_index_root(ix); b;) {
        bool fits = block_size(b) >= size;
        if (fits)
            best = b;
        b = block_at(ix, fits ? node(b)->left : node(b)->right);
    }
    return prefer_held(ix, best, size);
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
    block *b;
    if (ix->order == FREE_ORDER_BY_ADDRESS_BINNED && size <= ix->bin_max) {
        /* Every block in the bins of size or more, and in the main tree,
         * fits: the lowest of their lowest addresses is the answer. */
        b = block_at(ix, free_tournament_lowest_from(&ix->tournament, (int)size_class(size)));
    } else {
        b = lowest_fit_in(ix, free_index_root(ix), size);
    }
    return prefer_held(ix, b, size);
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
    block *held = ix->held;
    if (!held || block_size(held) < size || block_end(held) <= addr)
        return fit_ending_after(ix, free_index_root(ix), addr, size);
    /* The held block fits and ends after addr. When it also starts at or
     * before addr, every other free block below it ends before it starts,
     * so before addr: it is the answer, without a search. Next-fit's usual
     * case: the held block is the rest of its last split, which starts at
     * its rover. */
    if ((uintptr_t)held <= addr)
        return held;
    block *b = fit_ending_after(ix, free_index_root(ix), addr, size);
    return b && b < held ? b : held;
}
