/* Unit tests (Check) of the free index itself, outside any allocator: blocks
 * laid out in a static array, inserted, changed and searched, and every
 * subtree maximum checked against its definition (the largest block size
 * below), recomputed by a walk. */
#include <check.h>
#include <stdalign.h>
#include <string.h>

#include "free_index.h"

static alignas(16) char area[1 << 20];

/* The largest block size in b's subtree, by its definition. */
static size_t walked_max(const struct free_index *ix, block *b)
{
    if (b == NULL)
        return 0;
    size_t max = block_size(b);
    size_t left = walked_max(ix, free_index_left(ix, b));
    size_t right = walked_max(ix, free_index_right(ix, b));
    max = left > max ? left : max;
    return right > max ? right : max;
}

/* Every node's stored maximum is its subtree's. */
static void check_maxima(const struct free_index *ix, block *b)
{
    if (b == NULL)
        return;
    ck_assert_uint_eq(free_index_max(b), walked_max(ix, b));
    check_maxima(ix, free_index_left(ix, b));
    check_maxima(ix, free_index_right(ix, b));
}

/* `count` free blocks of `size` bytes, 64 KiB apart, in an address-ordered
 * index; the one at `large` is 32 KiB. */
static void lay_out(struct free_index *ix, block **blocks, int count, size_t size, int large)
{
    memset(area, 0, sizeof area);
    free_index_init(ix, area, FREE_ORDER_BY_ADDRESS);
    for (int i = 0; i < count; i++) {
        blocks[i] = (block *)(area + 4096 + (size_t)i * 65536);
        block_set_free(blocks[i], i == large ? 32768 : size);
        free_index_insert(ix, blocks[i]);
    }
    check_maxima(ix, free_index_root(ix));
}

/* The contract allows a block to shrink in place through free_index_replace
 * (`now` is `was`, its header already rewritten): the maxima above it must
 * come down with it, or a search for the old size walks to a block that is
 * not there. */
START_TEST(replace_shrinks_a_block_in_place)
{
    struct free_index ix;
    block *blocks[15];
    for (int large = 0; large < 15; large++) {
        lay_out(&ix, blocks, 15, 4096, large);
        ck_assert_ptr_eq(free_index_lowest_fit(&ix, 32768), blocks[large]);
        block_set_free(blocks[large], 8192);
        free_index_replace(&ix, blocks[large], 32768, blocks[large]);
        check_maxima(&ix, free_index_root(&ix));
        ck_assert_ptr_null(free_index_lowest_fit(&ix, 32768));
        ck_assert_ptr_eq(free_index_lowest_fit(&ix, 8192), blocks[large]);
        ck_assert_uint_eq(free_index_largest(&ix), 8192);
    }
}
END_TEST

/* The same for a growth in place, and for a replacement by a block that
 * starts lower (a free block absorbing its freed neighbour below). */
START_TEST(replace_grows_and_moves_a_block)
{
    struct free_index ix;
    block *blocks[15];
    for (int at = 0; at < 15; at++) {
        lay_out(&ix, blocks, 15, 4096, -1);
        block_set_free(blocks[at], 16384);
        free_index_replace(&ix, blocks[at], 4096, blocks[at]);
        check_maxima(&ix, free_index_root(&ix));
        ck_assert_ptr_eq(free_index_lowest_fit(&ix, 16384), blocks[at]);
        block *lower = (block *)((char *)blocks[at] - 4096);
        block_set_free(lower, 4096 + 16384);
        free_index_replace(&ix, blocks[at], 16384, lower);
        check_maxima(&ix, free_index_root(&ix));
        ck_assert_ptr_eq(free_index_lowest_fit(&ix, 20480), lower);
    }
}
END_TEST

/* A replacement the order cannot take in place (a block in a bin that grows
 * past the bins) is a removal and an insertion: the block leaves its bin,
 * found by the size it was indexed with, and the tree takes it. */
START_TEST(replace_moves_a_block_from_a_bin_to_the_tree)
{
    struct free_index ix;
    memset(area, 0, sizeof area);
    free_index_init(&ix, area, FREE_ORDER_BY_ADDRESS_BINNED);
    block *small = (block *)(area + 4096), *large = (block *)(area + 65536);
    block_set_free(small, 64);
    block_set_free(large, 8192);
    free_index_insert(&ix, small);
    free_index_insert(&ix, large);
    ck_assert_ptr_eq(free_index_lowest_fit(&ix, 64), small);
    block_set_free(small, 4096);
    free_index_replace(&ix, small, 64, small);
    ck_assert_uint_eq(ix.count, 2);
    ck_assert_uint_eq(ix.bin_root[free_index_bin_of(&ix, 64)], 0);
    ck_assert(free_index_contains(&ix, small));
    ck_assert_ptr_eq(free_index_lowest_fit(&ix, 4096), small);
    ck_assert_ptr_eq(free_index_lowest_fit(&ix, 4112), large);
    check_maxima(&ix, free_index_root(&ix));
}
END_TEST

/* The rest of a split is held apart from the tree and bins, and every search
 * still finds it. */
START_TEST(searches_find_the_held_block)
{
    enum free_order orders[] = {FREE_ORDER_BY_ADDRESS, FREE_ORDER_BY_ADDRESS_BINNED,
                                FREE_ORDER_BY_SIZE_THEN_ADDRESS};
    for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
        struct free_index ix;
        memset(area, 0, sizeof area);
        free_index_init(&ix, area, orders[o]);
        block *low = (block *)(area + 4096), *high = (block *)(area + 65536);
        block_set_free(low, 20480);
        block_set_free(high, 4096);
        free_index_insert(&ix, low);
        free_index_insert(&ix, high);
        /* 4096 bytes taken from low's front: its 16384-byte rest is held. */
        block *rest = (block *)((char *)low + 4096);
        block_set_free(rest, 16384);
        free_index_split(&ix, low, rest);
        ck_assert_ptr_eq(free_index_held(&ix), rest);
        ck_assert_uint_eq(ix.count, 2);
        ck_assert_uint_eq(free_index_largest(&ix), 16384);
        if (orders[o] == FREE_ORDER_BY_SIZE_THEN_ADDRESS) {
            ck_assert_ptr_eq(free_index_smallest_fit(&ix, 4096), high);
            ck_assert_ptr_eq(free_index_smallest_fit(&ix, 4112), rest);
            continue;
        }
        ck_assert_ptr_eq(free_index_lowest_fit(&ix, 32), rest);
        ck_assert_ptr_null(free_index_lowest_fit(&ix, 16400));
        if (orders[o] != FREE_ORDER_BY_ADDRESS)
            continue;
        uintptr_t inside = (uintptr_t)rest + 64, past = block_end(rest);
        ck_assert_ptr_eq(free_index_lowest_fit_ending_after(&ix, inside, 32), rest);
        ck_assert_ptr_eq(free_index_lowest_fit_ending_after(&ix, past, 32), high);
        ck_assert_ptr_eq(free_index_lowest_fit_ending_after(&ix, (uintptr_t)area, 8192), rest);
    }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("free index");
    TCase *tests = tcase_create("core");
    tcase_add_test(tests, replace_shrinks_a_block_in_place);
    tcase_add_test(tests, replace_grows_and_moves_a_block);
    tcase_add_test(tests, replace_moves_a_block_from_a_bin_to_the_tree);
    tcase_add_test(tests, searches_find_the_held_block);
    suite_add_tcase(suite, tests);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
