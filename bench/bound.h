/*
 * bound.h - the header bound of a trace (docs/performance.md).
 *
 * The most heap the trace's live blocks need at once when each block costs
 * what our block layout makes it cost: an 8-byte header, 16-byte alignment,
 * 32 bytes at least (allocators/core/block.h), so max(32, round16(n + 8))
 * for an n-byte request. No allocator with that layout can have a lower MAX;
 * MAX / header bound is what placement (fragmentation) costs on top.
 */
#ifndef MSTATS_BENCH_BOUND_H
#define MSTATS_BENCH_BOUND_H

#include <stdint.h>

#include "trace.h"

/* The header bound of a parsed trace, in bytes; 0 when its table cannot be
 * mapped. */
uint64_t trace_header_bound(const struct trace *trace);

#endif
