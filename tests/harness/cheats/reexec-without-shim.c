/* Tries: a constructor removes LD_PRELOAD and execs the program again, same
 * process, same arguments: the workload then runs on glibc's malloc without
 * the shim, whose region still holds the figures of before the exec (an
 * empty heap), and a tester of ours may even write a valid proof.
 * Caught by: the kernel's brk witness, which follows the exec and sees
 * glibc's heap grow while the shim's MAX stays 0 -> 67. (Should the runner
 * compare CALLS with the reference first, 97.) */
#include "cheat_core.h"

/* Before main: exec of the same program and arguments without LD_PRELOAD
 * (the new image loads neither the shim nor this allocator). */
__attribute__((constructor)) static void run_again_unmeasured(void)
{
    if (getenv("LD_PRELOAD") == NULL)
        return;
    static char arguments[1 << 16];
    static char *argv[256];
    int cmdline = open("/proc/self/cmdline", O_RDONLY);
    if (cmdline < 0)
        return;
    ssize_t length = read(cmdline, arguments, sizeof arguments - 1);
    close(cmdline);
    if (length <= 0)
        return;
    size_t count = 0;
    for (char *at = arguments; at < arguments + length && count < 255; at += strlen(at) + 1)
        argv[count++] = at;
    argv[count] = NULL;
    unsetenv("LD_PRELOAD");
    execv("/proc/self/exe", argv);
}
