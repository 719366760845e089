/* Starting the program in its own process group and waiting for it with a
 * timeout. */
#ifndef MSTATS_RUNNER_SPAWN_H
#define MSTATS_RUNNER_SPAWN_H

#include <glib.h>

#include "region_layout.h"

typedef struct {
    const char *program_path; /* absolute or relative path, already found */
    char **argv;
    char **envp;
    int inherit_fds[2];     /* descriptors the program keeps (-1: none) */
    int stdout_fd;          /* -1: inherit */
    int stderr_fd;          /* -1: inherit */
    MstatsRegion *region;   /* the child writes its pid here before exec */
    double timeout_seconds; /* <= 0: wait forever */
    gboolean take_terminal; /* make the program's group the terminal's foreground */
} SpawnPlan;

typedef struct {
    int wait_status;
    gboolean timed_out;
    gboolean needed_sigkill; /* SIGTERM was not enough */
    double wall_seconds;
    double cpu_seconds;
} SpawnOutcome;

/* Forks, execs and reaps. On timeout the whole process group gets SIGTERM,
 * then SIGKILL one second later. FALSE + error only if fork failed. */
gboolean spawn_and_wait(const SpawnPlan *plan, SpawnOutcome *outcome, GError **error);

#endif
