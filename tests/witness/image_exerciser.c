/* image-exerciser MODE [N]: grows its heap in one kind of run with several
 * process images, and prints the truth of each image it knows, as the kernel
 * reported it:
 *   truth: pid=PID start=ADDRESS max=BYTES
 * (start: the break when the image began; max: the highest break any brk
 * system call of the image returned, less the start). The brk witness must
 * report exactly these, one image each. Modes:
 *   exec N      grows, then execs itself in place as "exec N-1" (N = 0: stops)
 *   exec-env N  the same through env: env's own image comes between
 *   threads     main ends with pthread_exit; two threads then grow the heap
 *   fork        grows, forks a child that grows more, then grows a little
 *   spawn       grows, then posix_spawns "exec 0" (vfork and exec)
 * An image forked from another starts with its parent's heap: its start is
 * the parent's, and its max counts from the parent's break at the fork.
 * Raw brk calls only, and no malloc (stdio's buffers come from the heap):
 * the output is written with write(2). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* This image's heap: its start and the highest break the kernel returned. */
static uintptr_t start, peak;
static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;

static uintptr_t raw_brk(uintptr_t address)
{
    uintptr_t result = (uintptr_t)syscall(SYS_brk, address);
    if (result > peak)
        peak = result;
    return result;
}

/* Moves the break `bytes` up (a few steps, a shrink between). */
static void grow(uintptr_t bytes)
{
    uintptr_t here = raw_brk(0);
    raw_brk(here + bytes / 2 + 4096);
    raw_brk(here + bytes / 4);
    raw_brk(here + bytes);
}

static void print_truth(void)
{
    char line[128];
    int n = snprintf(line, sizeof line, "truth: pid=%d start=%llu max=%llu\n", (int)getpid(),
                     (unsigned long long)start, (unsigned long long)(peak - start));
    if (write(STDOUT_FILENO, line, (size_t)n) != n)
        _exit(1);
}

static void exec_self(const char *mode, int n, int through_env)
{
    char count[16];
    snprintf(count, sizeof count, "%d", n);
    char self[4096];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0)
        _exit(1);
    self[length] = '\0';
    char *direct[] = {"image-exerciser", (char *)mode, count, NULL};
    char *via_env[] = {"env", self, (char *)mode, count, NULL};
    if (through_env)
        execv("/usr/bin/env", via_env);
    else
        execv(self, direct);
    _exit(127);
}

/* True once the thread group's leader (main) has ended. */
static int leader_gone(void)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)getpid());
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 1;
    text[n] = '\0';
    const char *state = strrchr(text, ')');
    return state == NULL || state[2] == 'Z' || state[2] == 'X';
}

static int threads_done;

static void *thread_grows(void *arg)
{
    uintptr_t step = (uintptr_t)arg;
    struct timespec pause = {0, 1000000};
    for (int i = 0; i < 1000 && !leader_gone(); i++)
        nanosleep(&pause, NULL);
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&heap_lock);
        uintptr_t here = raw_brk(0);
        raw_brk(here + step + (uintptr_t)i);
        pthread_mutex_unlock(&heap_lock);
    }
    pthread_mutex_lock(&heap_lock);
    if (++threads_done == 2)
        print_truth();
    pthread_mutex_unlock(&heap_lock);
    return NULL;
}

int main(int argc, char **argv)
{
    start = peak = raw_brk(0);
    const char *mode = argc > 1 ? argv[1] : "";
    int n = argc > 2 ? atoi(argv[2]) : 0;
    if (strcmp(mode, "exec") == 0 || strcmp(mode, "exec-env") == 0) {
        grow(((uintptr_t)n << 20) + 4096 * (uintptr_t)n + 13);
        print_truth();
        if (n > 0)
            exec_self(mode, n - 1, strcmp(mode, "exec-env") == 0);
        return 0;
    }
    if (strcmp(mode, "threads") == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, thread_grows, (void *)(uintptr_t)5000);
        pthread_create(&thread, NULL, thread_grows, (void *)(uintptr_t)7000);
        pthread_exit(NULL);
    }
    if (strcmp(mode, "fork") == 0) {
        grow((1u << 20) + 17);
        pid_t child = fork();
        if (child == 0) {
            /* Born with the parent's heap; its own peak starts at the break. */
            peak = raw_brk(0);
            grow((8u << 20) + 5);
            raw_brk(raw_brk(0) - 65536);
            print_truth();
            _exit(0);
        }
        waitpid(child, NULL, 0);
        grow((2u << 20) + 3);
        print_truth();
        return 0;
    }
    if (strcmp(mode, "spawn") == 0) {
        grow((3u << 20) + 11);
        char *child_argv[] = {"image-exerciser", "exec", "0", NULL};
        pid_t child;
        if (posix_spawn(&child, "/proc/self/exe", NULL, NULL, child_argv, environ) != 0)
            return 1;
        waitpid(child, NULL, 0);
        print_truth();
        return 0;
    }
    return 2;
}
