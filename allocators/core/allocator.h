/*
 * allocator.h - the core's own names for the malloc family.
 *
 * exports.c maps the standard names onto these, so that the core never calls
 * an interposable malloc (a harness preloaded in front of us would count the
 * call twice). Each function takes the allocator lock itself.
 */
#ifndef MSTATS_ALLOCATOR_H
#define MSTATS_ALLOCATOR_H

#include <stddef.h>

#include "block.h"
#include "mstats/heap_info.h"

void *core_malloc(size_t size);
void core_free(void *p);
/* total: the product of calloc's arguments (exports.c checks overflow). */
void *core_calloc(size_t total);
/* p: a block in use, not NULL; size: not 0 (exports.c handles both). */
void *core_realloc(void *p, size_t size);
/* alignment: a power of two (the callers check); size as for malloc. */
void *core_aligned(size_t alignment, size_t size);
size_t core_usable_size(const void *p);
/* Fills *info from a walk of the heap (mstats/heap_info.h). */
void core_heap_info(struct mstats_heap_info *info);

#endif
