/*
 * text_buffer.c: bounded, malloc-free text building (see text_buffer.h for why).
 */
#include "text_buffer.h"

#include <errno.h>
#include <unistd.h>

void text_init(struct text_buffer *text, char *storage, size_t capacity)
{
    text->chars = storage;
    text->capacity = capacity;
    text->length = 0;
    storage[0] = '\0';
}

void text_add_char(struct text_buffer *text, char c)
{
    if (text->length + 1 < text->capacity) {
        text->chars[text->length++] = c;
        text->chars[text->length] = '\0';
    }
}

void text_add(struct text_buffer *text, const char *s)
{
    while (*s != '\0')
        text_add_char(text, *s++);
}

void text_add_u64(struct text_buffer *text, uint64_t value)
{
    char digits[24];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count > 0)
        text_add_char(text, digits[--count]);
}

void text_add_i64(struct text_buffer *text, int64_t value)
{
    if (value < 0) {
        text_add_char(text, '-');
        /* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
        text_add_u64(text, (uint64_t)0 - (uint64_t)value);
    } else {
        text_add_u64(text, (uint64_t)value);
    }
}

void text_add_hex(struct text_buffer *text, uint64_t value, int digits)
{
    static const char hex[] = "0123456789abcdef";
    char reversed[16];
    int count = 0;
    do {
        reversed[count++] = hex[value & 15];
        value >>= 4;
    } while (value != 0);
    while (count < digits && count < 16)
        reversed[count++] = '0';
    text_add(text, "0x");
    while (count > 0)
        text_add_char(text, reversed[--count]);
}

void text_add_fixed(struct text_buffer *text, double value, int decimals)
{
    uint64_t scale = 1;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    if (!(value >= 0))
        value = 0; /* negative or NaN: these figures are times and rates */
    if (value > 1e15)
        value = 1e15;
    uint64_t scaled = (uint64_t)(value * (double)scale + 0.5);
    text_add_u64(text, scaled / scale);
    if (decimals > 0) {
        uint64_t fraction = scaled % scale;
        text_add_char(text, '.');
        for (uint64_t place = scale / 10; place > 0; place /= 10)
            text_add_char(text, (char)('0' + (fraction / place) % 10));
    }
}

int text_write(const struct text_buffer *text, int fd)
{
    size_t written = 0;
    while (written < text->length) {
        ssize_t n = write(fd, text->chars + written, text->length - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        written += (size_t)n;
    }
    return 0;
}
