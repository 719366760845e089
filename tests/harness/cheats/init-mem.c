/* Tries (issue 20): root inside the run opens the memory of mstats-run-init,
 * the run's first process and the brk witness (PID 1 in bwrap's PID
 * namespace, the program's parent in container mode), read-write: from
 * there it could rewrite the witness's account or the report it writes.
 * Caught by: the program's confinement: no CAP_SYS_PTRACE, a harness that is
 * not dumpable, Landlock's refusal of any trace of a process outside the
 * run. The open fails, the allocator works honestly: OK. Were it to succeed,
 * the cheat would stop the program at once (96). */
#include "cheat_core.h"

__attribute__((constructor)) static void open_the_witness(void)
{
    char parent[64];
    snprintf(parent, sizeof parent, "/proc/%d/mem", (int)getppid());
    const char *targets[] = {"/proc/1/mem", parent};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        int fd = open(targets[i], O_RDWR);
        if (fd >= 0) {
            close(fd);
            _exit(0); /* it worked: the gallery sees a run cut short */
        }
    }
}
