/*
 * trace_write.c: .rep text from header figures and operations (see trace_write.h).
 */
#include "trace_write.h"

#include <errno.h>

/* Longest line trace_write_op() writes: "r -2147483648 18446744073709551615\n" is 35. */
#define TRACE_LINE_MAX 48

void trace_write_header(struct text_buffer *text, uint64_t heap_size_hint, uint32_t id_count,
                        uint64_t op_count, uint64_t weight)
{
    const uint64_t lines[4] = {heap_size_hint, id_count, op_count, weight};
    for (int i = 0; i < 4; i++) {
        text_add_u64(text, lines[i]);
        text_add_char(text, '\n');
    }
}

void trace_write_op(struct text_buffer *text, const struct trace_op *op)
{
    text_add_char(text, (char)op->kind);
    text_add_char(text, ' ');
    text_add_i64(text, op->id);
    if (op->kind != TRACE_OP_FREE) {
        text_add_char(text, ' ');
        text_add_u64(text, op->size);
    }
    text_add_char(text, '\n');
}

/* Write out and empty WRITER's buffer, keeping the first error. */
static void flush(struct trace_file_writer *writer)
{
    if (writer->error == 0 && text_write(&writer->text, writer->fd) != 0)
        writer->error = errno != 0 ? errno : EIO;
    text_init(&writer->text, writer->storage, sizeof writer->storage);
}

void trace_file_start(struct trace_file_writer *writer, int fd, uint64_t heap_size_hint,
                      uint32_t id_count, uint64_t op_count, uint64_t weight)
{
    writer->fd = fd;
    writer->error = 0;
    text_init(&writer->text, writer->storage, sizeof writer->storage);
    trace_write_header(&writer->text, heap_size_hint, id_count, op_count, weight);
}

void trace_file_add(struct trace_file_writer *writer, const struct trace_op *op)
{
    /* Flush before a line could be cut: text_buffer truncates silently when full. */
    if (writer->text.capacity - writer->text.length <= TRACE_LINE_MAX)
        flush(writer);
    trace_write_op(&writer->text, op);
}

int trace_file_finish(struct trace_file_writer *writer)
{
    flush(writer);
    return writer->error;
}
