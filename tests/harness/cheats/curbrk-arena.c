/* Tries: every block from an mmap arena a few pages above the heap, glibc's
 * cached break __curbrk forged to the arena's end so that every block lies
 * "inside the heap", and the region's heap figures put back to the real
 * heap, one page grown through the shim's sbrk, before every call and at
 * exit (curbrk_arena.h). The kernel's break never moves past that page, so
 * the witness agrees: MAX 4096 (issue 20: tester-4 OK, UTILIZATION 251.56).
 * Caught by: the shim's pointer check against the break it keeps itself from
 * the sbrk and brk calls it served, never from __curbrk -> 91 (memory from
 * mmap). */
#define CURBRK_ARENA_REAL_HEAP(peak_live) ((void)(peak_live), (uintptr_t)4096)
/* The real page, and room above it for the kernel's guard gap. */
#define CURBRK_ARENA_GAP ((uintptr_t)4 << 12)
#include "curbrk_arena.h"
