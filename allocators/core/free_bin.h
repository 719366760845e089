/*
 * free_bin.h - a bin: the free blocks of one size, in an intrusive pairing
 * heap (Fredman, Sedgewick, Sleator and Tarjan 1986) ordered by address.
 *
 * The root is the bin's lowest-address block, which is all that first-fit,
 * worst-fit and best-fit ever take from a bin of one size. Insertion is one
 * comparison with the root; taking the root or removing any block pairs up
 * the children it leaves: O(log n) amortized, and in practice a few nodes
 * that were touched recently. Nodes live in the free blocks, like the trees'
 * (free_index.h), and name blocks in the same 32-bit units.
 */
#ifndef MSTATS_FREE_BIN_H
#define MSTATS_FREE_BIN_H

#include "block.h"

/* A block in a bin: the same 16 bytes after the header as a tree node. */
struct bin_node {
    uint32_t child;  /* the first of this block's children */
    uint32_t next;   /* the next sibling */
    uint32_t prev;   /* the previous sibling, or the parent of a first child; 0 at the root */
    uint32_t unused; /* never written here: a run keeps its slot size in it (runs.h) */
};

/* Blocks are named by their offset from the heap base in 16-byte units plus
 * one (0 is "none"), so refs compare as addresses do. */
static inline uint32_t free_ref_of(const char *base, const block *b)
{
    return b ? (uint32_t)(((const char *)b - base) / ALIGNMENT + 1) : 0;
}
static inline block *free_block_at(const char *base, uint32_t ref)
{
    return ref ? (block *)(base + (size_t)(ref - 1) * ALIGNMENT) : NULL;
}

static inline struct bin_node *bin_node(const char *base, uint32_t ref)
{
    return (struct bin_node *)((char *)free_block_at(base, ref) + HEADER_SIZE);
}

/* Adds the free block `ref` to the bin whose root is *root. */
void free_bin_insert(const char *base, uint32_t *root, uint32_t ref);
/* Removes `ref`, which must be in the bin whose root is *root. */
void free_bin_remove(const char *base, uint32_t *root, uint32_t ref);
/* The parent of `ref` in its bin, 0 for the root; for verification. */
uint32_t free_bin_parent(const char *base, uint32_t ref);

/* MSTATS_VERIFY: checks the pairing heap whose root is `root` (`what` and
 * `tag` name it in the reports): every node after its parent in address
 * order, every link back (prev) matching the link there, at most `limit`
 * nodes, and each node passing `member(b, tag)`, which aborts otherwise.
 * Iterative, since a heap can be a long chain. Returns the number of nodes;
 * a broken heap aborts through allocator_fail (fail.h). */
size_t free_bin_verify(const char *base, uint32_t root, const char *what, int tag, size_t limit,
                       void (*member)(const block *b, int tag));

#endif
