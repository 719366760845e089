/* Unit tests (Check) of the shim's live index, each answer checked against
 * its obvious definition: a linear scan of every live block. Random blocks of
 * all sizes (zero to far beyond a level-0 word, and past 4 GiB) are inserted,
 * found, removed and tested for overlap, over every granule (16, 8, and 1
 * under --align 1, where blocks packed closer than a slot fill the crowd). */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "live_index.h"

#define BASE ((uintptr_t)0x10000000)
#define SPAN (1ULL << 36) /* 64 GiB: four levels and more, all reserved lazily */
#define MODEL_MAX 512

typedef struct {
    uintptr_t start;
    uint64_t size;
    uint32_t id;
} Model;

static Model model[MODEL_MAX];
static int model_count;

static uint64_t extent(uint64_t size)
{
    return size == 0 ? 1 : size;
}

/* The linear definitions: the live block overlapping [p, p + extent(size)),
 * and the one containing p; 0 / -1 when none. */
static uintptr_t scan_clash(uintptr_t p, uint64_t size)
{
    uintptr_t first = 0;
    for (int i = 0; i < model_count; i++) {
        uintptr_t s = model[i].start;
        if (s < p + extent(size) && p < s + extent(model[i].size) && (first == 0 || s < first))
            first = s;
    }
    return first;
}

static int scan_containing(uintptr_t p)
{
    for (int i = 0; i < model_count; i++)
        if (p >= model[i].start && p - model[i].start < extent(model[i].size))
            return i;
    return -1;
}

/* The crowd's definition: the live blocks with a later start in their slot. */
static uint64_t scan_crowded(const LiveIndex *index)
{
    uint64_t crowded = 0;
    for (int i = 0; i < model_count; i++) {
        uint64_t slot = (model[i].start - index->base) >> index->slot_shift;
        for (int j = 0; j < model_count; j++) {
            if (model[j].start > model[i].start &&
                (model[j].start - index->base) >> index->slot_shift == slot) {
                crowded++;
                break;
            }
        }
    }
    return crowded;
}

/* A random size: mostly small, sometimes spanning many level-0 words, rarely
 * 4 GiB or more (its entry does not fit 32 bits). */
static uint64_t random_size(void)
{
    switch (rand() % 8) {
    case 0:
        return 0;
    case 1:
        return (uint64_t)(rand() % 1000000);
    case 2:
        return rand() % 50 == 0 ? (5ULL << 30) + (uint64_t)(rand() % 100) : 4096;
    default:
        return (uint64_t)(rand() % 200);
    }
}

/* How check_against_scan places blocks. */
typedef enum {
    SPREAD,  /* in windows of 4 MiB and 8 GiB: clashes are frequent */
    GROWING, /* in a window that starts at 64 granules and doubles every 8,000 steps */
    PACKED,  /* blocks of 0 to 9 bytes in a window of 2 KiB: slots crowd */
} Placement;

/* GROWING: the index gains its levels one at a time with blocks live below
 * each new top; every step also asks about an address anywhere in the span,
 * most of them above the granules the index covers so far. Where slots can
 * crowd (granule 1) or blocks pack, every block has its own id, which must
 * come back with its size (elsewhere ids are left out: their pages cost). */
static void check_against_scan(unsigned granule, Placement placement, int steps)
{
    LiveIndex index = {0};
    ck_assert(live_index_init(&index, BASE, SPAN, granule));
    bool ids = granule == 1 || placement == PACKED;
    ck_assert(!ids || live_index_reserve_ids(&index));
    model_count = 0;
    srand(granule + placement);
    for (int step = 0; step < steps; step++) {
        uintptr_t window = step % 3 == 0 ? (1ULL << 33) : (1ULL << 22);
        uint64_t grown = (uint64_t)granule * 64 << (step / 8000);
        if (placement == GROWING && grown < window)
            window = grown;
        if (placement == PACKED)
            window = 2048;
        uintptr_t p = BASE + ((uint64_t)rand() * 977 % window) / granule * granule;
        uint64_t size = placement == PACKED ? (uint64_t)(rand() % 10) : random_size();
        uintptr_t clash = live_index_clash(&index, p, size);
        uintptr_t expected = scan_clash(p, size);
        /* The index names a clashing block; the scan names the lowest. Both
         * must agree on whether there is one, and the index's must clash. */
        ck_assert_int_eq(clash != 0, expected != 0);
        if (clash != 0) {
            LiveBlock b;
            ck_assert(live_index_find(&index, clash, &b));
            ck_assert(b.start < p + extent(size) && p < b.start + extent(b.size));
        } else if (model_count < MODEL_MAX) {
            ck_assert(live_index_insert(&index, p, size, (uint32_t)step));
            model[model_count++] = (Model){p, size, ids ? (uint32_t)step : 0};
        }
        int inside = scan_containing(p + 5);
        LiveBlock containing;
        ck_assert_int_eq(live_index_containing(&index, p + 5, &containing), inside >= 0);
        if (inside >= 0)
            ck_assert_uint_eq(containing.start, model[inside].start);
        uintptr_t far = BASE + (uint64_t)rand() * 7919 % (SPAN / granule) * granule;
        inside = scan_containing(far);
        ck_assert_int_eq(live_index_containing(&index, far, &containing), inside >= 0);
        if (inside >= 0)
            ck_assert_uint_eq(containing.start, model[inside].start);
        ck_assert_int_eq(live_index_clash(&index, far, 16) != 0, scan_clash(far, 16) != 0);
        if (model_count > 0 && rand() % 2 == 0) {
            int victim = rand() % model_count;
            LiveBlock b;
            ck_assert(live_index_find(&index, model[victim].start, &b));
            ck_assert_uint_eq(b.size, model[victim].size);
            ck_assert_uint_eq(b.id, model[victim].id);
            live_index_remove(&index, model[victim].start);
            ck_assert(!live_index_find(&index, model[victim].start, &b));
            ck_assert(live_index_was_start(&index, model[victim].start));
            model[victim] = model[--model_count];
        }
        if (step % 1000 == 0)
            ck_assert_uint_eq(index.crowd.count, scan_crowded(&index));
    }
}

/* The runs of check_against_scan, each a test of its own: both aligned
 * granules spread and growing; --align 1 (granule 1), where blocks start on
 * any byte; and blocks of a few bytes packed into 2 KiB, which share slots:
 * each one's size and id survive its slot's last block coming and going, and
 * the crowd holds exactly the blocks that are not their slot's last. */
static const struct {
    unsigned granule;
    Placement placement;
    int steps;
} scan_runs[] = {
    /* 100,000 steps: a growing window reaches 4 MiB (64 granules doubled
     * 12 times) with steps to spare; the test takes 19 s, 66 s sanitized
     * (with 200,000: 150 s in a loaded suite, 300 s sanitized). */
    {16, SPREAD, 100000}, {8, SPREAD, 100000}, {16, GROWING, 100000}, {8, GROWING, 100000},
    {1, SPREAD, 60000},   {1, PACKED, 50000},  {8, PACKED, 30000},
};

START_TEST(clash_and_find_match_a_scan)
{
    check_against_scan(scan_runs[_i].granule, scan_runs[_i].placement, scan_runs[_i].steps);
}
END_TEST

/* The crowd against its definition: with ids recorded, blocks at offsets 1,
 * 2 and 5 of one slot, removed in every order, give back their own sizes and
 * ids, and the crowd empties. */
START_TEST(crowd_holds_the_blocks_before_their_slots_last)
{
    static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                     {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    static const unsigned offsets[3] = {1, 2, 5};
    static const uint64_t sizes[3] = {1, 0, 300};
    for (int order = 0; order < 6; order++) {
        LiveIndex index = {0};
        ck_assert(live_index_init(&index, BASE, SPAN, 1));
        ck_assert(live_index_reserve_ids(&index));
        uintptr_t slot = BASE + 64;
        for (int k = 0; k < 3; k++) {
            int i = orders[order][k];
            ck_assert_uint_eq(live_index_clash(&index, slot + offsets[i], sizes[i]), 0);
            ck_assert(live_index_insert(&index, slot + offsets[i], sizes[i], 10 + i));
        }
        ck_assert_uint_eq(index.crowd.count, 2);
        ck_assert_uint_eq(live_index_clash(&index, slot + 1, 1), slot + 1);
        ck_assert_uint_eq(live_index_clash(&index, slot + 3, 2), 0);
        ck_assert_uint_eq(live_index_clash(&index, slot + 3, 3), slot + 5);
        ck_assert_uint_eq(live_index_clash(&index, slot + 304, 1), slot + 5);
        for (int k = 0; k < 3; k++) {
            int i = orders[order][k];
            LiveBlock b;
            ck_assert(live_index_find(&index, slot + offsets[i], &b));
            ck_assert_uint_eq(b.size, sizes[i]);
            ck_assert_uint_eq(b.id, 10 + i);
            live_index_remove(&index, slot + offsets[i]);
            ck_assert(!live_index_find(&index, slot + offsets[i], &b));
            ck_assert(live_index_was_start(&index, slot + offsets[i]));
        }
        ck_assert_uint_eq(index.crowd.count, 0);
        ck_assert(!live_index_was_start(&index, slot + 3));
    }
}
END_TEST

/* The index starts with one level and gains one each time a block starts
 * past the granules it covers (64^levels); blocks below stay found from
 * above, and queries past the cover see only the blocks below it. */
START_TEST(levels_grow_under_live_blocks)
{
    LiveIndex index = {0};
    ck_assert(live_index_init(&index, BASE, SPAN, 16));
    ck_assert_uint_eq(index.levels, 1);
    live_index_insert(&index, BASE, 100, 1);
    ck_assert_uint_eq(index.levels, 1);
    LiveBlock b;
    ck_assert(live_index_containing(&index, BASE + SPAN - 1, &b) == false);
    ck_assert_uint_eq(live_index_clash(&index, BASE + SPAN - 4096, 16), 0);
    uint64_t granules = 64;
    for (unsigned levels = 2; granules * 16 < SPAN; levels++, granules *= 64) {
        uintptr_t top = BASE + granules * 16; /* the first granule not covered */
        ck_assert_uint_eq(live_index_clash(&index, top, 1000), 0);
        live_index_insert(&index, top, 1000, levels);
        ck_assert_uint_eq(index.levels, levels);
        ck_assert_uint_eq(live_index_clash(&index, BASE + 96, 16), BASE);
        ck_assert(live_index_containing(&index, BASE + 99, &b));
        ck_assert_uint_eq(b.start, BASE);
        ck_assert(live_index_containing(&index, top + 999, &b));
        ck_assert_uint_eq(b.start, top);
        ck_assert(!live_index_containing(&index, top + 1000, &b));
        ck_assert_uint_eq(live_index_clash(&index, top - 16, 17), top);
    }
    live_index_remove(&index, BASE);
    ck_assert(!live_index_containing(&index, BASE + 99, &b));
    ck_assert_uint_eq(live_index_clash(&index, BASE, 16), 0);
    ck_assert(live_index_containing(&index, BASE + 64 * 16 + 5, &b));
    ck_assert_uint_eq(b.start, BASE + 64 * 16);
}
END_TEST

START_TEST(edges_and_huge_blocks)
{
    LiveIndex index = {0};
    ck_assert(live_index_init(&index, BASE, SPAN, 16));
    /* Two zero-byte blocks at one address overlap; adjacent ones do not. */
    live_index_insert(&index, BASE + 16, 0, 1);
    ck_assert_uint_eq(live_index_clash(&index, BASE + 16, 0), BASE + 16);
    ck_assert_uint_eq(live_index_clash(&index, BASE + 32, 0), 0);
    ck_assert_uint_eq(live_index_clash(&index, BASE, 16), 0);
    ck_assert_uint_eq(live_index_clash(&index, BASE, 17), BASE + 16);
    /* A 6 GiB block: its size survives the 32-bit entry, and a block far
     * inside it (many level words away) clashes with it. */
    uintptr_t huge = BASE + (1ULL << 32);
    live_index_insert(&index, huge, 6ULL << 30, 2);
    LiveBlock b;
    ck_assert(live_index_find(&index, huge, &b));
    ck_assert_uint_eq(b.size, 6ULL << 30);
    ck_assert_uint_eq(live_index_clash(&index, huge + (5ULL << 30), 16), huge);
    ck_assert_uint_eq(live_index_clash(&index, huge + (6ULL << 30), 16), 0);
    ck_assert(!live_index_find(&index, huge + 16, &b));
    live_index_remove(&index, huge);
    ck_assert_uint_eq(live_index_clash(&index, huge + (5ULL << 30), 16), 0);
    /* Never a start: not live, not "already freed". */
    ck_assert(!live_index_was_start(&index, BASE + 48));
    ck_assert(!live_index_covers(&index, BASE + SPAN));
}
END_TEST

/* Blocks of 4 GiB or more have LIVE_INDEX_HUGE_MAX places for their sizes:
 * one more is refused, with nothing changed, and the caller decides (the
 * index ends no process). A place freed is taken again. */
START_TEST(huge_places_run_out)
{
    LiveIndex index = {0};
    ck_assert(live_index_init(&index, BASE, SPAN, 16));
    uintptr_t at = BASE + 4096;
    for (unsigned i = 0; i < LIVE_INDEX_HUGE_MAX; i++)
        ck_assert(live_index_insert(&index, at + 16 * i, 4ULL << 30, i));
    uintptr_t refused = at + 16 * LIVE_INDEX_HUGE_MAX;
    ck_assert(!live_index_insert(&index, refused, 4ULL << 30, 99));
    LiveBlock b;
    ck_assert(!live_index_find(&index, refused, &b));
    ck_assert(!live_index_was_start(&index, refused));
    live_index_remove(&index, at);
    ck_assert(live_index_insert(&index, refused, 4ULL << 30, 99));
    ck_assert(live_index_find(&index, refused, &b));
    ck_assert_uint_eq(b.size, 4ULL << 30);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("shim live index");
    TCase *tests = tcase_create("core");
    tcase_set_timeout(tests, 120);
    tcase_add_loop_test(tests, clash_and_find_match_a_scan, 0,
                        sizeof scan_runs / sizeof scan_runs[0]);
    tcase_add_test(tests, huge_places_run_out);
    tcase_add_test(tests, crowd_holds_the_blocks_before_their_slots_last);
    tcase_add_test(tests, levels_grow_under_live_blocks);
    tcase_add_test(tests, edges_and_huge_blocks);
    suite_add_tcase(suite, tests);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
