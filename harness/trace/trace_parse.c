/*
 * trace_parse.c: the .rep grammar: the four header numbers, the operation lines, and the
 * operation count, over the scanner (trace_scan.h). What each operation means, and whether
 * the rules allow it, is the model's job (trace_model.h); this file reports where.
 *
 * One pass over the text, a line at a time; the common plain line takes a fast path. Every
 * operation goes through the model as it is read, so a trace that parses is a trace that
 * replays. Under mdriver's rules the pass stops after the promised operations, as mdriver
 * does, and only counts the lines left.
 */
#include "trace.h"
#include "trace_memory.h"
#include "trace_model.h"
#include "trace_scan.h"

#include <string.h>

static const char *const header_names[4] = {
    "suggested heap size",
    "number of ids",
    "number of operations",
    "weight",
};

/* Parse header line INDEX (0..3) into *VALUE. Returns 0, or -1 with the error filled. */
static int parse_header_line(struct trace_scanner *scanner, int index, uint64_t *value)
{
    int negative;
    const char *field;
    enum scan_number status = scan_number(scanner, &negative, value, &field);
    if (status == NUMBER_OK && !negative && scan_rest_is_empty(scanner))
        return 0;
    struct text_buffer *reason = scan_fail(scanner);
    text_add(reason, "bad header: line ");
    text_add_u64(reason, (uint64_t)index + 1);
    text_add(reason, " of 4 (");
    text_add(reason, header_names[index]);
    text_add(reason, ") must be one non-negative integer, found ");
    if (status == NUMBER_OK && !negative) {
        /* A good number with more after it: show what follows. */
        scan_add_quoted_field(reason, scanner->field, scanner->line_end);
        text_add(reason, " after ");
        text_add_u64(reason, *value);
    } else {
        scan_add_quoted_field(reason, field, scanner->line_end);
    }
    return -1;
}

/* Read the id of an operation of KIND into OP->id: 0 .. ID_COUNT-1, or -1 after f.
 * Returns 0, or -1 with the error filled. */
static int parse_op_id(struct trace_scanner *scanner, char kind, uint64_t id_count,
                       struct op_fields *op)
{
    int negative;
    uint64_t value;
    const char *field;
    enum scan_number status = scan_number(scanner, &negative, &value, &field);
    if (status == NUMBER_OK && negative && value == 1 && kind == 'f') {
        op->id = -1;
        return 0;
    }
    if (status == NUMBER_OK && !negative && value < id_count) {
        op->id = (int64_t)value;
        return 0;
    }
    struct text_buffer *reason = scan_fail(scanner);
    if (status == NUMBER_MISSING) {
        text_add(reason, "missing id after '");
        text_add_char(reason, kind);
        text_add(reason, "'");
    } else if (status != NUMBER_OK) {
        text_add(reason, "id ");
        scan_add_quoted_field(reason, field, scanner->line_end);
        text_add(reason, status == NUMBER_TOO_LARGE ? " out of range" : " is not an integer");
        if (status == NUMBER_TOO_LARGE) {
            text_add(reason, " (the header declares ");
            text_add_u64(reason, id_count);
            text_add(reason, " ids)");
        }
    } else {
        text_add(reason, "id ");
        if (negative)
            text_add_char(reason, '-');
        text_add_u64(reason, value);
        text_add(reason, " out of range: the header declares ");
        text_add_u64(reason, id_count);
        text_add(reason, " ids, so ids run from 0 to ");
        text_add_i64(reason, (int64_t)id_count - 1);
        if (negative && value == 1)
            text_add(reason, " (-1 only in 'f -1', free(NULL))");
    }
    return -1;
}

/* Read the size of an a or r into OP->size (at most TRACE_MAX_SIZE). Returns 0 or -1. */
static int parse_op_size(struct trace_scanner *scanner, struct op_fields *op)
{
    int negative;
    uint64_t value;
    const char *field;
    enum scan_number status = scan_number(scanner, &negative, &value, &field);
    if (status == NUMBER_OK && !negative && value <= TRACE_MAX_SIZE) {
        op->size = value;
        return 0;
    }
    struct text_buffer *reason = scan_fail(scanner);
    if (status == NUMBER_MISSING) {
        text_add(reason, "missing size after '");
        text_add_char(reason, op->kind);
        text_add_char(reason, ' ');
        text_add_i64(reason, op->id);
        text_add(reason, "'");
    } else if (status == NUMBER_NOT_INTEGER) {
        text_add(reason, "size ");
        scan_add_quoted_field(reason, field, scanner->line_end);
        text_add(reason, " is not an integer");
    } else if (negative) {
        text_add(reason, "negative size ");
        scan_add_quoted_field(reason, field, scanner->line_end);
    } else {
        text_add(reason, "size ");
        scan_add_quoted_field(reason, field, scanner->line_end);
        text_add(reason, " is larger than the limit of 2^48 bytes");
    }
    return -1;
}

/* Parse the operation on the current line into *OP (syntax only). Returns 0 or -1. */
static int parse_op_fields(struct trace_scanner *scanner, uint64_t id_count, struct op_fields *op)
{
    const char *p = scanner->field; /* at the first non-blank: scan_rest_is_empty() ran */
    char kind = *p;
    if ((kind != 'a' && kind != 'r' && kind != 'f') ||
        (p + 1 < scanner->line_end && !scan_is_blank(p[1]))) {
        struct text_buffer *reason = scan_fail(scanner);
        text_add(reason, "unknown operation ");
        scan_add_quoted_field(reason, p, scanner->line_end);
        text_add(reason, " (expected a ID SIZE, r ID SIZE or f ID)");
        return -1;
    }
    op->kind = kind;
    op->size = 0;
    scanner->field = p + 1;
    if (parse_op_id(scanner, kind, id_count, op) != 0)
        return -1;
    if (kind != 'f' && parse_op_size(scanner, op) != 0)
        return -1;
    if (!scan_rest_is_empty(scanner)) {
        struct text_buffer *reason = scan_fail(scanner);
        text_add(reason, "unexpected ");
        scan_add_quoted_field(reason, scanner->field, scanner->line_end);
        text_add(reason, kind == 'f' ? " after 'f ID'" : " after the size");
        return -1;
    }
    return 0;
}

/* Report a trace whose text ended early: short header, or fewer operations than promised. */
static void fail_at_end(struct trace_scanner *scanner, int header_lines, uint64_t promised,
                        unsigned long promise_line, uint64_t found)
{
    struct text_buffer *reason = scan_fail(scanner);
    if (scanner->error->line == 0)
        scanner->error->line = 1;
    if (header_lines < 4) {
        text_add(reason, "short header: the file ends after ");
        text_add_u64(reason, (uint64_t)header_lines);
        text_add(reason, " of the 4 header lines (suggested heap size, number of ids, "
                         "number of operations, weight)");
        return;
    }
    text_add(reason, "truncated trace: the header (line ");
    text_add_u64(reason, promise_line);
    text_add(reason, ") promises ");
    text_add_u64(reason, promised);
    text_add(reason, " operations but the file ends after ");
    text_add_u64(reason, found);
    text_add(reason, "; restore the missing lines or correct the count");
}

/* mdriver's rules, once the promised operations are read: count the lines left that hold
 * anything into TRACE, unread, and note the first. */
static void ignore_the_rest(struct trace_scanner *scanner, struct trace *trace)
{
    while (scan_next_line(scanner)) {
        if (scan_rest_is_empty(scanner))
            continue;
        if (trace->ignored_lines++ == 0)
            trace->ignored_from_line = scanner->line;
    }
}

/* Everything one parse accumulates besides the trace itself. */
struct parse_state {
    uint64_t header[4];           /* heap size, ids, operations, weight */
    unsigned long header_line[4]; /* where each header number was */
    int header_lines;             /* header numbers read so far */
    struct trace_model model;     /* opened once the header is complete */
    uint64_t capacity;            /* operations the table can hold */
    uint64_t count;               /* operations read so far */
};

/* Read the current line as the next header number; after the fourth, check the header and
 * map the tables. Returns 0, or -1 with the error filled. */
static int read_header(struct trace_scanner *scanner, struct parse_state *state, size_t length,
                       enum trace_rules rules, struct trace *trace)
{
    int index = state->header_lines;
    if (parse_header_line(scanner, index, &state->header[index]) != 0)
        return -1;
    state->header_line[index] = scanner->line;
    if (++state->header_lines < 4)
        return 0;
    if (state->header[1] > TRACE_MAX_IDS) {
        struct text_buffer *reason = scan_fail(scanner);
        scanner->error->line = state->header_line[1];
        text_add(reason, "bad header: ");
        text_add_u64(reason, state->header[1]);
        text_add(reason, " ids is more than this tool handles (at most 2^26)");
        return -1;
    }
    /* An operation line is at least "f 0" plus a newline: a header promising more than the
     * text can hold maps only what can be there, and fails at the end. */
    state->capacity = state->header[2] < length / 4 + 1 ? state->header[2] : length / 4 + 1;
    if (state->capacity == 0)
        return 0;
    trace->ops = trace_map_zeroed((size_t)state->capacity * sizeof(struct trace_op),
                                  &trace->ops_mapping_size);
    if (trace->ops == NULL || trace_model_open(&state->model, rules, state->header[1]) != 0) {
        text_add(scan_fail(scanner), "out of memory for the operation table");
        return -1;
    }
    return 0;
}

/* Check OP (just read on the current line) and append it to TRACE. Returns 0 or -1. */
static int add_op(struct trace_scanner *scanner, struct parse_state *state,
                  const struct op_fields *op, struct trace *trace)
{
    if (state->count >= state->capacity) {
        struct text_buffer *reason = scan_fail(scanner);
        text_add(reason, "more operations than the header (line ");
        text_add_u64(reason, state->header_line[2]);
        text_add(reason, ") promises: it says ");
        text_add_u64(reason, state->header[2]);
        text_add(reason, "; correct the count or remove the extra lines (without --strict "
                         "they are ignored, as mdriver ignores them)");
        return -1;
    }
    enum trace_verdict verdict = trace_model_apply(&state->model, op, trace);
    if (verdict != TRACE_VERDICT_OK) {
        trace_model_explain(&state->model, verdict, op, scan_fail(scanner));
        return -1;
    }
    struct trace_op *slot = &trace->ops[state->count++];
    slot->size = op->size;
    slot->id = (int32_t)op->id;
    slot->kind = (uint32_t)op->kind;
    return 0;
}

int trace_parse_as(const char *text, size_t length, enum trace_rules rules, struct trace *trace,
                   struct trace_error *error)
{
    memset(trace, 0, sizeof *trace);
    struct trace_scanner scanner = {.cursor = text, .end = text + length, .error = error};
    struct parse_state state;
    memset(&state, 0, sizeof state);

    for (;;) {
        struct op_fields op;
        const char *next;
        if (state.header_lines == 4 && state.count == state.header[2] &&
            rules == TRACE_RULES_MDRIVER) {
            ignore_the_rest(&scanner, trace);
            break;
        }
        if (state.header_lines == 4 &&
            (next = scan_plain_op(scanner.cursor, scanner.end, &op)) != NULL &&
            op.id < (int64_t)state.header[1]) {
            /* The common plain line: no memchr, no general field machinery. */
            scanner.line++;
            scanner.cursor = next;
        } else {
            if (!scan_next_line(&scanner))
                break;
            if (scan_rest_is_empty(&scanner))
                continue;
            if (state.header_lines < 4) {
                if (read_header(&scanner, &state, length, rules, trace) != 0)
                    goto failed;
                continue;
            }
            if (parse_op_fields(&scanner, state.header[1], &op) != 0)
                goto failed;
        }
        if (add_op(&scanner, &state, &op, trace) != 0)
            goto failed;
    }
    if (state.header_lines < 4 || state.count < state.header[2]) {
        fail_at_end(&scanner, state.header_lines, state.header[2], state.header_line[2],
                    state.count);
        goto failed;
    }
    trace_model_close(&state.model);
    trace->heap_size_hint = state.header[0];
    trace->id_count = (uint32_t)state.header[1];
    trace->op_count = state.header[2];
    trace->weight = state.header[3];
    trace->live_at_end = state.model.live_raw;
    trace->blocks_live_at_end = state.model.live_blocks;
    trace->text = text;
    trace->text_length = length;
    return 0;

failed:
    trace_model_close(&state.model);
    trace_unmap(trace->ops, trace->ops_mapping_size);
    memset(trace, 0, sizeof *trace);
    return -1;
}

int trace_parse(const char *text, size_t length, struct trace *trace, struct trace_error *error)
{
    return trace_parse_as(text, length, TRACE_RULES_MDRIVER, trace, error);
}

unsigned long trace_line_of_op(const struct trace *trace, uint64_t index)
{
    if (trace->text == NULL || index >= trace->op_count)
        return 0;
    struct trace_scanner scanner = {.cursor = trace->text, .end = trace->text + trace->text_length};
    uint64_t content_lines = 0;
    while (scan_next_line(&scanner)) {
        if (scan_rest_is_empty(&scanner))
            continue;
        if (content_lines++ == 4 + index)
            return scanner.line;
    }
    return 0;
}
