/*
 * free_bin.c - the pairing heap of one bin (free_bin.h).
 *
 * Every operation is iterative: a bin can grow deep (blocks freed in falling
 * address order form a chain), and the allocator must not recurse that far.
 */
#include "free_bin.h"

#include "fail.h"

/* Joins two detached roots; the lower address becomes the root and takes the
 * other as its first child. Returns the root. */
static uint32_t link(const char *base, uint32_t a, uint32_t b)
{
    if (b < a) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    struct bin_node *na = bin_node(base, a), *nb = bin_node(base, b);
    nb->next = na->child;
    if (na->child)
        bin_node(base, na->child)->prev = b;
    nb->prev = a;
    na->child = b;
    return a;
}

/* Detaches a node from its parent and siblings. */
static uint32_t detach(struct bin_node *n, uint32_t ref)
{
    n->next = n->prev = 0;
    return ref;
}

/* Pairs up a list of siblings (the children of a removed node) into one
 * detached root, 0 for an empty list: left to right in pairs, then the pairs
 * right to left (the two-pass variant). The first pass keeps its results in
 * a stack threaded through `next`. */
static uint32_t combine(const char *base, uint32_t first)
{
    uint32_t stack = 0;
    while (first) {
        struct bin_node *na = bin_node(base, first);
        uint32_t b = na->next, pair = detach(na, first);
        if (b) {
            struct bin_node *nb = bin_node(base, b);
            first = nb->next;
            pair = link(base, pair, detach(nb, b));
        } else {
            first = 0;
        }
        bin_node(base, pair)->next = stack;
        stack = pair;
    }
    if (!stack)
        return 0;
    struct bin_node *top = bin_node(base, stack);
    uint32_t result = stack;
    stack = top->next;
    top->next = 0;
    while (stack) {
        struct bin_node *n = bin_node(base, stack);
        uint32_t below = n->next;
        result = link(base, result, detach(n, stack));
        stack = below;
    }
    return result;
}

void free_bin_insert(const char *base, uint32_t *root, uint32_t ref)
{
    struct bin_node *n = bin_node(base, ref);
    n->child = n->next = n->prev = 0; /* `unused` is the block's own (runs.h) */
    *root = *root ? link(base, *root, ref) : ref;
}

void free_bin_remove(const char *base, uint32_t *root, uint32_t ref)
{
    struct bin_node *n = bin_node(base, ref);
    uint32_t rest = combine(base, n->child);
    if (ref == *root) {
        *root = rest;
        return;
    }
    struct bin_node *prev = bin_node(base, n->prev);
    if (prev->child == ref)
        prev->child = n->next;
    else
        prev->next = n->next;
    if (n->next)
        bin_node(base, n->next)->prev = n->prev;
    if (rest)
        *root = link(base, *root, rest);
}

uint32_t free_bin_parent(const char *base, uint32_t ref)
{
    uint32_t prev = bin_node(base, ref)->prev;
    while (prev && bin_node(base, prev)->child != ref) {
        ref = prev;
        prev = bin_node(base, ref)->prev;
    }
    return prev;
}

size_t free_bin_verify(const char *base, uint32_t root, const char *what, int tag, size_t limit,
                       void (*member)(const block *b, int tag))
{
    if (root && bin_node(base, root)->prev)
        allocator_failf("index", free_block_at(base, root), "%s %d's root has a previous link",
                        what, tag);
    size_t count = 0;
    for (uint32_t at = root; at;) {
        const block *b = free_block_at(base, at);
        const struct bin_node *n = bin_node(base, at);
        member(b, tag);
        if (n->child && bin_node(base, n->child)->prev != at)
            allocator_failf("index", b, "first child's previous link is not the block");
        if (n->next && bin_node(base, n->next)->prev != at)
            allocator_failf("index", b, "next sibling's previous link is not the block");
        uint32_t parent = free_bin_parent(base, at);
        if (parent && parent >= at)
            allocator_failf("index", b, "sits below a block at a higher address in %s %d", what,
                            tag);
        if (++count > limit)
            allocator_failf("index", b, "%s %d holds more blocks than are counted", what, tag);
        /* Depth first: the child, else the next sibling of the nearest
         * ancestor that has one. */
        if (n->child) {
            at = n->child;
            continue;
        }
        while (at && !bin_node(base, at)->next)
            at = free_bin_parent(base, at);
        at = at ? bin_node(base, at)->next : 0;
    }
    return count;
}
