/* Building the command line of one run (sandbox.h). */
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>

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

/* The directory (or file) to bind so that `path` stays visible under the
 * private /tmp: the path itself if it is a directory, else its directory
 * (the file itself directly in /tmp), climbing to the nearest that exists.
 * NULL when `path` is not under /tmp. */
static char *tmp_binding(const char *path)
{
    if (path == NULL)
        return NULL;
    g_autofree char *at = g_canonicalize_filename(path, NULL);
    while (g_str_has_prefix(at, "/tmp/")) {
        if (g_file_test(at, G_FILE_TEST_IS_DIR))
            return g_steal_pointer(&at);
        g_autofree char *parent = g_path_get_dirname(at);
        if (strcmp(parent, "/tmp") == 0)
            return g_file_test(at, G_FILE_TEST_EXISTS) ? g_steal_pointer(&at) : NULL;
        g_free(at);
        at = g_steal_pointer(&parent);
    }
    return NULL;
}

static void add_one_binding(GPtrArray *bindings, const char *path)
{
    char *binding = tmp_binding(path);
    if (binding == NULL)
        return;
    for (guint i = 0; i < bindings->len; i++)
        if (strcmp(bindings->pdata[i], binding) == 0) {
            g_free(binding);
            return;
        }
    g_ptr_array_add(bindings, binding);
}

/* Keeps `path` reachable inside the sandbox: its directory, the directory
 * it resolves to through symbolic links, and every directory the kernel
 * walks through before a ".." (a/b/../c needs a/b). */
static void add_binding(GPtrArray *bindings, const char *path)
{
    if (path == NULL || *path == '\0')
        return;
    add_one_binding(bindings, path);
    g_autofree char *real = realpath(path, NULL);
    add_one_binding(bindings, real);
    if (strstr(path, "..") == NULL)
        return;
    g_autofree char *cwd = g_get_current_dir();
    g_autofree char *absolute =
        g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(cwd, path, NULL);
    g_auto(GStrv) parts = g_strsplit(absolute, "/", -1);
    GString *prefix = g_string_new(NULL);
    for (char **part = parts; *part != NULL; part++) {
        if (strcmp(*part, "..") == 0)
            add_one_binding(bindings, prefix->str);
        if (**part != '\0')
            g_string_append_printf(prefix, "/%s", *part);
    }
    g_string_free(prefix, TRUE);
}

/* Binds `arg` and every /tmp/... path written inside it (a script given to
 * sh -c or python3 -c names its files that way). */
static void add_argument_bindings(GPtrArray *bindings, const char *arg)
{
    add_binding(bindings, arg);
    for (const char *at = strstr(arg, "/tmp/"); at != NULL; at = strstr(at + 1, "/tmp/")) {
        gsize length = strspn(at, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789/._-+@%=,:~");
        g_autofree char *path = g_strndup(at, length);
        add_binding(bindings, path);
    }
}

static gint shorter_first(gconstpointer a, gconstpointer b)
{
    return (gint)strlen(*(char *const *)a) - (gint)strlen(*(char *const *)b);
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
        "--tmpfs",
        "/tmp",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(options); i++)
        g_ptr_array_add(args, g_strdup(options[i]));

    g_autofree char *cwd = g_get_current_dir();
    g_autoptr(GPtrArray) bindings = g_ptr_array_new_with_free_func(g_free);
    add_binding(bindings, cwd);
    add_binding(bindings, command->init_path);
    add_binding(bindings, command->program_path);
    for (char **arg = command->argv; arg != NULL && *arg != NULL; arg++)
        add_argument_bindings(bindings, *arg);
    for (const char *const *path = command->visible_paths; path != NULL && *path != NULL; path++)
        add_binding(bindings, *path);
    g_ptr_array_sort(bindings, shorter_first);
    for (guint i = 0; i < bindings->len; i++) {
        g_ptr_array_add(args, g_strdup("--ro-bind"));
        g_ptr_array_add(args, g_strdup(bindings->pdata[i]));
        g_ptr_array_add(args, g_strdup(bindings->pdata[i]));
    }
    g_ptr_array_add(args, g_strdup("--chdir"));
    g_ptr_array_add(args, g_strdup(cwd));
    g_ptr_array_add(args, g_strdup("--"));
}

gboolean sandbox_available(const char *init_path, const char **why)
{
    static const char *answer; /* "" when available, else the reason */
    if (g_once_init_enter(&answer)) {
        const char *result = "";
        if (bwrap_path() == NULL) {
            result = "bwrap not found on PATH (install the Debian package bubblewrap)";
        } else {
            SandboxCommand probe = {.init_path = init_path};
            g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
            add_bwrap_options(args, &probe);
            g_ptr_array_add(args, g_strdup(init_path));
            g_ptr_array_add(args, g_strdup("--probe"));
            g_ptr_array_add(args, NULL);
            int status = -1;
            g_autofree char *err = NULL;
            g_autoptr(GError) error = NULL;
            if (!g_spawn_sync(NULL, (char **)args->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                              NULL, NULL, &err, &status, &error)) {
                result = g_intern_string(error->message);
            } else if (!g_spawn_check_wait_status(status, NULL)) {
                g_strstrip(err);
                char *newline = strchr(err, '\n');
                if (newline != NULL)
                    *newline = '\0';
                g_autofree char *text = g_strdup_printf("bwrap cannot start a sandbox here (%s)",
                                                        *err != '\0' ? err : "it failed");
                result = g_intern_string(text);
            }
        }
        g_once_init_leave(&answer, result);
    }
    *why = *answer != '\0' ? answer : NULL;
    return *answer == '\0';
}

char **sandbox_argv(const SandboxCommand *command)
{
    GPtrArray *args = g_ptr_array_new();
    if (command->sandboxed) {
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
    for (char **pair = command->program_env; pair != NULL && *pair != NULL; pair++)
        g_ptr_array_add(args, g_strdup(*pair));
    g_ptr_array_add(args, g_strdup("--"));
    g_ptr_array_add(args, g_strdup(command->program_path));
    for (char **arg = command->argv; *arg != NULL; arg++)
        g_ptr_array_add(args, g_strdup(*arg));
    g_ptr_array_add(args, NULL);
    return (char **)g_ptr_array_free(args, FALSE);
}
