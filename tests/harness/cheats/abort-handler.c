/* Tries: a SIGABRT handler that calls _exit(0), installed inside the 50th
 * call, then abort(): the abort becomes a clean exit 0 and the rest of the
 * workload never runs.
 * Caught by: the completion proof -> 96. */
static void abort_quietly(void);
#define CHEAT_ON_CALL() abort_quietly()
#include "cheat_core.h"

#include <signal.h>

/* The handler: any SIGABRT becomes a clean exit 0. */
static void exit_quietly(int signal)
{
    (void)signal;
    _exit(0);
}

/* In the 50th call: the handler, then abort(). */
static void abort_quietly(void)
{
    if (cheat_calls != 50)
        return;
    struct sigaction quiet = {.sa_handler = exit_quietly};
    sigaction(SIGABRT, &quiet, NULL);
    abort();
}
