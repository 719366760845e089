/*
 * segregated-fit: size classes, as production allocators keep them.
 *
 * Small blocks: a request of n bytes with n + 8 <= 256 is a slot of
 * round16(n + 8) bytes (16 at least), one of 16 classes. Slots live in runs:
 * heap blocks of one class each, cut into 8 to 64 slots (about 2 KiB).
 * - A small request takes the lowest free slot of the lowest-address run of
 *   its class that has a free slot. When no run has one, a new run is placed
 *   like a large block of the run's size (below), and its first slot taken.
 * - A freed slot returns to its run. A run whose every slot is free goes
 *   back to the heap, coalescing with its free neighbours, unless it is the
 *   only run of its class.
 * - A slot keeps its 8-byte header but needs no footer, index node or
 *   32-byte minimum: a request of 8 bytes or less costs 16 bytes, not 32.
 * Large blocks, and runs: best-fit among the heap's free blocks (the
 * smallest that fits, the lowest address among equals), split and coalesced
 * like every strategy's.
 * Reallocation: a slot keeps its place while the new size fits it; else the
 * block moves, placed as a new request of the new size.
 * Cost: O(1) for a slot from a run that has one (the root of the class's
 * pairing heap of runs ordered by address, then a bit scan), O(log n) when a
 * run fills, empties or is made; O(log n) for large blocks (best-fit's
 * index). MSTATS_VERIFY holds the slots to a walk of the heap's runs, and the
 * large blocks to best-fit's walk.
 * Weakness: a run is held by any one live slot, so a heap of many classes,
 * each with a few survivors, keeps whole runs that no other size can use
 * (the trade every size-class allocator makes for speed).
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
