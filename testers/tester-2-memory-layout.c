/*
 * tester-2: the lecture's memory-layout program.
 *
 * Exercises: the address of a local variable, a static variable, two heap
 * blocks and a large local array (256 KiB), each labelled with its region.
 * Every object is written and read back with its own pattern. The labels
 * come from where each object was declared; the line also says whether the
 * heap blocks lie inside the program break [end of data, sbrk(0)), which is
 * where an sbrk-based allocator puts them.
 *
 * A good allocator: both heap blocks inside the break, above the static
 * data and far below the stack, 16-byte aligned and at most a header apart.
 * This tester is about addresses, so MAX is tiny for every strategy.
 */
#include "tester.h"

#include <stdlib.h>
#include <unistd.h>

enum { LARGE_LOCAL_BYTES = 256 * 1024, HEAP_BLOCK_BYTES = 64 };

/* The static variable the program shows; initialized, so it lives in data. */
static uint64_t static_counter = 42;

/* True when the block lies within the program break [data end, sbrk(0)). */
static bool inside_program_break(const void *block, uintptr_t data_end)
{
    uintptr_t address = (uintptr_t)block;
    return address >= data_end && address + HEAP_BLOCK_BYTES <= (uintptr_t)sbrk(0);
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "the lecture's memory-layout program: a local, a static, two heap blocks and a "
                   "256 KiB local array, each labelled with its region");
    /* The linker's symbol for the first address past the program's data. */
    extern char end;
    uint64_t local = 7;
    unsigned char large_local[LARGE_LOCAL_BYTES];
    pattern_fill(large_local, sizeof large_local, 1);

    unsigned char *heap_a = require_block(malloc(HEAP_BLOCK_BYTES), 16, "malloc(64) for heap_a");
    unsigned char *heap_b = require_block(malloc(HEAP_BLOCK_BYTES), 16, "malloc(64) for heap_b");
    pattern_fill(heap_a, HEAP_BLOCK_BYTES, 2);
    pattern_fill(heap_b, HEAP_BLOCK_BYTES, 3);

    struct tester_span heap[] = {{(uintptr_t)heap_a, HEAP_BLOCK_BYTES},
                                 {(uintptr_t)heap_b, HEAP_BLOCK_BYTES}};
    spans_require_disjoint(heap, 2, "the two heap blocks");
    pattern_require(large_local, sizeof large_local, 1, "large local array");
    pattern_require(heap_a, HEAP_BLOCK_BYTES, 2, "heap_a");
    pattern_require(heap_b, HEAP_BLOCK_BYTES, 3, "heap_b");
    /* volatile reads: the values are used, so the objects really exist. */
    uint64_t local_value = *(volatile uint64_t *)&local;
    uint64_t static_value = *(volatile uint64_t *)&static_counter;
    if (local_value != 7 || static_value != 42)
        tester_fail(TESTER_EXIT_CORRUPTED, "a local or static variable changed");
    tester_proof_add(MSTATS_PROOF_VALUE, local_value, static_value, local_value ^ static_value);

    bool in_break = inside_program_break(heap_a, (uintptr_t)&end) &&
                    inside_program_break(heap_b, (uintptr_t)&end);
    /* Freed before the result line, which comes last; the addresses are
     * printed as the numbers they were. */
    uintptr_t heap_a_address = (uintptr_t)heap_a, heap_b_address = (uintptr_t)heap_b;
    free(heap_a);
    free(heap_b);
    tester_pass("Memory layout: local %p (stack), large local array %p (stack), "
                "heap_a %p (heap), heap_b %p (heap), static %p (data); heap blocks %s the "
                "program break",
                (void *)&local, (void *)large_local, (void *)heap_a_address, (void *)heap_b_address,
                (void *)&static_counter, in_break ? "inside" : "outside");
    return 0;
}
