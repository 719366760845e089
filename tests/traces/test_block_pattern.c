/*
 * test_block_pattern.c: Check unit tests of mreplay's block patterns: a filled block
 * checks clean, any changed byte is found at its offset, and blocks of different ids or
 * different lives of one id never share a pattern (so stale contents are caught).
 */
#include "block_pattern.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(filled_block_checks_clean_at_every_length)
{
    unsigned char block[80];
    for (size_t size = 0; size <= 64; size++) {
        memset(block, 0xee, sizeof block);
        uint64_t seed = block_pattern_seed(3, size);
        block_pattern_fill(block, size, seed);
        ck_assert_uint_eq(block_pattern_check(block, size, seed), size);
        /* Nothing past the end is written. */
        ck_assert_uint_eq(block[size], 0xee);
        for (size_t offset = 0; offset < size; offset++)
            ck_assert_uint_eq(block[offset], block_pattern_byte(seed, offset));
    }
}
END_TEST

START_TEST(a_changed_byte_is_found_at_its_offset)
{
    unsigned char block[100];
    uint64_t seed = block_pattern_seed(7, 1234);
    for (size_t offset = 0; offset < sizeof block; offset += 7) {
        block_pattern_fill(block, sizeof block, seed);
        block[offset] ^= 0x01;
        ck_assert_uint_eq(block_pattern_check(block, sizeof block, seed), offset);
    }
}
END_TEST

START_TEST(different_ids_and_lives_give_different_patterns)
{
    unsigned char first[32], second[32];
    uint64_t seeds[4] = {block_pattern_seed(0, 0), block_pattern_seed(1, 0),
                         block_pattern_seed(0, 1), block_pattern_seed(1, 1)};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            if (i == j)
                continue;
            ck_assert_uint_ne(seeds[i], seeds[j]);
            block_pattern_fill(first, sizeof first, seeds[i]);
            block_pattern_fill(second, sizeof second, seeds[j]);
            /* A stale block fails its check on its first byte or soon after. */
            ck_assert_uint_lt(block_pattern_check(first, sizeof first, seeds[j]), 8);
            ck_assert_int_ne(memcmp(first, second, sizeof first), 0);
        }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("block_pattern");
    TCase *tcase = tcase_create("pattern");
    tcase_add_test(tcase, filled_block_checks_clean_at_every_length);
    tcase_add_test(tcase, a_changed_byte_is_found_at_its_offset);
    tcase_add_test(tcase, different_ids_and_lives_give_different_patterns);
    suite_add_tcase(suite, tcase);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
