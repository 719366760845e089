/* Starting one run (the command sandbox.h builds) in its own process group
 * and waiting for it. */
#ifndef MSTATS_RUNNER_SPAWN_H
#define MSTATS_RUNNER_SPAWN_H

#include <glib.h>

#include "region_layout.h"
#include "run_init.h"

/* Runs going on at once that stopping the harness reaches (mcompare's -j cap). */
#define MSTATS_RUNNING_MAX 256

/* Region, recording, completion proof, status pipe, bwrap's info pipe and
 * the cgroup.procs of the run's cgroups (memory_bound.h, cpu_count.h),
 * which the program joins in mstats-run-init's child. */
#define SPAWN_INHERITED 7

typedef struct {
    char **argv;                      /* bwrap ... or mstats-run-init ...; argv[0] is a path */
    char **envp;                      /* environment of argv[0] (no LD_PRELOAD of the shim) */
    int inherit_fds[SPAWN_INHERITED]; /* descriptors the run keeps (-1: none) */
    int status_fd;                    /* read end of the pipe mstats-run-init reports on */
    int info_fd;                      /* read end of bwrap's --info-fd pipe (-1: not sandboxed) */
    int stdin_fd;                     /* -1: inherit */
    int stdout_fd;                    /* -1: inherit */
    int stderr_fd;                    /* -1: inherit */
    MstatsRegion *region;             /* exec_errno here when argv[0] cannot be started */
    double timeout_seconds;           /* the program's timeout (<= 0: none); init enforces it */
    gboolean witnessed;               /* init witnesses brk: its timeout stretches (run_init.h) */
    gboolean take_terminal;           /* make the run's group the terminal's foreground */
} SpawnPlan;

typedef struct {
    gboolean reported; /* mstats-run-init wrote its line: the figures below are its */
    int wait_status;   /* the program's; without a report, the run's first process's */
    int exec_errno;    /* exec of the program failed with this */
    gboolean timed_out;
    gboolean needed_sigkill; /* SIGTERM was not enough */
    double wall_seconds;     /* the program's, from its start to its exit */
    double cpu_seconds;      /* user + system of the program and what it waited for (rusage) */
    int witness;             /* the brk witness: 0 not asked, 1 witnessed, -1 failed */
    int witness_errno;       /* why it failed */
    int confined;            /* the program's confinement: layers held (confine.h) */
    int confine_errno;       /* why the first that failed did */
    guint64 witness_brks;    /* brk system calls of all images */
    /* Every process image the witness saw, in the order they started (an
     * exec starts one, and so does a fork): its pid, heap start, MAX, brks. */
    guint witness_image_count;
    guint witness_images_dropped; /* images past the witness's table: not witnessed */
    RunInitImage witness_images[RUN_INIT_IMAGES_MAX];
} SpawnOutcome;

/* Forks, execs plan->argv and reaps it; returns when every process of the
 * run is gone. FALSE + error only if fork failed. */
gboolean spawn_and_wait(const SpawnPlan *plan, SpawnOutcome *outcome, GError **error);

/* Sends `signal_number` to the process group of every program running now.
 * Async-signal-safe: call it from a SIGTERM/SIGINT handler so that stopping
 * the harness stops its programs. */
void mstats_forward_signal(int signal_number);

/* Makes SIGTERM, SIGINT and SIGHUP sent to the harness go on to the
 * programs it runs (mstats_forward_signal): they run in process groups of
 * their own, which a signal sent to ours would not reach. */
void mstats_forward_stop_signals(void);

#endif
