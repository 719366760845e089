/* The brk witness (brk_witness.h): tracing the program's brk system calls
 * through seccomp trace stops. libc only; the tracer may allocate (it is not
 * the measured process). */
#define _GNU_SOURCE
#include "brk_witness.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/kcmp.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE_ROUND(address) (((address) + 4095) & ~(uintptr_t)4095)

/* i386's brk number: a 64-bit program can make i386 system calls too. */
#define I386_BRK 45

int brk_witness_prepare_child(void)
{
    /* brk under any system call ABI is a trace stop; everything else runs. */
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_brk, 4, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __X32_SYSCALL_BIT | SYS_brk, 3, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, I386_BRK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0 || raise(SIGSTOP) != 0 ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program);
}

void brk_witness_start(BrkWitness *witness, pid_t program)
{
    memset(witness, 0, sizeof *witness);
    witness->program = program;
}

static void fail(BrkWitness *witness, int error)
{
    if (!witness->failed) {
        witness->failed = true;
        witness->error = error;
    }
}

/* The program's heap start: field 47 (start_brk) of /proc/PID/stat. */
static bool read_heap_start(pid_t pid, uintptr_t *start)
{
    char path[64], text[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return false;
    text[n] = '\0';
    /* Fields after the command, which may hold spaces, start at its last ')'. */
    char *cursor = strrchr(text, ')');
    if (cursor == NULL)
        return false;
    for (int field = 2; field < 47; field++) {
        cursor = strchr(cursor + 1, ' ');
        if (cursor == NULL)
            return false;
    }
    *start = (uintptr_t)strtoull(cursor + 1, NULL, 10);
    return *start != 0;
}

/* True when task `pid` uses the program's memory (it is the program, one of
 * its threads, or a child made with CLONE_VM that has not exec'd yet). */
static bool in_program(const BrkWitness *witness, pid_t pid)
{
    return pid == witness->program || syscall(SYS_kcmp, witness->program, pid, KCMP_VM, 0, 0) == 0;
}

/* The slot of `pid` among the pending tasks (0 for a free slot), or -1. */
static int pending_slot(const BrkWitness *witness, pid_t pid)
{
    for (int i = 0; i < BRK_WITNESS_PENDING_MAX; i++)
        if (witness->pending[i] == pid)
            return i;
    return -1;
}

static bool any_pending(const BrkWitness *witness)
{
    for (int i = 0; i < BRK_WITNESS_PENDING_MAX; i++)
        if (witness->pending[i] != 0)
            return true;
    return false;
}

static void note_break(BrkWitness *witness, uintptr_t address)
{
    witness->current = address;
    if (address > witness->peak)
        witness->peak = address;
}

/* A seccomp stop at a brk of `pid`: decides the outcome or asks for the
 * exit stop. Returns the ptrace request that resumes it. */
static int on_brk(BrkWitness *witness, pid_t pid)
{
    struct __ptrace_syscall_info info;
    if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) <= 0 ||
        info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
        fail(witness, errno ? errno : EPROTO);
        return PTRACE_CONT;
    }
    if (!in_program(witness, pid))
        return PTRACE_CONT;
    witness->calls++;
    if (witness->start == 0) {
        /* The first brk of this image: the break is still at the heap start. */
        if (!read_heap_start(pid, &witness->start)) {
            fail(witness, ENOENT);
            return PTRACE_CONT;
        }
        witness->current = witness->start;
        if (witness->peak < witness->start)
            witness->peak = witness->start;
    }
    uintptr_t address = (uintptr_t)info.seccomp.args[0];
    if (info.arch != AUDIT_ARCH_X86_64)
        address &= 0xffffffffu;
    if (address < witness->start)
        return PTRACE_CONT; /* refused: the break stays */
    if (address <= witness->current) {
        note_break(witness, address); /* a shrink: always done, never a peak */
        return PTRACE_CONT;
    }
    /* Within the mapped page a growth is always done. So is any growth of
     * at most BRK_WITNESS_CERTAIN_GROWTH when the kernel overcommits and no
     * data limit applies: only a mapping right above the break could refuse
     * it, and none is there unless the program put it there (then the
     * witnessed MAX only grows, and the run fails as if it had cheated).
     * Unless another thread is in a brk whose outcome is not known yet. */
    bool in_page = PAGE_ROUND(address) == PAGE_ROUND(witness->current);
    bool small = address - witness->current <= BRK_WITNESS_CERTAIN_GROWTH &&
                 !witness->strict_overcommit;
    if (!witness->data_limit && !any_pending(witness) && (in_page || small)) {
        note_break(witness, address);
        return PTRACE_CONT;
    }
    int slot = pending_slot(witness, 0);
    if (slot < 0) {
        fail(witness, EAGAIN);
        return PTRACE_CONT;
    }
    witness->pending[slot] = pid;
    witness->exit_stops++;
    return PTRACE_SYSCALL;
}

/* The exit stop of a page-crossing growth: the kernel's answer. */
static void on_brk_exit(BrkWitness *witness, pid_t pid, int slot)
{
    struct __ptrace_syscall_info info;
    witness->pending[slot] = 0;
    if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) <= 0 ||
        info.op != PTRACE_SYSCALL_INFO_EXIT) {
        fail(witness, errno ? errno : EPROTO);
        return;
    }
    note_break(witness, (uintptr_t)info.exit.rval);
}

/* The program's first stop (it stopped itself before exec): tracing options. */
static void on_first_stop(BrkWitness *witness, pid_t pid)
{
    long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
                   PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                   PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)options) != 0)
        fail(witness, errno);
    struct rlimit data;
    witness->data_limit =
        prlimit(pid, RLIMIT_DATA, NULL, &data) != 0 || data.rlim_cur != RLIM_INFINITY;
    /* vm.overcommit_memory 2: every growth is checked against the commit limit. */
    char mode = '2';
    int fd = open("/proc/sys/vm/overcommit_memory", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &mode, 1) != 1)
            mode = '2';
        close(fd);
    }
    witness->strict_overcommit = mode == '2';
    witness->started = true;
}

bool brk_witness_event(BrkWitness *witness, pid_t pid, int status)
{
    int slot = pending_slot(witness, pid);
    if (!WIFSTOPPED(status)) {
        if (slot >= 0)
            witness->pending[slot] = 0;
        return false;
    }
    int signal_number = WSTOPSIG(status);
    int event = status >> 16;
    int request = PTRACE_CONT;
    int inject = 0;
    if (!witness->started && pid == witness->program && signal_number == SIGSTOP) {
        on_first_stop(witness, pid);
    } else if (signal_number == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
        request = on_brk(witness, pid);
    } else if (signal_number == (SIGTRAP | 0x80)) {
        if (slot >= 0) {
            on_brk_exit(witness, pid, slot);
            slot = -1;
        }
    } else if (signal_number == SIGTRAP && event == PTRACE_EVENT_EXEC) {
        if (pid == witness->program)
            witness->start = 0; /* a new image: a new heap, read at its first brk */
    } else if (signal_number == SIGTRAP && event != 0) {
        /* fork, vfork, clone: the new task is traced and starts stopped. */
    } else {
        siginfo_t info;
        bool group_stop = ptrace(PTRACE_GETSIGINFO, pid, NULL, &info) != 0;
        /* A new task's first SIGSTOP (sent by the kernel, si_code SI_KERNEL
         * or 0) and group stops are resumed; every other signal is delivered. */
        bool attach_stop = signal_number == SIGSTOP && info.si_code <= 0 && info.si_pid == 0;
        if (!group_stop && !attach_stop)
            inject = signal_number;
    }
    if (slot >= 0)
        request = PTRACE_SYSCALL; /* still owes its brk's exit stop */
    if (ptrace(request, pid, NULL, (void *)(long)inject) != 0 && errno != ESRCH)
        fail(witness, errno);
    return true;
}
