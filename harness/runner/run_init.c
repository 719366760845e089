/* mstats-run-init: the first process of every run, between the runner and the
 * measured program. It exists for three reasons:
 *  1. Containment. Inside the bubblewrap sandbox it is PID 1 of the run's PID
 *     namespace (bwrap --as-pid-1), so when it exits the kernel kills every
 *     process the run started. Without a sandbox it is a child subreaper
 *     (PR_SET_CHILD_SUBREAPER) that finds and kills every descendant itself.
 *  2. The program's own wait status and CPU time. bwrap only passes on an exit
 *     code in shell encoding (128 + signal), which cannot tell a crash from
 *     exit(139); as the program's parent, this process sees the raw status.
 *  3. A clock that starts when the program does: the timeout and TIME never
 *     include the sandbox's set-up or the clean-up after the program.
 * It reports one line on STATUS_FD, written only after every other process
 * of the run is gone, so nothing of the run can write after it.
 *
 * usage: mstats-run-init STATUS_FD TIMEOUT_MS DATA_LIMIT [NAME=VALUE...] --
 *                        PROGRAM_PATH ARGV0 [ARG...]
 *        mstats-run-init --probe   (exits 0: the sandbox can start programs)
 * NAME=VALUE pairs are put into the program's environment only (LD_PRELOAD of
 * the shim must reach the program, not this process). DATA_LIMIT > 0 sets
 * the program's RLIMIT_DATA. TIMEOUT_MS 0 means no timeout.
 *
 * libc only, single-threaded; it never allocates after the program starts.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_init.h"

/* How long the program has after SIGTERM before SIGKILL. */
#define GRACE_NS 1000000000LL

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* A handler that does nothing: signals stay blocked and are taken with
 * sigtimedwait, but PID 1 of a namespace receives only signals it handles. */
static void note_signal(int signal_number)
{
    (void)signal_number;
}

/* Sends `signal_number` to every process below `pid` (children first
 * discovered through /proc/PID/task/TID/children, then theirs). */
static void signal_descendants(pid_t pid, int signal_number)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *tasks = opendir(path);
    if (tasks == NULL)
        return;
    struct dirent *task;
    while ((task = readdir(tasks)) != NULL) {
        if (task->d_name[0] == '.')
            continue;
        char children_path[360];
        snprintf(children_path, sizeof children_path, "/proc/%d/task/%s/children", (int)pid,
                 task->d_name);
        FILE *children = fopen(children_path, "re");
        if (children == NULL)
            continue;
        int child;
        while (fscanf(children, "%d", &child) == 1) {
            /* Stop it before walking below it, so that it cannot add children
             * we would miss; SIGKILL and SIGTERM wake it again (SIGCONT). */
            kill(child, SIGSTOP);
            signal_descendants(child, signal_number);
            kill(child, signal_number);
            kill(child, SIGCONT);
        }
        fclose(children);
    }
    closedir(tasks);
}

/* Sends `signal_number` to every other process of the run. */
static void signal_run(int signal_number)
{
    if (getpid() == 1)
        kill(-1, signal_number); /* PID 1: every process of the namespace but itself */
    else
        signal_descendants(getpid(), signal_number);
}

/* Kills and reaps everything left of the run; returns when nothing is. */
static void clear_run(void)
{
    for (;;) {
        signal_run(SIGKILL);
        if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
            return;
    }
}

/* In the program's child, before exec: the environment, limits and signal
 * state the program should start with. Only async-signal-safe calls. */
static void __attribute__((noreturn))
exec_program(char **env_pairs, int pair_count, long long data_limit, char *path, char **argv,
             int errno_pipe)
{
    for (int i = 0; i < pair_count; i++)
        putenv(env_pairs[i]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* Past the run's memory bound, the kernel should kill the program (and
     * what it starts), not this process. */
    int adjust = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (adjust >= 0 && write(adjust, "1000", 4) == 4)
        close(adjust);
    if (data_limit > 0) {
        struct rlimit limit = {(rlim_t)data_limit, (rlim_t)data_limit};
        setrlimit(RLIMIT_DATA, &limit);
    }
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv(path, argv);
    int error = errno;
    if (write(errno_pipe, &error, sizeof error) < 0)
        _exit(127);
    _exit(127);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--probe") == 0)
        return 0;
    int separator = 0;
    for (int i = 4; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            separator = i;
            break;
        }
    if (argc < 5 || separator == 0 || separator + 2 >= argc) {
        fprintf(stderr, "mstats-run-init: usage: STATUS_FD TIMEOUT_MS DATA_LIMIT [NAME=VALUE...] "
                        "-- PROGRAM_PATH ARGV0 [ARG...] (started by the mstats runner only)\n");
        return 2;
    }
    int status_fd = atoi(argv[1]);
    long long timeout_ns = atoll(argv[2]) * 1000000LL;
    long long data_limit = atoll(argv[3]);
    fcntl(status_fd, F_SETFD, FD_CLOEXEC);
    /* Other processes of the same user cannot open our descriptors through
     * /proc or trace us: the status line stays ours. */
    prctl(PR_SET_DUMPABLE, 0);
    if (getpid() != 1)
        prctl(PR_SET_CHILD_SUBREAPER, 1);

    sigset_t handled;
    sigemptyset(&handled);
    int signals[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP};
    struct sigaction action = {.sa_handler = note_signal};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        sigaddset(&handled, signals[i]);
        sigaction(signals[i], &action, NULL);
    }
    sigprocmask(SIG_BLOCK, &handled, NULL);

    int errno_pipe[2];
    if (pipe2(errno_pipe, O_CLOEXEC) != 0)
        return 1;
    long long start = now_ns();
    pid_t program = fork();
    if (program < 0)
        return 1;
    if (program == 0)
        exec_program(argv + 4, separator - 4, data_limit, argv[separator + 1], argv + separator + 2,
                     errno_pipe[1]);
    close(errno_pipe[1]);

    RunInitReport report = {0};
    long long stop_at = timeout_ns > 0 ? start + timeout_ns : -1; /* SIGTERM then */
    long long kill_at = -1;                                       /* SIGKILL then */
    struct rusage usage = {0};
    int status = 0;
    for (;;) {
        pid_t reaped;
        while ((reaped = wait4(-1, &status, WNOHANG, &usage)) > 0 && reaped != program) {
        }
        if (reaped == program)
            break;
        long long now = now_ns();
        if (stop_at >= 0 && now >= stop_at && kill_at < 0) {
            report.timed_out = 1;
            signal_run(SIGTERM);
            kill_at = now + GRACE_NS;
        }
        if (kill_at >= 0 && now >= kill_at) {
            report.needed_sigkill = 1;
            signal_run(SIGKILL);
            kill_at = now + GRACE_NS; /* again if something escaped the first */
        }
        long long next = kill_at >= 0 ? kill_at : stop_at;
        long long wait_ns = next >= 0 ? next - now : 1000000000LL * 3600;
        struct timespec wait_for = {wait_ns / 1000000000LL, wait_ns % 1000000000LL};
        siginfo_t info;
        int taken = sigtimedwait(&handled, &info, &wait_for);
        if (taken == SIGTERM || taken == SIGINT || taken == SIGHUP) {
            /* The runner stops the run: pass the signal on, SIGKILL later. */
            signal_run(taken);
            if (kill_at < 0)
                kill_at = now_ns() + GRACE_NS;
        }
    }
    report.wall_ns = now_ns() - start;
    report.wait_status = status;
    report.cpu_us = (long long)usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec +
                    (long long)usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec;
    int exec_errno = 0;
    if (read(errno_pipe[0], &exec_errno, sizeof exec_errno) == (ssize_t)sizeof exec_errno)
        report.exec_errno = exec_errno;
    clear_run();

    char line[RUN_INIT_LINE_MAX];
    int length = run_init_format(&report, line, sizeof line);
    if (length <= 0 || write(status_fd, line, (size_t)length) != length)
        return 1;
    return 0;
}
