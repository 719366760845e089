/* The brk witness (brk_witness.h): tracing the run's brk system calls
 * through seccomp trace stops, one heap account per process image. libc
 * only, and no allocation (mstats-run-init never allocates once the program
 * runs): the tables are fixed arrays, searched linearly, which costs far less
 * than the trace stop itself. */
#define _GNU_SOURCE
#include "brk_witness.h"

#include "heap_start.h"

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
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE_ROUND(address) (((address) + 4095) & ~(uintptr_t)4095)

/* i386's brk number: a 64-bit program can make i386 system calls too. */
#define I386_BRK 45

/* The filter's instructions, by position: a jump's offset is the number of
 * instructions it skips, so each is computed from two of these. */
enum {
    AT_LOAD_ARCH,     /* the system call's ABI */
    AT_IS_X86_64,     /* x86-64 (or x32) on to its numbers, anything else to i386's */
    AT_LOAD_NR,       /* the x86-64 or x32 system call number */
    AT_IS_BRK,        /* x86-64's brk */
    AT_IS_X32_BRK,    /* x32's brk */
    AT_IS_MMAP,       /* mmap: on to its flags */
    AT_IS_MPROTECT,   /* mprotect: on to its protection */
    AT_IS_PKEY,       /* pkey_mprotect: likewise */
    AT_IS_MREMAP,     /* mremap: always stops */
    AT_IS_SHMAT,      /* shmat: always stops */
    AT_ALLOW_X86_64,  /* any other x86-64 or x32 call */
    AT_LOAD_FLAGS,    /* mmap's flags (the low word of its 4th argument) */
    AT_IS_GROWSDOWN,  /* MAP_GROWSDOWN: refused */
    AT_IS_SHARED,     /* MAP_SHARED or MAP_SHARED_VALIDATE: stops */
    AT_LOAD_PROT,     /* mmap's, mprotect's or pkey_mprotect's protection (3rd) */
    AT_IS_WRITABLE,   /* PROT_WRITE: stops */
    AT_ALLOW_PRIVATE, /* private memory that is not writable */
    AT_REFUSE,        /* EPERM */
    AT_LOAD_I386_NR,  /* the i386 system call number */
    AT_IS_I386_BRK,   /* i386's brk */
    AT_ALLOW_I386,    /* any other i386 call */
    AT_TRACE,         /* a trace stop */
    FILTER_LENGTH
};
#define SKIP(from, to) ((to) - (from)-1)
#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
/* Jumps to `to` when the loaded word equals `value`, else on to the next. */
#define IF_EQUAL(at, value, to) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (value), SKIP(at, to), 0)
/* Jumps to `to` when the loaded word has a bit of `bits`, else on. */
#define IF_ANY(at, bits, to) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (bits), SKIP(at, to), 0)
#define RETURN(action) BPF_STMT(BPF_RET | BPF_K, (action))

int brk_witness_prepare_child(void)
{
    /* brk under any ABI, and x86-64's calls that add memory, stop; all
     * else runs (brk_witness.h). The arguments' low words: little-endian. */
    struct sock_filter filter[FILTER_LENGTH] = {
        [AT_LOAD_ARCH] = LOAD(arch),
        [AT_IS_X86_64] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0,
                                  SKIP(AT_IS_X86_64, AT_LOAD_I386_NR)),
        [AT_LOAD_NR] = LOAD(nr),
        [AT_IS_BRK] = IF_EQUAL(AT_IS_BRK, SYS_brk, AT_TRACE),
        [AT_IS_X32_BRK] = IF_EQUAL(AT_IS_X32_BRK, __X32_SYSCALL_BIT | SYS_brk, AT_TRACE),
        [AT_IS_MMAP] = IF_EQUAL(AT_IS_MMAP, SYS_mmap, AT_LOAD_FLAGS),
        [AT_IS_MPROTECT] = IF_EQUAL(AT_IS_MPROTECT, SYS_mprotect, AT_LOAD_PROT),
        [AT_IS_PKEY] = IF_EQUAL(AT_IS_PKEY, SYS_pkey_mprotect, AT_LOAD_PROT),
        [AT_IS_MREMAP] = IF_EQUAL(AT_IS_MREMAP, SYS_mremap, AT_TRACE),
        [AT_IS_SHMAT] = IF_EQUAL(AT_IS_SHMAT, SYS_shmat, AT_TRACE),
        [AT_ALLOW_X86_64] = RETURN(SECCOMP_RET_ALLOW),
        [AT_LOAD_FLAGS] = LOAD(args[3]),
        [AT_IS_GROWSDOWN] = IF_ANY(AT_IS_GROWSDOWN, MAP_GROWSDOWN, AT_REFUSE),
        [AT_IS_SHARED] = IF_ANY(AT_IS_SHARED, MAP_SHARED, AT_TRACE),
        [AT_LOAD_PROT] = LOAD(args[2]),
        [AT_IS_WRITABLE] = IF_ANY(AT_IS_WRITABLE, PROT_WRITE, AT_TRACE),
        [AT_ALLOW_PRIVATE] = RETURN(SECCOMP_RET_ALLOW),
        [AT_REFUSE] = RETURN(SECCOMP_RET_ERRNO | EPERM),
        [AT_LOAD_I386_NR] = LOAD(nr),
        [AT_IS_I386_BRK] = IF_EQUAL(AT_IS_I386_BRK, I386_BRK, AT_TRACE),
        [AT_ALLOW_I386] = RETURN(SECCOMP_RET_ALLOW),
        [AT_TRACE] = RETURN(SECCOMP_RET_TRACE),
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
    /* Until its exec the program is the tracer's copy: no image yet. */
    witness->groups[0] = (BrkWitnessGroup){program, -1};
}

static void fail(BrkWitness *witness, int error)
{
    if (!witness->failed) {
        witness->failed = true;
        witness->error = error;
    }
}

/* A process image's heap start (heap_start.h). */
static bool read_heap_start(pid_t pid, uintptr_t *start)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    *start = mstats_heap_start(path);
    return *start != 0;
}

/* The start of /proc/TID/status, NUL-terminated in `text` (`size` bytes);
 * false when the task is gone. */
static bool read_status(pid_t tid, char *text, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, text, size - 1);
    close(fd);
    if (n <= 0)
        return false;
    text[n] = '\0';
    return true;
}

/* Task `tid`'s thread group and its parent process (Tgid and PPid of
 * /proc/TID/status). Returns false when the task is gone. */
static bool read_task_ids(pid_t tid, pid_t *tgid, pid_t *parent)
{
    char text[1024];
    if (!read_status(tid, text, sizeof text))
        return false;
    /* Both come right after Name (at most 64 bytes, newlines escaped). */
    const char *tgid_line = strstr(text, "\nTgid:");
    const char *parent_line = strstr(text, "\nPPid:");
    if (tgid_line == NULL || parent_line == NULL)
        return false;
    *tgid = (pid_t)strtol(tgid_line + 6, NULL, 10);
    *parent = (pid_t)strtol(parent_line + 6, NULL, 10);
    return *tgid > 0;
}

/* The slot of thread group `tgid` (0: a free slot), or -1. */
static int group_slot(const BrkWitness *witness, pid_t tgid)
{
    for (int i = 0; i < BRK_WITNESS_GROUPS_MAX; i++)
        if (witness->groups[i].tgid == tgid)
            return i;
    return -1;
}

/* The slot of non-leader thread `tid` (0: a free slot), or -1. */
static int thread_slot(const BrkWitness *witness, pid_t tid)
{
    for (int i = 0; i < BRK_WITNESS_THREADS_MAX; i++)
        if (witness->threads[i].tid == tid)
            return i;
    return -1;
}

/* The slot of the thread group of task `tid` (tid > 0), or -1 when the
 * witness follows no such group. Reads /proc only for a thread that the
 * thread table had no room for. */
static int group_of(const BrkWitness *witness, pid_t tid)
{
    /* A leader, or a thread that exec'd and so took the leader's id. */
    int group = group_slot(witness, tid);
    if (group >= 0)
        return group;
    int thread = thread_slot(witness, tid);
    if (thread >= 0)
        return group_slot(witness, witness->threads[thread].tgid);
    pid_t tgid, parent;
    if (!read_task_ids(tid, &tgid, &parent) || tgid == tid)
        return -1;
    return group_slot(witness, tgid);
}

/* Starts an image of thread group `tgid` whose heap begins at `start` with
 * the break at `current`. Returns its index, or -1 (counted dropped) when the
 * image table is full. */
static int start_image(BrkWitness *witness, pid_t tgid, uintptr_t start, uintptr_t current)
{
    if (witness->image_count == BRK_WITNESS_IMAGES_MAX) {
        witness->images_dropped++;
        return -1;
    }
    witness->images[witness->image_count] =
        (BrkWitnessImage){.pid = tgid, .start = start, .current = current, .peak = current};
    return witness->image_count++;
}

/* True when process `child` shares the memory of `creator` or of another
 * thread of the creator's group `group` (the creator's leader may have
 * ended with pthread_exit: it has no memory left to compare). */
static bool shares_memory(const BrkWitness *witness, int group, pid_t creator, pid_t child)
{
    if (syscall(SYS_kcmp, creator, child, KCMP_VM, 0, 0) == 0)
        return true;
    for (int i = 0; i < BRK_WITNESS_THREADS_MAX; i++)
        if (witness->threads[i].tid != 0 &&
            witness->threads[i].tgid == witness->groups[group].tgid &&
            syscall(SYS_kcmp, witness->threads[i].tid, child, KCMP_VM, 0, 0) == 0)
            return true;
    return false;
}

/* New task `tid` was made by task `creator` (0: not known, then its parent
 * process from /proc). Called at whichever comes first of the task's first
 * stop and its creator's fork event (ptrace reports them in either order),
 * before the task can make a brk and while the creator is still inside the
 * fork, so its break is the one the child was born with. A thread joins its
 * group; a process sharing its creator's memory (CLONE_VM) joins the
 * creator's image until it execs; any other process starts an image with a
 * copy of its creator's heap. A process born of an image that is not
 * witnessed is not witnessed either (counted dropped). When the group table
 * is full, a process may be counted dropped at both calls. */
static void enroll(BrkWitness *witness, pid_t tid, pid_t creator)
{
    if (group_slot(witness, tid) >= 0 || thread_slot(witness, tid) >= 0)
        return; /* seen already */
    pid_t tgid, parent;
    if (!read_task_ids(tid, &tgid, &parent))
        return; /* gone already */
    if (tgid != tid) {
        int slot = thread_slot(witness, 0);
        if (slot >= 0)
            witness->threads[slot] = (BrkWitnessThread){tid, tgid};
        return;
    }
    if (creator == 0)
        creator = parent; /* the parent, unless made with CLONE_PARENT */
    int slot = group_slot(witness, 0);
    if (slot < 0) {
        witness->images_dropped++;
        return;
    }
    int from = group_of(witness, creator);
    int from_image = from >= 0 ? witness->groups[from].image : -1;
    int image = -1;
    if (from_image < 0) {
        witness->images_dropped++;
    } else if (shares_memory(witness, from, creator, tid)) {
        image = from_image;
    } else {
        const BrkWitnessImage *heap = &witness->images[from_image];
        image = start_image(witness, tid, heap->start, heap->current);
    }
    witness->groups[slot] = (BrkWitnessGroup){tid, image};
}

/* Task `pid` has been reaped: it no longer needs its slot. */
static void forget(BrkWitness *witness, pid_t pid)
{
    int thread = thread_slot(witness, pid);
    if (thread >= 0) {
        witness->threads[thread].tid = 0;
        return;
    }
    /* A leader is reaped only after the rest of its group: the group is gone. */
    int group = group_slot(witness, pid);
    if (group >= 0)
        witness->groups[group].tgid = 0;
}

/* The exec stop of process `pid` (its thread group id: a thread that execs
 * takes it): a new image, whose heap start the kernel has just chosen. */
static void on_exec(BrkWitness *witness, pid_t pid)
{
    unsigned long former = 0;
    if (ptrace(PTRACE_GETEVENTMSG, pid, NULL, &former) == 0 && former != 0 &&
        (pid_t)former != pid) {
        int thread = thread_slot(witness, (pid_t)former);
        if (thread >= 0)
            witness->threads[thread].tid = 0;
    }
    int group = group_slot(witness, pid);
    if (group < 0) {
        /* Not followed so far (the table was full): its new image may be. */
        group = group_slot(witness, 0);
        if (group < 0) {
            witness->images_dropped++;
            return;
        }
        witness->groups[group].tgid = pid;
    }
    witness->groups[group].image = -1;
    uintptr_t start;
    if (!read_heap_start(pid, &start)) {
        fail(witness, ENOENT);
        return;
    }
    witness->groups[group].image = start_image(witness, pid, start, start);
}

/* The slot of `task` among the pending tasks (0 for a free slot), or -1. */
static int pending_slot(const BrkWitness *witness, pid_t task)
{
    for (int i = 0; i < BRK_WITNESS_PENDING_MAX; i++)
        if (witness->pending[i].task == task)
            return i;
    return -1;
}

/* True when a task is inside a brk of image `image` whose outcome is not
 * known yet (so neither is the image's break). */
static bool any_pending(const BrkWitness *witness, int image)
{
    for (int i = 0; i < BRK_WITNESS_PENDING_MAX; i++)
        if (witness->pending[i].task != 0 && witness->pending[i].image == image &&
            witness->pending[i].call == SYS_brk)
            return true;
    return false;
}

static void note_break(BrkWitnessImage *image, uintptr_t address)
{
    image->current = address;
    if (address > image->peak)
        image->peak = address;
}

int64_t brk_witness_clock_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* What a stop earns (brk_witness.h, "Stops that earn time"). */
typedef enum {
    EARNS_NOTHING,
    EARNS_GROWTH,  /* its brk grew the run's largest heap past a page */
    EARNS_COST,    /* its brk moved a break across a page otherwise: its time */
    EARNS_AT_EXIT, /* an entry stop whose brk's outcome the exit stop tells */
} Earning;

typedef struct {
    Earning kind;
    uint64_t stops;   /* the brk's stops: 1, or 2 at an exit stop */
    int pending;      /* EARNS_AT_EXIT: the slot that keeps this stop's time */
    int64_t entry_ns; /* at an exit stop: what the entry stop took */
} StopEarning;

/* What a brk that moved `image`'s break from `before` to `after` earns;
 * keeps the run's largest heap. Every image's break, to the page, is within
 * the largest heap, so only a growth can pass it. */
static Earning earning_of(BrkWitness *witness, const BrkWitnessImage *image, uintptr_t before,
                          uintptr_t after)
{
    if (PAGE_ROUND(after) == PAGE_ROUND(before))
        return EARNS_NOTHING;
    uint64_t heap = PAGE_ROUND(after) - image->start;
    if (heap <= witness->largest_heap)
        return EARNS_COST;
    witness->largest_heap = heap;
    return EARNS_GROWTH;
}

/* Books what the stop earned, now that it has been resumed; the tracer
 * began on it at `began_ns`. */
static void book_earning(BrkWitness *witness, const StopEarning *earning, int64_t began_ns)
{
    if (earning->kind == EARNS_NOTHING)
        return;
    int64_t took = brk_witness_clock_ns() - began_ns;
    if (earning->kind == EARNS_GROWTH) {
        witness->growth_stops += earning->stops;
    } else if (earning->kind == EARNS_COST) {
        witness->moved_stops += earning->stops;
        witness->moved_ns += earning->entry_ns + took;
    } else {
        witness->pending[earning->pending].entry_ns = took;
    }
}

/* The image that task `pid`'s system calls count in, or -1 when it is not
 * witnessed. */
static int image_of(const BrkWitness *witness, pid_t pid)
{
    int group = group_of(witness, pid);
    return group >= 0 ? witness->groups[group].image : -1;
}

/* A seccomp stop at a brk of task `pid` (`info`): counts it in its image,
 * decides the outcome or asks for the exit stop, and says what the stop
 * earns. Returns the ptrace request that resumes it. */
static int on_brk(BrkWitness *witness, pid_t pid, const struct __ptrace_syscall_info *info,
                  StopEarning *earning)
{
    witness->brk_stops++;
    int index = image_of(witness, pid);
    if (index < 0)
        return PTRACE_CONT; /* an image not witnessed */
    BrkWitnessImage *image = &witness->images[index];
    image->calls++;
    uintptr_t address = (uintptr_t)info->seccomp.args[0];
    if (info->arch != AUDIT_ARCH_X86_64)
        address &= 0xffffffffu;
    if (address < image->start)
        return PTRACE_CONT; /* refused: the break stays */
    if (address <= image->current) {
        earning->kind = earning_of(witness, image, image->current, address);
        note_break(image, address); /* a shrink: always done, never a peak */
        return PTRACE_CONT;
    }
    /* Within the mapped page a growth is always done. So is any growth of
     * at most BRK_WITNESS_CERTAIN_GROWTH when the kernel overcommits and no
     * data limit applies: only a mapping right above the break could refuse
     * it, and none is there unless the program put it there (then the
     * witnessed MAX only grows, and the run fails as if it had cheated).
     * Unless another thread is in a brk of this heap whose outcome is not
     * known yet. */
    bool in_page = PAGE_ROUND(address) == PAGE_ROUND(image->current);
    bool small =
        address - image->current <= BRK_WITNESS_CERTAIN_GROWTH && !witness->strict_overcommit;
    if (!witness->data_limit && !any_pending(witness, index) && (in_page || small)) {
        earning->kind = earning_of(witness, image, image->current, address);
        note_break(image, address);
        return PTRACE_CONT;
    }
    int slot = pending_slot(witness, 0);
    if (slot < 0) {
        fail(witness, EAGAIN);
        return PTRACE_CONT;
    }
    witness->pending[slot] = (BrkWitnessPending){.task = pid, .image = index, .call = SYS_brk};
    witness->exit_stops++;
    *earning = (StopEarning){.kind = EARNS_AT_EXIT, .stops = 1, .pending = slot};
    return PTRACE_SYSCALL;
}

/* Task `pid`'s private writable memory now, in bytes (VmData of
 * /proc/PID/status: the kernel's data_vm); false when it cannot be read. */
static bool read_vm_data(pid_t pid, uint64_t *bytes)
{
    char text[4096];
    if (!read_status(pid, text, sizeof text))
        return false;
    const char *line = strstr(text, "\nVmData:");
    if (line == NULL)
        return false;
    *bytes = strtoull(line + 8, NULL, 10) * 1024;
    return true;
}

/* A seccomp stop at a call that may add memory to task `pid`'s image
 * (`info`): asks for its exit stop, where the image's memory is read. */
static int on_mapping(BrkWitness *witness, pid_t pid, const struct __ptrace_syscall_info *info)
{
    witness->mapping_stops++;
    int index = image_of(witness, pid);
    if (index < 0)
        return PTRACE_CONT;
    int slot = pending_slot(witness, 0);
    if (slot < 0) {
        fail(witness, EAGAIN);
        return PTRACE_CONT;
    }
    const uint64_t *args = info->seccomp.args;
    BrkWitnessPending *pending = &witness->pending[slot];
    *pending = (BrkWitnessPending){.task = pid, .image = index, .call = (long)info->seccomp.nr};
    if (pending->call == SYS_mmap && (args[3] & MAP_SHARED))
        pending->shared = PAGE_ROUND(args[1]);
    else if (pending->call == SYS_mremap && PAGE_ROUND(args[2]) > PAGE_ROUND(args[1]) &&
             read_vm_data(pid, &pending->data_before))
        pending->shared = PAGE_ROUND(args[2]) - PAGE_ROUND(args[1]);
    else if (pending->call == SYS_shmat)
        pending->shm_id = (long)args[0];
    witness->exit_stops++;
    return PTRACE_SYSCALL;
}

/* The exit stop of a call that may have added memory (`info`): what it
 * added, and the image's private memory outside the heap after it. */
static void on_mapping_exit(BrkWitness *witness, pid_t pid, const BrkWitnessPending *call,
                            const struct __ptrace_syscall_info *info)
{
    BrkWitnessImage *image = &witness->images[call->image];
    uint64_t data;
    if (info->exit.is_error || !read_vm_data(pid, &data))
        return; /* failed; or gone (killed, or exec'd by another thread) */
    uint64_t shared = call->shared;
    /* An mremap grew private memory (which VmData holds) or shared memory
     * (which it does not): only what VmData did not take is shared. */
    if (call->call == SYS_mremap) {
        uint64_t grew = data > call->data_before ? data - call->data_before : 0;
        shared = grew >= shared ? 0 : shared - grew;
    }
    image->shared += shared;
    if (call->call == SYS_shmat) {
        struct shmid_ds segment;
        /* The witness shares the run's IPC namespace; a segment removed
         * already is still attached, and then counted by its size too. */
        if (shmctl((int)call->shm_id, IPC_STAT, &segment) == 0)
            image->shared += PAGE_ROUND(segment.shm_segsz);
        else
            fail(witness, errno);
    }
    if (any_pending(witness, call->image))
        return; /* the heap's size is not known: the next call is read */
    uint64_t heap = PAGE_ROUND(image->current) - (image->start & ~(uintptr_t)4095);
    if (data > heap && data - heap > image->private_peak)
        image->private_peak = data - heap;
}

/* The exit stop of a page-crossing growth (`info`): the kernel's answer, and
 * what the brk's two stops earn. */
static void on_brk_exit(BrkWitness *witness, const BrkWitnessPending *call,
                        const struct __ptrace_syscall_info *info, StopEarning *earning)
{
    BrkWitnessImage *image = &witness->images[call->image];
    uintptr_t after = (uintptr_t)info->exit.rval;
    *earning = (StopEarning){.kind = earning_of(witness, image, image->current, after),
                             .stops = 2,
                             .entry_ns = call->entry_ns};
    note_break(image, after);
}

/* A seccomp stop of task `pid`: a brk or a call that may add memory.
 * Returns the ptrace request that resumes it. */
static int on_seccomp_stop(BrkWitness *witness, pid_t pid, StopEarning *earning)
{
    struct __ptrace_syscall_info info;
    if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) <= 0 ||
        info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
        fail(witness, errno ? errno : EPROTO);
        return PTRACE_CONT;
    }
    bool brk = info.arch == AUDIT_ARCH_X86_64 ? (info.seccomp.nr & ~__X32_SYSCALL_BIT) == SYS_brk
                                              : info.seccomp.nr == I386_BRK;
    return brk ? on_brk(witness, pid, &info, earning) : on_mapping(witness, pid, &info);
}

/* The exit stop of task `pid`, owed to pending call `slot`, which it frees. */
static void on_exit_stop(BrkWitness *witness, pid_t pid, int slot, StopEarning *earning)
{
    BrkWitnessPending call = witness->pending[slot];
    witness->pending[slot].task = 0;
    struct __ptrace_syscall_info info;
    if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) <= 0 ||
        info.op != PTRACE_SYSCALL_INFO_EXIT) {
        fail(witness, errno ? errno : EPROTO);
        return;
    }
    if (call.call == SYS_brk)
        on_brk_exit(witness, &call, &info, earning);
    else
        on_mapping_exit(witness, pid, &call, &info);
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

bool brk_witness_event(BrkWitness *witness, pid_t pid, int status, int64_t began_ns)
{
    int slot = pending_slot(witness, pid);
    if (!WIFSTOPPED(status)) {
        if (slot >= 0)
            witness->pending[slot].task = 0;
        forget(witness, pid);
        return false;
    }
    int signal_number = WSTOPSIG(status);
    int event = status >> 16;
    int request = PTRACE_CONT;
    int inject = 0;
    StopEarning earning = {.kind = EARNS_NOTHING, .stops = 1};
    if (!witness->started && pid == witness->program && signal_number == SIGSTOP) {
        on_first_stop(witness, pid);
    } else if (signal_number == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
        request = on_seccomp_stop(witness, pid, &earning);
    } else if (signal_number == (SIGTRAP | 0x80)) {
        if (slot >= 0) {
            on_exit_stop(witness, pid, slot, &earning);
            slot = -1;
        }
    } else if (signal_number == SIGTRAP && event == PTRACE_EVENT_EXEC) {
        on_exec(witness, pid);
    } else if (signal_number == SIGTRAP &&
               (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
                event == PTRACE_EVENT_CLONE)) {
        /* The new task is traced and starts stopped; its id is the message. */
        unsigned long child = 0;
        if (ptrace(PTRACE_GETEVENTMSG, pid, NULL, &child) == 0 && child != 0)
            enroll(witness, (pid_t)child, pid);
    } else if (signal_number == SIGTRAP && event != 0) {
        /* No other event is asked for. */
    } else {
        siginfo_t info;
        bool group_stop = ptrace(PTRACE_GETSIGINFO, pid, NULL, &info) != 0;
        /* A new task's first SIGSTOP (sent by the kernel, si_code SI_KERNEL
         * or 0) and group stops are resumed; every other signal is delivered. */
        bool attach_stop = signal_number == SIGSTOP && info.si_code <= 0 && info.si_pid == 0;
        if (attach_stop && !group_stop)
            enroll(witness, pid, 0);
        if (!group_stop && !attach_stop)
            inject = signal_number;
    }
    if (slot >= 0)
        request = PTRACE_SYSCALL; /* still owes its brk's exit stop */
    if (ptrace(request, pid, NULL, (void *)(long)inject) != 0 && errno != ESRCH)
        fail(witness, errno);
    book_earning(witness, &earning, began_ns);
    return true;
}
