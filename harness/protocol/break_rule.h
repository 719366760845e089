/* The break rule that mstats' shim (shim/break_hooks.c) and the built-in
 * strategies run without it (allocators/core/heap.c) both follow, so that
 * the kernel's work is the same in both: an allocator's break is kept exact
 * to the byte, and the kernel's is moved only to the next multiple of
 * MSTATS_BREAK_GRANULE at or above it. An allocator that grows by the exact
 * shortfall then makes one brk system call per page, not one per growth.
 * The runner holds the kernel's witnessed peak to the same rounding
 * (runner/trust.c). libc only and header only: the allocators include it.
 */
#ifndef MSTATS_BREAK_RULE_H
#define MSTATS_BREAK_RULE_H

#include <stdint.h>

#define MSTATS_BREAK_GRANULE 4096u
#define MSTATS_BREAK_ROUND(address)                                                                \
    (((address) + MSTATS_BREAK_GRANULE - 1) & ~(__typeof__(address))(MSTATS_BREAK_GRANULE - 1))

/* The allocator's break: *kept, its exact break, while the kernel's break
 * (`kernel`) is *kept rounded up; once the kernel's is anything else, someone
 * moved it by other means (glibc's __sbrk, a system call), so *kept is
 * dropped (0) and the kernel's break is the allocator's from then on. No
 * system call. */
static inline uintptr_t mstats_break_now(uintptr_t *kept, uintptr_t kernel)
{
    if (*kept != 0 && MSTATS_BREAK_ROUND(*kept) != kernel)
        *kept = 0;
    return *kept != 0 ? *kept : kernel;
}

#endif
