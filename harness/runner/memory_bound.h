/* Bounding all the memory of one run (-m bounds the heap; see
 * MSTATS_RUN_MEMORY for the whole run): a cgroup of its own where one can be
 * made (cgroup v2 with the memory controller, else the v1 memory hierarchy),
 * else RLIMIT_DATA on the program (brk and private writable mappings, which
 * is what the shim's bookkeeping and any mmap'd heap take). A cgroup run
 * past the bound is killed by the kernel and reported with code 68; under
 * RLIMIT_DATA brk and mmap fail with ENOMEM and the program decides.
 * The program joins the cgroup just before its exec, so the cgroup holds it
 * and everything it starts, not the harness's mstats-run-init (nor bwrap).
 * A cgroup v2 bound is also where CPU time is counted (cpu_count.h). */
#ifndef MSTATS_RUNNER_MEMORY_BOUND_H
#define MSTATS_RUNNER_MEMORY_BOUND_H

#include <glib.h>

#include "region_layout.h"

typedef struct {
    const char *kind;    /* "cgroup v2", "cgroup v1" or "rlimit" */
    guint64 bytes;       /* the bound */
    char *dir;           /* the run's cgroup; NULL under rlimit */
    int version;         /* 1 or 2 with a cgroup */
    int procs_fd;        /* its cgroup.procs, where the program writes "0" (run_init.c) */
    guint64 rlimit_data; /* RLIMIT_DATA for the program; 0 with a cgroup */
} MemoryBound;

/* Makes the bound for one run of at most `bytes`. Never fails: without a
 * cgroup it falls back to RLIMIT_DATA. */
void memory_bound_create(MemoryBound *bound, guint64 bytes);

/* After the run: the REASON for code 68 when the kernel killed the run for
 * passing the bound (NULL when it did not), naming what grew: the heap (the
 * shim's MAX in `region`) or other memory. *peak receives the cgroup's peak
 * charge (0 when unknown). */
char *memory_bound_finish(const MemoryBound *bound, const MstatsRegion *region, guint64 *peak);

/* Removes the cgroup (every process of the run is gone by now; anything
 * left is killed). */
void memory_bound_destroy(MemoryBound *bound);

#endif
