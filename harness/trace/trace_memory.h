/*
 * trace_memory.h: the trace library's tables come from anonymous mappings, never from malloc
 * (see trace.h). The bottom layer: it depends on nothing else in the library.
 */
#ifndef MSTATS_TRACE_MEMORY_H
#define MSTATS_TRACE_MEMORY_H

#include <stddef.h>

/* A zero-filled anonymous mapping of at least SIZE bytes, or NULL. Its real size is returned
 * in *MAPPED (SIZE rounded up to pages). Reserves no swap: pages cost only when touched. */
void *trace_map_zeroed(size_t size, size_t *mapped);

/* Unmap what trace_map_zeroed() returned (no-op for NULL). */
void trace_unmap(void *mapping, size_t mapped);

#endif
