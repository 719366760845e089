/*
 * coalesce.h: the second half that tester-4, tester-5 and tester-6 share.
 * Each first frees neighbouring blocks in its own order, leaving one freed
 * run per group between live guards; then this asks for blocks that fit only
 * where a run has merged into one free block.
 */
#ifndef MSTATS_TESTER_COALESCE_H
#define MSTATS_TESTER_COALESCE_H

#include <stddef.h>
#include <stdint.h>

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
