/* A cgroup per run, or RLIMIT_DATA (memory_bound.h). */
#define _GNU_SOURCE
#include "memory_bound.h"

#include <string.h>
#include <unistd.h>

#include "cgroup.h"

/* Environment variable that turns the memory cgroup off ("rlimit"), for
 * tests of the fallback and for machines where making cgroups is not wanted. */
#define MEMORY_BOUND_ENV "MSTATS_MEMORY_BOUND"

/* Makes a child cgroup under `parent` with the bound set; TRUE on success. */
static gboolean make_cgroup(MemoryBound *bound, const char *parent, int version)
{
    int procs_fd, error_number;
    char *dir = cgroup_make(parent, &procs_fd, &error_number);
    if (dir == NULL)
        return FALSE;
    g_autofree char *bytes = g_strdup_printf("%" G_GUINT64_FORMAT, bound->bytes);
    gboolean limited = version == 2 ? cgroup_write(dir, "memory.max", bytes)
                                    : cgroup_write(dir, "memory.limit_in_bytes", bytes);
    /* No swap: the bound is on memory, not on memory the kernel can page out.
     * Where swap is not accounted these files are absent, and nothing swaps. */
    if (version == 2)
        cgroup_write(dir, "memory.swap.max", "0");
    else
        cgroup_write(dir, "memory.memsw.limit_in_bytes", bytes);
    if (!limited) {
        close(procs_fd);
        cgroup_remove(dir);
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
    g_autofree char *parent = cgroup_v2_own_dir(NULL);
    g_autofree char *controllers = NULL;
    g_autofree char *file =
        parent != NULL ? g_build_filename(parent, "cgroup.subtree_control", NULL) : NULL;
    /* The memory controller must already be handed down to children. */
    if (file != NULL && g_file_get_contents(file, &controllers, NULL, NULL) &&
        strstr(controllers, "memory") != NULL && make_cgroup(bound, parent, 2))
        return TRUE;
    g_autofree char *v1_path = cgroup_own("memory");
    if (v1_path != NULL) {
        g_autofree char *v1_parent = g_build_filename("/sys/fs/cgroup/memory", v1_path, NULL);
        if (make_cgroup(bound, v1_parent, 1))
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
    guint64 kills = 0;
    if (bound->version == 2) {
        cgroup_read(bound->dir, "memory.events", "oom_kill", &kills);
        cgroup_read(bound->dir, "memory.peak", NULL, peak);
    } else {
        cgroup_read(bound->dir, "memory.oom_control", "oom_kill", &kills);
        cgroup_read(bound->dir, "memory.max_usage_in_bytes", NULL, peak);
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
    cgroup_remove(g_steal_pointer(&bound->dir));
    bound->procs_fd = -1;
}
