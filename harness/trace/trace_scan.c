/*
 * trace_scan.c: lines, fields and integers of .rep text (see trace_scan.h). memchr finds
 * the line ends, so long comments cost little.
 */
#include "trace_scan.h"

#include <string.h>

int scan_next_line(struct trace_scanner *scanner)
{
    if (scanner->cursor >= scanner->end)
        return 0;
    const char *start = scanner->cursor;
    const char *newline = memchr(start, '\n', (size_t)(scanner->end - start));
    const char *stop = newline != NULL ? newline : scanner->end;
    scanner->cursor = newline != NULL ? newline + 1 : scanner->end;
    if (stop > start && stop[-1] == '\r')
        stop--;
    scanner->field = start;
    scanner->line_end = stop;
    scanner->line++;
    return 1;
}

int scan_rest_is_empty(struct trace_scanner *scanner)
{
    while (scanner->field < scanner->line_end && scan_is_blank(*scanner->field))
        scanner->field++;
    return scanner->field == scanner->line_end || *scanner->field == '#';
}

struct text_buffer *scan_fail(struct trace_scanner *scanner)
{
    scanner->error->line = scanner->line;
    text_init(&scanner->reason, scanner->error->reason, sizeof scanner->error->reason);
    return &scanner->reason;
}

void scan_add_quoted_field(struct text_buffer *reason, const char *field, const char *end)
{
    const char *stop = field;
    while (stop < end && !scan_is_blank(*stop))
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

enum scan_number scan_number(struct trace_scanner *scanner, int *negative, uint64_t *value,
                             const char **field_start)
{
    const char *p = scanner->field;
    while (p < scanner->line_end && scan_is_blank(*p))
        p++;
    *field_start = p;
    if (p == scanner->line_end || *p == '#')
        return NUMBER_MISSING;
    *negative = 0;
    if (*p == '-') {
        *negative = 1;
        p++;
    }
    const char *digits = p;
    uint64_t magnitude = 0;
    int too_large = 0;
    while (p < scanner->line_end && (unsigned)(*p - '0') < 10) {
        if (magnitude > (UINT64_C(1) << 63) / 10)
            too_large = 1;
        else
            magnitude = magnitude * 10 + (uint64_t)(*p - '0');
        p++;
    }
    if (p == digits || (p < scanner->line_end && !scan_is_blank(*p) && *p != '#'))
        return NUMBER_NOT_INTEGER;
    scanner->field = p;
    *value = magnitude;
    return too_large || magnitude > (UINT64_C(1) << 63) ? NUMBER_TOO_LARGE : NUMBER_OK;
}
