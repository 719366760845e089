/* The brk witness: the kernel's account of a program's heap, kept from
 * outside the program, which the graded allocator cannot write to.
 *
 * The program's parent (mstats-run-init, inside the sandbox) traces it. Before
 * exec, the program's child asks to be traced and installs a seccomp filter
 * that turns every brk system call into a trace stop, so that no other call
 * costs anything. At each stop the witness reads the requested break from the
 * registers. Most requests have a certain outcome and the program goes on at
 * once: a request below the heap start changes nothing, a shrink always
 * succeeds (and never raises the peak), a growth within the break's page
 * always succeeds when there is no data limit, and so does one of up to
 * 64 MiB when the kernel overcommits (the default). A larger growth may fail
 * (no memory, a mapping in the way, RLIMIT_DATA): for it the witness also
 * stops at the system call's exit and reads the break the kernel returned.
 * So the witnessed peak is exact, at one stop per brk and a second one per
 * uncertain growth.
 *
 * Followed: the program's threads (they share its break) and its children
 * (forks and what they exec); only the first process, the program, counts.
 * Allocator tricks that bypass the shim's sbrk (glibc's __sbrk, a raw brk
 * system call, a forged __curbrk) are all brk system calls, so all seen.
 *
 * Cost: a trace stop is two context switches and a few ptrace calls, about
 * 20 us per brk on a busy 2-core machine (tester-17 under first-fit makes 5
 * million brk calls: 116 s witnessed against 3.8 s, both loaded). So allocators
 * that grow by the exact shortfall, one brk per growth, pay dearly; ones that
 * grow a page or more at a time hardly notice.
 *
 * Use from the tracer: brk_witness_prepare_child() in the child between fork
 * and exec; brk_witness_start() after the fork; every wait status of any
 * traced process (waitpid(-1, ..., __WALL)) through brk_witness_event(),
 * which resumes trace stops itself.
 */
#ifndef MSTATS_BRK_WITNESS_H
#define MSTATS_BRK_WITNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A growth up to this size is taken as certain (see on_brk), larger ones
 * are read at the system call's exit. */
#define BRK_WITNESS_CERTAIN_GROWTH (64ULL << 20)

/* Tasks of the program inside a page-crossing brk at once (threads). */
#define BRK_WITNESS_PENDING_MAX 64

typedef struct {
    pid_t program;          /* the traced program: its heap is the one witnessed */
    bool started;           /* the program's first stop was seen and options set */
    bool failed;            /* tracing could not be set up or went wrong */
    int error;              /* errno of the failure */
    uintptr_t start;        /* the program's heap start (its break before any brk) */
    uintptr_t current;      /* the break as the kernel last set it */
    uintptr_t peak;         /* the highest break */
    bool data_limit;        /* RLIMIT_DATA is finite: growths are never certain */
    bool strict_overcommit; /* vm.overcommit_memory is 2: nor are they then */
    pid_t pending[BRK_WITNESS_PENDING_MAX]; /* tasks to stop at a brk's exit; 0: free */
    uint64_t calls;                         /* brk system calls of the program */
    uint64_t exit_stops;                    /* of which the outcome was read at the exit */
} BrkWitness;

/* In the child, after fork and before exec: asks to be traced by the parent,
 * stops until the parent has set up tracing, and installs the brk filter.
 * Async-signal-safe. Returns 0, or -1 with errno. */
int brk_witness_prepare_child(void);

/* In the parent, right after the fork: starts witnessing `program`. */
void brk_witness_start(BrkWitness *witness, pid_t program);

/* Handles the wait `status` of traced process `pid`. Returns true when it
 * was a trace stop, which it has resumed (the caller then waits again);
 * false for an exit or a death, which the caller handles as usual. */
bool brk_witness_event(BrkWitness *witness, pid_t pid, int status);

/* The trace stops the program has made so far: one per brk, and a second one
 * per growth read at its exit. */
static inline uint64_t brk_witness_stops(const BrkWitness *witness)
{
    return witness->calls + witness->exit_stops;
}

/* The witnessed heap peak in bytes above the start (MAX as the kernel saw it). */
static inline uint64_t brk_witness_max(const BrkWitness *witness)
{
    return witness->peak > witness->start ? witness->peak - witness->start : 0;
}

#endif
