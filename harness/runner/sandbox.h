/* The command line that starts one run: mstats-run-init (run_init.c), inside
 * a bubblewrap sandbox where bwrap can run, else directly as a subreaper.
 *
 * The sandbox: a PID namespace whose PID 1 is mstats-run-init (everything the
 * run starts dies with it), --die-with-parent, a read-only view of the whole
 * file system, a private empty tmpfs on /tmp (the run's scratch directory),
 * no network, no shared IPC, and a new session (no terminal to inject into).
 * Paths under /tmp that the run needs (its working directory, the program,
 * the allocator, files named on its command line) are bound read-only.
 * Outputs are written by the runner after the run, never by the run. */
#ifndef MSTATS_RUNNER_SANDBOX_H
#define MSTATS_RUNNER_SANDBOX_H

#include <glib.h>

/* Environment variable naming the bwrap to use instead of the one on PATH
 * (tests point it at a program that fails, to force the fallback). */
#define SANDBOX_BWRAP_ENV "MSTATS_BWRAP"

/* Whether bwrap can start a sandbox here. The first call tries it once
 * (bwrap with every option of a real run, starting `init --probe`); later
 * calls reuse the answer. FALSE with *why set (static string) when it
 * cannot: bwrap missing, or failing (no user namespaces, seccomp, ...). */
gboolean sandbox_available(const char *init_path, const char **why);

/* Everything a run's command line needs. */
typedef struct {
    gboolean sandboxed;               /* start inside bwrap */
    const char *init_path;            /* mstats-run-init */
    int status_fd;                    /* where init writes its line */
    int info_fd;                      /* where bwrap writes {"child-pid": N} (-1: not asked) */
    double timeout_seconds;           /* <= 0: none */
    guint64 data_limit;               /* RLIMIT_DATA of the program; 0: none */
    gboolean witness;                 /* witness the program's brk calls (run_init.c) */
    char **program_env;               /* NAME=VALUE set for the program only */
    const char *program_path;         /* found already */
    char **argv;                      /* PROGRAM ARG... */
    const char *const *visible_paths; /* more paths the run reads (NULL-terminated; may be NULL) */
} SandboxCommand;

/* The argv to exec for `command` (bwrap ... -- init ... or init ...). */
char **sandbox_argv(const SandboxCommand *command);

#endif
