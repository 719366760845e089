/*
 * text_buffer.h: building lines of text in a caller's fixed buffer, without malloc.
 *
 * The trace library and mreplay must not allocate (their memory would show in the heap
 * figures of the trace being measured), and glibc's stdio allocates its buffers with malloc.
 * These helpers append strings and numbers to a bounded buffer that is written with write(2).
 * Appending past the capacity truncates silently; the buffer always stays NUL-terminated.
 */
#ifndef MSTATS_TEXT_BUFFER_H
#define MSTATS_TEXT_BUFFER_H

#include <stddef.h>
#include <stdint.h>

struct text_buffer {
    char *chars;     /* caller's storage, CAPACITY bytes */
    size_t capacity; /* at least 1: room for the terminating NUL */
    size_t length;   /* characters held, excluding the NUL */
};

/* Start an empty text in STORAGE of CAPACITY (>= 1) bytes. */
void text_init(struct text_buffer *text, char *storage, size_t capacity);

/* Append the NUL-terminated string S. */
void text_add(struct text_buffer *text, const char *s);

/* Append the character C. */
void text_add_char(struct text_buffer *text, char c);

/* Append VALUE in decimal. */
void text_add_u64(struct text_buffer *text, uint64_t value);
void text_add_i64(struct text_buffer *text, int64_t value);

/* Append VALUE in hexadecimal with a 0x prefix, at least DIGITS digits. */
void text_add_hex(struct text_buffer *text, uint64_t value, int digits);

/* Append a non-negative VALUE with DECIMALS (0..9) digits after the point, rounded. */
void text_add_fixed(struct text_buffer *text, double value, int decimals);

/* Write the whole text to FD with write(2), retrying short writes. Returns 0 or -1. */
int text_write(const struct text_buffer *text, int fd);

#endif
