/*
 * free_index.h - the index of free blocks: an intrusive AVL tree, and bins.
 *
 * Nodes live inside the free blocks (struct free_node, right after the
 * header), so the index costs no memory of its own. The policy chooses the
 * order (by address, or by size then address) and whether small blocks go to
 * bins of one size each (free_bin.h) instead of the tree. Every tree node
 * also keeps the largest block size in its subtree, which lets an
 * address-ordered tree answer "lowest address that fits" in O(log n).
 */
#ifndef MSTATS_FREE_INDEX_H
#define MSTATS_FREE_INDEX_H

#include "block.h"

#include "free_bin.h"
#include "free_tournament.h"

/* Links in 32 bits: blocks are named by their offset from the heap base in
 * 16-byte units plus one (0 is "none", free_ref_of); sizes are kept in
 * 16-byte units. */
struct free_node {
    uint32_t left, right;
    uint32_t max_units; /* largest block size in this subtree, / 16 */
    uint32_t up;        /* the parent (0 at the root); the AVL balance + 1 on top */
};
/* Refs fit in 30 bits: a free block ends 32 bytes or more after its start,
 * inside a heap smaller than HEAP_LIMIT (block.h), so its ref (its offset
 * / 16, plus one) is below HEAP_LIMIT / 16 - 1. */
#define FREE_PARENT_MASK ((uint32_t)0x3fffffff)
_Static_assert(HEAP_LIMIT / ALIGNMENT - 1 <= FREE_PARENT_MASK, "every ref fits beside the balance");

/* The orders a policy can choose for its index. */
enum free_order {
    /* One address-ordered tree of every free block (next-fit). */
    FREE_ORDER_BY_ADDRESS,
    /* Small blocks in bins, larger ones in an address-ordered tree, and a
     * tournament over the bins' lowest addresses (first-fit). */
    FREE_ORDER_BY_ADDRESS_BINNED,
    /* Small blocks in bins, larger ones in a (size, address) tree: the
     * bins' order followed by each bin's (best-fit, worst-fit). */
    FREE_ORDER_BY_SIZE_THEN_ADDRESS,
};

/* Under the binned orders each small block size (32 bytes up to the
 * order's bin maximum) has a bin of its own (free_bin.h), whose root is its
 * lowest-address block, and only the larger blocks share the main tree. A
 * bitmap of the bins that hold blocks leads a search to the smallest fitting
 * size at once. Under FREE_ORDER_BY_ADDRESS_BINNED a tournament
 * (free_tournament.h) holds the lowest address of each bin and of the main
 * tree, so "the lowest address among the blocks of size s or more" is a walk
 * over six array levels. Most calls then touch a few nodes instead of a path
 * through all of the free blocks. The bins reach 8176 bytes under the size
 * order, and only 1008 under the address order, whose every bin costs the
 * tournament a leaf (a tournament of 512 leaves made tar's trace 25%
 * slower). */
#define FREE_BIN_MAX ((size_t)8176)
enum {
    FREE_BINS = (FREE_BIN_MAX - MIN_BLOCK) / ALIGNMENT + 1,
    /* The main tree's leaf in the tournament: the bins of the address order
     * have the leaves before it, and the one after it stays empty. */
    FREE_TREE_LEAF = FREE_TOURNAMENT_LEAVES - 2,
};
#define FREE_ADDRESS_BIN_MAX ((size_t)(MIN_BLOCK + (FREE_TREE_LEAF - 1) * ALIGNMENT))

/* One index: its nodes are named relative to `base` (the heap's first block). */
struct free_index {
    char *base;
    enum free_order order;
    size_t bin_max; /* the largest size kept in bins; 0 for none */
    uint32_t root;  /* the main tree; 0 when empty */
    size_t count;   /* blocks in the index */
    uint32_t bin_root[FREE_BINS];
    uint64_t bin_used[(FREE_BINS + 63) / 64]; /* bit i: bin i holds blocks */
    /* FREE_ORDER_BY_ADDRESS_BINNED: each bin's lowest block, and the main
     * tree's (leaf FREE_TREE_LEAF). */
    struct free_tournament tournament;
    /* A free block held apart from the tree and bins (free_index_split);
     * NULL for none. */
    block *held;
};

/* An empty index of blocks at or after `base`, kept in `order`. */
void free_index_init(struct free_index *ix, char *base, enum free_order order);

/* True when a sorts before b in the index's order (false when a is b). */
static inline bool free_index_sorts_before(const struct free_index *ix, const block *a,
                                           const block *b)
{
    if (ix->order == FREE_ORDER_BY_SIZE_THEN_ADDRESS && block_size(a) != block_size(b))
        return block_size(a) < block_size(b);
    return a < b;
}

/* Changes to the index. Caller holds the allocator lock. */
/* Adds the free block b. O(log n). */
void free_index_insert(struct free_index *ix, block *b);
/* Removes the free block b, which must be in the index: no search, then
 * O(log n) for the maxima above it. */
void free_index_remove(struct free_index *ix, block *b);

/* Puts the free block `now` in the place of `was`, a block in the index:
 * `now` is was itself, grown or shrunk, or a block that overlaps or adjoins
 * it with no other free block between them (a merge of free neighbours).
 * `was_size` is was's size while it was indexed: its header may since have
 * been rewritten. Caller guarantees that now's header is set and was's node
 * is intact. Where the order gives `now` was's place (an address-ordered
 * tree holds both sizes), the node moves and no search is made: O(log n) for
 * the maxima above it; else it is a removal and an insertion. */
void free_index_replace(struct free_index *ix, block *was, size_t was_size, block *now);

/* One free block is held apart from the tree and bins: the rest of the last
 * split, which the next placement often carves again (docs/allocators.md
 * measures how often). It is in the index (counted, removable, replaceable),
 * and every search below considers it beside the tree and bins; but carving
 * it again, or merging a neighbour into it, changes neither the tree nor a
 * bin. */
/* Splits the free block b, in the index, whose header still gives its whole
 * size: its front leaves the index for use, and `rest`, the free block after
 * it (header and footer set), becomes the held block. The block held before
 * goes to the tree or its bin, unless it is b. O(log n). */
void free_index_split(struct free_index *ix, block *b, block *rest);
/* The held block, or NULL. */
static inline block *free_index_held(const struct free_index *ix)
{
    return ix->held;
}

/* Navigation, for verification and tests. */
/* The root of the main tree. */
block *free_index_root(const struct free_index *ix);
/* The number of bins (0 when the order has none). */
int free_index_bins(const struct free_index *ix);
/* The bin a free block of `size` bytes belongs in, or -1 for the main tree. */
int free_index_bin_of(const struct free_index *ix, size_t size);
/* True when b, a free block that belongs in the main tree, is in it, found
 * by the tree's own order. O(log n). */
bool free_index_contains(const struct free_index *ix, const block *b);
block *free_index_left(const struct free_index *ix, const block *b);
block *free_index_right(const struct free_index *ix, const block *b);
block *free_index_parent(const struct free_index *ix, const block *b);
/* The height of b's right subtree minus its left's, as b records it. */
int free_index_balance(const block *b);
/* Largest block size in b's subtree, in bytes; 0 for NULL. */
size_t free_index_max(const block *b);

/* The searches. Each answers for every free block in the index, the held
 * one included. Caller holds the allocator lock. */
/* The size of the largest free block, 0 when there is none. O(1). */
size_t free_index_largest(const struct free_index *ix);

/* The search of FREE_ORDER_BY_SIZE_THEN_ADDRESS: the smallest free block of
 * at least `size` bytes, the lowest-address one among equals; or NULL.
 * O(log n). */
block *free_index_smallest_fit(struct free_index *ix, size_t size);

/* Searches valid when the policy orders the index by address: */
/* the lowest-address free block of at least `size` bytes, or NULL. O(log n). */
block *free_index_lowest_fit(struct free_index *ix, size_t size);
/* the lowest-address free block of at least `size` bytes that ends after
 * `addr` (so a block containing addr counts), or NULL; FREE_ORDER_BY_ADDRESS
 * only. O(log n); O(1) when the held block contains addr, or starts there,
 * and fits. */
block *free_index_lowest_fit_ending_after(const struct free_index *ix, uintptr_t addr, size_t size);

#endif
