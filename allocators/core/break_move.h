/*
 * break_move.h - sbrk as the allocators use it, shared by the core (heap.c)
 * and buddy (buddy_heap.c): the only calls of sbrk in either.
 */
#ifndef MSTATS_BREAK_MOVE_H
#define MSTATS_BREAK_MOVE_H

#include <stdbool.h>
#include <stdint.h>

/* sbrk(increment), by the byte, with one brk system call per page of growth
 * or shrink (break_rule.h): the shim's sbrk does that under mstats; alone (a
 * benchmark run with plain LD_PRELOAD) this does the same, keeping the
 * allocator's own break in *own (0: the kernel's, as glibc's sbrk(0) reads
 * it). Anyone else moving the break puts the allocator back on the
 * kernel's. Returns the old break, or (void *)-1 with errno set. */
void *break_move(uintptr_t *own, intptr_t increment);

/* True when the environment variable `name` is set, non-empty and not "0". */
bool env_flag(const char *name);

#endif
