/* A cgroup per run, or RLIMIT_DATA (memory_bound.h). */
#define _GNU_SOURCE
#include "memory_bound.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* Environment variable that turns cgroups off ("rlimit"), for tests of the
 * fallback and for machines where making cgroups is not wanted. */
#define MEMORY_BOUND_ENV "MSTATS_MEMORY_BOUND"

static gboolean is_cgroup2(const char *path)
{
    struct statfs fs;
    return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* The line of /proc/self/cgroup for `hierarchy` ("" for v2, "memory" for
 * v1): the cgroup this process is in, or NULL. */
static char *own_cgroup(gboolean v2)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents("/proc/self/cgroup", &text, NULL, NULL))
        return NULL;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) fields = g_strsplit(*line, ":", 3);
        if (g_strv_length(fields) != 3)
            continue;
        g_auto(GStrv) controllers = g_strsplit(fields[1], ",", -1);
        gboolean match = v2 ? strcmp(fields[0], "0") == 0 && fields[1][0] == '\0'
                            : g_strv_contains((const char *const *)controllers, "memory");
        if (match)
            return g_strdup(fields[2]);
    }
    return NULL;
}

static gboolean write_value(const char *dir, const char *file, const char *value)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return FALSE;
    gboolean ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
    close(fd);
    return ok;
}

/* The number after `key` in a "key value" file such as memory.events. */
static guint64 read_key(const char *dir, const char *file, const char *key)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) words = g_strsplit(*line, " ", 2);
        if (words[0] != NULL && words[1] != NULL && strcmp(words[0], key) == 0)
            return g_ascii_strtoull(words[1], NULL, 10);
    }
    return 0;
}

static guint64 read_number(const char *dir, const char *file)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *text = NULL;
    return g_file_get_contents(path, &text, NULL, NULL) ? g_ascii_strtoull(text, NULL, 10) : 0;
}

/* Removes the cgroups that harnesses killed with SIGKILL left under `parent`
 * (mstats-PID-N of a PID that is gone; an empty cgroup is removed with
 * rmdir). Once per process: it reads the directory. */
static void remove_stale(const char *parent)
{
    static gsize done;
    if (!g_once_init_enter(&done))
        return;
    GDir *dir = g_dir_open(parent, 0, NULL);
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
    g_once_init_leave(&done, 1);
}

/* Makes a child cgroup under `parent` with the bound set; TRUE on success. */
static gboolean make_cgroup(MemoryBound *bound, const char *parent, int version)
{
    static gint counter;
    remove_stale(parent);
    g_autofree char *name =
        g_strdup_printf("mstats-%d-%d", (int)getpid(), g_atomic_int_add(&counter, 1));
    char *dir = g_build_filename(parent, name, NULL);
    if (mkdir(dir, 0755) != 0) {
        g_free(dir);
        return FALSE;
    }
    g_autofree char *bytes = g_strdup_printf("%" G_GUINT64_FORMAT, bound->bytes);
    gboolean limited = version == 2 ? write_value(dir, "memory.max", bytes)
                                    : write_value(dir, "memory.limit_in_bytes", bytes);
    /* No swap: the bound is on memory, not on memory the kernel can page out.
     * Where swap is not accounted these files are absent, and nothing swaps. */
    if (version == 2)
        write_value(dir, "memory.swap.max", "0");
    else
        write_value(dir, "memory.memsw.limit_in_bytes", bytes);
    g_autofree char *procs = g_build_filename(dir, "cgroup.procs", NULL);
    int procs_fd = limited ? open(procs, O_WRONLY | O_CLOEXEC) : -1;
    if (procs_fd < 0) {
        rmdir(dir);
        g_free(dir);
        return FALSE;
    }
    bound->dir = dir;
    bound->version = version;
    bound->procs_fd = procs_fd;
    bound->kind = version == 2 ? "cgroup v2" : "cgroup v1";
    return TRUE;
}

static gboolean try_cgroup(MemoryBound *bound)
{
    const char *setting = g_getenv(MEMORY_BOUND_ENV);
    if (setting != NULL && strcmp(setting, "rlimit") == 0)
        return FALSE;
    const char *v2_roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
    g_autofree char *v2_path = own_cgroup(TRUE);
    for (gsize i = 0; v2_path != NULL && i < G_N_ELEMENTS(v2_roots); i++) {
        if (!is_cgroup2(v2_roots[i]))
            continue;
        g_autofree char *parent = g_build_filename(v2_roots[i], v2_path, NULL);
        g_autofree char *controllers = NULL;
        g_autofree char *file = g_build_filename(parent, "cgroup.subtree_control", NULL);
        /* The memory controller must already be handed down to children. */
        if (g_file_get_contents(file, &controllers, NULL, NULL) &&
            strstr(controllers, "memory") != NULL && make_cgroup(bound, parent, 2))
            return TRUE;
    }
    g_autofree char *v1_path = own_cgroup(FALSE);
    if (v1_path != NULL) {
        g_autofree char *parent = g_build_filename("/sys/fs/cgroup/memory", v1_path, NULL);
        if (make_cgroup(bound, parent, 1))
            return TRUE;
    }
    return FALSE;
}

void memory_bound_create(MemoryBound *bound, guint64 bytes)
{
    memset(bound, 0, sizeof *bound);
    bound->bytes = bytes;
    bound->procs_fd = -1;
    if (!try_cgroup(bound)) {
        bound->kind = "rlimit";
        bound->rlimit_data = bytes;
    }
}

char *memory_bound_finish(const MemoryBound *bound, const MstatsRegion *region, guint64 *peak)
{
    *peak = 0;
    if (bound->dir == NULL)
        return NULL;
    guint64 kills;
    if (bound->version == 2) {
        kills = read_key(bound->dir, "memory.events", "oom_kill");
        *peak = read_number(bound->dir, "memory.peak");
    } else {
        kills = read_key(bound->dir, "memory.oom_control", "oom_kill");
        *peak = read_number(bound->dir, "memory.max_usage_in_bytes");
    }
    if (kills == 0)
        return NULL;
    guint64 heap = 0;
    for (guint i = 0; i < MIN(region->process_count, MSTATS_PROCESSES_MAX); i++)
        heap = MAX(heap, region->processes[i].figures.heap_max);
    gboolean heap_grew = *peak > 0 && heap >= *peak / 2;
    return g_strdup_printf(
        "all memory of the run passed %" G_GUINT64_FORMAT " bytes (%s; -m bounds the heap, "
        "plus as much for the shim's bookkeeping and 256 MiB for code and stacks), and the "
        "kernel killed it: peak %" G_GUINT64_FORMAT " bytes, heap MAX %" G_GUINT64_FORMAT
        " bytes: %s",
        bound->bytes, bound->kind, *peak, heap,
        heap_grew ? "the heap grew"
                  : "memory outside the heap grew (mmap, thread stacks, the shim's bookkeeping)");
}

void memory_bound_destroy(MemoryBound *bound)
{
    if (bound->procs_fd >= 0)
        close(bound->procs_fd);
    /* The last process may take a moment to leave the cgroup after its exit. */
    for (int attempt = 0; bound->dir != NULL && attempt < 200; attempt++) {
        if (rmdir(bound->dir) == 0 || errno != EBUSY)
            break;
        g_usleep(1000);
    }
    g_clear_pointer(&bound->dir, g_free);
    bound->procs_fd = -1;
}
