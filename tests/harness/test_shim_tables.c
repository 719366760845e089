/* Unit tests (Check) of the shim's bookkeeping: the live table (insert, find,
 * backward-shift removal, growth) against a plain array, and the shadow
 * bitmap (claim, overlap detection across word boundaries, release, block
 * starts). */
#include <check.h>
#include <stdlib.h>

#include "live_table.h"
#include "shadow.h"

/* live_table.c reports exhaustion through the shim; never reached here. */
__attribute__((noreturn)) void violation_exit(int code, const char *reason)
{
    (void)reason;
    exit(code);
}

START_TEST(live_table_matches_reference)
{
    LiveTable table;
    ck_assert(live_table_init(&table));
    enum { N = 200000 };
    static uint64_t size_of[N]; /* reference: 0 = not live, else size + 1 */
    uint64_t live = 0;
    srand(7);
    for (int step = 0; step < 600000; step++) {
        int i = rand() % N;
        uintptr_t pointer = 0x10000 + (uintptr_t)i * 16;
        LiveBlock *block = live_table_find(&table, pointer);
        ck_assert_int_eq(block != NULL, size_of[i] != 0);
        if (block != NULL) {
            ck_assert_uint_eq(block->size + 1, size_of[i]);
            ck_assert_uint_eq(block->id, (uint64_t)i);
            live_table_remove(&table, block);
            size_of[i] = 0;
            live--;
        } else {
            uint64_t size = (uint64_t)rand() % 5000;
            live_table_insert(&table, pointer, size, (uint64_t)i);
            size_of[i] = size + 1;
            live++;
        }
        ck_assert_uint_eq(table.count, live);
    }
    ck_assert_uint_gt(table.mask + 1, 1u << 16); /* it grew */
    for (int i = 0; i < N; i++) {
        LiveBlock *block = live_table_find(&table, 0x10000 + (uintptr_t)i * 16);
        ck_assert_int_eq(block != NULL, size_of[i] != 0);
    }
}
END_TEST

START_TEST(shadow_detects_overlap_only)
{
    Shadow shadow;
    uintptr_t base = 0x100000;
    ck_assert(shadow_init(&shadow, base, 1 << 20));
    /* A block from the last granule of bitmap word 0 across words 1-3 (64 granules = 1 KiB each).
     */
    ck_assert_uint_eq(shadow_claim(&shadow, base + 1008, 2100), 0);
    /* Neighbours that touch but do not share a granule. */
    ck_assert_uint_eq(shadow_claim(&shadow, base + 992, 0), 0); /* the granule before */
    uintptr_t end = base + 1008 + 2100;
    uintptr_t next = (end + 15) & ~(uintptr_t)15;
    ck_assert_uint_eq(shadow_claim(&shadow, next, 100), 0);
    /* Overlaps at the start, in the middle word, at the last granule. */
    ck_assert_uint_eq(shadow_claim(&shadow, base + 1008, 8), base + 1008);
    ck_assert_uint_eq(shadow_claim(&shadow, base + 2048, 16), base + 2048);
    ck_assert_uint_eq(shadow_claim(&shadow, next - 16, 16), next - 16);
    /* After release the bytes are free again, and the start is remembered. */
    shadow_release(&shadow, base + 1008, 2100);
    ck_assert_uint_eq(shadow_claim(&shadow, base + 2048, 16), 0);
    ck_assert(shadow_was_start(&shadow, base + 1008));
    ck_assert(!shadow_was_start(&shadow, base + 1024));
    ck_assert(shadow_covers(&shadow, base));
    ck_assert(!shadow_covers(&shadow, base + (2 << 20)));
}
END_TEST

START_TEST(shadow_zero_size_blocks_collide)
{
    Shadow shadow;
    ck_assert(shadow_init(&shadow, 0x200000, 1 << 16));
    ck_assert_uint_eq(shadow_claim(&shadow, 0x200010, 0), 0);
    ck_assert_uint_eq(shadow_claim(&shadow, 0x200010, 0), 0x200010);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("shim tables");
    TCase *tests = tcase_create("core");
    tcase_set_timeout(tests, 60);
    tcase_add_test(tests, live_table_matches_reference);
    tcase_add_test(tests, shadow_detects_overlap_only);
    tcase_add_test(tests, shadow_zero_size_blocks_collide);
    suite_add_tcase(suite, tests);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
