/*
 * tester-19: recursive halving and doubling with realloc, from 1 GiB.
 *
 * Exercises: one 1 GiB block, filled with a pattern. A recursion halves it
 * with realloc (checking the start and end of the kept half), recurses down
 * to 64 bytes, then on the way back doubles it with realloc, checks the
 * whole kept half, and fills the new half. At the top the whole 1 GiB is
 * checked once more.
 *
 * A good allocator shrinks in place, keeps the freed tail next to the
 * block, and grows in place into it: MAX = 1 GiB (plus a page), nothing is
 * ever copied, TIME is the cost of touching the memory (about a second).
 * no-reuse shrinks in place but never gets the tail back, so the first
 * doubling moves the block to the top and every later one grows it there:
 * MAX = 2 GiB, below the 2.5 GiB limit. (An allocator that moved on every
 * doubling and never reused would need 1 + 2 GiB and end with STATUS 68.)
 */
#include "tester.h"

#include <stdlib.h>

enum { CHECK_BYTES = 4096 };
static const size_t START_BYTES = (size_t)1 << 30, SMALLEST_BYTES = 64;
static const uint64_t TAG = 19;

static unsigned char *block;
static int reallocs, moves;

/* realloc of the one block to `size`, counting calls and moves. */
static void resize_block(size_t size)
{
    unsigned char *moved = realloc(block, size);
    require_block(moved, 16, "realloc");
    reallocs++;
    moves += moved != block;
    block = moved;
}

/* Checks up to CHECK_BYTES at each end of the first `size` bytes. */
static void check_both_ends(size_t size, const char *what)
{
    size_t edge = size < CHECK_BYTES ? size : CHECK_BYTES;
    pattern_require_range(block, 0, edge, TAG, what);
    pattern_require_range(block, size - edge, size, TAG, what);
}

/*
 * The block holds `size` patterned bytes. Halves it, recurses, doubles it
 * back; on return it holds `size` patterned bytes again.
 */
static void halve_and_double(size_t size)
{
    if (size <= SMALLEST_BYTES) {
        pattern_require(block, size, TAG, "the smallest block");
        return;
    }
    size_t half = size / 2;
    resize_block(half);
    check_both_ends(half, "a halved block");
    halve_and_double(half);
    resize_block(size);
    pattern_require(block, half, TAG, "a doubled block's kept half");
    pattern_fill_range(block, half, size, TAG);
}

int main(int argc, char **argv)
{
    tester_options(
        argc, argv,
        "one 1 GiB block halved by realloc down to 64 bytes and doubled back, recursively");
    block = require_block(malloc(START_BYTES), 16, "malloc(1 GiB)");
    pattern_fill(block, START_BYTES, TAG);
    halve_and_double(START_BYTES);
    pattern_require(block, START_BYTES, TAG, "the 1 GiB block after the recursion");
    free(block);
    tester_pass("Realloc halving and doubling: %d reallocs between 1 GiB and %zu bytes kept the "
                "data (%d moved the block)",
                reallocs, SMALLEST_BYTES, moves);
    return 0;
}
