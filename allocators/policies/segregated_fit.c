/*
 * segregated-fit: size classes, as production allocators keep them.
 *
 * Small blocks: a request of n bytes with n + 4 <= 128 is a slot of
 * max(16, round16(n + 4)) bytes: one of 8 classes (16, 32, ... 128). Slots
 * live in runs, heap blocks of one class each (allocators/core/runs.h).
 * - A small request takes the lowest free slot of the lowest-address run of
 *   its class that has a free slot.
 * - When no run of its class has one, a new run is placed like a large
 *   block (below) and its first slot taken. The new run holds as many slots
 *   as the class's runs hold already (at least 2; at most 64, and at most
 *   4 KiB of slots): a class's runs double as it grows.
 * - A freed slot returns to its run. A run whose every slot is free goes
 *   back to the heap, coalescing with its free neighbours, unless no other
 *   run of its class has a free slot; a run kept so goes back as soon as
 *   another run of its class has one. (A class keeps at most one empty run,
 *   its next place while it has no other: a program whose live blocks rise
 *   and fall across a run's edge does not make and unmake a run each time.)
 * - A slot has a 4-byte header and needs no footer, index node or 32-byte
 *   minimum: a request of 12 bytes or less costs 16 bytes, not 32.
 * Large blocks, and runs: best-fit among the heap's free blocks (the
 * smallest that fits, the lowest address among equals), split and coalesced
 * like every fit strategy's.
 * Reallocation: a slot keeps its place while the new size fits it; else the
 * block moves, placed as a new request of the new size. A heap block
 * reallocates as best-fit's do.
 * Cost: O(1) for a slot from a run that has one (the root of the class's
 * pairing heap of runs ordered by address, then a bit scan), O(log n) when a
 * run fills, empties or is made; O(log n) for large blocks (best-fit's
 * index). MSTATS_VERIFY holds each slot to a walk of the heap's runs, and
 * each large block to best-fit's walk.
 * Weakness: one live slot holds its whole run, so a class used heavily once
 * and then sparsely keeps runs that no other size can use (the trade every
 * size-class allocator makes for speed; the largest class, 128 bytes, keeps
 * it small).
 */
#include "policy.h"

#include "smallest_fit.h"

const struct policy mstats_policy = {
    .name = "segregated-fit",
    .reuses = true,
    .order = FREE_ORDER_BY_SIZE_THEN_ADDRESS,
    .find_fit = smallest_fit,
    .scan_fit = scan_smallest_fit,
    .run_max = 128,
};
