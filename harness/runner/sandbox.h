/* The command line that starts one run: mstats-run-init (run_init.c), inside
 * a bubblewrap sandbox where bwrap can run, else directly as a subreaper.
 * Either way the program itself is confined (confine.h: no capabilities,
 * no_new_privs, Landlock, a seccomp filter) just before its exec.
 *
 * The modes (SandboxMode), best first:
 *  - bwrap: the namespace sandbox below, with the program confined;
 *  - container: where bwrap cannot start (a Docker-based grader, whose
 *    seccomp profile refuses namespaces; a user without user namespaces;
 *    Ubuntu's AppArmor rule): no namespaces, but the program confined,
 *    Landlock keeping the file system read-only but for the same paths as
 *    in bwrap, mstats-run-init a subreaper that kills what the run leaves,
 *    and the run's scratch directory a real one, emptied after the run;
 *  - none: --no-sandbox, or neither of the above can start here.
 * A run counts as sandboxed (MstatsRunResult.sandboxed) when its mode is
 * bwrap or container and every layer that mode needs held
 * (CONFINE_NEEDED_BWRAP, CONFINE_NEEDED_CONTAINER); the report names any
 * that did not.
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

typedef enum { SANDBOX_NONE, SANDBOX_CONTAINER, SANDBOX_BWRAP } SandboxMode;

/* What this machine allows, probed once (later calls reuse the answer):
 * bwrap with every option of a real run starting `init --probe`, then
 * `init --probe-confine`, which confines a child as a program's. */
typedef struct {
    SandboxMode mode;        /* the best mode that can start here */
    const char *bwrap_why;   /* why bwrap cannot start (NULL when it can) */
    const char *none_why;    /* mode none: why, and what to change (else NULL) */
    int confined;            /* the layers the probe's child held (confine.h) */
    int confine_errno;       /* why the first that failed did */
    int witness_errno;       /* 0: a program's brk calls can be witnessed here */
    const char *witness_why; /* when they cannot: why, and what to change */
} SandboxProbe;

const SandboxProbe *sandbox_probe(const char *init_path);

/* The errno with which a confined program could not open `file` for
 * reading (0: it can). Only root loses a right to read by confinement
 * (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH go): for any other user, 0. */
int sandbox_unreadable(const char *init_path, const char *file);

/* "bwrap", "container" or "none". */
const char *sandbox_mode_name(SandboxMode mode);

/* Whether the layers `confined` (a run's report) make a run in `mode`
 * sandboxed; when not, *why (g_free) names what is missing. */
gboolean sandbox_confined_enough(SandboxMode mode, int confined, int error, char **why);

/* A run's scratch directory: an empty directory made on the host for this
 * run alone, under $TMPDIR (else under /tmp), on which bwrap mounts a private
 * tmpfs: what the run writes there goes to memory, is seen by no other run
 * and vanishes with the run, and the host's directory stays empty. In
 * container mode the run writes into the directory itself (mode 0700, its
 * name unguessable), and it is emptied after the run. */
typedef struct {
    char *path;       /* NULL: none made (or removed already) */
    gboolean written; /* container mode: the run wrote into it, not into a tmpfs */
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
    SandboxMode mode;         /* bwrap: start inside it; none: do not confine */
    const char *init_path;    /* mstats-run-init */
    int status_fd;            /* where init writes its line */
    int info_fd;              /* where bwrap writes {"child-pid": N} (-1: not asked) */
    double timeout_seconds;   /* <= 0: none */
    guint64 data_limit;       /* RLIMIT_DATA of the program; 0: none */
    gboolean witness;         /* witness the program's brk calls (run_init.c) */
    int cgroup_fds[2];        /* cgroup.procs the program joins (-1: none) */
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
