/* The cgroups a run gets (memory_bound.h bounds its memory in one,
 * cpu_count.h counts its CPU time in one): finding this process's own
 * cgroup, making a child of it for one run, reading its files, removing it.
 * A run's cgroup is named mstats-PID-N (the harness's pid, a counter), so
 * that one a harness killed with SIGKILL left behind is found and removed. */
#ifndef MSTATS_RUNNER_CGROUP_H
#define MSTATS_RUNNER_CGROUP_H

#include <glib.h>

/* The path of the cgroup named by `text` (the contents of /proc/PID/cgroup,
 * lines "ID:CONTROLLERS:PATH") in the cgroup v2 hierarchy (`controller`
 * NULL: the line "0::PATH") or in the v1 hierarchy that has `controller`
 * ("memory", "cpuacct") among its controllers, below the hierarchy's mount
 * and without a trailing slash ("" for its root cgroup "/"); NULL when no
 * line names it, or names a path outside this process's cgroup namespace. */
char *cgroup_path_in(const char *text, const char *controller);

/* The same for this process (reads /proc/self/cgroup). */
char *cgroup_own(const char *controller);

/* This process's cgroup in the v2 hierarchy, as a directory (under
 * /sys/fs/cgroup, or /sys/fs/cgroup/unified beside v1 hierarchies); NULL
 * when there is none, with why in *why (static words) when `why` is not NULL. */
char *cgroup_v2_own_dir(const char **why);

/* A new, empty cgroup under `parent` for one run; returns its path (g_free)
 * and opens its cgroup.procs for writing into *procs_fd (close-on-exec),
 * where the process to count writes "0" to join it. NULL when it cannot be
 * made, with the errno in *error_number. */
char *cgroup_make(const char *parent, int *procs_fd, int *error_number);

/* Writes `value` into the cgroup's `file`; FALSE when it cannot. */
gboolean cgroup_write(const char *dir, const char *file, const char *value);

/* The number in the cgroup's `file`, or after `key` in its "key value"
 * lines (cpu.stat, memory.events) when `key` is not NULL. FALSE when the
 * file or the key is not there. */
gboolean cgroup_read(const char *dir, const char *file, const char *key, guint64 *value);

/* Removes the cgroup made by cgroup_make (NULL: nothing) once the run is
 * over, killing anything left in it first (a run the runner's watchdog
 * ended), and frees `dir`. */
void cgroup_remove(char *dir);

#endif
