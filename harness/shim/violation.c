/* Ending the program when a check fires, and the words that say why. The
 * reason is built in a fixed buffer because stdio may call malloc, which is
 * exactly what must not happen while the shim is reporting a broken malloc.
 */
#include <string.h>
#include <unistd.h>

#include "shim.h"

void reason_add(ReasonText *r, const char *words)
{
    size_t n = strlen(words);
    if (n > sizeof r->text - 1 - r->length)
        n = sizeof r->text - 1 - r->length;
    memcpy(r->text + r->length, words, n);
    r->length += n;
    r->text[r->length] = '\0';
}

void reason_add_decimal(ReasonText *r, uint64_t value)
{
    char digits[24];
    int i = (int)sizeof digits - 1;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    reason_add(r, &digits[i]);
}

void reason_add_hex(ReasonText *r, uint64_t value)
{
    char digits[24];
    int i = (int)sizeof digits - 1;
    digits[i] = '\0';
    do {
        digits[--i] = "0123456789abcdef"[value % 16];
        value /= 16;
    } while (value != 0);
    digits[--i] = 'x';
    digits[--i] = '0';
    reason_add(r, &digits[i]);
}

const char *function_name(MstatsFunction fn)
{
    static const char *const names[MSTATS_FN_COUNT] = {
        "malloc",         "calloc",        "realloc",  "free",   "reallocarray",
        "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc",
    };
    return names[fn];
}

void violation_exit(int code, const char *reason)
{
    if (shim.reporter && shim.region != NULL) {
        size_t n = strlen(reason);
        if (n >= MSTATS_REASON_MAX)
            n = MSTATS_REASON_MAX - 1;
        memcpy(shim.region->reason, reason, n);
        shim.region->reason[n] = '\0';
        __atomic_store_n(&shim.region->code, code, __ATOMIC_RELEASE);
    } else {
        /* A process mstats does not report on (a child of the program): say it
         * on stderr, where its parent's user can see it. */
        ReasonText line = {.length = 0};
        reason_add(&line, "[mstats-shim]: ");
        reason_add_decimal(&line, (uint64_t)code);
        reason_add(&line, " ");
        reason_add(&line, reason);
        reason_add(&line, "\n");
        ssize_t ignored = write(STDERR_FILENO, line.text, line.length);
        (void)ignored;
    }
    _exit(code);
}
