/* The command line that starts one run: mstats-run-init (run_init.c), inside
 * a bubblewrap sandbox where bwrap can run, else directly as a subreaper.
 *
 * The sandbox: a PID namespace whose PID 1 is mstats-run-init (everything the
 * run starts dies with it), --die-with-parent, the whole file system as the
 * user sees it but read-only (/tmp included, so that a script, a Makefile or
 * a list reads whatever it names), the paths given with --writable bound
 * read-write, a private empty tmpfs on the run's own scratch directory
 * (SandboxScratch, the program's TMPDIR), no network, no shared IPC, and a
 * new session (no terminal to inject into). Outputs are written by the runner
 * after the run, never by the run. */
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

/* A run's scratch directory: an empty directory made on the host for this
 * run alone, under $TMPDIR (else under /tmp), on which bwrap mounts a private
 * tmpfs: what the run writes there goes to memory, is seen by no other run
 * and vanishes with the run, and the host's directory stays empty. */
typedef struct {
    char *path; /* NULL: none made (or removed already) */
} SandboxScratch;

/* Makes the empty directory, into scratch->path. FALSE with a system error
 * when none could be made under $TMPDIR or /tmp. */
gboolean sandbox_scratch_create(SandboxScratch *scratch, GError **error);

/* Removes the directory once the run is over (every process of it gone:
 * removing it earlier would detach the run's tmpfs) and clears `scratch`;
 * does nothing when none was made. Never removes anything but the empty
 * directory itself. */
void sandbox_scratch_destroy(SandboxScratch *scratch);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SandboxScratch, sandbox_scratch_destroy)

/* The --writable option of mstats, mreplace and mcompare: `given` (the
 * option's values, NULL-terminated, may be NULL), plus the working directory
 * when `with_cwd`, as canonical paths with symbolic links resolved
 * (NULL-terminated; free with g_strfreev). NULL with a usage error naming
 * the option and the path when one does not exist. */
/* The working directory; NULL + a usage error naming it when it no longer
 * exists (deleted under the caller). */
char *sandbox_working_dir(GError **error);

char **sandbox_writable_paths(char **given, gboolean with_cwd, GError **error);

/* Everything a run's command line needs. */
typedef struct {
    gboolean sandboxed;       /* start inside bwrap */
    const char *init_path;    /* mstats-run-init */
    int status_fd;            /* where init writes its line */
    int info_fd;              /* where bwrap writes {"child-pid": N} (-1: not asked) */
    double timeout_seconds;   /* <= 0: none */
    guint64 data_limit;       /* RLIMIT_DATA of the program; 0: none */
    gboolean witness;         /* witness the program's brk calls (run_init.c) */
    char **program_env;       /* NAME=VALUE set for the program only */
    const char *program_path; /* found already */
    char **argv;              /* PROGRAM ARG... */
    const char *scratch_dir;  /* SandboxScratch.path: a private tmpfs on it */
    /* Existing paths bound read-write (NULL-terminated; may be NULL): what
     * the run may change on the host (sandbox_writable_paths). */
    const char *const *writable_paths;
} SandboxCommand;

/* The argv to exec for `command` (bwrap ... -- init ... or init ...). */
char **sandbox_argv(const SandboxCommand *command);

#endif
