/*
 * heap_info.h - introspection exported by every libmalloc-*.so besides the
 * malloc family, for tests and tools that look at a strategy's heap.
 * Resolve it with dlsym(RTLD_DEFAULT, "mstats_heap_info"): a program running
 * on another malloc does not have it.
 */
#ifndef MSTATS_HEAP_INFO_H
#define MSTATS_HEAP_INFO_H

#include <stddef.h>

struct mstats_heap_info {
    const char *strategy; /* "first-fit", ... */
    void *start, *end;    /* the blocks: [start, end) */
    size_t free_blocks;   /* free blocks (always 0 for no-reuse) */
    size_t free_bytes;    /* their total size, headers included */
    size_t largest_free;  /* the largest one's size, header included */
    size_t usable_max;    /* the largest malloc() that fits in it: largest_free - 8 */
};

/* Fills *info from a walk of the heap (linear: for tests). */
void mstats_heap_info(struct mstats_heap_info *info);

#endif
