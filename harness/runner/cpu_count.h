/* Where a run's CPU-TIME comes from: the cgroup that the program and every
 * process it starts run in, where the harness can make one (as IOI's
 * isolate counts it), else the program's rusage.
 *
 * Why a cgroup: the rusage that wait4 gives counts the program and the
 * children it waited for. Work handed to a helper process that nobody waits
 * for (a fork still running when main exits, which the run's end kills; a
 * child of a parent that ignores SIGCHLD) is in no rusage anyone reads. A
 * cgroup counts the CPU time of every process in it, whoever waits.
 *
 * Who joins: the program itself, in mstats-run-init's child just before its
 * exec, by writing "0" into the cgroup's cgroup.procs (a descriptor the
 * runner opened and mstats-run-init passes on; run_init.c). The cgroup then
 * holds exactly the program and what it starts, and CPU-TIME stays "the
 * program's". Putting the run's first process in it instead would count
 * mstats-run-init (the brk witness's tracing, harness time) and bwrap's
 * set-up: the first could be taken off with mstats-run-init's own rusage,
 * the second (a few milliseconds per run, as much as a small tester's whole
 * CPU time) could not.
 *
 * Which cgroup: the memory bound's where it is a v2 cgroup (a process is in
 * one v2 cgroup only; memory_bound.h); else a new v2 cgroup with nothing set
 * (cpu.stat's usage_usec is kept in every v2 cgroup, with or without the cpu
 * controller), under /sys/fs/cgroup or, beside v1 hierarchies,
 * /sys/fs/cgroup/unified; else one in the v1 cpuacct hierarchy
 * (cpuacct.usage). Where none can be made (not root and nothing delegated,
 * read-only cgroups as in Docker, no cgroup file system) the figure is the
 * program's rusage, as before, and the report says why. */
#ifndef MSTATS_RUNNER_CPU_COUNT_H
#define MSTATS_RUNNER_CPU_COUNT_H

#include <glib.h>

#include "memory_bound.h"
#include "run_model.h"

/* Environment variable: "none" makes no cgroup for CPU time (the rusage
 * fallback, for its tests and for machines where cgroups are not wanted);
 * "v1" skips cgroup v2 (for tests of the v1 path where both are mounted). */
#define CPU_COUNT_ENV "MSTATS_CPU_CGROUP"

typedef struct {
    char *dir;      /* the cgroup counted (NULL: none) */
    int version;    /* 2: cpu.stat's usage_usec; 1: cpuacct.usage */
    int procs_fd;   /* its cgroup.procs for the program; -1: none, or the memory bound's */
    gboolean owned; /* made here, else the memory bound's (which removes it) */
    char *why;      /* no cgroup: why */
} CpuCount;

/* Makes the cgroup of one run, sharing `memory`'s where it is v2. Never
 * fails: without a cgroup the run's figure will be its rusage. */
void cpu_count_create(CpuCount *count, const MemoryBound *memory);

/* After the run: the cgroup's CPU time into result->cpu_seconds, with
 * cpu_source "cgroup"; else `rusage_seconds` (mstats-run-init's wait4 of
 * the program), with cpu_source "rusage" and cpu_source_why. */
void cpu_count_finish(const CpuCount *count, double rusage_seconds, MstatsRunResult *result);

/* Removes the cgroup when it is its own, and clears `count`. */
void cpu_count_destroy(CpuCount *count);

#endif
