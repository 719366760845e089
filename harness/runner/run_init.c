/* mstats-run-init: the first process of every run, between the runner and the
 * measured program. It exists for four reasons:
 *  1. Containment. Inside the bubblewrap sandbox it is PID 1 of the run's PID
 *     namespace (bwrap --as-pid-1), so when it exits the kernel kills every
 *     process the run started. Without a sandbox it is a child subreaper
 *     (PR_SET_CHILD_SUBREAPER) that finds and kills every descendant itself.
 *  2. The program's own wait status and CPU time. bwrap only passes on an exit
 *     code in shell encoding (128 + signal), which cannot tell a crash from
 *     exit(139); as the program's parent, this process sees the raw status.
 *  3. A clock that starts when the program does: the timeout and TIME never
 *     include the sandbox's set-up or the clean-up after the program.
 *  4. The brk witness (harness/witness): as the program's parent it traces
 *     the brk system calls of the program and of every process it starts,
 *     and keeps the kernel's account of each process image's heap, which
 *     the graded allocator cannot write to.
 *  5. The program's confinement (confine.h): no privilege, Landlock and a
 *     seccomp filter, applied in the program's child just before its exec,
 *     after the witness's own set-up, and reported with what held.
 * It reports on STATUS_FD (run_init.h: a header line, and a line per process
 * image the witness saw), written at once, only after every other process
 * of the run is gone, so nothing of the run can write after it.
 *
 * usage: mstats-run-init STATUS_FD TIMEOUT_MS DATA_LIMIT WITNESS CONFINE CGROUPS
 *                        [+PATH...] [NAME=VALUE...] -- PROGRAM_PATH ARGV0 [ARG...]
 *        mstats-run-init --probe   (exits 0: the sandbox can start programs)
 *        mstats-run-init --probe-confine [FILE...]
 *            (prints "confined=BITS confine_errno=E witness_errno=E": what a
 *            program started here would hold, and whether its brk calls
 *            could be witnessed; then "unreadable=ERRNO FILE" for each FILE
 *            such a program could not open for reading)
 * NAME=VALUE pairs are put into the program's environment only (LD_PRELOAD of
 * the shim must reach the program, not this process). DATA_LIMIT > 0 sets
 * the program's RLIMIT_DATA. TIMEOUT_MS 0 means no timeout. WITNESS is
 * "brk" (witness the heaps of the program and what it starts) or "-".
 * CONFINE is "confine" (confine the program; +PATH: it may write beneath
 * PATH) or "-" (--no-sandbox). CGROUPS is "-" or FD[,FD]: descriptors of
 * the cgroup.procs of the run's cgroups (memory_bound.h, cpu_count.h), which
 * the program's child joins first thing, so that they hold the program and
 * everything it starts, but not this process.
 *
 * Witnessing costs the program time: every brk system call stops it until
 * this process has looked (the shim moves the kernel's break only a page at
 * a time, so there are few). That time is not the program's, so the timeout
 * and the CPU limit move on by what the stops earned (run_init.h; at most to
 * RUN_INIT_WITNESS_STRETCH times the limit): a stop that moved no break
 * across a page earns nothing.
 *
 * libc only, single-threaded; it never allocates after the program starts.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "brk_witness.h"
#include "confine.h"
#include "run_init.h"

_Static_assert(RUN_INIT_IMAGES_MAX == BRK_WITNESS_IMAGES_MAX,
               "the report has a line for every image the witness can keep");

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

/* The descriptors the program's child reports on before exec (close-on-exec
 * pipes, read after the program has ended). */
typedef struct {
    int exec_errno; /* errno of a failed exec */
    int witness;    /* -1: no witness asked for; else errno of a witness that could not start */
    int confined;   /* -1: no confinement asked for; else confine_self's bits and errno */
} ChildPipes;

/* What the program's child is to do before its exec. */
typedef struct {
    char **env_pairs; /* NAME=VALUE for the program */
    int pair_count;
    const char *const *writable; /* confinement: writes allowed beneath these */
    int writable_count;
    long long data_limit; /* 0: none */
    int cgroup_fds[2];    /* cgroup.procs to join (-1: none) */
} ChildSetUp;

/* The witness's set-up (errno on pipes.witness when it fails: the run goes
 * on, and reports that its heap was not witnessed), then the confinement
 * (its bits and errno on pipes.confined). Only async-signal-safe calls. */
static void witness_and_confine(const ChildSetUp *set_up, ChildPipes pipes)
{
    if (pipes.witness >= 0 && brk_witness_prepare_child() != 0) {
        int error = errno;
        if (write(pipes.witness, &error, sizeof error) < 0)
            _exit(127);
    }
    if (pipes.confined >= 0) {
        /* A session of its own, as bwrap's --new-session gives: no
         * controlling terminal to inject input into (TIOCSTI), and one it
         * reads from a background process group without being stopped. */
        setsid();
        int answer[2];
        answer[0] = confine_self(set_up->writable, set_up->writable_count, &answer[1]);
        if (write(pipes.confined, answer, sizeof answer) < 0)
            _exit(127);
    }
}

/* In the program's child, before exec: the environment, limits and signal
 * state the program should start with, and the witness last (its filter
 * must see the program's brk calls only). Only async-signal-safe calls. */
static void __attribute__((noreturn))
exec_program(const ChildSetUp *set_up, char *path, char **argv, ChildPipes pipes)
{
    /* Into the run's cgroups first. A join that failed is no reason to stop
     * the run: that cgroup's CPU time stays 0, and the runner then reports
     * the program's rusage instead (cpu_count.c). */
    for (int i = 0; i < 2; i++) {
        ssize_t joined = set_up->cgroup_fds[i] >= 0 ? write(set_up->cgroup_fds[i], "0", 1) : 0;
        (void)joined;
    }
    for (int i = 0; i < set_up->pair_count; i++)
        putenv(set_up->env_pairs[i]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* Past the run's memory bound, the kernel should kill the program (and
     * what it starts), not this process. */
    int adjust = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (adjust >= 0 && write(adjust, "1000", 4) == 4)
        close(adjust);
    if (set_up->data_limit > 0) {
        struct rlimit limit = {(rlim_t)set_up->data_limit, (rlim_t)set_up->data_limit};
        setrlimit(RLIMIT_DATA, &limit);
    }
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    witness_and_confine(set_up, pipes);
    execv(path, argv);
    int error = errno;
    if (write(pipes.exec_errno, &error, sizeof error) < 0)
        _exit(127);
    _exit(127);
}

/* The time the witness's stops have earned so far (run_init.h): the flat
 * allowance for each stop of a brk that grew the run's largest heap, and the
 * measured time of the stops of other brk calls that moved a break across a
 * page. A stop that moved nothing earns nothing. */
static long long earned_ns(const BrkWitness *witness)
{
    return (long long)witness->growth_stops * RUN_INIT_STOP_ALLOWANCE_NS + witness->moved_ns;
}

/* `earned` (ns) added to a limit of `base` (any unit of `unit` ns), capped
 * at RUN_INIT_WITNESS_STRETCH times the limit in all, however many stops a
 * program makes; rounded up to the unit. */
static long long stretch_for(long long earned, long long base, long long unit)
{
    long long most = base * (RUN_INIT_WITNESS_STRETCH - 1);
    long long extra = (earned + unit - 1) / unit;
    return extra < most ? extra : most;
}

/* The program's CPU limit (RLIMIT_CPU, inherited from the runner) raised by
 * the time the witness's stops have earned, in whole seconds up, when that
 * is more than *allowed_s, the seconds it was raised by so far: the kernel
 * must not stop the program for time the witness took. */
static void allow_stops(pid_t program, const struct rlimit *base, const BrkWitness *witness,
                        rlim_t *allowed_s)
{
    if (base->rlim_cur == RLIM_INFINITY)
        return;
    rlim_t extra_s =
        (rlim_t)stretch_for(earned_ns(witness), (long long)base->rlim_cur, 1000000000LL);
    if (extra_s <= *allowed_s)
        return;
    *allowed_s = extra_s;
    /* Only the soft limit: raising a finite hard one takes privilege. */
    rlim_t soft = base->rlim_cur + extra_s;
    struct rlimit raised = {
        base->rlim_max != RLIM_INFINITY && soft > base->rlim_max ? base->rlim_max : soft,
        base->rlim_max};
    prlimit(program, RLIMIT_CPU, &raised, NULL);
}

/* Reads the errno a child wrote on `fd` (0 when it wrote none). */
static int read_errno(int fd)
{
    int error = 0;
    if (fd < 0 || read(fd, &error, sizeof error) != (ssize_t)sizeof error)
        return 0;
    return error;
}

/* The deadline `base_ns` (a timeout's SIGTERM time) moved on by the time
 * the witness's stops have earned so far. */
static long long stretched(long long base_ns, long long start, const BrkWitness *witness)
{
    if (base_ns < 0 || witness == NULL)
        return base_ns;
    return base_ns + stretch_for(earned_ns(witness), base_ns - start, 1);
}

/* The command line, as the runner wrote it (usage at the top of the file). */
typedef struct {
    int status_fd;
    long long timeout_ns; /* 0: none */
    long long data_limit; /* 0: none */
    bool witnessing;
    bool confining;
    /* What the child does: +PATH arguments become writable paths (the '+'
     * dropped, in place), the rest NAME=VALUE pairs. */
    ChildSetUp set_up;
    char *path;  /* the program's file */
    char **argv; /* its argv */
} RunInitArgs;

/* Moves each "+PATH" of args[0..count) to the front, without its '+';
 * returns how many there were. */
static int gather_writable(char **args, int count)
{
    int gathered = 0;
    for (int i = 0; i < count; i++)
        if (args[i][0] == '+') {
            char *path = args[i] + 1;
            memmove(args + gathered + 1, args + gathered, (size_t)(i - gathered) * sizeof *args);
            args[gathered++] = path;
        }
    return gathered;
}

static bool parse_args(int argc, char **argv, RunInitArgs *args)
{
    int separator = 0;
    for (int i = 7; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            separator = i;
            break;
        }
    if (argc < 8 || separator == 0 || separator + 2 >= argc)
        return false;
    int writable = gather_writable(argv + 7, separator - 7);
    *args = (RunInitArgs){
        .status_fd = atoi(argv[1]),
        .timeout_ns = atoll(argv[2]) * 1000000LL,
        .witnessing = strcmp(argv[4], "brk") == 0,
        .confining = strcmp(argv[5], "confine") == 0,
        .set_up =
            {
                .env_pairs = argv + 7 + writable,
                .pair_count = separator - 7 - writable,
                .writable = (const char *const *)(argv + 7),
                .writable_count = writable,
                .data_limit = atoll(argv[3]),
                .cgroup_fds = {-1, -1},
            },
        .path = argv[separator + 1],
        .argv = argv + separator + 2,
    };
    /* CGROUPS: descriptors past stdio, not the program's (closed at its exec). */
    char *fd_list = argv[6], *end;
    for (int i = 0; i < 2; i++) {
        long fd = strtol(fd_list, &end, 10);
        if (end == fd_list || fd <= STDERR_FILENO || fd > INT_MAX)
            break;
        args->set_up.cgroup_fds[i] = (int)fd;
        fcntl((int)fd, F_SETFD, FD_CLOEXEC);
        fd_list = end + (*end == ',');
    }
    return true;
}

/* --probe-confine: what a program started here would hold, and which of
 * `files` it could not read (usage at the top of the file). The child sets
 * up as a program's would, and is let go at its witness's stop. */
static int probe_confinement(char **files, int count)
{
    int witness_pipe[2], confine_pipe[2], read_pipe[2];
    if (pipe2(witness_pipe, O_CLOEXEC) != 0 || pipe2(confine_pipe, O_CLOEXEC) != 0 ||
        pipe2(read_pipe, O_CLOEXEC) != 0)
        return 1;
    pid_t child = fork();
    if (child < 0)
        return 1;
    if (child == 0) {
        ChildSetUp set_up = {0};
        witness_and_confine(&set_up, (ChildPipes){-1, witness_pipe[1], confine_pipe[1]});
        for (int i = 0; i < count; i++) {
            int fd = open(files[i], O_RDONLY | O_CLOEXEC);
            int error = fd < 0 ? errno : 0;
            if (fd >= 0)
                close(fd);
            if (write(read_pipe[1], &error, sizeof error) < 0)
                _exit(1);
        }
        _exit(0);
    }
    close(read_pipe[1]);
    close(witness_pipe[1]);
    close(confine_pipe[1]);
    int status;
    while (waitpid(child, &status, __WALL) == child && !WIFEXITED(status) && !WIFSIGNALED(status))
        ptrace(PTRACE_DETACH, child, NULL, NULL); /* its SIGSTOP: let it go on */
    int answer[2] = {0, 0};
    if (read(confine_pipe[0], answer, sizeof answer) != (ssize_t)sizeof answer)
        answer[1] = ECHILD;
    printf("confined=%d confine_errno=%d witness_errno=%d\n", answer[0], answer[1],
           read_errno(witness_pipe[0]));
    for (int i = 0; i < count; i++) {
        int error = read_errno(read_pipe[0]);
        if (error != 0)
            printf("unreadable=%d %s\n", error, files[i]);
    }
    return 0;
}

/* This process as the run's first: not dumpable (other processes of the
 * same user cannot open our descriptors through /proc or trace us: the
 * report stays ours), a subreaper outside a PID namespace, and the signals
 * it waits for blocked, to be taken with sigtimedwait; returns them. */
static sigset_t become_init(int status_fd)
{
    fcntl(status_fd, F_SETFD, FD_CLOEXEC);
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
    return handled;
}

/* Tracer and program share one CPU: a trace stop then costs a local
 * context switch, not a wake-up of another CPU (several times dearer, above
 * all in a virtual machine). The program's threads share it too: its CPU
 * time is the same, its wall time longer. */
static void share_one_cpu(void)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    int cpu = sched_getcpu();
    CPU_SET(cpu >= 0 ? cpu : 0, &one);
    sched_setaffinity(0, sizeof one, &one);
}

/* The run as it goes: the program, its witness, its deadlines. */
typedef struct {
    pid_t program;
    long long start;     /* the program's fork */
    long long stop_at;   /* SIGTERM then (-1: no timeout), before the witness's stretch */
    long long kill_at;   /* SIGKILL then (-1: not yet) */
    BrkWitness *witness; /* NULL when not witnessing */
    struct rlimit cpu_limit;
    rlim_t allowed_s; /* seconds the CPU limit has been raised by */
} Supervision;

/* Waits for the program's exit, resuming the witness's trace stops,
 * stretching the CPU limit and the timeout for them, and stopping the run
 * at the timeout or when the runner says so. Fills `report`'s timeout
 * fields; returns the program's wait status and rusage. */
static int supervise(Supervision *run, const sigset_t *handled, RunInitReport *report,
                     struct rusage *usage)
{
    for (;;) {
        pid_t reaped;
        int reaped_status;
        struct rusage reaped_usage;
        /* Every traced task (threads too: __WALL) passes through the
         * witness, which resumes its trace stops and times them from the
         * moment the wait returned them: never from before, when the
         * program may still have been running (on another CPU, it has often
         * stopped again by the time the witness looks for the next stop). */
        while ((reaped = wait4(-1, &reaped_status, WNOHANG | __WALL, &reaped_usage)) > 0) {
            int64_t began = brk_witness_clock_ns();
            if (run->witness != NULL &&
                brk_witness_event(run->witness, reaped, reaped_status, began))
                continue;
            if (reaped == run->program) {
                *usage = reaped_usage;
                return reaped_status;
            }
        }
        if (run->witness != NULL)
            allow_stops(run->program, &run->cpu_limit, run->witness, &run->allowed_s);
        long long now = now_ns();
        long long term_at = stretched(run->stop_at, run->start, run->witness);
        if (term_at >= 0 && now >= term_at && run->kill_at < 0) {
            report->timed_out = 1;
            signal_run(SIGTERM);
            run->kill_at = now + GRACE_NS;
        }
        if (run->kill_at >= 0 && now >= run->kill_at) {
            report->needed_sigkill = 1;
            signal_run(SIGKILL);
            run->kill_at = now + GRACE_NS; /* again if something escaped the first */
        }
        long long next = run->kill_at >= 0 ? run->kill_at : term_at;
        long long wait_ns = next >= 0 ? next - now : 1000000000LL * 3600;
        struct timespec wait_for = {wait_ns / 1000000000LL, wait_ns % 1000000000LL};
        siginfo_t info;
        int taken = sigtimedwait(handled, &info, &wait_for);
        if (taken == SIGTERM || taken == SIGINT || taken == SIGHUP) {
            /* The runner stops the run: pass the signal on, SIGKILL later. */
            signal_run(taken);
            if (run->kill_at < 0)
                run->kill_at = now_ns() + GRACE_NS;
        }
    }
}

/* What the witness saw, into `report` (witness_pipe: the child's word on a
 * witness that could not start). */
static void report_witness(const BrkWitness *witness, int witness_pipe, RunInitReport *report)
{
    int error = read_errno(witness_pipe);
    if (error == 0 && witness->failed)
        error = witness->error;
    else if (error == 0 && !witness->started)
        error = ECHILD; /* the program ended before its first stop */
    report->witness = error == 0 ? 1 : -1;
    report->witness_errno = error;
    report->witness_brks = brk_witness_brks(witness);
    report->image_count = witness->image_count;
    report->images_dropped = witness->images_dropped;
    for (int i = 0; i < witness->image_count; i++)
        report->images[i] = (RunInitImage){
            .pid = (int)witness->images[i].pid,
            .start = (unsigned long long)witness->images[i].start,
            .max = (unsigned long long)brk_witness_image_max(&witness->images[i]),
            .brks = (unsigned long long)witness->images[i].calls,
            .outside = (unsigned long long)brk_witness_image_outside(&witness->images[i]),
        };
    report->witness_stops = brk_witness_stops(witness);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--probe") == 0)
        return 0;
    if (argc >= 2 && strcmp(argv[1], "--probe-confine") == 0)
        return probe_confinement(argv + 2, argc - 2);
    RunInitArgs args;
    if (!parse_args(argc, argv, &args)) {
        fprintf(stderr, "mstats-run-init: usage: STATUS_FD TIMEOUT_MS DATA_LIMIT brk|- "
                        "confine|- FD[,FD]|- [+PATH...] [NAME=VALUE...] -- PROGRAM_PATH ARGV0 "
                        "[ARG...] (started by the mstats runner only)\n");
        return 2;
    }
    sigset_t handled = become_init(args.status_fd);
    Supervision run = {.kill_at = -1};
    getrlimit(RLIMIT_CPU, &run.cpu_limit);
    if (args.witnessing)
        share_one_cpu();
    int errno_pipe[2], witness_pipe[2] = {-1, -1}, confine_pipe[2] = {-1, -1};
    if (pipe2(errno_pipe, O_CLOEXEC) != 0 ||
        (args.witnessing && pipe2(witness_pipe, O_CLOEXEC) != 0) ||
        (args.confining && pipe2(confine_pipe, O_CLOEXEC) != 0))
        return 1;
    run.start = now_ns();
    run.stop_at = args.timeout_ns > 0 ? run.start + args.timeout_ns : -1;
    run.program = fork();
    if (run.program < 0)
        return 1;
    if (run.program == 0)
        exec_program(&args.set_up, args.path, args.argv,
                     (ChildPipes){errno_pipe[1], witness_pipe[1], confine_pipe[1]});
    close(errno_pipe[1]);
    if (args.confining)
        close(confine_pipe[1]);
    static BrkWitness witness; /* static: large, and never allocated */
    if (args.witnessing) {
        close(witness_pipe[1]);
        brk_witness_start(&witness, run.program);
        run.witness = &witness;
    }

    RunInitReport report = {0};
    struct rusage usage = {0};
    report.wait_status = supervise(&run, &handled, &report, &usage);
    report.wall_ns = now_ns() - run.start;
    report.cpu_us = (long long)usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec +
                    (long long)usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec;
    report.exec_errno = read_errno(errno_pipe[0]);
    int confined[2] = {0, 0};
    if (args.confining &&
        read(confine_pipe[0], confined, sizeof confined) != (ssize_t)sizeof confined)
        confined[1] = ECHILD; /* the child died before it could say */
    report.confined = confined[0];
    report.confine_errno = confined[1];
    if (args.witnessing)
        report_witness(&witness, witness_pipe[0], &report);
    clear_run();

    /* Static: the report is large, and nothing is allocated this late. */
    static char text[RUN_INIT_REPORT_MAX];
    int length = run_init_format(&report, text, sizeof text);
    if (length <= 0 || write(args.status_fd, text, (size_t)length) != length)
        return 1;
    return 0;
}
