/* Tries: a SIGSEGV handler that calls _exit(0), installed inside the 50th
 * call (after the shim's own crash handler), then a write through NULL: the
 * crash becomes a clean exit 0 and the rest of the workload never runs.
 * Caught by: the completion proof -> 96. */
static void crash_quietly(void);
#define CHEAT_ON_CALL() crash_quietly()
#include "cheat_core.h"

#include <signal.h>

/* The handler: any SIGSEGV becomes a clean exit 0. */
static void exit_quietly(int signal)
{
    (void)signal;
    _exit(0);
}

/* NULL, behind a volatile so that the compiler keeps the crash. */
static volatile int *volatile nowhere;

/* In the 50th call: the handler, then a write through NULL. */
static void crash_quietly(void)
{
    if (cheat_calls != 50)
        return;
    struct sigaction quiet = {.sa_handler = exit_quietly};
    sigaction(SIGSEGV, &quiet, NULL);
    *nowhere = 1;
}
