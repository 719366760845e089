/* Tries: prints a fake report (`[mstats]: STATUS: OK`, `MAX: 16`,
 * `UTILIZATION: 1.000000`, ...) on stdout and stderr, at load and at exit,
 * hoping that whatever reads the report takes its lines.
 * Harmless: mstats prints its own report after the program has ended, and
 * mcompare reads the JSON report -> 0 with the honest figures. */
#include "cheat_core.h"

static const char fake_report[] = "[mstats]: STATUS: OK\n"
                                  "[mstats]: MAX: 16\n"
                                  "[mstats]: AVG: 16.000000\n"
                                  "[mstats]: TIME: 0.000001\n"
                                  "[mstats]: REQUESTED: 16\n"
                                  "[mstats]: PEAK-LIVE: 16\n"
                                  "[mstats]: UTILIZATION: 1.000000\n"
                                  "[mstats]: CALLS: malloc=1 calloc=0 realloc=0 free=1\n";

/* At load and at exit: the fake report on stdout and stderr. */
__attribute__((constructor, destructor)) static void print_fake_report(void)
{
    ssize_t ignored = write(1, fake_report, sizeof fake_report - 1);
    ignored = write(2, fake_report, sizeof fake_report - 1);
    (void)ignored;
}
