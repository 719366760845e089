/*
 * break_move.c - sbrk by the byte, brk by the page (break_move.h).
 */
#include "break_move.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "break_rule.h"

/* Defined by mstats' shim, whose sbrk keeps the break exact to the byte and
 * moves the kernel's only a page at a time (and measures every call). */
extern const char mstats_shim_keeps_break __attribute__((weak));

void *break_move(uintptr_t *own, intptr_t increment)
{
    if (&mstats_shim_keeps_break != NULL)
        return sbrk(increment);
    uintptr_t kernel = (uintptr_t)sbrk(0);
    uintptr_t old = mstats_break_now(own, kernel);
    uintptr_t address = old + (uintptr_t)increment;
    if (increment == 0)
        return (void *)old;
    if ((increment > 0) != (address > old)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    uintptr_t target = MSTATS_BREAK_ROUND(address);
    if (target != kernel && sbrk((intptr_t)(target - kernel)) == (void *)-1)
        return (void *)-1;
    *own = address;
    return (void *)old;
}

bool env_flag(const char *name)
{
    const char *value = getenv(name);
    return value && *value && strcmp(value, "0") != 0;
}
