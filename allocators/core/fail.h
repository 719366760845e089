/*
 * fail.h - how the allocator stops: one line on stderr, then abort.
 *
 * The bottom of the core's dependencies: every other file may report a broken
 * invariant or a misuse through it, and it depends on none of them.
 */
#ifndef MSTATS_FAIL_H
#define MSTATS_FAIL_H

/* Names the strategy in every report (allocator.c sets it when it loads;
 * reports before that say "libmalloc"). `name` must stay valid. */
void allocator_fail_set_strategy(const char *name);

/* Reports a broken invariant or a misuse (double free) on stderr, naming the
 * check and the block, and aborts. Never allocates: the heap is suspect. */
_Noreturn void allocator_fail(const char *check, const void *where, const char *what);

/* allocator_fail with a printf-style description (the verify checks). */
__attribute__((format(printf, 3, 4))) _Noreturn void
allocator_failf(const char *check, const void *where, const char *format, ...);

#endif
