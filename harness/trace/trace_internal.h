/*
 * trace_internal.h: what the parser and the mapping code share, not part of the API.
 */
#ifndef MSTATS_TRACE_INTERNAL_H
#define MSTATS_TRACE_INTERNAL_H

#include <stddef.h>

/* A zero-filled anonymous mapping of at least SIZE bytes, or NULL. Its real size is returned
 * in *MAPPED (SIZE rounded up to pages). Reserves no swap: pages cost only when touched. */
void *trace_map_zeroed(size_t size, size_t *mapped);

/* Unmap what trace_map_zeroed() returned (no-op for NULL). */
void trace_unmap(void *mapping, size_t mapped);

#endif
