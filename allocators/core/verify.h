/*
 * verify.h - MSTATS_VERIFY=1: the allocator checks itself after every call.
 *
 * Checks: the policy's choice equals its linear definition; every block's
 * size, alignment and boundary tags; no two free blocks touch; the free index
 * is a valid AVL tree in the policy's order with correct subtree maxima, and
 * holds exactly the free blocks. A violation aborts, naming check and block.
 * All of it is linear in the heap, so it is for tests, not for measuring.
 */
#ifndef MSTATS_VERIFY_H
#define MSTATS_VERIFY_H

#include "block.h"

/* Aborts unless `chosen` (find_fit's answer) equals `expected` (scan_fit's). */
void verify_placement(const block *chosen, const block *expected, size_t size);
/* Aborts unless `chosen` (the runs' answer) is the slot the policy names for
 * a `slot_size`-byte request: a linear walk of the heap's runs. */
void verify_slot_placement(const block *chosen, size_t slot_size);
/* Walks the heap and its index; aborts on the first broken invariant. */
void verify_heap(void);
/* True when b is the start of a block of the heap (a linear walk, except
 * under a policy without reuse, where blocks never change once placed). */
bool verify_is_block(const block *b);

#endif
