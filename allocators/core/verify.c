/*
 * verify.c - the MSTATS_VERIFY checks (see verify.h).
 *
 * Failures go through allocator_fail (fail.c): the heap is suspect and the
 * lock is held, so nothing here may allocate.
 */
#include "verify.h"

#include <stdio.h>

#include "fail.h"
#include "free_index.h"
#include "heap.h"
#include "policy.h"

void verify_placement(const block *chosen, const block *expected, size_t size)
{
    if (chosen != expected)
        allocator_failf("placement", chosen,
                        "for a %zu-byte block the index chose %p (%zu bytes) but the policy "
                        "names %p (%zu bytes)",
                        size, (const void *)chosen, chosen ? block_size(chosen) : 0,
                        (const void *)expected, expected ? block_size(expected) : 0);
}

/* The slot a `slot_size`-byte request takes by the policy's definition: a
 * walk of the heap for the lowest-address run of that size with a free slot,
 * and its lowest free slot. NULL when no run has one. */
static const block *scan_slot(size_t slot_size)
{
    for (block *b = heap_first(); !block_is_epilogue(b); b = block_next(b)) {
        if (!block_is_run(b))
            continue;
        struct run *run = (struct run *)b;
        if (run->slot_size == slot_size && run->free)
            return run_slot(run, (unsigned)__builtin_ctzll(run->free));
    }
    return NULL;
}

void verify_slot_placement(const block *chosen, size_t slot_size)
{
    const block *expected = scan_slot(slot_size);
    if (chosen != expected)
        allocator_failf("placement", chosen,
                        "for a %zu-byte slot the runs chose %p but the policy names %p", slot_size,
                        (const void *)chosen, (const void *)expected);
}

bool verify_is_block(const block *b)
{
    if (!mstats_policy.reuses) /* append-only: checked once when placed */
        return block_used(b) && (char *)block_next(b) <= (char *)heap.epilogue;
    for (block *at = heap_first(); !block_is_epilogue(at); at = block_next(at))
        if (at == b)
            return true;
    return false;
}

/* Checks the subtree at b (whose parent is `parent`): order within (low,
 * high), parent links, AVL balances, maxima. Returns the number of blocks in
 * it and sets *height to its height. */
static size_t verify_subtree(const block *b, const block *parent, const block *low,
                             const block *high, int *height)
{
    *height = 0;
    if (!b)
        return 0;
    if (!block_is_free(b))
        allocator_failf("index", b, "holds a block that is in use");
    const struct free_index *ix = &heap.free;
    if ((low && !free_index_sorts_before(ix, low, b)) ||
        (high && !free_index_sorts_before(ix, b, high)))
        allocator_failf("index", b, "is out of order");
    if (free_index_parent(ix, b) != parent)
        allocator_failf("index", b, "links to %p as its parent, not %p",
                        (void *)free_index_parent(ix, b), (const void *)parent);
    const block *left = free_index_left(ix, b), *right = free_index_right(ix, b);
    int hl, hr;
    size_t count =
        1 + verify_subtree(left, b, low, b, &hl) + verify_subtree(right, b, b, high, &hr);
    if (hr - hl != free_index_balance(b) || hr - hl > 1 || hl - hr > 1)
        allocator_failf("index", b, "is not a balanced AVL node (heights %d, %d; balance %d)", hl,
                        hr, free_index_balance(b));
    *height = 1 + (hl > hr ? hl : hr);
    size_t max = block_size(b);
    if (free_index_max(left) > max)
        max = free_index_max(left);
    if (free_index_max(right) > max)
        max = free_index_max(right);
    if (free_index_max(b) != max)
        allocator_failf("index", b, "keeps a subtree maximum of %zu bytes, not %zu",
                        free_index_max(b), max);
    return count;
}

/* A member of bin `bin` of the free index: free and of the bin's size. */
static void bin_member(const block *b, int bin)
{
    if (!block_is_free(b))
        allocator_failf("index", b, "bin %d holds a block that is in use", bin);
    if (free_index_bin_of(&heap.free, block_size(b)) != bin)
        allocator_failf("index", b, "of %zu bytes is in bin %d", block_size(b), bin);
}

/* Checks bin `bin` of the free index and its bitmap bit. Returns the number
 * of blocks in it. */
static size_t verify_bin(int bin)
{
    const struct free_index *ix = &heap.free;
    uint32_t root = ix->bin_root[bin];
    bool used = ix->bin_used[bin / 64] >> (bin % 64) & 1;
    if (used != (root != 0))
        allocator_failf("index", free_block_at(ix->base, root),
                        "bin %d is %s but its bitmap bit says %d", bin,
                        root ? "not empty" : "empty", used);
    return free_bin_verify(heap.base, root, "bin", bin, ix->count, bin_member);
}

/* A member of the runs with a free slot of class `class`: a run of that
 * class with a free slot. */
static void run_member(const block *b, int class)
{
    const struct run *run = (const struct run *)b;
    if (!block_is_run(b) || run_class(run->slot_size) != (unsigned)class || !run->free)
        allocator_failf("runs", b, "is among class %d's runs with a free slot but is not one",
                        class);
}

/* Checks a run: its size, and its bitmap against its slots' headers. Counts
 * it in runs, its slots in slots, and in open when it has a free slot, in
 * empty when every slot is (per class). */
static void verify_run(block *b, uint32_t *runs, uint32_t *open, uint32_t *slots, uint32_t *empty)
{
    struct run *run = (struct run *)b;
    size_t size = run->slot_size;
    if (size < SLOT_MIN || size > mstats_policy.run_max || size % ALIGNMENT)
        allocator_failf("runs", b, "has slots of %zu bytes", size);
    size_t want = run_block_size(size, run->slots);
    if (run->slots < 1 || run->slots > RUN_MAX_SLOTS || block_size(b) < want ||
        block_size(b) >= want + MIN_BLOCK)
        allocator_failf("runs", b, "is %zu bytes, for %u slots of %zu", block_size(b), run->slots,
                        size);
    uint64_t all = run_all_free(run);
    if (run->free & ~all)
        allocator_failf("runs", b, "marks slots free past its last");
    for (unsigned i = 0; i < run->slots; i++) {
        const block *slot = run_slot(run, i);
        bool free = run->free >> i & 1;
        uint32_t header = slot_free_header(size, i) | (free ? 0 : SLOT_USED);
        if (*slot_header(slot) != header)
            allocator_failf("runs", slot, "slot %u's header is %#x, not %#x", i,
                            (unsigned)*slot_header(slot), (unsigned)header);
    }
    unsigned class = run_class(size);
    runs[class]++;
    open[class] += run->free != 0;
    slots[class] += run->slots;
    empty[class] += run->free == all;
}

/* Checks the tournament of FREE_ORDER_BY_ADDRESS_BINNED: each leaf the lowest
 * address of its bin or of the main tree, each node the lower of its two. */
static void verify_tournament(void)
{
    const struct free_index *ix = &heap.free;
    if (ix->order != FREE_ORDER_BY_ADDRESS_BINNED)
        return;
    const block *lowest = free_index_root(ix);
    while (lowest && free_index_left(ix, lowest))
        lowest = free_index_left(ix, lowest);
    const struct free_tournament *t = &ix->tournament;
    for (int leaf = 0; leaf < FREE_TOURNAMENT_LEAVES; leaf++) {
        uint32_t ref = leaf < FREE_TREE_LEAF    ? ix->bin_root[leaf]
                       : leaf == FREE_TREE_LEAF ? free_ref_of(ix->base, lowest)
                                                : 0;
        if (free_tournament_leaf(t, leaf) != ref)
            allocator_failf("index", free_block_at(ix->base, ref),
                            "the tournament's leaf %d does not name its lowest block", leaf);
    }
    for (int i = FREE_TOURNAMENT_LEAVES - 1; i > 0; i--) {
        uint32_t a = t->key[2 * i], b = t->key[2 * i + 1];
        if (t->key[i] != (a < b ? a : b))
            allocator_failf("index", NULL, "the tournament's node %d is not the lower of its two",
                            i);
    }
}

void verify_heap(void)
{
    uint32_t runs[RUN_CLASSES] = {0}, open[RUN_CLASSES] = {0}, slots[RUN_CLASSES] = {0},
             empty[RUN_CLASSES] = {0};
    size_t free_count = 0;
    bool prev_used = true;
    block *b = heap_first(), *top = NULL;
    /* Under a policy without reuse the heap only grows at the top and a
     * block, once placed, changes no more than its RETIRED bit; so each check
     * resumes at the top block the last one ended on, keeping MSTATS_VERIFY
     * linear overall instead of quadratic. */
    if (!mstats_policy.reuses && heap.verify_resume)
        b = heap.verify_resume;
    for (; !block_is_epilogue(b); top = b, b = block_next(b)) {
        size_t size = block_size(b);
        if ((uintptr_t)block_payload(b) % ALIGNMENT || size % ALIGNMENT)
            allocator_failf("layout", b, "is misaligned or has a size of %zu bytes", size);
        if (size < MIN_BLOCK && !(b->header & BLOCK_FOREIGN))
            allocator_failf("layout", b, "is smaller than a minimum block (%zu bytes)", size);
        if ((char *)block_next(b) > (char *)heap.epilogue)
            allocator_failf("layout", b, "runs %zu bytes past the heap end", size);
        if (block_prev_used(b) != prev_used)
            allocator_failf("boundary tags", b, "PREV_USED says %d but the previous block is %s",
                            block_prev_used(b), prev_used ? "in use" : "free");
        if ((b->header & (BLOCK_RETIRED | BLOCK_FOREIGN)) && !block_used(b))
            allocator_failf("layout", b, "is retired or foreign but marked free");
        if (mstats_policy.run_max && block_is_run(b))
            verify_run(b, runs, open, slots, empty);
        if (block_is_free(b)) {
            if (!prev_used)
                allocator_failf("coalescing", b, "is free and so is the block before it");
            if (*block_footer(b) != b->header)
                allocator_failf("boundary tags", b, "footer does not match its header");
            if (!mstats_policy.reuses)
                allocator_failf("no reuse", b, "is free under a policy that never reuses");
            if (free_index_bin_of(&heap.free, size) < 0 && b != free_index_held(&heap.free) &&
                !free_index_contains(&heap.free, b))
                allocator_failf("index", b, "is free but missing from the free index");
            free_count++;
        }
        prev_used = block_used(b);
    }
    if (!mstats_policy.reuses && top)
        heap.verify_resume = top;
    if (b != heap.epilogue || !block_used(b))
        allocator_failf("layout", b, "the heap does not end at its epilogue %p",
                        (void *)heap.epilogue);
    if (block_prev_used(b) != prev_used)
        allocator_failf("boundary tags", b, "epilogue PREV_USED disagrees with the top block");
    /* The bins' blocks are not looked up one by one: each bin holds only free
     * blocks of its size, each once (the links back match), so equal counts
     * mean that every free block is in the index. */
    int height;
    size_t indexed = verify_subtree(free_index_root(&heap.free), NULL, NULL, NULL, &height);
    for (int bin = 0; bin < free_index_bins(&heap.free); bin++)
        indexed += verify_bin(bin);
    verify_tournament();
    for (unsigned class = 0; class < RUN_CLASSES; class ++) {
        if (heap.runs.slots[class] != slots[class])
            allocator_failf("runs", NULL, "class %u counts %u slots but its %u runs hold %u", class,
                            heap.runs.slots[class], runs[class], slots[class]);
        if (empty[class] && open[class] != 1)
            allocator_failf("runs", NULL,
                            "class %u keeps a run with every slot free beside another with a free "
                            "slot",
                            class);
        if (free_bin_verify(heap.base, heap.runs.root[class], "class", (int)class, open[class],
                            run_member) != open[class])
            allocator_failf("runs", NULL,
                            "class %u lists fewer runs with a free slot than the heap has", class);
    }
    const block *held = free_index_held(&heap.free);
    if (held &&
        !(heap_contains(held) && block_is_free(held) && !free_index_contains(&heap.free, held)))
        allocator_failf("index", held, "is held but is not a free block apart from the tree");
    indexed += held != NULL;
    if (indexed != free_count || indexed != heap.free.count)
        allocator_failf("index", free_index_root(&heap.free),
                        "holds %zu blocks (counted %zu) but the heap has %zu free blocks", indexed,
                        heap.free.count, free_count);
}
