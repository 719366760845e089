/*
 * policy.h - what a placement strategy provides: one file under policies/.
 *
 * A policy owns the order of the free index and the search for a fit. The
 * core calls it with the allocator lock held.
 */
#ifndef MSTATS_POLICY_H
#define MSTATS_POLICY_H

#include "block.h"
#include "free_index.h"

struct policy {
    const char *name; /* as in libmalloc-NAME.so */
    /* false: freed blocks are retired, never handed out again, and the
     * index stays empty (the lecture's heap without reuse). */
    bool reuses;
    /* The free index's order (free_index.h). */
    enum free_order order;
    /* The free block the policy places a `size`-byte block in, or NULL when
     * none fits. O(log n) through the index. */
    block *(*find_fit)(size_t size);
    /* The same answer by a linear walk of the heap: the policy's definition,
     * which MSTATS_VERIFY holds find_fit to. */
    block *(*scan_fit)(size_t size);
    /* Told of every block just placed (after its tail is split off); NULL if
     * the policy keeps no state. */
    void (*placed)(const block *b);
    /* Blocks of at most this many bytes are slots in runs of one size
     * (runs.h); 0: every block is a heap block. */
    size_t run_max;
};

/* Defined by the one policy file linked into each allocator. */
extern const struct policy mstats_policy;

#endif
