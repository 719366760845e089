/*
 * free_index.h - the index of free blocks: intrusive AVL trees.
 *
 * Nodes live inside the free blocks (struct free_node, right after the
 * header), so the index costs no memory of its own. The policy chooses the
 * tree's order (by address, or by size then address). Every node also keeps
 * the largest block size in its subtree, which lets an address-ordered tree
 * answer "lowest address that fits" in O(log n).
 */
#ifndef MSTATS_FREE_INDEX_H
#define MSTATS_FREE_INDEX_H

#include "block.h"

/* Links in 32 bits: blocks are named by their offset from the heap base in
 * 16-byte units plus one (0 is "none"); sizes are kept in 16-byte units. */
struct free_node {
    uint32_t left, right;
    uint32_t max_units; /* largest block size in this subtree, / 16 */
    uint32_t height;    /* AVL height; a leaf is 1 */
};

/* The orders a policy can choose for its index. */
enum free_order {
    FREE_ORDER_BY_ADDRESS,
    FREE_ORDER_BY_SIZE_THEN_ADDRESS,
};

/* Under FREE_ORDER_BY_SIZE_THEN_ADDRESS each small block size (32 to
 * FREE_BIN_MAX bytes) has a tree of its own, in address order, and only the
 * larger blocks share the main tree: the (size, address) order is then the
 * bins' order followed by each bin's. A bitmap of the bins that hold blocks
 * leads a search to the smallest fitting size at once, and each tree stays
 * small, so most calls touch a few nodes instead of a path through all of
 * the free blocks. */
#define FREE_BIN_MAX ((size_t)8176)
enum { FREE_BINS = (FREE_BIN_MAX - MIN_BLOCK) / ALIGNMENT + 1 };

/* The deepest path a search can take: AVL heights stay under 1.45 log2 n, and
 * n < 2^32. */
enum { FREE_INDEX_MAX_DEPTH = 64 };

/* A root-to-node path: the links followed (each the address of the parent's
 * child field, or of a root) down to a node. */
struct free_path {
    uint32_t *link[FREE_INDEX_MAX_DEPTH];
    int depth;
};

/* One index: its nodes are named relative to `base` (the heap's first block). */
struct free_index {
    char *base;
    enum free_order order;
    uint32_t root; /* the main tree; 0 when empty */
    size_t count;  /* blocks in the index */
    uint32_t bin_root[FREE_BINS];
    uint64_t bin_used[(FREE_BINS + 63) / 64]; /* bit i: bin i holds blocks */
    /* The block the last search found and the path to it, until the index
     * changes: the allocator takes that block next, and its removal or
     * replacement then needs no second descent. */
    block *found;
    uint32_t *found_link;
    struct free_path found_path;
};

/* An empty index of blocks at or after `base`, kept in `order`. */
void free_index_init(struct free_index *ix, char *base, enum free_order order);

/* Negative, zero or positive as a sorts before, equal to or after b. */
int free_index_order(const struct free_index *ix, const block *a, const block *b);

/* Adds the free block b. O(log n). Caller holds the allocator lock. */
void free_index_insert(struct free_index *ix, block *b);
/* Removes the free block b, which must be in the index. O(log n). */
void free_index_remove(struct free_index *ix, block *b);

/* Puts `now` where `was` is in the index, refreshing the subtree maxima on
 * the way: O(log n), no rebalancing. `now` may be `was` itself after a size
 * change, or a block that overlaps or adjoins it. Caller guarantees that
 * `now` sorts exactly where `was` did (see free_index_by_address), that
 * now's header is set, and that was's node is still intact. */
void free_index_replace(struct free_index *ix, block *was, block *now);
/* True when the index is ordered by address. Then a free block that grows
 * or shrinks without passing another free block keeps its place, and
 * free_index_replace can stand for a remove and an insert. */
static inline bool free_index_by_address(const struct free_index *ix)
{
    return ix->order == FREE_ORDER_BY_ADDRESS;
}

/* Navigation, for policies' searches and for verification. */
/* The root of the main tree. */
block *free_index_root(const struct free_index *ix);
/* The number of trees (the main tree and any bins), and the root of tree i;
 * tree 0 is the main tree. */
int free_index_trees(const struct free_index *ix);
block *free_index_tree_root(const struct free_index *ix, int tree);
/* True when b is in the index, found by the index's own order. O(log n). */
bool free_index_contains(const struct free_index *ix, const block *b);
block *free_index_left(const struct free_index *ix, const block *b);
block *free_index_right(const struct free_index *ix, const block *b);
/* Largest block size in b's subtree, in bytes; 0 for NULL. */
size_t free_index_max(const block *b);
uint32_t free_index_height(const block *b);

/* The search of FREE_ORDER_BY_SIZE_THEN_ADDRESS: the smallest free block of
 * at least `size` bytes, the lowest-address one among equals; or NULL. */
block *free_index_smallest_fit(struct free_index *ix, size_t size);

/* Searches valid when the policy orders the index by address: */
/* the lowest-address free block of at least `size` bytes, or NULL. */
block *free_index_lowest_fit(struct free_index *ix, size_t size);
/* the lowest-address free block of at least `size` bytes that ends after
 * `addr` (so a block containing addr counts), or NULL. */
block *free_index_lowest_fit_ending_after(const struct free_index *ix, uintptr_t addr, size_t size);

#endif
