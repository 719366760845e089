/* Tries: a constructor points stdout and stderr at /dev/null (dup2), hoping
 * that the report, or the tester's complaints, vanish.
 * Harmless: mstats writes the report itself, and the proof goes to its own
 * descriptor -> 0 with the honest figures. */
#include "cheat_core.h"

/* Before main: stdout and stderr to /dev/null. */
__attribute__((constructor)) static void silence_stdio(void)
{
    int null = open("/dev/null", O_WRONLY);
    if (null < 0)
        return;
    dup2(null, 1);
    dup2(null, 2);
    close(null);
}
