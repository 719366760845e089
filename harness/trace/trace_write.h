/*
 * trace_write.h: writing .rep text, the inverse of trace_parse(): the one .rep writer, used
 * by the generator, by `mstats --record` (harness/runner/record.c) and by the round-trip
 * tests. malloc-free.
 *
 * The writer writes what it is given: it does not check the trace against any rules, so a
 * recording of `realloc(NULL, n)` as `r ID SIZE` of an id holding no block is written as is
 * (trace.h says what mdriver's rules make of it).
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

/* A .rep file written through a buffer of its own with write(2): no stdio, no malloc. */
struct trace_file_writer {
    int fd;
    int error; /* errno of the first failed write; 0 while all went well */
    struct text_buffer text;
    char storage[16384];
};

/* Start writing to the open FD (the caller closes it) with the four header lines. */
void trace_file_start(struct trace_file_writer *writer, int fd, uint64_t heap_size_hint,
                      uint32_t id_count, uint64_t op_count, uint64_t weight);

/* Write OP's line (buffered). After a failed write, does nothing. */
void trace_file_add(struct trace_file_writer *writer, const struct trace_op *op);

/* Write what is buffered. Returns 0, or the errno of the first write that failed. */
int trace_file_finish(struct trace_file_writer *writer);

#endif
