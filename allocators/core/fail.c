/*
 * fail.c - failure reports (fail.h), formatted on the stack and written with
 * write(2): the heap is suspect and the lock is held, so nothing may allocate.
 */
#include "fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *strategy_name;

void allocator_fail_set_strategy(const char *name)
{
    strategy_name = name;
}

_Noreturn void allocator_fail(const char *check, const void *where, const char *what)
{
    char line[512];
    int n =
        snprintf(line, sizeof line, "libmalloc%s%s: %s: %s (block %p)\n", strategy_name ? "-" : "",
                 strategy_name ? strategy_name : "", check, what, where);
    if (n > 0)
        (void)!write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    abort();
}

_Noreturn void allocator_failf(const char *check, const void *where, const char *format, ...)
{
    char what[384];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    allocator_fail(check, where, what);
}
