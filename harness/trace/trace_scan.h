/*
 * trace_scan.h: the .rep scanner, the lexical layer under trace_parse.c. It cuts the text
 * into lines and lines into blank-separated fields and integers, and starts the error
 * message of the line it is on. It knows nothing of what the fields mean.
 */
#ifndef MSTATS_TRACE_SCAN_H
#define MSTATS_TRACE_SCAN_H

#include "text_buffer.h"
#include "trace.h"

#include <stddef.h>
#include <stdint.h>

/* Scanning state for one text. */
struct trace_scanner {
    const char *cursor, *end; /* the unread text */
    unsigned long line;       /* 1-based number of the line being scanned */
    const char *field;        /* the line's unread characters ... */
    const char *line_end;     /* ... up to here (newline and trailing CR excluded) */
    struct trace_error *error;
    struct text_buffer reason; /* builds error->reason */
};

/* Field separators. '\r' counts, so CRLF files parse. */
static inline int scan_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Move to the next line. Returns 0 at the end of the text. */
int scan_next_line(struct trace_scanner *scanner);

/* Skip blanks; return 1 if the rest of the line is empty or a comment. */
int scan_rest_is_empty(struct trace_scanner *scanner);

/* Start an error on the current line; the caller appends the reason. Returns the builder. */
struct text_buffer *scan_fail(struct trace_scanner *scanner);

/* Append the field at FIELD (up to the next blank or END), quoted and shortened. */
void scan_add_quoted_field(struct text_buffer *reason, const char *field, const char *end);

enum scan_number { NUMBER_OK, NUMBER_MISSING, NUMBER_NOT_INTEGER, NUMBER_TOO_LARGE };

/*
 * Read one blank-delimited integer field: optional '-', then decimal digits. On NUMBER_OK
 * *VALUE is its magnitude and *NEGATIVE its sign; *FIELD_START marks the field for messages.
 * Magnitudes above 2^63 are NUMBER_TOO_LARGE.
 */
enum scan_number scan_number(struct trace_scanner *scanner, int *negative, uint64_t *value,
                             const char **field_start);

/* The fields of one operation line, before its meaning is checked. */
struct op_fields {
    char kind;
    int64_t id;
    uint64_t size;
};

/*
 * The fast path for the common line: `a ID SIZE`, `r ID SIZE` or `f ID`, single spaces, plain
 * digits, a newline or the end of the text right after. Parses the line at P (before END)
 * into *OP and returns the start of the next line, or NULL for anything else (a comment, a
 * blank, -1, tabs, a long number, an error), which the general path then handles. Ids of
 * 9 digits and sizes of 14 cannot overflow and stay below the limits checked later.
 * Inline: it runs once per line of every trace.
 */
static inline const char *scan_plain_op(const char *p, const char *end, struct op_fields *op)
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

#endif
