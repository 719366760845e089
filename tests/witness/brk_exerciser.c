/* brk-exerciser: moves its own break every way a graded allocator could, and
 * prints the true peak of its heap as the kernel reported it:
 *   truth: max=BYTES
 * (the highest break any brk system call returned, minus the first). The
 * brk witness must see exactly this. Ways: glibc's sbrk in small steps, raw
 * brk system calls, a growth the kernel refuses, a shrink, a thread, and a
 * clone(CLONE_VM) child that shares the heap without being a thread. A forked
 * child's heap is its own and must not count; it is an image of its own,
 * which starts with the parent's heap as it was at the fork, and prints
 *   truth: child pid=PID max=BYTES
 * No malloc: stdio's buffers come from the heap, so the output is written
 * with write(2). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static uintptr_t start, peak;

/* The raw system call: returns the break the kernel set (or kept). */
static uintptr_t raw_brk(uintptr_t address)
{
    uintptr_t result = (uintptr_t)syscall(SYS_brk, address);
    if (result > peak)
        peak = result;
    return result;
}

static void *thread_grows(void *unused)
{
    (void)unused;
    uintptr_t here = raw_brk(0);
    raw_brk(here + (3u << 20));
    raw_brk(here);
    return NULL;
}

static int clone_grows(void *unused)
{
    (void)unused;
    uintptr_t here = raw_brk(0);
    raw_brk(here + (5u << 20) + 123);
    raw_brk(here);
    return 0;
}

int main(void)
{
    start = peak = raw_brk(0);
    for (int i = 0; i < 1000; i++) { /* glibc's sbrk: one brk each */
        void *old = sbrk(100);
        if (old != (void *)-1 && (uintptr_t)old + 100 > peak)
            peak = (uintptr_t)old + 100;
    }
    uintptr_t here = raw_brk(0);
    raw_brk(here + (1u << 20) + 7);
    raw_brk(here + (1ULL << 46)); /* refused: far beyond any memory */
    raw_brk(here + 4096);         /* a shrink */
    raw_brk(start - 4096);        /* below the start: refused */

    pthread_t thread;
    pthread_create(&thread, NULL, thread_grows, NULL);
    pthread_join(thread, NULL);

    static char stack[64 << 10] __attribute__((aligned(16)));
    pid_t sharer = clone(clone_grows, stack + sizeof stack, CLONE_VM | SIGCHLD, NULL);
    if (sharer > 0)
        waitpid(sharer, NULL, 0);

    pid_t child = fork();
    if (child == 0) {
        uintptr_t mine = (uintptr_t)syscall(SYS_brk, 0);
        uintptr_t grown = (uintptr_t)syscall(SYS_brk, mine + (100u << 20));
        uintptr_t child_peak = grown > mine ? grown : mine;
        char line[96];
        int n = snprintf(line, sizeof line, "truth: child pid=%d max=%llu\n", (int)getpid(),
                         (unsigned long long)(child_peak - start));
        _exit(write(STDOUT_FILENO, line, (size_t)n) == n ? 0 : 1);
    }
    waitpid(child, NULL, 0);

    char line[64];
    int n = snprintf(line, sizeof line, "truth: max=%llu\n", (unsigned long long)(peak - start));
    return write(STDOUT_FILENO, line, (size_t)n) == n ? 0 : 1;
}
