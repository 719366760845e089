/* Creating the region before the fork and judging it after the exit. A memfd,
 * not a named file: parallel runs cannot collide and nothing is left behind. */
#define _GNU_SOURCE
#include "region.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"

/* Moves `fd` to 100 or above: the program inherits it, and shell scripts
 * freely reuse the low numbers (exec 3>log). Returns the new descriptor. */
static int descriptor_out_of_the_way(int fd)
{
    if (fd < 0 || fd >= 100)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 100);
    if (moved < 0)
        return fd;
    close(fd);
    return moved;
}

gboolean runner_region_create(RunnerRegion *region, guint64 memory_limit, gboolean record,
                              GError **error)
{
    region->fd = -1;
    region->map = NULL;
    region->record_fd = -1;
    region->fd = descriptor_out_of_the_way(memfd_create("mstats-region", MFD_CLOEXEC));
    if (region->fd < 0 || ftruncate(region->fd, sizeof(MstatsRegion)) != 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot create the region: %s",
                    g_strerror(errno));
        runner_region_close(region);
        return FALSE;
    }
    region->map =
        mmap(NULL, sizeof(MstatsRegion), PROT_READ | PROT_WRITE, MAP_SHARED, region->fd, 0);
    if (region->map == MAP_FAILED) {
        region->map = NULL;
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot map the region: %s",
                    g_strerror(errno));
        runner_region_close(region);
        return FALSE;
    }
    MstatsRegion *map = region->map;
    memset(map, 0, sizeof *map);
    map->magic_head = MSTATS_REGION_MAGIC_HEAD;
    map->magic_tail = MSTATS_REGION_MAGIC_TAIL;
    map->version = MSTATS_REGION_VERSION;
    map->region_size = sizeof(MstatsRegion);
    map->memory_limit = memory_limit;
    if (record) {
        /* Sparse: only the pages the shim writes take memory. */
        region->record_fd = descriptor_out_of_the_way(memfd_create("mstats-record", MFD_CLOEXEC));
        if (region->record_fd < 0 || ftruncate(region->record_fd, MSTATS_RECORD_CAPACITY) != 0) {
            g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM,
                        "cannot create the recording buffer: %s", g_strerror(errno));
            runner_region_close(region);
            return FALSE;
        }
    }
    return TRUE;
}

char *runner_region_problem(const RunnerRegion *region)
{
    const MstatsRegion *map = region->map;
    if (map->magic_head != MSTATS_REGION_MAGIC_HEAD ||
        map->magic_tail != MSTATS_REGION_MAGIC_TAIL || map->version != MSTATS_REGION_VERSION ||
        map->region_size != sizeof(MstatsRegion))
        return g_strdup("the statistics region was overwritten (its guard words changed)");
    guint count = MIN(map->process_count, MSTATS_PROCESSES_MAX);
    for (guint i = 0; i < count; i++) {
        const MstatsFigures *f = &map->processes[i].figures;
        guint64 calls = 0;
        for (int k = 0; k < MSTATS_FN_COUNT; k++)
            calls += f->calls[k];
        /* Each relation holds after every call the shim makes; a wild write
         * from the program is very unlikely to keep all of them. */
        if (calls != f->samples || f->heap_max < f->heap_now || f->peak_live < f->live ||
            f->requested < f->peak_live || f->peak_header[0] < f->live_header[0] ||
            f->peak_header[1] < f->live_header[1] ||
            f->heap_sum > (unsigned __int128)f->heap_max * f->samples)
            return g_strdup_printf("the statistics region is inconsistent (the figures of "
                                   "process %u contradict each other)",
                                   i + 1);
    }
    return NULL;
}

void runner_region_close(RunnerRegion *region)
{
    if (region->map != NULL)
        munmap(region->map, sizeof(MstatsRegion));
    if (region->fd >= 0)
        close(region->fd);
    if (region->record_fd >= 0)
        close(region->record_fd);
    region->map = NULL;
    region->fd = -1;
    region->record_fd = -1;
}
