/* Tries: a constructor installs a seccomp filter that answers ALLOW to every
 * system call, hoping to override a tracer's filter that stops at each brk,
 * then takes and gives back 8 MiB of scratch with the raw brk system call in
 * every call, as raw-brk.c does.
 * Caught by: the kernel's brk witness; seccomp runs every filter and the
 * most severe action wins, so TRACE beats ALLOW -> 67. */
#define CHEAT_ON_CALL() cheat_scratch_through(cheat_raw_sbrk)
#include "cheat_core.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

/* Before main: a filter that allows every system call. */
__attribute__((constructor)) static void allow_everything(void)
{
    struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog program = {.len = 1, .filter = &allow};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
}
