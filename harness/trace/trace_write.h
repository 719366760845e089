/*
 * trace_write.h: writing .rep text, the inverse of trace_parse(). Used by the generator and
 * the round-trip tests; anything that records traces can use it too. malloc-free.
 */
#ifndef MSTATS_TRACE_WRITE_H
#define MSTATS_TRACE_WRITE_H

#include "text_buffer.h"
#include "trace.h"

/* Append the four header lines, one number each. */
void trace_write_header(struct text_buffer *text, uint64_t heap_size_hint, uint32_t id_count,
                        uint64_t op_count, uint64_t weight);

/* Append OP as one line: `a ID SIZE`, `r ID SIZE` or `f ID`, newline-terminated. */
void trace_write_op(struct text_buffer *text, const struct trace_op *op);

#endif
