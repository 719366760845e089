/* Tries: a constructor forks; the parent (the measured program, whose
 * figures mstats reports) _exit(0)s at once with an empty heap, while the
 * child runs the whole workload unmeasured (the shim reports only the first
 * process) and may even write the completion proof.
 * Caught by: the completion proof when the run ends with its program (the
 * child is killed, no proof) -> 96; were the child left to finish and prove,
 * the cross-check would find the parent's CALLS and PEAK-LIVE far from the
 * reference's -> 97. */
#include "cheat_core.h"

/* Before main: the parent exits 0, the child goes on. */
__attribute__((constructor)) static void leave_the_work_to_a_child(void)
{
    if (fork() > 0)
        _exit(0);
}
