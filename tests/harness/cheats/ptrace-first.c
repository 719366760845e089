/* Tries: a constructor asks to be traced by its parent (PTRACE_TRACEME) and
 * makes itself non-dumpable, hoping to take the tracer's place before a brk
 * witness attaches, or to shut one out; then takes and gives back 8 MiB of
 * scratch with the raw brk system call in every call, as raw-brk.c does.
 * Caught by: the kernel's brk witness, which traces the program from before
 * its exec (a process has one tracer, so TRACEME fails, and an existing
 * tracer keeps tracing a non-dumpable process) -> 67. */
#define CHEAT_ON_CALL() cheat_scratch_through(cheat_raw_sbrk)
#include "cheat_core.h"

#include <sys/prctl.h>
#include <sys/ptrace.h>

/* Before main: TRACEME and non-dumpable (both may fail; the cheat goes on). */
__attribute__((constructor)) static void shut_the_witness_out(void)
{
    ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
