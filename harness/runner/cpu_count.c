/* The cgroup that counts a run's CPU time, or rusage (cpu_count.h). */
#include "cpu_count.h"

#include <string.h>
#include <unistd.h>

#include "cgroup.h"

/* A cgroup for the run under `parent` (`version` 1 or 2) into `count`; TRUE
 * on success, else what failed appended to `why` (`tried`: an earlier
 * parent failed too). */
static gboolean make_under(CpuCount *count, const char *parent, int version, gboolean tried,
                           GString *why)
{
    int error_number = 0;
    count->dir = cgroup_make(parent, &count->procs_fd, &error_number);
    if (count->dir != NULL) {
        count->version = version;
        count->owned = TRUE;
        return TRUE;
    }
    g_string_append_printf(why, "%s %s (%s)",
                           tried          ? ", nor under"
                           : why->len > 0 ? "; cannot make one under"
                                          : "cannot make one under",
                           parent, g_strerror(error_number));
    return FALSE;
}

void cpu_count_create(CpuCount *count, const MemoryBound *memory)
{
    memset(count, 0, sizeof *count);
    count->procs_fd = -1;
    const char *setting = g_getenv(CPU_COUNT_ENV);
    if (g_strcmp0(setting, "none") == 0) {
        count->why = g_strdup(CPU_COUNT_ENV "=none");
        return;
    }
    gboolean v2 = g_strcmp0(setting, "v1") != 0;
    if (v2 && memory->version == 2) {
        count->dir = g_strdup(memory->dir);
        count->version = 2;
        return;
    }
    g_autoptr(GString) why = g_string_new(NULL);
    const char *v2_missing = CPU_COUNT_ENV "=v1";
    g_autofree char *v2_parent = v2 ? cgroup_v2_own_dir(&v2_missing) : NULL;
    if (v2_parent != NULL && make_under(count, v2_parent, 2, FALSE, why))
        return;
    if (v2_parent == NULL)
        g_string_append(why, v2_missing);
    g_autofree char *v1_path = cgroup_own("cpuacct");
    if (v1_path == NULL) {
        g_string_append(why, v2_parent == NULL ? " and no cgroup v1 cpuacct hierarchy" : "");
    } else {
        g_autofree char *v1_parent = g_build_filename("/sys/fs/cgroup/cpuacct", v1_path, NULL);
        if (make_under(count, v1_parent, 1, v2_parent != NULL, why))
            return;
    }
    count->why = g_strdup(why->str);
}

void cpu_count_finish(const CpuCount *count, double rusage_seconds, MstatsRunResult *result)
{
    guint64 usage = 0;
    gboolean read = count->dir != NULL &&
                    (count->version == 2 ? cgroup_read(count->dir, "cpu.stat", "usage_usec", &usage)
                                         : cgroup_read(count->dir, "cpuacct.usage", NULL, &usage));
    /* The program ran in it at least from its join to its exec: a cgroup
     * that counted nothing is one that the program could not join. */
    if (read && usage > 0) {
        result->cpu_source = "cgroup";
        result->cpu_seconds = (double)usage / (count->version == 2 ? 1e6 : 1e9);
        return;
    }
    result->cpu_source = "rusage";
    result->cpu_seconds = rusage_seconds;
    if (count->dir == NULL)
        result->cpu_source_why = g_strdup(count->why);
    else
        result->cpu_source_why = g_strdup_printf(
            read ? "the program could not join %s" : "cannot read the CPU time of %s", count->dir);
}

void cpu_count_destroy(CpuCount *count)
{
    if (count->procs_fd >= 0)
        close(count->procs_fd);
    if (count->owned)
        cgroup_remove(g_steal_pointer(&count->dir));
    g_clear_pointer(&count->dir, g_free);
    g_clear_pointer(&count->why, g_free);
    count->procs_fd = -1;
}
