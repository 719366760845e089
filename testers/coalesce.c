/*
 * coalesce.c: the refill that ends the coalescing testers (coalesce.h).
 * Unlike tester.c this allocates: it is part of their workload.
 */
#include "coalesce.h"

#include <stdio.h>
#include <stdlib.h>

#include "tester.h"

int coalesce_refill(int groups, size_t merged_bytes, const uintptr_t *run_starts,
                    unsigned char *const *guards, const uint64_t *guard_tags, size_t guard_bytes)
{
    char what[48];
    snprintf(what, sizeof what, "a %zu-byte block", merged_bytes);
    unsigned char *merged[groups];
    struct tester_span spans[2 * groups];
    int reused = 0;
    for (int g = 0; g < groups; g++) {
        merged[g] = require_block(malloc(merged_bytes), 16, what);
        pattern_fill(merged[g], merged_bytes, 1000 + g);
        for (int h = 0; h < groups; h++)
            reused += (uintptr_t)merged[g] == run_starts[h];
        spans[2 * g] = (struct tester_span){(uintptr_t)merged[g], merged_bytes};
        spans[2 * g + 1] = (struct tester_span){(uintptr_t)guards[g], guard_bytes};
    }
    spans_require_disjoint(spans, 2 * (size_t)groups, "merged blocks and guards");
    for (int g = 0; g < groups; g++) {
        pattern_require(guards[g], guard_bytes, guard_tags[g], "a guard");
        pattern_require(merged[g], merged_bytes, 1000 + g, what);
        free(merged[g]);
        free(guards[g]);
    }
    return reused;
}
