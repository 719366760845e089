/*
 * trace_parse.c: the .rep scanner and validator.
 *
 * One pass over the text, a line at a time (memchr finds the line ends, so long comments
 * cost little). Each line is blank, a comment, a header number (the first four), or an
 * operation. Every operation is checked against a liveness table of the ids as it is read,
 * so a trace that parses is a trace that replays: r and f only name live ids, a only names
 * free ones. The two bounds are accumulated in the same pass.
 */
#include "trace.h"
#include "trace_internal.h"
#include "text_buffer.h"

#include <string.h>

/* The liveness table holds one word per id: never allocated, allocated earlier but not live,
 * or live with SIZE, stored as SIZE + ID_LIVE_BIAS. A fresh mapping is zero: all "never". */
enum { ID_NEVER = 0, ID_FREED = 1, ID_LIVE_BIAS = 2 };

static const char *const header_names[4] = {
    "suggested heap size",
    "number of ids",
    "number of operations",
    "weight",
};

/* Parsing state for one trace. */
struct parser {
    const char *cursor, *end; /* the unread text */
    unsigned long line;       /* 1-based number of the line being parsed */
    const char *field;        /* the line's unread characters ... */
    const char *line_end;     /* ... up to here (newline and trailing CR excluded) */
    struct trace_error *error;
    struct text_buffer reason; /* builds error->reason */
};

/* Move to the next line. Returns 0 at the end of the text. */
static int next_line(struct parser *parser)
{
    if (parser->cursor >= parser->end)
        return 0;
    const char *start = parser->cursor;
    const char *newline = memchr(start, '\n', (size_t)(parser->end - start));
    const char *stop = newline != NULL ? newline : parser->end;
    parser->cursor = newline != NULL ? newline + 1 : parser->end;
    if (stop > start && stop[-1] == '\r')
        stop--;
    parser->field = start;
    parser->line_end = stop;
    parser->line++;
    return 1;
}

/* Field separators. '\r' counts, so CRLF files parse. */
static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Skip blanks; return 1 if the rest of the line is empty or a comment. */
static int rest_is_empty(struct parser *parser)
{
    while (parser->field < parser->line_end && is_blank(*parser->field))
        parser->field++;
    return parser->field == parser->line_end || *parser->field == '#';
}

/* Start an error on the current line; the caller appends the reason. Returns the builder. */
static struct text_buffer *fail(struct parser *parser)
{
    parser->error->line = parser->line;
    text_init(&parser->reason, parser->error->reason, sizeof parser->error->reason);
    return &parser->reason;
}

/* Append the next field of the line (up to the next blank), quoted and shortened. */
static void add_quoted_field(struct text_buffer *reason, const char *field, const char *end)
{
    const char *stop = field;
    while (stop < end && !is_blank(*stop))
        stop++;
    size_t length = (size_t)(stop - field);
    text_add_char(reason, '\'');
    for (size_t i = 0; i < length && i < 24; i++) {
        char c = field[i];
        text_add_char(reason, c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (length > 24)
        text_add(reason, "...");
    text_add_char(reason, '\'');
}

enum number_status { NUMBER_OK, NUMBER_MISSING, NUMBER_NOT_INTEGER, NUMBER_TOO_LARGE };

/*
 * Read one blank-delimited integer field: optional '-', then decimal digits. On NUMBER_OK
 * *VALUE is its magnitude and *NEGATIVE its sign; *FIELD_START marks the field for messages.
 * Magnitudes above 2^63 are NUMBER_TOO_LARGE.
 */
static enum number_status read_number(struct parser *parser, int *negative, uint64_t *value,
                                      const char **field_start)
{
    const char *p = parser->field;
    while (p < parser->line_end && is_blank(*p))
        p++;
    *field_start = p;
    if (p == parser->line_end || *p == '#')
        return NUMBER_MISSING;
    *negative = 0;
    if (*p == '-') {
        *negative = 1;
        p++;
    }
    const char *digits = p;
    uint64_t magnitude = 0;
    int too_large = 0;
    while (p < parser->line_end && (unsigned)(*p - '0') < 10) {
        if (magnitude > (UINT64_C(1) << 63) / 10)
            too_large = 1;
        else
            magnitude = magnitude * 10 + (uint64_t)(*p - '0');
        p++;
    }
    if (p == digits || (p < parser->line_end && !is_blank(*p) && *p != '#'))
        return NUMBER_NOT_INTEGER;
    parser->field = p;
    *value = magnitude;
    return too_large || magnitude > (UINT64_C(1) << 63) ? NUMBER_TOO_LARGE : NUMBER_OK;
}

/* Parse header line INDEX (0..3) into *VALUE. Returns 0, or -1 with the error filled. */
static int parse_header_line(struct parser *parser, int index, uint64_t *value)
{
    int negative;
    const char *field;
    enum number_status status = read_number(parser, &negative, value, &field);
    if (status == NUMBER_OK && !negative && rest_is_empty(parser))
        return 0;
    struct text_buffer *reason = fail(parser);
    text_add(reason, "bad header: line ");
    text_add_u64(reason, (uint64_t)index + 1);
    text_add(reason, " of 4 (");
    text_add(reason, header_names[index]);
    text_add(reason, ") must be one non-negative integer, found ");
    if (status == NUMBER_OK && !negative) {
        /* A good number with more after it: show what follows. */
        add_quoted_field(reason, parser->field, parser->line_end);
        text_add(reason, " after ");
        text_add_u64(reason, *value);
    } else {
        add_quoted_field(reason, field, parser->line_end);
    }
    return -1;
}

/* The fields of one operation line. */
struct op_fields {
    char kind;
    int64_t id;
    uint64_t size;
};

/* Parse the operation on the current line into *OP (syntax only). Returns 0 or -1. */
static int parse_op_fields(struct parser *parser, uint64_t id_count, struct op_fields *op)
{
    const char *p = parser->field; /* at the first non-blank: rest_is_empty() ran */
    char kind = *p;
    if ((kind != 'a' && kind != 'r' && kind != 'f') ||
        (p + 1 < parser->line_end && !is_blank(p[1]))) {
        struct text_buffer *reason = fail(parser);
        text_add(reason, "unknown operation ");
        add_quoted_field(reason, p, parser->line_end);
        text_add(reason, " (expected a ID SIZE, r ID SIZE or f ID)");
        return -1;
    }
    op->kind = kind;
    parser->field = p + 1;

    int negative;
    uint64_t value;
    const char *field;
    enum number_status status = read_number(parser, &negative, &value, &field);
    if (status != NUMBER_OK) {
        struct text_buffer *reason = fail(parser);
        if (status == NUMBER_MISSING) {
            text_add(reason, "missing id after '");
            text_add_char(reason, kind);
            text_add(reason, "'");
        } else {
            text_add(reason, "id ");
            add_quoted_field(reason, field, parser->line_end);
            text_add(reason, status == NUMBER_TOO_LARGE ? " out of range" : " is not an integer");
            if (status == NUMBER_TOO_LARGE) {
                text_add(reason, " (the header declares ");
                text_add_u64(reason, id_count);
                text_add(reason, " ids)");
            }
        }
        return -1;
    }
    if (negative && value == 1 && kind == 'f') {
        op->id = -1;
    } else if (negative || value >= id_count) {
        struct text_buffer *reason = fail(parser);
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
        return -1;
    } else {
        op->id = (int64_t)value;
    }

    op->size = 0;
    if (kind != 'f') {
        status = read_number(parser, &negative, &value, &field);
        struct text_buffer *reason = NULL;
        if (status == NUMBER_MISSING) {
            reason = fail(parser);
            text_add(reason, "missing size after '");
            text_add_char(reason, kind);
            text_add_char(reason, ' ');
            text_add_i64(reason, op->id);
            text_add(reason, "'");
        } else if (status == NUMBER_NOT_INTEGER) {
            reason = fail(parser);
            text_add(reason, "size ");
            add_quoted_field(reason, field, parser->line_end);
            text_add(reason, " is not an integer");
        } else if (negative) {
            reason = fail(parser);
            text_add(reason, "negative size ");
            add_quoted_field(reason, field, parser->line_end);
        } else if (status == NUMBER_TOO_LARGE || value > TRACE_MAX_SIZE) {
            reason = fail(parser);
            text_add(reason, "size ");
            add_quoted_field(reason, field, parser->line_end);
            text_add(reason, " is larger than the limit of 2^48 bytes");
        }
        if (reason != NULL)
            return -1;
        op->size = value;
    }
    if (!rest_is_empty(parser)) {
        struct text_buffer *reason = fail(parser);
        text_add(reason, "unexpected ");
        add_quoted_field(reason, parser->field, parser->line_end);
        text_add(reason, kind == 'f' ? " after 'f ID'" : " after the size");
        return -1;
    }
    return 0;
}

/* Running figures of the pass: live bytes now, raw and rounded to 16, and live blocks. */
struct live_bytes {
    uint64_t raw, rounded, blocks;
};

/*
 * Check OP against the liveness table LIVE and apply it: update the table, the counters and
 * the bounds in TRACE. Returns 0, or -1 with the error filled.
 */
static int apply_op(struct parser *parser, const struct op_fields *op, uint64_t *live,
                    struct live_bytes *now, struct trace *trace)
{
    if (op->id < 0) { /* f -1: free(NULL), nothing changes */
        trace->free_count++;
        return 0;
    }
    uint64_t *slot = &live[op->id];
    int is_live = *slot >= ID_LIVE_BIAS;
    if (op->kind == 'a' && is_live) {
        struct text_buffer *reason = fail(parser);
        text_add(reason, "a of id ");
        text_add_i64(reason, op->id);
        text_add(reason, ", which is still live: free it first (ids are reused only after f)");
        return -1;
    }
    if (op->kind != 'a' && !is_live) {
        struct text_buffer *reason = fail(parser);
        text_add(reason, op->kind == 'r' ? "r (realloc) of id " : "f (free) of id ");
        text_add_i64(reason, op->id);
        text_add(reason, *slot == ID_NEVER ? ", which was never allocated"
                                           : ", which is not live (already freed)");
        return -1;
    }
    if (op->kind != 'f') {
        if (__builtin_add_overflow(trace->bounds.no_reuse, op->size, &trace->bounds.no_reuse)) {
            struct text_buffer *reason = fail(parser);
            text_add(reason, "the sizes requested so far add up to more than 2^64 bytes");
            return -1;
        }
        if (op->size > trace->largest_request)
            trace->largest_request = op->size;
    }
    /* Remove the old block (r, f), then add the new one (a, r): r counts only the new size. */
    if (is_live) {
        uint64_t old_size = *slot - ID_LIVE_BIAS;
        now->raw -= old_size;
        now->rounded -= trace_block_size_16(old_size);
    }
    switch (op->kind) {
    case 'a':
        trace->alloc_count++;
        now->blocks++;
        if (*slot == ID_NEVER)
            trace->ids_used++;
        break;
    case 'r':
        trace->realloc_count++;
        break;
    default:
        trace->free_count++;
        now->blocks--;
        *slot = ID_FREED;
        return 0;
    }
    *slot = op->size + ID_LIVE_BIAS;
    now->raw += op->size;
    now->rounded += trace_block_size_16(op->size);
    if (now->raw > trace->bounds.optimal_reuse)
        trace->bounds.optimal_reuse = now->raw;
    if (now->rounded > trace->bounds.optimal_reuse_16)
        trace->bounds.optimal_reuse_16 = now->rounded;
    return 0;
}

/* Report a trace whose text ended early: short header, or fewer operations than promised. */
static void fail_at_end(struct parser *parser, int header_lines, uint64_t promised,
                        unsigned long promise_line, uint64_t found)
{
    struct text_buffer *reason = fail(parser);
    if (parser->error->line == 0)
        parser->error->line = 1;
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

/*
 * The fast path for the common line: `a ID SIZE`, `r ID SIZE` or `f ID`, single spaces, plain
 * digits, a newline or the end of the text right after. Parses the line at P (before END)
 * into *OP and returns the start of the next line, or NULL for anything else (a comment, a
 * blank, -1, tabs, a long number, an error), which the general path then handles. Ids of
 * 9 digits and sizes of 14 cannot overflow and stay below the limits checked later.
 */
static inline const char *parse_plain_op(const char *p, const char *end, struct op_fields *op)
{
    if (end - p < 3 || p[1] != ' ')
        return NULL;
    char kind = p[0];
    if (kind != 'a' && kind != 'r' && kind != 'f')
        return NULL;
    p += 2;
    const char *digits = p;
    uint64_t id = 0;
    while (p < end && (unsigned)(*p - '0') < 10)
        id = id * 10 + (uint64_t)(*p++ - '0');
    if (p == digits || p - digits > 9)
        return NULL;
    uint64_t size = 0;
    if (kind != 'f') {
        if (p == end || *p != ' ')
            return NULL;
        digits = ++p;
        while (p < end && (unsigned)(*p - '0') < 10)
            size = size * 10 + (uint64_t)(*p++ - '0');
        if (p == digits || p - digits > 14)
            return NULL;
    }
    if (p < end && *p != '\n')
        return NULL;
    op->kind = kind;
    op->id = (int64_t)id;
    op->size = size;
    return p < end ? p + 1 : end;
}

/* Everything one parse accumulates besides the trace itself. */
struct parse_state {
    uint64_t header[4];           /* heap size, ids, operations, weight */
    unsigned long header_line[4]; /* where each header number was */
    int header_lines;             /* header numbers read so far */
    uint64_t *live;               /* liveness table, header[1] words */
    size_t live_mapped;
    uint64_t capacity; /* operations the table can hold */
    uint64_t count;    /* operations read so far */
    struct live_bytes now;
};

/* Read the current line as the next header number; after the fourth, check the header and
 * map the tables. Returns 0, or -1 with the error filled. */
static int read_header(struct parser *parser, struct parse_state *state, size_t length,
                       struct trace *trace)
{
    int index = state->header_lines;
    if (parse_header_line(parser, index, &state->header[index]) != 0)
        return -1;
    state->header_line[index] = parser->line;
    if (++state->header_lines < 4)
        return 0;
    if (state->header[1] > TRACE_MAX_IDS) {
        struct text_buffer *reason = fail(parser);
        parser->error->line = state->header_line[1];
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
    state->live =
        trace_map_zeroed((size_t)state->header[1] * sizeof *state->live, &state->live_mapped);
    if (trace->ops == NULL || state->live == NULL) {
        text_add(fail(parser), "out of memory for the operation table");
        return -1;
    }
    return 0;
}

/* Check OP (just read on the current line) and append it to TRACE. Returns 0 or -1. */
static int add_op(struct parser *parser, struct parse_state *state, const struct op_fields *op,
                  struct trace *trace)
{
    if (state->count >= state->capacity) {
        struct text_buffer *reason = fail(parser);
        text_add(reason, "more operations than the header (line ");
        text_add_u64(reason, state->header_line[2]);
        text_add(reason, ") promises: it says ");
        text_add_u64(reason, state->header[2]);
        text_add(reason, "; correct the count or remove the extra lines");
        return -1;
    }
    if (apply_op(parser, op, state->live, &state->now, trace) != 0)
        return -1;
    struct trace_op *slot = &trace->ops[state->count++];
    slot->size = op->size;
    slot->id = (int32_t)op->id;
    slot->kind = (uint32_t)op->kind;
    return 0;
}

int trace_parse(const char *text, size_t length, struct trace *trace, struct trace_error *error)
{
    memset(trace, 0, sizeof *trace);
    struct parser parser = {.cursor = text, .end = text + length, .error = error};
    struct parse_state state;
    memset(&state, 0, sizeof state);

    for (;;) {
        struct op_fields op;
        const char *next;
        if (state.header_lines == 4 &&
            (next = parse_plain_op(parser.cursor, parser.end, &op)) != NULL &&
            op.id < (int64_t)state.header[1]) {
            /* The common plain line: no memchr, no general field machinery. */
            parser.line++;
            parser.cursor = next;
        } else {
            if (!next_line(&parser))
                break;
            if (rest_is_empty(&parser))
                continue;
            if (state.header_lines < 4) {
                if (read_header(&parser, &state, length, trace) != 0)
                    goto failed;
                continue;
            }
            if (parse_op_fields(&parser, state.header[1], &op) != 0)
                goto failed;
        }
        if (add_op(&parser, &state, &op, trace) != 0)
            goto failed;
    }
    if (state.header_lines < 4 || state.count < state.header[2]) {
        fail_at_end(&parser, state.header_lines, state.header[2], state.header_line[2],
                    state.count);
        goto failed;
    }
    trace_unmap(state.live, state.live_mapped);
    trace->heap_size_hint = state.header[0];
    trace->id_count = (uint32_t)state.header[1];
    trace->op_count = state.header[2];
    trace->weight = state.header[3];
    trace->live_at_end = state.now.raw;
    trace->blocks_live_at_end = state.now.blocks;
    trace->text = text;
    trace->text_length = length;
    return 0;

failed:
    trace_unmap(state.live, state.live_mapped);
    trace_unmap(trace->ops, trace->ops_mapping_size);
    memset(trace, 0, sizeof *trace);
    return -1;
}

unsigned long trace_line_of_op(const struct trace *trace, uint64_t index)
{
    if (trace->text == NULL || index >= trace->op_count)
        return 0;
    struct parser parser = {.cursor = trace->text, .end = trace->text + trace->text_length};
    uint64_t content_lines = 0;
    while (next_line(&parser)) {
        if (rest_is_empty(&parser))
            continue;
        if (content_lines++ == 4 + index)
            return parser.line;
    }
    return 0;
}
