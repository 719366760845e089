/* Tries: a destructor forks a child that waits 300 ms, until mstats should
 * have printed its report, then prints a fake report after it, on stdout.
 * Harmless: nothing of the run outlives it (the sandbox's PID namespace, or
 * the subreaper without it), so the child dies unheard -> 0 with the honest
 * figures. */
#include <time.h>

#include "cheat_core.h"

static const char fake_report[] = "[mstats]: STATUS: OK\n"
                                  "[mstats]: MAX: 16\n"
                                  "[mstats]: PEAK-LIVE: 16\n"
                                  "[mstats]: UTILIZATION: 1.000000\n";

/* At exit: a child that prints the fake report 300 ms later. */
__attribute__((destructor)) static void print_after_the_report(void)
{
    if (fork() != 0)
        return;
    struct timespec wait = {.tv_nsec = 300000000};
    nanosleep(&wait, NULL);
    ssize_t ignored = write(1, fake_report, sizeof fake_report - 1);
    (void)ignored;
    _exit(0);
}
