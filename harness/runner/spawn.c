/* fork + exec rather than g_spawn: the child must join a new process group,
 * die with the harness (PR_SET_PDEATHSIG) and keep exactly the region and
 * status descriptors open. The child runs only async-signal-safe calls, so
 * this is safe in a threaded caller. Waiting uses a pidfd, which lets several
 * threads each wait for their own child with a timeout.
 *
 * The child execs the run's first process, mstats-run-init (in bwrap or not),
 * which starts the program, stops it at the timeout and reports the program's
 * own status, times and CPU time once every other process of the run is gone
 * (run_init.c). So when the child has exited, the run is over. */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "run_init.h"

/* How long past the timeout the runner waits for mstats-run-init to stop the
 * program (SIGTERM, a second, SIGKILL, clean-up) before it kills the run. */
#define WATCHDOG_MARGIN_MS 10000

/* The runs going on now, for mstats_forward_signal: each one's process
 * group, and, for a sandboxed run, the pid of its mstats-run-init (which
 * passes a signal on to every process of the run; bwrap would just die). */
static pid_t running_groups[MSTATS_RUNNING_MAX];
static pid_t running_inits[MSTATS_RUNNING_MAX];

/* Registers a run; returns its slot (-1 when all are taken). */
static int running_add(pid_t pid)
{
    for (int i = 0; i < MSTATS_RUNNING_MAX; i++) {
        pid_t empty = 0;
        if (__atomic_compare_exchange_n(&running_groups[i], &empty, pid, FALSE, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return i;
    }
    return -1;
}

static void running_remove(int slot)
{
    if (slot < 0)
        return;
    __atomic_store_n(&running_inits[slot], 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&running_groups[slot], 0, __ATOMIC_SEQ_CST);
}

void mstats_forward_signal(int signal_number)
{
    for (int i = 0; i < MSTATS_RUNNING_MAX; i++) {
        pid_t init = __atomic_load_n(&running_inits[i], __ATOMIC_SEQ_CST);
        pid_t group = __atomic_load_n(&running_groups[i], __ATOMIC_SEQ_CST);
        if (init > 0)
            kill(init, signal_number);
        else if (group > 0)
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

static __attribute__((noreturn)) void run_child(const SpawnPlan *plan, gboolean terminal,
                                                pid_t parent)
{
    setpgid(0, 0);
    if (terminal)
        give_terminal(getpid());
    /* If the harness dies, so does the run (and with it, through bwrap's
     * --die-with-parent or PR_SET_PDEATHSIG, the program). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    for (int i = 0; i < SPAWN_INHERITED; i++)
        if (plan->inherit_fds[i] >= 0)
            fcntl(plan->inherit_fds[i], F_SETFD, 0);
    if (plan->stdin_fd >= 0)
        dup2(plan->stdin_fd, STDIN_FILENO);
    if (plan->stdout_fd >= 0)
        dup2(plan->stdout_fd, STDOUT_FILENO);
    if (plan->stderr_fd >= 0)
        dup2(plan->stderr_fd, STDERR_FILENO);
    /* The default dispositions a program expects, whatever the runner set. */
    signal(SIGPIPE, SIG_DFL);
    execve(plan->argv[0], plan->argv, plan->envp);
    plan->region->exec_errno = errno;
    _exit(127);
}

/* Reads what is there on `fd` (non-blocking) into `text`. */
static void drain_status(int fd, GString *text)
{
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            g_string_append_len(text, buffer, n);
}

/* Waits until the child can be reaped or `milliseconds` pass (<0: forever),
 * reading mstats-run-init's report into `status` as it comes: a report of
 * many process images may not fit the pipe, and its writer must not wait
 * for a reader that waits for it to exit. Returns TRUE when it can be reaped. */
static gboolean wait_exit(pid_t pid, int pidfd, int status_fd, GString *status, gint64 milliseconds)
{
    gint64 deadline = g_get_monotonic_time() + milliseconds * 1000;
    fcntl(status_fd, F_SETFL, O_NONBLOCK);
    for (;;) {
        gint64 left = milliseconds < 0 ? -1 : (deadline - g_get_monotonic_time()) / 1000;
        if (milliseconds >= 0 && left < 0)
            left = 0;
        if (pidfd >= 0) {
            struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
                                  {.fd = status_fd, .events = POLLIN}};
            int n = poll(p, 2, left > G_MAXINT ? G_MAXINT : (int)left);
            if (n > 0 && (p[1].revents & POLLIN))
                drain_status(status_fd, status);
            if (n > 0 && (p[0].revents & POLLIN))
                return TRUE;
            if (n == 0 && left < G_MAXINT)
                return FALSE;
        } else {
            /* No pidfd (old kernel): peek with waitid, sleeping 5 ms between looks. */
            drain_status(status_fd, status);
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

/* The pid (as the harness sees it) of the sandbox's mstats-run-init, from
 * bwrap's --info-fd ({"child-pid": N, ...}); waits until bwrap wrote it or
 * the run ended. 0 when it did not come. */
static pid_t sandbox_init_pid(int info_fd, int pidfd)
{
    GString *text = g_string_new(NULL);
    pid_t init = 0;
    for (;;) {
        struct pollfd polled[2] = {{.fd = info_fd, .events = POLLIN},
                                   {.fd = pidfd, .events = POLLIN}};
        if (poll(polled, pidfd >= 0 ? 2 : 1, 10000) <= 0 || !(polled[0].revents & POLLIN))
            break;
        char buffer[512];
        ssize_t n = read(info_fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        g_string_append_len(text, buffer, n);
        const char *key = strstr(text->str, "\"child-pid\"");
        if (key != NULL && strchr(key, ',') != NULL) {
            const char *colon = strchr(key, ':');
            init = colon != NULL ? (pid_t)g_ascii_strtoll(colon + 1, NULL, 10) : 0;
            break;
        }
    }
    g_string_free(text, TRUE);
    return init;
}

/* Kills a run whose mstats-run-init did not finish in time: bwrap (or the
 * unsandboxed init) and its group at once, then waits until the sandbox's
 * init is gone, which is when the kernel has killed its namespace. */
static void kill_run(pid_t pid, int init_pidfd)
{
    kill(-pid, SIGKILL);
    if (init_pidfd >= 0) {
        syscall(SYS_pidfd_send_signal, init_pidfd, SIGKILL, NULL, 0);
        struct pollfd p = {.fd = init_pidfd, .events = POLLIN};
        poll(&p, 1, 10000);
    }
}

static double seconds_of(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

gboolean spawn_and_wait(const SpawnPlan *plan, SpawnOutcome *outcome, GError **error)
{
    gboolean terminal = plan->take_terminal && own_terminal();
    /* The report is read once the run is over, so the pipe must hold all of
     * it (a line per image); a pipe made past the user's soft limit holds
     * only a page or two. */
    fcntl(plan->status_fd, F_SETPIPE_SZ, RUN_INIT_REPORT_MAX);
    gint64 start = g_get_monotonic_time();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot fork: %s", g_strerror(errno));
        return FALSE;
    }
    if (pid == 0)
        run_child(plan, terminal, parent);
    setpgid(pid, pid); /* also here: no race with a kill before the child ran */
    int slot = running_add(pid);
    if (terminal)
        give_terminal(pid);

    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int init_pidfd = -1;
    if (plan->info_fd >= 0) {
        pid_t init = sandbox_init_pid(plan->info_fd, pidfd);
        if (init > 0)
            init_pidfd = (int)syscall(SYS_pidfd_open, init, 0);
        if (init_pidfd >= 0 && slot >= 0)
            __atomic_store_n(&running_inits[slot], init, __ATOMIC_SEQ_CST);
    }
    /* mstats-run-init enforces the timeout from the program's start; this
     * is the net under it, for a run whose first process cannot report. */
    double stretch = plan->witnessed ? RUN_INIT_WITNESS_STRETCH : 1;
    gint64 limit_ms = plan->timeout_seconds > 0
                          ? (gint64)(plan->timeout_seconds * stretch * 1000) + WATCHDOG_MARGIN_MS
                          : -1;
    GString *status_text = g_string_new(NULL);
    gboolean watchdog_fired = !wait_exit(pid, pidfd, plan->status_fd, status_text, limit_ms);
    if (watchdog_fired)
        kill_run(pid, init_pidfd);
    gint64 end = g_get_monotonic_time();
    struct rusage usage = {0};
    int status = 0;
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    if (pidfd >= 0)
        close(pidfd);
    if (init_pidfd >= 0)
        close(init_pidfd);
    running_remove(slot);
    if (terminal)
        give_terminal(getpgrp());

    drain_status(plan->status_fd, status_text); /* the writers are all gone */
    g_autofree char *text = g_string_free(status_text, FALSE);
    RunInitReport report;
    memset(outcome, 0, sizeof *outcome);
    outcome->reported = !watchdog_fired && run_init_parse(text, &report);
    if (outcome->reported) {
        outcome->wait_status = report.wait_status;
        outcome->exec_errno = report.exec_errno;
        outcome->timed_out = report.timed_out != 0;
        outcome->needed_sigkill = report.needed_sigkill != 0;
        outcome->wall_seconds = (double)report.wall_ns / 1e9;
        outcome->cpu_seconds = (double)report.cpu_us / 1e6;
        outcome->witness = report.witness;
        outcome->witness_errno = report.witness_errno;
        outcome->confined = report.confined;
        outcome->confine_errno = report.confine_errno;
        outcome->witness_brks = report.witness_brks;
        outcome->witness_image_count = (guint)report.image_count;
        outcome->witness_images_dropped = (guint)report.images_dropped;
        for (int i = 0; i < report.image_count; i++)
            outcome->witness_images[i] = report.images[i];
    } else {
        outcome->wait_status = status;
        outcome->timed_out = watchdog_fired;
        outcome->needed_sigkill = watchdog_fired;
        outcome->wall_seconds = (double)(end - start) / G_USEC_PER_SEC;
        outcome->cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
    }
    return TRUE;
}
