/* A run's cgroups (cgroup.h). */
#define _GNU_SOURCE
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

char *cgroup_path_in(const char *text, const char *controller)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) fields = g_strsplit(*line, ":", 3);
        /* A path outside this process's cgroup namespace ("/../x") is
         * nowhere under the mount. */
        if (g_strv_length(fields) != 3 || fields[2][0] != '/' || strstr(fields[2], "/..") != NULL)
            continue;
        g_auto(GStrv) controllers = g_strsplit(fields[1], ",", -1);
        gboolean match = controller == NULL
                             ? strcmp(fields[0], "0") == 0 && fields[1][0] == '\0'
                             : g_strv_contains((const char *const *)controllers, controller);
        if (match) {
            char *path = g_strdup(fields[2]);
            for (gsize end = strlen(path); end > 0 && path[end - 1] == '/'; end--)
                path[end - 1] = '\0';
            return path;
        }
    }
    return NULL;
}

char *cgroup_own(const char *controller)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents("/proc/self/cgroup", &text, NULL, NULL))
        return NULL;
    return cgroup_path_in(text, controller);
}

static gboolean is_cgroup2(const char *path)
{
    struct statfs fs;
    return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

char *cgroup_v2_own_dir(const char **why)
{
    const char *roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
    const char *root = NULL;
    for (gsize i = 0; root == NULL && i < G_N_ELEMENTS(roots); i++)
        if (is_cgroup2(roots[i]))
            root = roots[i];
    g_autofree char *path = root != NULL ? cgroup_own(NULL) : NULL;
    if (why != NULL)
        *why = root == NULL   ? "no cgroup v2 file system at /sys/fs/cgroup"
               : path == NULL ? "/proc/self/cgroup names no cgroup v2 cgroup of this process"
                              : NULL;
    return path != NULL ? g_build_filename(root, path, NULL) : NULL;
}

/* Removes the cgroups that harnesses killed with SIGKILL left under `parent`
 * (mstats-PID-N of a PID that is gone; an empty cgroup is removed with
 * rmdir). Once per parent and process: it reads the directory. */
static void remove_stale(const char *parent)
{
    static GMutex lock;
    static GHashTable *done;
    g_mutex_lock(&lock);
    if (done == NULL)
        done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    gboolean first = g_hash_table_add(done, g_strdup(parent));
    g_mutex_unlock(&lock);
    GDir *dir = first ? g_dir_open(parent, 0, NULL) : NULL;
    const char *name;
    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        int pid = 0;
        if (sscanf(name, "mstats-%d-", &pid) == 1 && pid > 0 && kill(pid, 0) != 0 &&
            errno == ESRCH) {
            g_autofree char *path = g_build_filename(parent, name, NULL);
            rmdir(path);
        }
    }
    if (dir != NULL)
        g_dir_close(dir);
}

char *cgroup_make(const char *parent, int *procs_fd, int *error_number)
{
    static gint counter;
    remove_stale(parent);
    g_autofree char *name =
        g_strdup_printf("mstats-%d-%d", (int)getpid(), g_atomic_int_add(&counter, 1));
    char *dir = g_build_filename(parent, name, NULL);
    g_autofree char *procs = g_build_filename(dir, "cgroup.procs", NULL);
    if (mkdir(dir, 0755) == 0 && (*procs_fd = open(procs, O_WRONLY | O_CLOEXEC)) >= 0)
        return dir;
    *error_number = errno;
    rmdir(dir);
    g_free(dir);
    *procs_fd = -1;
    return NULL;
}

gboolean cgroup_write(const char *dir, const char *file, const char *value)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return FALSE;
    gboolean ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
    close(fd);
    return ok;
}

gboolean cgroup_read(const char *dir, const char *file, const char *key, guint64 *value)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return FALSE;
    if (key == NULL) {
        *value = g_ascii_strtoull(text, NULL, 10);
        return TRUE;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) words = g_strsplit(*line, " ", 2);
        if (words[0] != NULL && words[1] != NULL && strcmp(words[0], key) == 0) {
            *value = g_ascii_strtoull(words[1], NULL, 10);
            return TRUE;
        }
    }
    return FALSE;
}

/* Kills every process still in the cgroup: cgroup.kill (v2, Linux 5.14),
 * else each pid its cgroup.procs lists. */
static void kill_members(const char *dir)
{
    if (cgroup_write(dir, "cgroup.kill", "1"))
        return;
    g_autofree char *path = g_build_filename(dir, "cgroup.procs", NULL);
    g_autofree char *pids = NULL;
    if (!g_file_get_contents(path, &pids, NULL, NULL))
        return;
    g_auto(GStrv) lines = g_strsplit(pids, "\n", -1);
    for (char **line = lines; *line != NULL; line++)
        if (**line != '\0')
            kill((pid_t)g_ascii_strtoll(*line, NULL, 10), SIGKILL);
}

void cgroup_remove(char *dir)
{
    /* Every process of the run is gone by now, but the last may take a
     * moment to leave the cgroup after its exit. */
    for (int attempt = 0; dir != NULL && attempt < 200; attempt++) {
        if (rmdir(dir) == 0 || errno != EBUSY)
            break;
        if (attempt == 0)
            kill_members(dir);
        g_usleep(1000);
    }
    g_free(dir);
}
