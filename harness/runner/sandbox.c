/* Building the command line of one run (sandbox.h). */
#define _XOPEN_SOURCE 700
#include "sandbox.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confine.h"
#include "error.h"

static const char *bwrap_path(void)
{
    static char *path;
    if (g_once_init_enter(&path)) {
        const char *chosen = g_getenv(SANDBOX_BWRAP_ENV);
        char *found =
            chosen != NULL && *chosen != '\0' ? g_strdup(chosen) : g_find_program_in_path("bwrap");
        g_once_init_leave(&path, found != NULL ? found : g_strdup(""));
    }
    return *path != '\0' ? path : NULL;
}

gboolean sandbox_scratch_create(SandboxScratch *scratch, GError **error)
{
    /* g_dir_make_tmp honours $TMPDIR; one that cannot be written (missing,
     * read-only) must not stop the run when /tmp can. */
    g_autoptr(GError) local = NULL;
    scratch->path = g_dir_make_tmp("mstats-scratch-XXXXXX", &local);
    if (scratch->path != NULL)
        return TRUE;
    char *path = g_strdup("/tmp/mstats-scratch-XXXXXX");
    if (g_mkdtemp(path) != NULL) {
        scratch->path = path;
        return TRUE;
    }
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM,
                "cannot make the run's scratch directory: %s; nor in /tmp: %s", local->message,
                g_strerror(errno));
    g_free(path);
    return FALSE;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *at)
{
    (void)st;
    (void)at;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void sandbox_scratch_destroy(SandboxScratch *scratch)
{
    /* Inside bwrap the tmpfs was the run's, so the directory is empty unless
     * someone on the host wrote into it, and then what they wrote stays
     * theirs: rmdir only. In container mode the run wrote into it: its
     * contents go, without following a link or crossing a mount. */
    if (scratch->path != NULL && scratch->written)
        nftw(scratch->path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    else if (scratch->path != NULL)
        g_rmdir(scratch->path);
    g_clear_pointer(&scratch->path, g_free);
}

/* `path` with symbolic links resolved, appended to `paths`: bwrap binds
 * what a link points to, and the run reaches it through the link as well.
 * FALSE with a usage error when it does not exist. */
static gboolean add_writable(GPtrArray *paths, const char *path, GError **error)
{
    char *real = realpath(path, NULL);
    if (real == NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "--writable %s: %s: give an existing directory or file", path,
                    g_strerror(errno));
        return FALSE;
    }
    g_ptr_array_add(paths, g_strdup(real));
    free(real);
    return TRUE;
}

char *sandbox_working_dir(GError **error)
{
    char *cwd = g_get_current_dir();
    char check[4096];
    if (getcwd(check, sizeof check) == NULL && errno == ENOENT) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "the working directory '%s' no longer exists: cd to one that does",
                    g_getenv("PWD") != NULL ? g_getenv("PWD") : ".");
        g_free(cwd);
        return NULL;
    }
    return cwd;
}

char **sandbox_writable_paths(char **given, gboolean with_cwd, GError **error)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *cwd = with_cwd ? sandbox_working_dir(error) : NULL;
    if (with_cwd && (cwd == NULL || !add_writable(paths, cwd, error)))
        return NULL;
    for (char **path = given; path != NULL && *path != NULL; path++)
        if (!add_writable(paths, *path, error))
            return NULL;
    g_ptr_array_add(paths, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&paths), FALSE);
}

/* bwrap and its options, up to and including "--". */
static void add_bwrap_options(GPtrArray *args, const SandboxCommand *command)
{
    const char *options[] = {
        bwrap_path(),
        "--die-with-parent",
        "--unshare-pid",
        "--as-pid-1",
        "--unshare-net",
        "--unshare-ipc",
        "--new-session",
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(options); i++)
        g_ptr_array_add(args, g_strdup(options[i]));

    /* With nothing mounted over the host's directories (but /dev, /proc and
     * the new scratch directory), every path the run names is where the
     * user sees it: no path needs binding to stay visible. */
    for (const char *const *path = command->writable_paths; path != NULL && *path != NULL; path++) {
        g_ptr_array_add(args, g_strdup("--bind"));
        g_ptr_array_add(args, g_strdup(*path));
        g_ptr_array_add(args, g_strdup(*path));
    }
    /* After the writable binds: a scratch directory inside one stays private. */
    if (command->scratch_dir != NULL) {
        g_ptr_array_add(args, g_strdup("--tmpfs"));
        g_ptr_array_add(args, g_strdup(command->scratch_dir));
    }
    g_autofree char *cwd = g_get_current_dir();
    g_ptr_array_add(args, g_strdup("--chdir"));
    g_ptr_array_add(args, g_strdup(cwd));
    g_ptr_array_add(args, g_strdup("--"));
}

/* Why bwrap cannot start a sandbox here (an interned string), or NULL. */
static const char *probe_bwrap(const char *init_path)
{
    if (bwrap_path() == NULL)
        return "bwrap not found on PATH (install the Debian package bubblewrap)";
    /* A scratch directory too, as every run has one. */
    g_auto(SandboxScratch) scratch = {NULL};
    sandbox_scratch_create(&scratch, NULL);
    SandboxCommand probe = {.init_path = init_path, .scratch_dir = scratch.path};
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    add_bwrap_options(args, &probe);
    g_ptr_array_add(args, g_strdup(init_path));
    g_ptr_array_add(args, g_strdup("--probe"));
    g_ptr_array_add(args, NULL);
    int status = -1;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    if (!g_spawn_sync(NULL, (char **)args->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                      NULL, &err, &status, &error))
        return g_intern_string(error->message);
    if (g_spawn_check_wait_status(status, NULL))
        return NULL;
    g_strstrip(err);
    char *newline = strchr(err, '\n');
    if (newline != NULL)
        *newline = '\0';
    g_autofree char *text =
        g_strdup_printf("bwrap cannot start a sandbox here (%s)", *err != '\0' ? err : "it failed");
    return g_intern_string(text);
}

/* `init --probe-confine`'s answer into `probe`. */
static void probe_confinement(const char *init_path, SandboxProbe *probe)
{
    const char *argv[] = {init_path, "--probe-confine", NULL};
    g_autofree char *out = NULL;
    int status = -1;
    probe->witness_errno = ECHILD;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                      &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL) ||
        sscanf(out, "confined=%d confine_errno=%d witness_errno=%d", &probe->confined,
               &probe->confine_errno, &probe->witness_errno) != 3)
        probe->confined = 0;
}

/* What to change so that bwrap can start, after why it cannot. */
static const char *bwrap_fix(const char *why)
{
    if (strstr(why, "not found") != NULL)
        return "install bubblewrap";
    if (strstr(why, "uid map") != NULL)
        return "Ubuntu's AppArmor refuses user namespaces: sudo sysctl -w "
               "kernel.apparmor_restrict_unprivileged_userns=0, or give bwrap an AppArmor profile";
    return "a container's seccomp profile, or a system without user namespaces, refuses them";
}

const SandboxProbe *sandbox_probe(const char *init_path)
{
    static SandboxProbe *answer;
    if (g_once_init_enter(&answer)) {
        SandboxProbe *probe = g_new0(SandboxProbe, 1);
        probe->bwrap_why = probe_bwrap(init_path);
        probe_confinement(init_path, probe);
        g_autofree char *missing = NULL;
        if (probe->bwrap_why == NULL)
            probe->mode = SANDBOX_BWRAP;
        else if (sandbox_confined_enough(SANDBOX_CONTAINER, probe->confined, probe->confine_errno,
                                         &missing))
            probe->mode = SANDBOX_CONTAINER;
        else {
            g_autofree char *text = g_strdup_printf(
                "%s; and mstats's container mode cannot start either: %s (it needs Linux 5.13 or "
                "later with Landlock among the kernel's security modules, and seccomp). To "
                "grade here, let bwrap start (%s) or use a kernel with Landlock",
                probe->bwrap_why, missing, bwrap_fix(probe->bwrap_why));
            probe->none_why = g_intern_string(text);
        }
        if (probe->witness_errno != 0) {
            g_autofree char *text = g_strdup_printf(
                "ptrace is refused here (%s), and the kernel's witness of the heap needs it: "
                "allow ptrace (Docker: --cap-add SYS_PTRACE or a seccomp profile that allows "
                "ptrace; kernel.yama.ptrace_scope at most 1)",
                g_strerror(probe->witness_errno));
            probe->witness_why = g_intern_string(text);
        }
        g_once_init_leave(&answer, probe);
    }
    return answer;
}

int sandbox_unreadable(const char *init_path, const char *file)
{
    if (geteuid() != 0)
        return 0;
    const char *argv[] = {init_path, "--probe-confine", file, NULL};
    g_autofree char *out = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                      NULL, NULL))
        return 0;
    const char *line = strstr(out, "\nunreadable=");
    return line != NULL ? atoi(line + strlen("\nunreadable=")) : 0;
}

const char *sandbox_mode_name(SandboxMode mode)
{
    return mode == SANDBOX_BWRAP ? "bwrap" : mode == SANDBOX_CONTAINER ? "container" : "none";
}

gboolean sandbox_confined_enough(SandboxMode mode, int confined, int error, char **why)
{
    int needed = mode == SANDBOX_BWRAP ? CONFINE_NEEDED_BWRAP : CONFINE_NEEDED_CONTAINER;
    if (mode == SANDBOX_NONE || (confined & needed) == needed)
        return mode != SANDBOX_NONE;
    char missing[256];
    confine_describe_missing(confined, needed, error, missing, sizeof missing);
    *why = g_strdup(missing);
    return FALSE;
}

char **sandbox_argv(const SandboxCommand *command)
{
    GPtrArray *args = g_ptr_array_new();
    if (command->mode == SANDBOX_BWRAP) {
        add_bwrap_options(args, command);
        if (command->info_fd >= 0) { /* before the "--" that ends bwrap's options */
            g_free(g_ptr_array_steal_index(args, args->len - 1));
            g_ptr_array_add(args, g_strdup("--info-fd"));
            g_ptr_array_add(args, g_strdup_printf("%d", command->info_fd));
            g_ptr_array_add(args, g_strdup("--"));
        }
    }
    g_ptr_array_add(args, g_strdup(command->init_path));
    g_ptr_array_add(args, g_strdup_printf("%d", command->status_fd));
    gint64 timeout_ms =
        command->timeout_seconds > 0 ? (gint64)(command->timeout_seconds * 1000) : 0;
    if (command->timeout_seconds > 0 && timeout_ms == 0)
        timeout_ms = 1;
    g_ptr_array_add(args, g_strdup_printf("%" G_GINT64_FORMAT, timeout_ms));
    g_ptr_array_add(args, g_strdup_printf("%" G_GUINT64_FORMAT, command->data_limit));
    g_ptr_array_add(args, g_strdup(command->witness ? "brk" : "-"));
    g_ptr_array_add(args, g_strdup(command->mode != SANDBOX_NONE ? "confine" : "-"));
    g_autoptr(GString) cgroups = g_string_new(NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(command->cgroup_fds); i++)
        if (command->cgroup_fds[i] >= 0)
            g_string_append_printf(cgroups, "%s%d", cgroups->len > 0 ? "," : "",
                                   command->cgroup_fds[i]);
    g_ptr_array_add(args, g_strdup(cgroups->len > 0 ? cgroups->str : "-"));
    if (command->mode != SANDBOX_NONE) {
        if (command->scratch_dir != NULL)
            g_ptr_array_add(args, g_strconcat("+", command->scratch_dir, NULL));
        for (const char *const *path = command->writable_paths; path != NULL && *path != NULL;
             path++)
            g_ptr_array_add(args, g_strconcat("+", *path, NULL));
    }
    for (char **pair = command->program_env; pair != NULL && *pair != NULL; pair++)
        g_ptr_array_add(args, g_strdup(*pair));
    g_ptr_array_add(args, g_strdup("--"));
    g_ptr_array_add(args, g_strdup(command->program_path));
    for (char **arg = command->argv; *arg != NULL; arg++)
        g_ptr_array_add(args, g_strdup(*arg));
    g_ptr_array_add(args, NULL);
    return (char **)g_ptr_array_free(args, FALSE);
}
