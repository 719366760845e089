/* fork + exec rather than g_spawn: the child must join a new process group
 * (so a timeout kills everything the program started), keep exactly the
 * region descriptors open, and write its pid into the region before exec. The
 * child runs only async-signal-safe calls, so this is safe in a threaded
 * caller. Waiting uses a pidfd, which lets several threads each wait for
 * their own child with a timeout. */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

/* Process groups of the programs running now, for mstats_forward_signal. */
#define RUNNING_MAX 256
static pid_t running_groups[RUNNING_MAX];

static void running_add(pid_t pid)
{
    for (int i = 0; i < RUNNING_MAX; i++) {
        pid_t empty = 0;
        if (__atomic_compare_exchange_n(&running_groups[i], &empty, pid, FALSE, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return;
    }
}

static void running_remove(pid_t pid)
{
    for (int i = 0; i < RUNNING_MAX; i++) {
        pid_t expected = pid;
        if (__atomic_compare_exchange_n(&running_groups[i], &expected, 0, FALSE, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return;
    }
}

void mstats_forward_signal(int signal_number)
{
    for (int i = 0; i < RUNNING_MAX; i++) {
        pid_t group = __atomic_load_n(&running_groups[i], __ATOMIC_SEQ_CST);
        if (group > 0)
            kill(-group, signal_number);
    }
}

void mstats_forward_stop_signals(void)
{
    struct sigaction forward = {.sa_handler = mstats_forward_signal};
    sigemptyset(&forward.sa_mask);
    sigaction(SIGTERM, &forward, NULL);
    sigaction(SIGINT, &forward, NULL);
    sigaction(SIGHUP, &forward, NULL);
}

/* Hands the terminal on stdin to process group `group` (shells do this so
 * that the program can read the terminal and gets Ctrl-C). */
static void give_terminal(pid_t group)
{
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGTTOU, &ignore, &old);
    tcsetpgrp(STDIN_FILENO, group);
    sigaction(SIGTTOU, &old, NULL);
}

static gboolean own_terminal(void)
{
    return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

static __attribute__((noreturn)) void run_child(const SpawnPlan *plan, gboolean terminal)
{
    setpgid(0, 0);
    if (terminal)
        give_terminal(getpid());
    for (int i = 0; i < 2; i++)
        if (plan->inherit_fds[i] >= 0)
            fcntl(plan->inherit_fds[i], F_SETFD, 0);
    if (plan->stdout_fd >= 0)
        dup2(plan->stdout_fd, STDOUT_FILENO);
    if (plan->stderr_fd >= 0)
        dup2(plan->stderr_fd, STDERR_FILENO);
    /* The default dispositions a program expects, whatever the runner set. */
    signal(SIGPIPE, SIG_DFL);
    plan->region->reporter_pid = getpid();
    execve(plan->program_path, plan->argv, plan->envp);
    plan->region->exec_errno = errno;
    _exit(127);
}

/* Waits until the child can be reaped or `milliseconds` pass (<0: forever).
 * Returns TRUE when it can be reaped. */
static gboolean wait_exit(pid_t pid, int pidfd, gint64 milliseconds)
{
    gint64 deadline = g_get_monotonic_time() + milliseconds * 1000;
    for (;;) {
        gint64 left = milliseconds < 0 ? -1 : (deadline - g_get_monotonic_time()) / 1000;
        if (milliseconds >= 0 && left < 0)
            left = 0;
        if (pidfd >= 0) {
            struct pollfd p = {.fd = pidfd, .events = POLLIN};
            int n = poll(&p, 1, left > G_MAXINT ? G_MAXINT : (int)left);
            if (n > 0)
                return TRUE;
            if (n == 0 && left < G_MAXINT)
                return FALSE;
        } else {
            /* No pidfd (old kernel): peek with waitid, sleeping 5 ms between looks. */
            siginfo_t info = {0};
            if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                info.si_pid == pid)
                return TRUE;
            if (left == 0)
                return FALSE;
            g_usleep(5000);
        }
    }
}

gboolean spawn_and_wait(const SpawnPlan *plan, SpawnOutcome *outcome, GError **error)
{
    gboolean terminal = plan->take_terminal && own_terminal();
    gint64 start = g_get_monotonic_time();
    pid_t pid = fork();
    if (pid < 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot fork: %s", g_strerror(errno));
        return FALSE;
    }
    if (pid == 0)
        run_child(plan, terminal);
    setpgid(pid, pid); /* also here: no race with a kill before the child ran */
    running_add(pid);
    if (terminal)
        give_terminal(pid);

    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    gint64 limit_ms = plan->timeout_seconds > 0 ? (gint64)(plan->timeout_seconds * 1000) : -1;
    outcome->timed_out = FALSE;
    outcome->needed_sigkill = FALSE;
    if (!wait_exit(pid, pidfd, limit_ms)) {
        outcome->timed_out = TRUE;
        kill(-pid, SIGTERM);
        if (!wait_exit(pid, pidfd, 1000)) {
            outcome->needed_sigkill = TRUE;
            kill(-pid, SIGKILL);
        }
    }
    gint64 end = g_get_monotonic_time();
    struct rusage usage = {0};
    int status = 0;
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    if (pidfd >= 0)
        close(pidfd);
    running_remove(pid);
    if (terminal)
        give_terminal(getpgrp());
    outcome->wait_status = status;
    outcome->wall_seconds = (double)(end - start) / G_USEC_PER_SEC;
    outcome->cpu_seconds = (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
                           (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    return TRUE;
}
