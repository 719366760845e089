/*
 * test_block_pattern.c: Check unit tests of mreplay's block patterns: a filled block
 * checks clean, any changed byte is found at its offset, a block filled in pieces equals one
 * filled at once (so a realloc need fill only what it adds), and blocks of different ids or
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
        block_pattern_fill(block, 0, size, seed);
        ck_assert_uint_eq(block_pattern_check(block, 0, size, seed), size);
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
        block_pattern_fill(block, 0, sizeof block, seed);
        block[offset] ^= 0x01;
        ck_assert_uint_eq(block_pattern_check(block, 0, sizeof block, seed), offset);
        /* A range check sees the byte only when the range holds it. */
        ck_assert_uint_eq(block_pattern_check(block, offset, sizeof block, seed), offset);
        ck_assert_uint_eq(block_pattern_check(block, 0, offset, seed), offset);
        if (offset + 1 < sizeof block)
            ck_assert_uint_eq(block_pattern_check(block, offset + 1, sizeof block, seed),
                              sizeof block);
    }
}
END_TEST

START_TEST(a_block_filled_in_pieces_equals_one_filled_at_once)
{
    unsigned char whole[70], pieces[72];
    uint64_t seed = block_pattern_seed(5, 99);
    block_pattern_fill(whole, 0, sizeof whole, seed);
    /* Every split point, unaligned ones included, as a growing realloc fills. */
    for (size_t first = 0; first <= sizeof whole; first++)
        for (size_t second = first; second <= sizeof whole; second += 3) {
            memset(pieces, 0xee, sizeof pieces);
            block_pattern_fill(pieces, 0, first, seed);
            block_pattern_fill(pieces, first, second, seed);
            block_pattern_fill(pieces, second, sizeof whole, seed);
            ck_assert_int_eq(memcmp(whole, pieces, sizeof whole), 0);
            ck_assert_uint_eq(pieces[sizeof whole], 0xee);
            ck_assert_uint_eq(block_pattern_check(pieces, first, second, seed), second);
        }
    /* An empty range writes nothing and checks clean, even at NULL. */
    block_pattern_fill(NULL, 4, 4, seed);
    ck_assert_uint_eq(block_pattern_check(NULL, 9, 3, seed), 3);
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
            block_pattern_fill(first, 0, sizeof first, seeds[i]);
            block_pattern_fill(second, 0, sizeof second, seeds[j]);
            /* A stale block fails its check on its first byte or soon after. */
            ck_assert_uint_lt(block_pattern_check(first, 0, sizeof first, seeds[j]), 8);
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
    tcase_add_test(tcase, a_block_filled_in_pieces_equals_one_filled_at_once);
    tcase_add_test(tcase, different_ids_and_lives_give_different_patterns);
    suite_add_tcase(suite, tcase);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
