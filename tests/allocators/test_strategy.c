/*
 * test_strategy.c - Check tests for one strategy, run with the strategy's
 * libmalloc-NAME.so preloaded (ctest sets LD_PRELOAD, and runs each suite
 * once more with MSTATS_VERIFY=1).
 *
 * Placement tests build a heap with holes of distinct sizes between live
 * blocks, then make requests whose placements differ between strategies.
 * Check itself allocates while reporting, so each scenario makes all its
 * allocations first and asserts afterwards.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mstats/heap_info.h"

enum {
    HEADER = 8,
    /* segregated-fit's largest slot (policies/segregated_fit.c: run_max),
     * and a slot's header (allocators/core/runs.h). */
    LARGEST_SLOT = 128,
    SLOT_HEADER = 4,
};

static void (*heap_info_of)(struct mstats_heap_info *);
static const char *strategy;

static struct mstats_heap_info heap_info(void)
{
    struct mstats_heap_info info;
    heap_info_of(&info);
    return info;
}

static int is(const char *name)
{
    return strcmp(strategy, name) == 0;
}
static int reuses(void)
{
    return !is("no-reuse");
}

/* True for a strategy that serves small requests from runs of slots
 * (allocators/core/runs.h), not from heap blocks. */
static int has_runs(void)
{
    return is("segregated-fit");
}

/* The block size the heap-block scenarios use for one of `block` bytes: the
 * same, but 512 bytes more under a strategy with runs, whose blocks of up to
 * 128 bytes are slots, not heap blocks. Differences and order stay. */
static size_t heap_block(size_t block)
{
    return block + (has_runs() ? 512 : 0);
}

/* The payload size that makes a heap block of exactly `block` bytes. */
static size_t request_for(size_t block)
{
    return heap_block(block) - HEADER;
}

/* Fills every free block exactly, so the scenario's holes are the only ones.
 * Under a strategy with runs a request that small takes a slot, so free
 * blocks of a slot's size or less stay: they are too small for any block a
 * scenario places. */
static void drain_free_blocks(void)
{
    for (struct mstats_heap_info info = heap_info();
         info.free_blocks && (!has_runs() || info.largest_free > LARGEST_SLOT); info = heap_info())
        if (!malloc(info.usable_max))
            abort();
}

/* A hole of `size` bytes (block size) followed by a live separator. */
struct hole {
    char *at;
    size_t size;
};

static void make_holes(struct hole *holes, const size_t *sizes, int count)
{
    drain_free_blocks();
    for (int i = 0; i < count; i++) {
        holes[i] = (struct hole){malloc(request_for(sizes[i])), sizes[i]};
        if (!holes[i].at || !malloc(request_for(32)))
            abort();
    }
    for (int i = 0; i < count; i++)
        free(holes[i].at);
}

/* buddy's equivalents of the core-layout tests (the buddy block below). */
static void buddy_placement(void);
static void buddy_split_and_merge(void);
static void buddy_growth_at_the_top(void);
static void buddy_realloc_in_place(void);
static void buddy_calloc_of_a_grown_top(void);

START_TEST(placement_differs_by_strategy)
{
    if (is("buddy")) { /* buddy's layout: the buddy block */
        buddy_placement();
        return;
    }
    /* h0..h4 hold 256, 128, 512, 128, 384 bytes; requests: 128, 384, 128, 128. */
    static const size_t sizes[] = {256, 128, 512, 128, 384};
    static const size_t requests[] = {128, 384, 128, 128};
    struct hole h[5];
    make_holes(h, sizes, 5);
    char *top = heap_info().end;
    char *got[4];
    for (int i = 0; i < 4; i++)
        got[i] = malloc(request_for(requests[i]));

    char *expected[4];
    if (is("first-fit")) { /* lowest address that fits */
        char *e[] = {h[0].at, h[2].at, h[0].at + 128, h[1].at};
        memcpy(expected, e, sizeof e);
    } else if (is("next-fit")) { /* rover starts past the top: wraps to h0 */
        char *e[] = {h[0].at, h[2].at, h[2].at + 384, h[3].at};
        memcpy(expected, e, sizeof e);
    } else if (is("best-fit") || is("segregated-fit")) {
        /* h1 and h3 tie: lowest address wins (segregated-fit places heap
         * blocks by best-fit) */
        char *e[] = {h[1].at, h[4].at, h[3].at, h[0].at};
        memcpy(expected, e, sizeof e);
    } else if (is("worst-fit")) { /* 384-byte tie h2 rest vs h4; 256 tie h0 vs h4 rest */
        char *e[] = {h[2].at, h[2].at + 128, h[4].at, h[0].at};
        memcpy(expected, e, sizeof e);
    } else {
        ck_assert_str_eq(strategy, "no-reuse");
        for (int i = 0; i < 4; i++) {
            ck_assert((uintptr_t)got[i] >= (uintptr_t)top);
            if (i)
                ck_assert((uintptr_t)got[i] > (uintptr_t)got[i - 1]);
        }
        return;
    }
    for (int i = 0; i < 4; i++)
        ck_assert_msg(got[i] == expected[i],
                      "request %d (%zu bytes): got hole offset %td, expected %td", i, requests[i],
                      got[i] - h[0].at, expected[i] - h[0].at);
}
END_TEST

/* Registered for next-fit only. */
START_TEST(next_fit_rover_survives_coalescing)
{
    static const size_t sizes[] = {256, 256, 256};
    struct hole h[3];
    make_holes(h, sizes, 3);
    char *first = malloc(request_for(64)); /* wraps to h0; rover = h0 + 64 */
    uintptr_t first_at = (uintptr_t)first;
    free(first); /* h0 whole again, holding the rover */
    char *second = malloc(request_for(64));
    char *third = malloc(request_for(64)); /* rover = h0 + 64: h0's rest */
    ck_assert(first_at == (uintptr_t)h[0].at);
    ck_assert_ptr_eq(second, h[0].at);
    ck_assert_ptr_eq(third, h[0].at + 64);
}
END_TEST

/* Registered for segregated-fit: small requests take slots of their own
 * class, never a hole another class freed, nor a heap block. */
START_TEST(segregated_fit_slots_by_class)
{
    char *x = malloc(24), *y = malloc(24);
    free(x);
    char *retaken = malloc(20); /* the same class (32-byte slots): x's slot */
    free(y);
    char *other = malloc(8); /* 16-byte slots: not y's hole, which any fit would take */
    char *y_again = malloc(24);
    size_t tiny = malloc_usable_size(other), zero = malloc_usable_size(malloc(0));
    /* A slot keeps its place while the new size fits it, and moves past it. */
    char *p = malloc(20);
    uintptr_t p_at = (uintptr_t)p;
    memset(p, 7, 20);
    char *kept = realloc(p, 24), *shrunk = realloc(kept, 10);
    uintptr_t shrunk_at = (uintptr_t)shrunk;
    char *moved = realloc(shrunk, 100);
    /* calloc clears a reused slot. */
    char *dirty = malloc(24);
    memset(dirty, 0xff, 24);
    uintptr_t dirty_at = (uintptr_t)dirty;
    free(dirty);
    unsigned char *clean = calloc(3, 8);

    ck_assert_ptr_eq(retaken, x);
    ck_assert_ptr_ne(other, y);
    ck_assert_ptr_eq(y_again, y);
    ck_assert_uint_eq(tiny, 12); /* a 16-byte slot, 4 of them its header; a heap block takes 32 */
    ck_assert_uint_eq(zero, 12);
    ck_assert(p_at == (uintptr_t)kept && p_at == shrunk_at);
    ck_assert(p_at != (uintptr_t)moved);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(moved[i], 7);
    ck_assert((uintptr_t)clean == dirty_at);
    for (int i = 0; i < 24; i++)
        ck_assert_uint_eq(clean[i], 0);
}
END_TEST

/* Registered for segregated-fit: runs that empty go back to the heap, where
 * heap blocks reuse them. */
START_TEST(segregated_fit_empty_runs_return)
{
    enum { COUNT = 400, SLOT = 96 };
    static char *slot[COUNT];
    for (int i = 0; i < COUNT; i++)
        slot[i] = malloc(SLOT - SLOT_HEADER);
    struct mstats_heap_info full = heap_info();
    for (int i = 0; i < COUNT; i++)
        free(slot[i]);
    struct mstats_heap_info emptied = heap_info();
    /* Only the class's last run stays (at most 4 KiB of slots). */
    ck_assert_uint_ge(emptied.free_bytes, full.free_bytes + COUNT * SLOT - 4096 - 48);
    char *big = malloc(COUNT * SLOT / 2);
    ck_assert((char *)big + COUNT * SLOT / 2 <= (char *)emptied.end);
}
END_TEST

/* Registered for strategies that reuse memory. */
START_TEST(split_leaves_the_rest_free)
{
    if (is("buddy")) { /* buddy's layout: the buddy block */
        buddy_split_and_merge();
        return;
    }
    static const size_t sizes[] = {1024};
    struct hole h[1];
    make_holes(h, sizes, 1);
    /* The free blocks besides the hole: none, or under a strategy with runs
     * those too small for drain_free_blocks. */
    size_t others = heap_info().free_blocks - 1;
    char *small = malloc(request_for(64));
    struct mstats_heap_info split = heap_info();
    free(small);
    /* A remainder too small for a block of its own stays with the block. */
    char *almost = malloc(request_for(1024) - 16);
    struct mstats_heap_info whole = heap_info();

    ck_assert(small == h[0].at);
    ck_assert_uint_eq(split.free_blocks, others + 1);
    ck_assert_uint_eq(split.largest_free, 1024 - 64);
    ck_assert_ptr_eq(almost, h[0].at);
    ck_assert_uint_eq(whole.free_blocks, others);
    ck_assert_uint_eq(malloc_usable_size(almost), request_for(1024));
}
END_TEST

/* Three adjacent 128-byte blocks a, b, c before a live separator. Returns
 * how many free blocks the heap has besides (drain_free_blocks). */
static size_t three_blocks(char **a, char **b, char **c)
{
    drain_free_blocks();
    *a = malloc(request_for(128));
    *b = malloc(request_for(128));
    *c = malloc(request_for(128));
    if (!malloc(request_for(32)))
        abort();
    return heap_info().free_blocks;
}

/* Registered for strategies that reuse memory. */
START_TEST(coalesce_with_previous_next_and_both)
{
    if (is("buddy")) { /* buddy's layout: the buddy block */
        buddy_split_and_merge();
        return;
    }
    char *a, *b, *c;
    size_t others = three_blocks(&a, &b, &c);
    free(a);
    free(b); /* joins the previous block */
    struct mstats_heap_info with_previous = heap_info();
    free(c);
    struct mstats_heap_info all = heap_info();

    size_t others_next = three_blocks(&a, &b, &c);
    free(c);
    free(b); /* joins the next block */
    struct mstats_heap_info with_next = heap_info();

    size_t others_both = three_blocks(&a, &b, &c);
    free(a);
    free(c);
    struct mstats_heap_info apart = heap_info();
    free(b); /* joins both at once */
    struct mstats_heap_info both = heap_info();

    size_t one = heap_block(128);
    ck_assert_uint_eq(with_previous.free_blocks, others + 1);
    ck_assert_uint_eq(with_previous.largest_free, 2 * one);
    ck_assert_uint_eq(all.largest_free, 3 * one);
    ck_assert_uint_eq(with_next.free_blocks, others_next + 1);
    ck_assert_uint_eq(with_next.largest_free, 2 * one);
    ck_assert_uint_eq(apart.free_blocks, others_both + 2);
    ck_assert_uint_eq(both.free_blocks, others_both + 1);
    ck_assert_uint_eq(both.largest_free, 3 * one);
}
END_TEST

START_TEST(heap_grows_by_the_shortfall_at_the_top)
{
    if (is("buddy")) { /* buddy's layout: the buddy block */
        buddy_growth_at_the_top();
        return;
    }
    drain_free_blocks();
    char *top_block = malloc(request_for(256));
    uintptr_t top_at = (uintptr_t)top_block;
    free(top_block); /* a free block of 256 bytes at the top (none for no-reuse) */
    /* The heap's end, not sbrk(0): alone the strategy moves the kernel's
     * break a page at a time (heap.c), its own by the byte. */
    char *before = heap_info().end;
    char *grown = malloc(request_for(1024));
    char *after = heap_info().end;
    if (reuses()) {
        ck_assert((uintptr_t)grown == top_at);
        ck_assert_int_eq(after - before, 1024 - 256);
    } else {
        ck_assert((uintptr_t)grown > top_at);
        ck_assert_int_eq(after - before, 1024);
    }
}
END_TEST

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7);
}

static int intact(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 7))
            return 0;
    return 1;
}

/* ---- buddy (allocators/buddy/) ------------------------------------------
 * Buddy's blocks are powers of two from 32 bytes, each aligned to its size
 * relative to the heap start, with no boundary tags: a split halves a block
 * and a free merges a block with its buddy only. The core-layout tests below
 * hand over to these functions, which assert the same property (placement,
 * splitting, merging, growth at the top, realloc in place, calloc of grown
 * memory) in buddy's terms, at exact offsets from the heap start. */

/* p's block's offset from the heap start. */
static size_t buddy_offset(const void *p)
{
    return (size_t)((const char *)p - HEADER - (const char *)heap_info().start);
}

/* Makes a block of `size` bytes (a power of two) the heap's only free block,
 * and returns its payload. */
static char *buddy_lone_free_block(size_t size)
{
    drain_free_blocks();
    char *p = malloc(request_for(size));
    drain_free_blocks(); /* its buddy, and the space skipped below it */
    free(p);
    return p;
}

/* Makes the heap end a multiple of `size` (a power of two), with no free
 * block; returns the end's offset from the heap start. */
static size_t buddy_align_top(size_t size)
{
    drain_free_blocks();
    if (!malloc(request_for(size))) /* placed at a multiple of size, ending the heap */
        abort();
    drain_free_blocks();
    struct mstats_heap_info info = heap_info();
    return (size_t)((char *)info.end - (char *)info.start);
}

/* Placement: the smallest free order, lowest address; never a run of free
 * blocks that are not buddies. From one free 4096-byte block at O, a, b, c
 * and two frees leave free blocks 1024@O, 256@O+1280, 512@O+1536 and
 * 2048@O+2048: 768 free bytes at O+1280 are two blocks that are not buddies.
 * A 600-byte request: first-fit takes O (the lowest hole), best-fit the
 * 768-byte hole at O+1280 (the smallest); buddy needs a 1024-byte block and
 * takes O. */
static void buddy_placement(void)
{
    char *whole = buddy_lone_free_block(4096);
    char *a = malloc(1000), *b = malloc(200), *c = malloc(200);
    free(a);
    free(c); /* its buddy b is in use: 256@O+1280 stays apart from 512@O+1536 */
    struct mstats_heap_info holes = heap_info();
    char *got[4];
    got[0] = malloc(600); /* 1024: O */
    got[1] = malloc(200); /* 256: the exact order, O+1280 */
    got[2] = malloc(200); /* 256: none left; 512@O+1536 splits */
    got[3] = malloc(100); /* 128: none; the 256 left at O+1792 splits */
    size_t o = buddy_offset(whole);

    ck_assert_uint_eq(o % 4096, 0);
    ck_assert_ptr_eq(a, whole);
    ck_assert_uint_eq(buddy_offset(b), o + 1024);
    ck_assert_uint_eq(buddy_offset(c), o + 1280);
    ck_assert_uint_eq(holes.free_blocks, 4);
    ck_assert_uint_eq(holes.free_bytes, 1024 + 256 + 512 + 2048);
    static const size_t expected[] = {0, 1280, 1536, 1792};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(buddy_offset(got[i]) == o + expected[i],
                      "request %d: got offset %zu from the 4096-byte block, expected %zu", i,
                      buddy_offset(got[i]) - o, expected[i]);
    /* The internal fragmentation: 600 bytes hold a 1024-byte block. */
    ck_assert_uint_eq(malloc_usable_size(got[0]), 1024 - HEADER);
}

/* Splitting halves a block down to the order needed, the upper halves left
 * free; freeing merges with the buddy, level by level, until the buddy is in
 * use. Exact offsets from the 4096-byte block at O (a multiple of 4096). */
static void buddy_split_and_merge(void)
{
    char *whole = buddy_lone_free_block(4096);
    char *a = malloc(request_for(32)); /* O; free: 32, 64, 128, ..., 2048 at O+size */
    struct mstats_heap_info split = heap_info();
    char *b = malloc(request_for(32));  /* a's buddy, O+32 */
    char *c = malloc(request_for(128)); /* O+128 */
    free(b);                            /* a is in use: no merge */
    struct mstats_heap_info unmerged = heap_info();
    free(a); /* a+b = 64@O, + 64@O+64 = 128@O; c in use: stop */
    struct mstats_heap_info merged = heap_info();
    free(c); /* 128+128, 256+256, ... = 4096@O */
    struct mstats_heap_info whole_again = heap_info();
    size_t o = buddy_offset(whole);

    ck_assert_uint_eq(o % 4096, 0);
    ck_assert_ptr_eq(a, whole);
    ck_assert_uint_eq(split.free_blocks, 7);
    ck_assert_uint_eq(split.free_bytes, 4096 - 32);
    ck_assert_uint_eq(split.largest_free, 2048);
    ck_assert_uint_eq(buddy_offset(b), o + 32);
    ck_assert_uint_eq(buddy_offset(c), o + 128);
    ck_assert_uint_eq(unmerged.free_blocks, 6); /* 32, 64, 256, 512, 1024, 2048 */
    ck_assert_uint_eq(merged.free_blocks, 5);   /* 128, 256, 512, 1024, 2048 */
    ck_assert_uint_eq(merged.free_bytes, 4096 - 128);
    ck_assert_uint_eq(whole_again.free_blocks, 1);
    ck_assert_uint_eq(whole_again.largest_free, 4096);
}

/* The heap grows to the end of the block it places: from an aligned top by
 * the shortfall when the top free block starts the new one, and otherwise
 * to the next multiple of the block's size, the skipped space becoming free
 * blocks of the orders its alignment gives. */
static void buddy_growth_at_the_top(void)
{
    size_t e = buddy_align_top(4096);
    char *x = malloc(request_for(1024)); /* at e */
    free(x);                             /* 1024 free at the top */
    char *before = heap_info().end;
    char *y = malloc(request_for(4096)); /* at e: grows by 4096 - 1024 */
    char *after = heap_info().end;
    char *v = malloc(request_for(32));   /* at e + 4096 */
    char *u = malloc(request_for(1024)); /* v blocks e + 4096: at e + 5120 */
    struct mstats_heap_info skipped = heap_info();

    ck_assert_uint_eq(buddy_offset(x), e);
    ck_assert_ptr_eq(y, x);
    ck_assert_int_eq(after - before, 4096 - 1024);
    ck_assert_uint_eq(buddy_offset(v), e + 4096);
    ck_assert_uint_eq(buddy_offset(u), e + 5120);
    ck_assert_uint_eq((size_t)((char *)skipped.end - (char *)skipped.start), e + 6144);
    ck_assert_uint_eq(skipped.free_blocks, 5); /* 32, 64, 128, 256, 512 after v */
    ck_assert_uint_eq(skipped.free_bytes, 1024 - 32);
}

/* realloc keeps a block that fits (splitting off the halves it no longer
 * needs), grows it in place while it is the lower half and its buddies are
 * free (or past the heap end), and moves it otherwise. */
static void buddy_realloc_in_place(void)
{
    char *whole = buddy_lone_free_block(4096);
    unsigned char *a = malloc(100); /* 128@O */
    fill(a, 100, 1);
    unsigned char *grown = realloc(a, 300); /* + 128@O+128 + 256@O+256 = 512@O */
    int grown_kept = intact(grown, 100, 1);
    size_t grown_usable = malloc_usable_size(grown);
    fill(grown, 300, 2);
    unsigned char *shrunk = realloc(grown, 40); /* 64@O; 64, 128, 256 freed */
    int shrunk_kept = intact(shrunk, 40, 2);
    unsigned char *fence = malloc(24);           /* 64@O+64 splits: O+64 */
    unsigned char *moved = realloc(shrunk, 100); /* buddy O+64 in use: moves to O+128 */
    int moved_kept = intact(moved, 40, 2);
    unsigned char *same = realloc(fence, 20); /* the same order: stays */
    size_t e = buddy_align_top(4096);
    unsigned char *top = malloc(24);            /* at e, the heap top */
    unsigned char *at_top = realloc(top, 4000); /* grows in place, and the heap to e + 4096 */
    struct mstats_heap_info info = heap_info();
    size_t o = buddy_offset(whole);

    ck_assert(grown_kept && shrunk_kept && moved_kept);
    ck_assert_ptr_eq(grown, whole);
    ck_assert_uint_eq(grown_usable, 512 - HEADER);
    ck_assert_ptr_eq(shrunk, whole);
    ck_assert_uint_eq(buddy_offset(fence), o + 64);
    ck_assert_uint_eq(buddy_offset(moved), o + 128);
    ck_assert_ptr_eq(same, fence);
    ck_assert_uint_eq(buddy_offset(top), e);
    ck_assert_ptr_eq(at_top, top);
    ck_assert_uint_eq((size_t)((char *)info.end - (char *)info.start), e + 4096);
}

/* calloc skips clearing what the heap grows by, so a block that joins a
 * dirty free top block with grown memory (whose merged-away headers and
 * bin nodes the merge wiped) must still come back zero. */
static void buddy_calloc_of_a_grown_top(void)
{
    size_t e = buddy_align_top(8192);
    unsigned char *dirty = malloc(1000); /* 1024 at e */
    memset(dirty, 0xff, 1000);
    free(dirty);
    unsigned char *clean = calloc(1, 5000); /* 8192 at e: dirty, then fresh */
    ck_assert_uint_eq(buddy_offset(clean), e);
    for (int i = 0; i < 5000; i++)
        ck_assert_uint_eq(clean[i], 0);
}
/* ---- end of buddy ---- */

START_TEST(realloc_in_place_and_by_moving)
{
    if (is("buddy")) { /* buddy's layout: the buddy block */
        buddy_realloc_in_place();
        return;
    }
    /* Sizes of heap blocks (a request of n bytes: a block of n + 8). */
    size_t a_size = heap_block(100), b_size = heap_block(256), fence_size = heap_block(24);
    size_t grown_size = heap_block(300), shrunk_size = heap_block(40);
    drain_free_blocks();
    unsigned char *a = malloc(a_size);
    uintptr_t a_at = (uintptr_t)a;
    unsigned char *b = malloc(request_for(b_size));
    unsigned char *fence = malloc(fence_size);
    fill(a, a_size, 1);
    free(b);
    unsigned char *grown = realloc(a, grown_size); /* into the free block after it */
    uintptr_t grown_at = (uintptr_t)grown;
    int grown_kept = intact(grown, a_size, 1);
    fill(grown, grown_size, 2);
    unsigned char *shrunk = realloc(grown, shrunk_size);
    uintptr_t shrunk_at = (uintptr_t)shrunk;
    int shrunk_kept = intact(shrunk, shrunk_size, 2);
    fill(shrunk, shrunk_size, 3);
    uintptr_t fence_at = (uintptr_t)fence;
    unsigned char *same = realloc(fence, fence_size); /* same size: stays */
    drain_free_blocks();
    unsigned char *top = malloc(fence_size);
    uintptr_t top_at = (uintptr_t)top;
    unsigned char *at_top = realloc(top, 5000);    /* the top block grows in place */
    unsigned char *moved = realloc(shrunk, 20000); /* blocked by at_top: moves */
    int moved_kept = intact(moved, shrunk_size, 3);

    ck_assert(grown_kept && shrunk_kept && moved_kept);
    ck_assert(shrunk_at == grown_at);
    ck_assert((uintptr_t)same == fence_at);
    ck_assert((uintptr_t)at_top == top_at);
    ck_assert((uintptr_t)moved != shrunk_at);
    if (reuses())
        ck_assert(grown_at == a_at);
    ck_assert_uint_ge(malloc_usable_size(moved), 20000);
    ck_assert_ptr_null(realloc(moved, 0)); /* frees, as glibc does */
}
END_TEST

START_TEST(calloc_zeroes_reused_memory)
{
    drain_free_blocks();
    unsigned char *dirty = malloc(1000);
    uintptr_t dirty_at = (uintptr_t)dirty;
    memset(dirty, 0xff, 1000);
    free(dirty);
    unsigned char *clean = calloc(250, 4);
    if (reuses())
        ck_assert((uintptr_t)clean == dirty_at);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(clean[i], 0);
}
END_TEST

/* calloc skips clearing the bytes the heap grows by (fresh from sbrk), so the
 * dirty part of an extended free top block, and the footer growth writes at
 * the block's end, must still come back zero. */
START_TEST(calloc_zeroes_a_top_block_it_extends)
{
    if (is("buddy")) { /* buddy's layout: the buddy block */
        buddy_calloc_of_a_grown_top();
        return;
    }
    drain_free_blocks();
    unsigned char *dirty = malloc(1000);
    memset(dirty, 0xff, 1000);
    free(dirty); /* a free, dirty block at the top (retired under no-reuse) */
    unsigned char *clean = calloc(1, 5000);
    unsigned char *fresh = calloc(1, 5000); /* all new memory */
    for (int i = 0; i < 5000; i++) {
        ck_assert_uint_eq(clean[i], 0);
        ck_assert_uint_eq(fresh[i], 0);
    }
}
END_TEST

START_TEST(impossible_sizes_give_enomem)
{
    /* volatile: the compiler must not see (and reject) the sizes. */
    volatile size_t huge = SIZE_MAX, half = SIZE_MAX / 2;
    errno = 0;
    ck_assert_ptr_null(calloc(half, 3));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(malloc(huge - 4));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    void *p = malloc(10);
    ck_assert_ptr_null(realloc(p, PTRDIFF_MAX));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(reallocarray(p, half, 4));
    ck_assert_int_eq(errno, ENOMEM);
    free(p);
    void *q = NULL;
    ck_assert_int_eq(posix_memalign(&q, 64, huge - 100), ENOMEM);
    ck_assert_int_eq(posix_memalign(&q, 24, 10), EINVAL);
    ck_assert_ptr_null(q);
}
END_TEST

/* The index names blocks in 30 bits of 16-byte units (free_index.h): the
 * heap must stay below 16 GiB, which a request of that size, or one that
 * would take the heap past it, must not break through (the kernel would
 * often grant such a break: it overcommits). */
START_TEST(requests_past_the_heap_limit_give_enomem)
{
    volatile size_t limit = (size_t)16 << 30;
    void *live = malloc(100);
    ck_assert_ptr_nonnull(live);
    errno = 0;
    ck_assert_ptr_null(malloc(limit));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(malloc(limit - 64));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(realloc(live, limit - 64));
    ck_assert_int_eq(errno, ENOMEM);
    free(live);
}
END_TEST

START_TEST(aligned_allocation_16_to_4096)
{
    for (size_t alignment = 16; alignment <= 4096; alignment *= 2) {
        void *p = NULL;
        ck_assert_int_eq(posix_memalign(&p, alignment, 100), 0);
        unsigned char *q = aligned_alloc(alignment, 3 * alignment);
        unsigned char *r = memalign(alignment, 1);
        ck_assert_uint_eq((uintptr_t)p % alignment, 0);
        ck_assert_uint_eq((uintptr_t)q % alignment, 0);
        ck_assert_uint_eq((uintptr_t)r % alignment, 0);
        fill(p, 100, 5);
        fill(q, 3 * alignment, 6);
        ck_assert(intact(p, 100, 5));
        ck_assert_uint_ge(malloc_usable_size(q), 3 * alignment);
        free(p);
        free(q);
        free(r);
    }
    /* As glibc 2.36 does (and the shim): an alignment that is not a power
     * of two is rounded up, by aligned_alloc as by memalign. */
    volatile size_t odd = 24, odder = 100;
    unsigned char *a = aligned_alloc(odd, 10), *m = memalign(odder, 1000);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq((uintptr_t)a % 32, 0);
    ck_assert_uint_eq((uintptr_t)m % 128, 0);
    free(a);
    free(m);
    long page = sysconf(_SC_PAGESIZE);
    void *v = valloc(10), *pv = pvalloc(10);
    ck_assert_uint_eq((uintptr_t)v % (uintptr_t)page, 0);
    ck_assert_uint_eq((uintptr_t)pv % (uintptr_t)page, 0);
    ck_assert_uint_ge(malloc_usable_size(pv), (size_t)page);
}
END_TEST

START_TEST(usable_size_and_malloc_zero)
{
    for (size_t n = 0; n < 2000; n += 7) {
        void *p = malloc(n);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        ck_assert_uint_ge(malloc_usable_size(p), n);
        free(p);
    }
    void *zero1 = malloc(0), *zero2 = malloc(0);
    ck_assert_ptr_nonnull(zero1);
    ck_assert_ptr_ne(zero1, zero2);
}
END_TEST

/* 200,000 random malloc/realloc/free calls over 400 slots; every block's
 * first and last bytes carry a pattern checked before each free and realloc. */
START_TEST(random_operations_keep_data)
{
    enum { SLOTS = 400, CALLS = 200000 };
    static unsigned char *slot[SLOTS];
    static size_t length[SLOTS];
    uint64_t state = 0x9e3779b97f4a7c15u;
    for (int call = 0; call < CALLS; call++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        int i = (int)(state % SLOTS);
        size_t n = (state >> 20) % ((state >> 40) % 8 == 0 ? 8192 : 256) + 2;
        unsigned seed = (unsigned)i * 31;
        if (slot[i]) {
            ck_assert_msg(slot[i][0] == (unsigned char)seed &&
                              slot[i][length[i] - 1] == (unsigned char)(seed + 1),
                          "call %d: slot %d lost its pattern", call, i);
        }
        switch ((state >> 50) % 3) {
        case 0:
            free(slot[i]);
            slot[i] = malloc(n);
            break;
        case 1: {
            size_t kept = slot[i] && length[i] < n ? length[i] : 0;
            slot[i] = realloc(slot[i], n);
            if (kept) /* the old last byte moved with the data */
                ck_assert(slot[i][kept - 1] == (unsigned char)(seed + 1));
            break;
        }
        default:
            free(slot[i]);
            slot[i] = NULL;
            continue;
        }
        ck_assert_ptr_nonnull(slot[i]);
        length[i] = n;
        slot[i][0] = (unsigned char)seed;
        slot[i][n - 1] = (unsigned char)(seed + 1);
    }
}
END_TEST

/* Both frees of the same block, the second after it merged with the free
 * block before it: either way the allocator must stop, not corrupt itself. */
START_TEST(double_free_aborts)
{
    char *before = malloc(heap_block(100)), *victim = malloc(heap_block(100));
    if (!malloc(heap_block(24)))
        abort();
    free(before);
    free(victim); /* merges into `before` */
    free(victim);
}
END_TEST

START_TEST(free_of_a_foreign_pointer_aborts)
{
    static char not_ours[64] __attribute__((aligned(16)));
    free(not_ours + 16);
}
END_TEST

/* Registered for segregated-fit: the second free of a slot. */
START_TEST(double_free_of_a_slot_aborts)
{
    char *p = malloc(40), *q = malloc(40);
    free(p);
    free(q);
    free(p);
}
END_TEST

/* Registered for segregated-fit under MSTATS_VERIFY: a slot whose header no
 * longer says it is in use (the bit SLOT_USED of the 4 bytes before its
 * payload, allocators/core/runs.h), while its run's bitmap does. */
START_TEST(verify_catches_a_corrupted_slot_header)
{
    char *p = malloc(40);
    uint32_t *header = (uint32_t *)(uintptr_t)((uintptr_t)p - sizeof(uint32_t));
    *header ^= (uint32_t)1 << 30;
    free(malloc(8));
}
END_TEST

/* MSTATS_VERIFY notices a heap corrupted behind the allocator's back (here:
 * the boundary tag saying whether the block before is in use) at the next
 * call, before the corruption can spread. */
START_TEST(verify_catches_a_corrupted_boundary_tag)
{
    char *p = malloc(heap_block(200)), *separator = malloc(heap_block(24));
    free(p);
    /* The separator's header sits just before its payload; bit 1 says
     * whether p is in use. The compiler must not see this coming. */
    size_t *header = (size_t *)(uintptr_t)((uintptr_t)separator - sizeof(size_t));
    *header ^= 2;
    free(malloc(8));
}
END_TEST

static Suite *strategy_suite(void)
{
    Suite *suite = suite_create(strategy);
    TCase *placement = tcase_create("placement");
    tcase_add_test(placement, placement_differs_by_strategy);
    if (is("next-fit"))
        tcase_add_test(placement, next_fit_rover_survives_coalescing);
    if (has_runs()) {
        tcase_add_test(placement, segregated_fit_slots_by_class);
        tcase_add_test(placement, segregated_fit_empty_runs_return);
    }
    if (reuses()) {
        tcase_add_test(placement, split_leaves_the_rest_free);
        tcase_add_test(placement, coalesce_with_previous_next_and_both);
    }
    tcase_add_test(placement, heap_grows_by_the_shortfall_at_the_top);
    suite_add_tcase(suite, placement);

    TCase *api = tcase_create("api");
    tcase_add_test(api, realloc_in_place_and_by_moving);
    tcase_add_test(api, calloc_zeroes_reused_memory);
    tcase_add_test(api, calloc_zeroes_a_top_block_it_extends);
    tcase_add_test(api, impossible_sizes_give_enomem);
    tcase_add_test(api, requests_past_the_heap_limit_give_enomem);
    tcase_add_test(api, aligned_allocation_16_to_4096);
    tcase_add_test(api, usable_size_and_malloc_zero);
    suite_add_tcase(suite, api);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, double_free_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, free_of_a_foreign_pointer_aborts, SIGABRT);
    const char *verify = getenv("MSTATS_VERIFY");
    bool verifying = verify && strcmp(verify, "1") == 0;
    if (verifying)
        tcase_add_test_raise_signal(misuse, verify_catches_a_corrupted_boundary_tag, SIGABRT);
    if (has_runs()) {
        tcase_add_test_raise_signal(misuse, double_free_of_a_slot_aborts, SIGABRT);
        if (verifying)
            tcase_add_test_raise_signal(misuse, verify_catches_a_corrupted_slot_header, SIGABRT);
    }
    suite_add_tcase(suite, misuse);

    TCase *random = tcase_create("random");
    tcase_set_timeout(random, 120);
    tcase_add_test(random, random_operations_keep_data);
    suite_add_tcase(suite, random);
    return suite;
}

int main(void)
{
    heap_info_of = (void (*)(struct mstats_heap_info *))dlsym(RTLD_DEFAULT, "mstats_heap_info");
    if (!heap_info_of) {
        fputs("test-strategy: no strategy preloaded: run with LD_PRELOAD=libmalloc-NAME.so\n",
              stderr);
        return 2;
    }
    strategy = heap_info().strategy;
    SRunner *runner = srunner_create(strategy_suite());
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? 1 : 0;
}
