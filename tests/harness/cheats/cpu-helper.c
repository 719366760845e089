/* Tries: CPU work handed to a forked helper that is never waited for. This
 * allocator does something deliberately costly in every call: a 5 ms scan,
 * for the first 500 calls (2.5 s of CPU in all, CHEAT_BURN_NS, as the
 * gallery's other time cheats; tester-4's 513 calls spend it all). A
 * constructor forks a helper once; each call posts its scan to the helper
 * through a MAP_SHARED anonymous mapping and blocks on a futex (no spinning)
 * until the helper has done it. The program's own CPU time stays a few
 * hundredths of a second: it is all that wait4's rusage gives mstats, since
 * the helper is never waited for (the run's end kills it; outside mstats it
 * leaves once the program is gone). The wall time is the work's, so what the
 * cheat escapes is a CPU limit: a rubric's time-ratio or cpu-seconds, and
 * mcompare's -t (RLIMIT_CPU), which the helper inherits but counts per
 * process: the helper hands over to a fresh forked successor before it has
 * spent half of it.
 * The control variant: MSTATS_CHEAT_IN_PROCESS=1 in the environment makes the
 * same scans in the calling process, with no helper: CPU-TIME 2.5 s, and
 * `mcompare -t 1` stops it (15, SIGXCPU) where the helper's run is OK.
 * Caught by: CPU time taken from the run's cgroup, which counts every process
 * of the run -> CPU-TIME of at least the 2.5 s the helpers burnt. */
static void scan_somewhere(void);
#define CHEAT_ON_CALL() scan_somewhere()
#include "cheat_core.h"

#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>

/* The calls that scan, and each scan's CPU time. */
#define SCANNING_CALLS 500u
#define SCAN_NS (CHEAT_BURN_NS / SCANNING_CALLS)

/* The mailbox the program and its helper share: scans asked and done. */
typedef struct {
    _Atomic uint32_t asked;
    _Atomic uint32_t done;
} Mailbox;

static Mailbox *mailbox; /* NULL: no helper, the scans run in the process */

/* The costly part: a scan of SCAN_NS of the calling process's CPU time. */
static void scan(void)
{
    long long end = cheat_cpu_ns() + SCAN_NS;
    while (cheat_cpu_ns() < end) {
        for (volatile unsigned i = 0; i < 2000; i++) {
        }
    }
}

/* Shared (not private) futex calls: the word is in memory both processes
 * map. The wait gives up after a second, for the helper to look around. */
static void futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
    struct timespec second = {1, 0};
    syscall(SYS_futex, word, FUTEX_WAIT, seen, &second, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

/* The helper: one scan per request, forever, blocked while none is asked.
 * It leaves when the program is gone (outside mstats; inside, the run's end
 * kills it). A CPU limit (RLIMIT_CPU, inherited: mcompare's -t) counts each
 * process's own CPU time, so before the helper has spent half of it, it
 * forks its successor, whose count starts at 0, and exits: a relay. */
static _Noreturn void helper(Mailbox *box, pid_t program)
{
    struct rlimit cpu;
    long long relay_ns = 0; /* 0: no limit, no relay */
    if (getrlimit(RLIMIT_CPU, &cpu) == 0 && cpu.rlim_cur != RLIM_INFINITY)
        relay_ns = (long long)cpu.rlim_cur * 500000000LL;
    uint32_t served = 0;
    for (;;) {
        while (atomic_load(&box->asked) == served) {
            if (kill(program, 0) != 0)
                _exit(0);
            futex_wait(&box->asked, served);
        }
        if (relay_ns != 0 && cheat_cpu_ns() + SCAN_NS > relay_ns && fork() > 0)
            _exit(0); /* the successor goes on (and this one, if fork failed) */
        served++;
        scan();
        atomic_store(&box->done, served);
        futex_wake_all(&box->done);
    }
}

/* At load: the mailbox and the helper, unless MSTATS_CHEAT_IN_PROCESS=1 asks
 * for the control variant (or either cannot be had). */
__attribute__((constructor)) static void start_helper(void)
{
    const char *in_process = getenv("MSTATS_CHEAT_IN_PROCESS");
    if (in_process != NULL && strcmp(in_process, "1") == 0)
        return;
    Mailbox *box = mmap(NULL, sizeof *box, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                        -1, 0);
    if (box == MAP_FAILED)
        return;
    pid_t program = getpid();
    pid_t child = fork();
    if (child == 0)
        helper(box, program);
    if (child > 0)
        mailbox = box;
}

/* In each of the first SCANNING_CALLS calls: the scan, by the helper while the
 * call sleeps on the futex, or here. */
static void scan_somewhere(void)
{
    if (cheat_calls > SCANNING_CALLS)
        return;
    if (mailbox == NULL) {
        scan();
        return;
    }
    uint32_t asked = atomic_fetch_add(&mailbox->asked, 1) + 1;
    futex_wake_all(&mailbox->asked);
    uint32_t done; /* served in order: wait until the helper reaches this one */
    while ((int32_t)((done = atomic_load(&mailbox->done)) - asked) < 0)
        futex_wait(&mailbox->done, done);
}
