/* Starting the shim in a process, and what a fork or an exec does to it.
 *
 * The first malloc-family call or the shim's constructor, whichever comes
 * first, starts the shim: it reads its configuration from the environment,
 * maps the shared region, reserves its bookkeeping with mmap, records the
 * break as the heap start and loads the allocator. The first shim to start
 * claims the region (reporter_pid 0 -> its pid) and reports: that is the
 * program itself, whose constructor runs before it can start anything. Its
 * children (after fork, or processes it runs) have other pids, so they use
 * the same allocator and checks but count into private figures that nobody
 * reads. A process that execs in place keeps its pid and so keeps reporting:
 * its figures continue, its live bytes restart at zero. (The runner cannot
 * write the pid itself: in the sandbox's PID namespace the program's pid
 * differs from the one the runner sees.)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"

Shim shim = {.phase = SHIM_UNLOADED, .lock = PTHREAD_MUTEX_INITIALIZER};

/* Parses a decimal environment value; returns `fallback` when absent or bad. */
static uint64_t env_number(const char *name, uint64_t fallback)
{
    const char *text = getenv(name);
    if (text == NULL || *text == '\0')
        return fallback;
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    return *end == '\0' ? value : fallback;
}

/* Maps the region the runner handed over, or returns NULL. */
static MstatsRegion *map_region(void)
{
    uint64_t fd = env_number(MSTATS_ENV_REGION_FD, UINT64_MAX);
    struct stat st;
    if (fd > 65535 || fstat((int)fd, &st) != 0 || (uint64_t)st.st_size < sizeof(MstatsRegion))
        return NULL;
    MstatsRegion *region =
        mmap(NULL, sizeof(MstatsRegion), PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
    if (region == MAP_FAILED)
        return NULL;
    if (region->magic_head != MSTATS_REGION_MAGIC_HEAD ||
        region->magic_tail != MSTATS_REGION_MAGIC_TAIL ||
        region->version != MSTATS_REGION_VERSION || region->region_size != sizeof(MstatsRegion)) {
        munmap(region, sizeof(MstatsRegion));
        return NULL;
    }
    return region;
}

/* True when this process is the run's reporter: it claims the region if no
 * process has (atomically, so two racing shims cannot both win), or it
 * claimed it before an exec in place. */
static bool claim_reporter(MstatsRegion *region)
{
    pid_t self = getpid();
    pid_t unclaimed = 0;
    return __atomic_compare_exchange_n(&region->reporter_pid, &unclaimed, self, false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
           unclaimed == self;
}

static void fork_prepare(void)
{
    if (__atomic_load_n(&shim.phase, __ATOMIC_ACQUIRE) == SHIM_READY)
        pthread_mutex_lock(&shim.lock);
}

static void fork_parent(void)
{
    if (__atomic_load_n(&shim.phase, __ATOMIC_ACQUIRE) == SHIM_READY)
        pthread_mutex_unlock(&shim.lock);
}

/* The child of a fork has a copy of the bookkeeping (right: it has a copy of
 * the heap) but must not touch the parent's figures in the shared region. */
static void fork_child(void)
{
    pthread_mutex_init(&shim.lock, NULL);
    shim.reporter = false;
    shim.recording = false;
    shim.private_figures = *shim.figures;
    shim.figures = &shim.private_figures;
}

static void start_reporting(int record_fd)
{
    MstatsRegion *region = shim.region;
    if (region->shim_started) {
        /* exec in place: the old image's blocks are gone with it. Its ids are
         * lost too, so a recording cannot go on consistently and stops. */
        region->figures.live = 0;
        region->figures.live_blocks = 0;
        if (record_fd >= 0)
            region->record_truncated = 2;
        return;
    }
    region->heap_start = shim.heap_start;
    region->memory_limit = shim.memory_limit;
    __atomic_store_n(&region->shim_started, 1, __ATOMIC_RELEASE);
    if (record_fd >= 0)
        recorder_start(record_fd);
}

void shim_start(void)
{
    int expected = SHIM_UNLOADED;
    if (!__atomic_compare_exchange_n(&shim.phase, &expected, SHIM_LOADING, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return;

    const char *allocator = getenv(MSTATS_ENV_ALLOCATOR);
    if (allocator == NULL || *allocator == '\0')
        allocator = "libc";
    shim.memory_limit = env_number(MSTATS_ENV_LIMIT, MSTATS_DEFAULT_MEMORY_LIMIT);
    shim.alignment = mstats_run_alignment();
    shim.heap_unmeasured = env_number(MSTATS_ENV_MMAP, 0) == 1;
    shim.region = map_region();
    shim.reporter = shim.region != NULL && claim_reporter(shim.region);
    shim.figures = shim.reporter ? &shim.region->figures : &shim.private_figures;

    __sbrk(0); /* makes sure glibc knows the break */
    shim.heap_start = shim_break();
    /* The span is the limit plus a page: a heap past the limit stops the
     * program before any block beyond the span is checked. */
    if (!live_index_init(&shim.live, shim.heap_start, shim.memory_limit + 4096, shim.alignment))
        violation_exit(MSTATS_CODE_NO_STATS,
                       "statistics could not be collected: the shim could not map its "
                       "bookkeeping memory");
    shim.real_brk = (int (*)(void *))dlsym(RTLD_NEXT, "brk");
    /* glibc's malloc moves the break itself (__sbrk); an mmap allocator has none. */
    shim.virtual_breaks = strcmp(allocator, "libc") != 0 && !shim.heap_unmeasured;

    if (shim.reporter) {
        uint64_t record_fd = env_number(MSTATS_ENV_RECORD_FD, UINT64_MAX);
        start_reporting(record_fd <= 65535 ? (int)record_fd : -1);
    }
    /* Before the allocator's constructors run: a fork in one of them must
     * already leave the child off the region. */
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    allocator_load(allocator);
    crash_reports_start();
    if (shim.reporter)
        __atomic_store_n(&shim.region->allocator_ready, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&shim.phase, SHIM_READY, __ATOMIC_RELEASE);
}

/* Starts the shim even in a program that never allocates, so that the runner
 * can tell "no allocations" from "the shim never ran". */
__attribute__((constructor)) static void shim_constructor(void)
{
    shim_start();
}
