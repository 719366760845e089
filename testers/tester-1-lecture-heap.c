/*
 * tester-1: the lecture's heap program.
 *
 * Exercises: a = malloc(4096); free(a); b, c, d = malloc(4096); free(b);
 * free(c); e = malloc(5000); f, g = malloc(10). Every block holds its own
 * pattern, checked before it is freed and at the end; the live blocks must
 * not overlap. The result line gives each address as an offset from a.
 *
 * A good allocator: b lands where a was (offset +0), c and d follow one
 * block (4096 bytes plus a small header) apart; freeing b and c leaves one
 * coalesced hole that e (5000 bytes) fits into at +0, and f and g are split
 * off the rest of that hole, before d. MAX stays near 3 x 4096 bytes.
 * Without reuse (no-reuse) every offset is new and MAX is the sum.
 */
#include "tester.h"

#include <stdlib.h>

/* Offset of `block` from the first allocation, as a signed byte count. */
static long long offset_from(uintptr_t first, const void *block)
{
    return (long long)((uintptr_t)block - first);
}

int main(int argc, char **argv)
{
    tester_options(
        argc, argv,
        "the lecture's heap program: a = 4096, free, b c d = 4096, free b c, e = 5000, f g = 10");
    char *a = require_block(malloc(4096), 16, "malloc(4096) for a");
    pattern_fill(a, 4096, 'a');
    pattern_require(a, 4096, 'a', "a");
    /* Keep a's address as a number: a freed pointer's value must not be used. */
    uintptr_t first = (uintptr_t)a;
    free(a);

    char *b = require_block(malloc(4096), 16, "malloc(4096) for b");
    char *c = require_block(malloc(4096), 16, "malloc(4096) for c");
    char *d = require_block(malloc(4096), 16, "malloc(4096) for d");
    pattern_fill(b, 4096, 'b');
    pattern_fill(c, 4096, 'c');
    pattern_fill(d, 4096, 'd');
    long long b_offset = offset_from(first, b), c_offset = offset_from(first, c);
    pattern_require(b, 4096, 'b', "b");
    free(b);
    pattern_require(c, 4096, 'c', "c");
    free(c);

    char *e = require_block(malloc(5000), 16, "malloc(5000) for e");
    pattern_fill(e, 5000, 'e');
    char *f = require_block(malloc(10), malloc_alignment_for(10), "malloc(10) for f");
    pattern_fill(f, 10, 'f');
    char *g = require_block(malloc(10), malloc_alignment_for(10), "malloc(10) for g");
    pattern_fill(g, 10, 'g');

    struct tester_span live[] = {
        {(uintptr_t)d, 4096}, {(uintptr_t)e, 5000}, {(uintptr_t)f, 10}, {(uintptr_t)g, 10}};
    spans_require_disjoint(live, sizeof live / sizeof live[0], "live blocks d, e, f, g");
    pattern_require(d, 4096, 'd', "d");
    pattern_require(e, 5000, 'e', "e");
    pattern_require(f, 10, 'f', "f");
    pattern_require(g, 10, 'g', "g");

    long long d_offset = offset_from(first, d), e_offset = offset_from(first, e);
    long long f_offset = offset_from(first, f), g_offset = offset_from(first, g);
    free(d);
    free(e);
    free(f);
    free(g);
    tester_pass("Memory was allocated, used, and freed! Offsets from a: b=%+lld c=%+lld d=%+lld "
                "e=%+lld f=%+lld g=%+lld",
                b_offset, c_offset, d_offset, e_offset, f_offset, g_offset);
    return 0;
}
