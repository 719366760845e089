/*
 * coalesce.c: the refill that ends the coalescing testers (coalesce.h).
 * Unlike tester.c this allocates: it is part of their workload.
 */
#include "coalesce.h"

#include <stdio.h>
#include <stdlib.h>

#include "tester.h"

static uint64_t part_tag(const struct coalesce_groups *c, int g, int p)
{
    return (uint64_t)(c->parts + 1) * (uint64_t)g + (uint64_t)p;
}

void coalesce_allocate(struct coalesce_groups *c)
{
    char what[48];
    snprintf(what, sizeof what, "malloc(%zu) for a part", c->part_bytes);
    for (int g = 0; g < COALESCE_GROUPS; g++) {
        for (int p = 0; p < c->parts; p++) {
            c->part[g][p] = require_block(malloc(c->part_bytes), 16, what);
            pattern_fill(c->part[g][p], c->part_bytes, part_tag(c, g, p));
        }
        c->guard[g] = require_block(malloc(c->guard_bytes), 16, "malloc for a guard");
        c->guard_tag[g] = part_tag(c, g, c->parts);
        pattern_fill(c->guard[g], c->guard_bytes, c->guard_tag[g]);
        c->run_start[g] = (uintptr_t)c->part[g][0];
    }
}

void coalesce_free_parts(struct coalesce_groups *c, const int *order)
{
    static const char *const names[COALESCE_PARTS_MAX] = {"part A", "part B", "part C"};
    for (int g = 0; g < COALESCE_GROUPS; g++)
        for (int i = 0; i < c->parts; i++) {
            int p = order[i];
            pattern_require(c->part[g][p], c->part_bytes, part_tag(c, g, p), names[p]);
            free(c->part[g][p]);
        }
}

int coalesce_refill_groups(const struct coalesce_groups *c)
{
    return coalesce_refill(COALESCE_GROUPS, (size_t)c->parts * c->part_bytes, c->run_start,
                           c->guard, c->guard_tag, c->guard_bytes);
}

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
