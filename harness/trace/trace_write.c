/*
 * trace_write.c: .rep text from header figures and operations (see trace_write.h).
 */
#include "trace_write.h"

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
