/* Tries: curbrk-arena's trick (blocks from an mmap arena above the heap,
 * __curbrk forged to its end, the region's heap figures put back to the real
 * heap), but the real heap, unused, is grown through the shim's sbrk to just
 * above the live peak before every call, so that MAX looks plausible: MAX
 * over optimal reuse 1.000 on every tester (issue 20: 25/100 under the course
 * rubric, where the honest control gets 10).
 * Caught by: the shim's pointer check against the break it keeps itself ->
 * 91 (memory from mmap). */
#define CURBRK_ARENA_REAL_HEAP(peak_live) ((uintptr_t)(peak_live) + ((uintptr_t)(peak_live) >> 10))
/* Room for the real heap to grow below the arena. */
#define CURBRK_ARENA_GAP ((uintptr_t)512 << 20)
#include "curbrk_arena.h"
