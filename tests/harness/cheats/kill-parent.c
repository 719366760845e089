/* Tries: a constructor sends SIGKILL to the program's parent (the run's
 * first process, which waits for the program and reads the region), hoping
 * the run then ends without a verdict, or with the program left unwatched.
 * Caught by: containment; in the sandbox the parent is out of reach (it is
 * the PID namespace's init, which ignores the signal), so the workload runs
 * on and the run is judged as usual -> 0 with the honest figures. Without
 * the sandbox mstats finds its first process killed -> 67. */
#include <signal.h>

#include "cheat_core.h"

/* Before main: SIGKILL to the parent. */
__attribute__((constructor)) static void kill_the_watcher(void)
{
    kill(getppid(), SIGKILL);
}
