/*
 * coalesce.h: what tester-4, tester-5 and tester-6 share. Each allocates
 * groups of neighbouring parts followed by a live guard, frees the parts in
 * its own order, leaving one freed run per group between live guards; then
 * asks for blocks that fit only where a run has merged into one free block.
 */
#ifndef MSTATS_TESTER_COALESCE_H
#define MSTATS_TESTER_COALESCE_H

#include <stddef.h>
#include <stdint.h>

enum { COALESCE_GROUPS = 64, COALESCE_PARTS_MAX = 3 };

/* The groups: `parts` blocks of `part_bytes` then a guard of `guard_bytes`
 * each. Part p of group g carries pattern tag (parts + 1) g + p, its guard
 * (parts + 1) g + parts; run_start[g] is the first part's address. */
struct coalesce_groups {
    int parts;
    size_t part_bytes, guard_bytes;
    unsigned char *part[COALESCE_GROUPS][COALESCE_PARTS_MAX];
    unsigned char *guard[COALESCE_GROUPS];
    uint64_t guard_tag[COALESCE_GROUPS];
    uintptr_t run_start[COALESCE_GROUPS];
};

/* Allocates and fills every group's parts and guard, in address order of
 * the calls: group by group, parts first. */
void coalesce_allocate(struct coalesce_groups *c);

/* In each group, checks and frees the parts in `order` (c->parts indexes). */
void coalesce_free_parts(struct coalesce_groups *c, const int *order);

/* coalesce_refill over the groups' runs and guards; returns the count. */
int coalesce_refill_groups(const struct coalesce_groups *c);

/*
 * For each of `groups` groups, asks for one block of `merged_bytes` and
 * fills it; counts the blocks placed at one of `run_starts` (where a freed
 * run began); fails unless the new blocks and the `guards` (`guard_bytes`
 * each) are disjoint, the guards still hold their patterns (`guard_tags`)
 * and the new blocks theirs; frees everything. Returns the count.
 */
int coalesce_refill(int groups, size_t merged_bytes, const uintptr_t *run_starts,
                    unsigned char *const *guards, const uint64_t *guard_tags, size_t guard_bytes);

#endif
