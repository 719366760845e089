/* The brk witness: the kernel's account of each process image's heap, kept
 * from outside the program, which the graded allocator cannot write to.
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
 * Followed: every process of the run (the program, the processes it forks,
 * what they exec) and all their threads. The account is kept per process
 * image, a (thread group, image) pair, because a heap lives exactly as long
 * as an image: an exec starts a new image with a fresh heap at a new
 * (randomized) start, and a fork starts one with a copy of its parent's heap
 * (its start and break; the child's MAX counts from the heap it was born
 * with). A brk of any thread counts in its thread group's current image,
 * whatever the group's leader has done (pthread_exit, or an exec by another
 * thread). A process made with CLONE_VM but not CLONE_THREAD (vfork,
 * posix_spawn, clone) shares its parent's memory, so its brk calls count in
 * the parent's image until it execs. Allocator tricks that bypass the shim's
 * sbrk (glibc's __sbrk, a raw brk system call, a forged __curbrk) are all brk
 * system calls, so all seen.
 *
 * Cost: a trace stop is two context switches and a few ptrace calls, about
 * 8 us of wall time per brk on this project's 2-core machine (run_init.h),
 * tracer and program on one CPU. The shim moves the kernel's break one page
 * at a time, so even tester-17, the most brk-hungry tester, makes about
 * 62,500 brk calls (docs/security.md has the measured table: 1.80 times the
 * wall time, 1.22 times the CPU time). An allocator that calls brk itself for
 * every growth, bypassing the shim, pays a stop per call.
 *
 * Stops that earn time. A stop costs the program time it would not spend
 * unwitnessed, which the tracer may give back (run_init.h); a stop the
 * program makes only to be given time must earn nothing. So the witness
 * sorts the stops of each brk by what it did to the kernel's break:
 *   - a brk that moved no break across a page (brk(0), any refused one, one
 *     within a page) earns nothing: the shim never makes one;
 *   - a brk that grew an image's heap past the largest heap of any image of
 *     the run so far, to the page, is counted in growth_stops: at most one
 *     or two stops per page of the run's largest heap, which is its MAX;
 *   - any other brk that moved a break across a page (a shrink, a growth
 *     back to a size reached before) is timed, from the moment the
 *     tracer's wait returned the stop to the resume, in moved_ns: only what
 *     it measurably cost the witness (never the program's own work, which
 *     may go on on another CPU until the wait returns).
 *
 * Memory outside the heap. The course's MAX is bytes from sbrk, and an
 * allocator never maps memory; but bookkeeping kept outside the heap (sizes
 * in an mmap'd side table, a memfd, SysV shared memory) would shrink the
 * heap the witness sees. So the filter also stops at the calls that can add
 * memory to a process image: mmap of writable or shared memory, mprotect
 * and pkey_mprotect that make memory writable, mremap and shmat (x86-64;
 * the confinement refuses the other ABIs, and MAP_GROWSDOWN, whose memory
 * would grow without a call, is refused here with EPERM). At each such
 * call's exit the witness reads the kernel's count of the image's private
 * writable memory (VmData of /proc/PID/status, which holds every private
 * writable mapping, file-backed or not, and the heap) and keeps its peak
 * less the heap; shared memory, which VmData leaves out, it adds up from the
 * calls themselves (the length of a MAP_SHARED mmap, a segment's size at
 * shmat, what an mremap adds). Those two figures, per image, include the
 * program's own mappings, its libraries' data, thread stacks and the shim's
 * tables; the runner holds them against the same figures of the reference
 * run on glibc (harness/runner/trust.c), which has all of those and no
 * graded allocator. Such calls are rare (tens per run: the loader, threads),
 * and their stops earn no time.
 *
 * Use from the tracer: brk_witness_prepare_child() in the child between fork
 * and exec; brk_witness_start() after the fork; every wait status of any
 * traced process (waitpid(-1, ..., __WALL)) through brk_witness_event(),
 * which resumes trace stops itself. No allocation: the tables are fixed.
 */
#ifndef MSTATS_BRK_WITNESS_H
#define MSTATS_BRK_WITNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A growth up to this size is taken as certain (see on_brk), larger ones
 * are read at the system call's exit. */
#define BRK_WITNESS_CERTAIN_GROWTH (64ULL << 20)

/* Tasks of the run inside a page-crossing brk at once (threads). */
#define BRK_WITNESS_PENDING_MAX 64

/* Images witnessed in one run; later ones are counted in images_dropped. */
#define BRK_WITNESS_IMAGES_MAX 1024

/* Thread groups (processes) alive at once that the witness remembers. A
 * process that finds the table full is not witnessed (counted dropped). */
#define BRK_WITNESS_GROUPS_MAX 256

/* Non-leader threads alive at once whose thread group is remembered; past
 * that, a thread's group is read from /proc at each of its brk calls. */
#define BRK_WITNESS_THREADS_MAX 256

/* One process image's heap as the kernel saw it. */
typedef struct {
    pid_t pid;         /* its thread group id, in the tracer's PID namespace */
    uintptr_t start;   /* the kernel's start_brk: its break before any brk */
    uintptr_t current; /* the break as the kernel last set it */
    uintptr_t peak;    /* the highest break */
    uint64_t calls;    /* brk system calls made by the image's threads */
    /* Memory outside the heap ("Memory outside the heap" above): the peak of
     * its private writable memory less the heap, and the shared memory it
     * mapped, in bytes. */
    uint64_t private_peak;
    uint64_t shared;
} BrkWitnessImage;

/* A thread group alive now, and the image its brk calls count in. */
typedef struct {
    pid_t tgid; /* 0: a free slot */
    int image;  /* index in images; -1: not witnessed (before its first exec, or dropped) */
} BrkWitnessGroup;

/* A thread that is not its group's leader, and its group. */
typedef struct {
    pid_t tid;  /* 0: a free slot */
    pid_t tgid; /* its thread group */
} BrkWitnessThread;

/* A task stopped again at the exit of its brk or mapping call, and the
 * image the call was in. */
typedef struct {
    pid_t task; /* 0: a free slot */
    int image;
    int64_t entry_ns;     /* what the brk's entry stop took the witness */
    long call;            /* the system call's number */
    uint64_t shared;      /* mmap MAP_SHARED, mremap: the bytes it adds if it succeeds; shmat: 0 */
    long shm_id;          /* shmat: the segment */
    uint64_t data_before; /* mremap: the task's VmData before it */
} BrkWitnessPending;

typedef struct {
    pid_t program;          /* the first traced process (forked by the tracer) */
    bool started;           /* the program's first stop was seen and options set */
    bool failed;            /* tracing could not be set up or went wrong */
    int error;              /* errno of the failure */
    bool data_limit;        /* RLIMIT_DATA is finite: growths are never certain */
    bool strict_overcommit; /* vm.overcommit_memory is 2: nor are they then */
    BrkWitnessImage images[BRK_WITNESS_IMAGES_MAX]; /* in the order they started */
    int image_count;
    int images_dropped; /* images started past the table, or of a process not followed */
    BrkWitnessGroup groups[BRK_WITNESS_GROUPS_MAX];
    BrkWitnessThread threads[BRK_WITNESS_THREADS_MAX];
    BrkWitnessPending pending[BRK_WITNESS_PENDING_MAX];
    uint64_t brk_stops;     /* every brk stop, of witnessed images or not */
    uint64_t exit_stops;    /* of which the outcome was read at the exit too (and mapping calls) */
    uint64_t mapping_stops; /* stops at calls that may add memory outside the heap */
    /* What the stops cost, for the time the run is given for them (see
     * "Stops that earn time" above). */
    uint64_t largest_heap; /* the largest heap of any image so far, to the page */
    uint64_t growth_stops; /* stops of brk calls that grew it past a page */
    uint64_t moved_stops;  /* stops of other brk calls that moved a break across a page */
    int64_t moved_ns;      /* the witness's time over those, stop to resume */
} BrkWitness;

/* In the child, after fork and before exec: asks to be traced by the parent,
 * stops until the parent has set up tracing, and installs the brk filter.
 * Async-signal-safe. Returns 0, or -1 with errno. */
int brk_witness_prepare_child(void);

/* In the parent, right after the fork: starts witnessing `program`, whose
 * first image starts at its exec. */
void brk_witness_start(BrkWitness *witness, pid_t program);

/* Handles the wait `status` of traced task `pid`, which the tracer began on
 * at `began_ns` (CLOCK_MONOTONIC: when the wait returned it). Returns
 * true when it was a trace stop, which it has resumed (the caller then waits
 * again); false for an exit or a death, which the caller handles as usual. */
bool brk_witness_event(BrkWitness *witness, pid_t pid, int status, int64_t began_ns);

/* CLOCK_MONOTONIC in nanoseconds, the clock of `began_ns`. */
int64_t brk_witness_clock_ns(void);

/* The trace stops the run has made so far: one per brk, a second one per
 * growth read at its exit, and two per call that may add memory. */
static inline uint64_t brk_witness_stops(const BrkWitness *witness)
{
    return witness->brk_stops + witness->mapping_stops + witness->exit_stops;
}

/* An image's witnessed heap peak in bytes above its start (its MAX as the
 * kernel saw it). */
static inline uint64_t brk_witness_image_max(const BrkWitnessImage *image)
{
    return image->peak > image->start ? image->peak - image->start : 0;
}

/* An image's memory outside its heap in bytes: its peak of private writable
 * memory less the heap, and the shared memory it mapped. */
static inline uint64_t brk_witness_image_outside(const BrkWitnessImage *image)
{
    return image->private_peak + image->shared;
}

/* The brk system calls of all witnessed images. */
static inline uint64_t brk_witness_brks(const BrkWitness *witness)
{
    uint64_t total = 0;
    for (int i = 0; i < witness->image_count; i++)
        total += witness->images[i].calls;
    return total;
}

#endif
