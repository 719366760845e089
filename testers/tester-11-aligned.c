/*
 * tester-11: aligned allocation.
 *
 * Exercises: posix_memalign, aligned_alloc and memalign for every power of
 * two from 8 (16 for aligned_alloc and memalign) to 64 KiB, each with sizes
 * 1, 24, 1000, the alignment itself and three times it plus 5 (rounded up
 * to a multiple of the alignment for aligned_alloc, as C11 asks). Each
 * block must be aligned, hold its pattern and not overlap the others, which
 * stay live until the end (200 blocks). Then the refusals:
 * posix_memalign with alignment 0, 24 or 4 (not a power-of-two multiple of
 * sizeof(void *)) returns EINVAL; an impossible size returns ENOMEM.
 *
 * A good allocator: every pointer aligned; the padding in front of a block
 * is at most the alignment, so MAX stays within about twice PEAK-LIVE
 * (2.1 MB live at once, mostly in the 32 KiB and 64 KiB alignments).
 */
#include "tester.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

enum { MIN_SHIFT = 3, MAX_SHIFT = 16, SIZES = 5, FUNCTIONS = 3 };
enum { MAX_BLOCKS = (MAX_SHIFT - MIN_SHIFT + 1) * SIZES * FUNCTIONS };

/* One live aligned block. */
struct aligned_block {
    void *block;
    size_t size;
};

static struct aligned_block blocks[MAX_BLOCKS];
static struct tester_span spans[MAX_BLOCKS];
static size_t block_count;

/* Records, checks the alignment of, and fills a block that must exist. */
static void keep(void *block, size_t size, size_t alignment, const char *what)
{
    require_block(block, alignment, what);
    pattern_fill(block, size, block_count);
    blocks[block_count] = (struct aligned_block){block, size};
    spans[block_count] = (struct tester_span){(uintptr_t)block, size};
    block_count++;
}

/* Fails unless posix_memalign(alignment, size) returns `expected`. */
static void require_posix_memalign_error(size_t alignment, size_t size, int expected)
{
    void *block = NULL;
    int error = posix_memalign(&block, alignment, size);
    if (error != expected)
        tester_fail(TESTER_EXIT_WRONG_ERROR,
                    "posix_memalign(alignment %zu, size %zu) returned %d,"
                    " not %d",
                    alignment, size, error, expected);
    tester_proof_add(MSTATS_PROOF_REFUSED, alignment, size, (uint64_t)error);
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "posix_memalign, aligned_alloc and memalign at alignments 8 to 64 KiB, and "
                   "EINVAL for bad alignments");
    for (int shift = MIN_SHIFT; shift <= MAX_SHIFT; shift++) {
        size_t alignment = (size_t)1 << shift;
        size_t sizes[SIZES] = {1, 24, 1000, alignment, 3 * alignment + 5};
        for (int s = 0; s < SIZES; s++) {
            size_t size = sizes[s];
            void *block = NULL;
            int error = posix_memalign(&block, alignment, size);
            if (error != 0)
                tester_fail(TESTER_EXIT_OUT_OF_MEMORY, "posix_memalign(%zu, %zu) failed with %d",
                            alignment, size, error);
            keep(block, size, alignment, "posix_memalign");
            if (alignment < 16)
                continue;
            size_t multiple = (size + alignment - 1) / alignment * alignment;
            keep(aligned_alloc(alignment, multiple), multiple, alignment, "aligned_alloc");
            keep(memalign(alignment, size), size, alignment, "memalign");
        }
    }
    spans_require_disjoint(spans, block_count, "aligned blocks");

    volatile size_t impossible = SIZE_MAX - 8192;
    require_posix_memalign_error(0, 100, EINVAL);
    require_posix_memalign_error(24, 100, EINVAL);
    require_posix_memalign_error(sizeof(void *) / 2, 100, EINVAL);
    require_posix_memalign_error(64, impossible, ENOMEM);

    for (size_t i = 0; i < block_count; i++) {
        pattern_require(blocks[i].block, blocks[i].size, i, "an aligned block");
        free(blocks[i].block);
    }
    tester_pass("Aligned allocation: %zu blocks from posix_memalign, aligned_alloc and memalign "
                "at alignments %d to %d were aligned and intact; bad alignments gave EINVAL",
                block_count, 1 << MIN_SHIFT, 1 << MAX_SHIFT);
    return 0;
}
