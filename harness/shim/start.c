/* Starting the shim in a process image, and what a fork or an exec does to it.
 *
 * The first malloc-family call or the shim's constructor, whichever comes
 * first, starts the shim: it reads its configuration from the environment,
 * maps the shared region, takes the image's entry in it (region_layout.h),
 * reserves its bookkeeping with mmap and loads the allocator. The heap start
 * is the kernel's (start_brk in /proc/self/stat), not the break at that
 * moment: an allocator preloaded after the shim (static TLS) runs its
 * constructors first, and may have called sbrk already.
 *
 * Every image measures itself: the program, each child it forks (a new
 * entry, from the fork on) and each image that an exec in place gives a
 * process (a new entry: a new heap). So a wrapper (`env`, `sh -c`, `make`)
 * and the workload it runs each have their figures, and the runner reports
 * the one with the largest heap. The first image claims the recording
 * (--record): an exec in place ends it, and other processes never record.
 * (The runner cannot write pids itself: in the sandbox's PID namespace the
 * program's pid differs from the one the runner sees.)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heap_start.h"
#include "start.h"
#include "violation.h"

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

/* The image's program name, argv[0] without its directories, from
 * /proc/self/cmdline (the shim may start before libc knows argv). */
static void read_program_name(char name[MSTATS_PROGRAM_MAX])
{
    char text[1024];
    name[0] = '\0';
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return;
    text[n] = '\0';
    const char *slash = strrchr(text, '/');
    const char *base = slash != NULL ? slash + 1 : text;
    size_t length = strnlen(base, MSTATS_PROGRAM_MAX - 1);
    memcpy(name, base, length);
    name[length] = '\0';
}

/* Takes a new entry in the region for this process image; NULL when every
 * entry is taken (the image then counts privately, and the runner says how
 * many went unmeasured). `program` is copied in. */
static MstatsProcess *take_process_entry(uintptr_t heap_start, const char *program)
{
    uint32_t index = __atomic_fetch_add(&shim.region->process_count, 1, __ATOMIC_ACQ_REL);
    if (index >= MSTATS_PROCESSES_MAX)
        return NULL;
    MstatsProcess *entry = &shim.region->processes[index];
    entry->pid = getpid();
    entry->heap_start = heap_start;
    memcpy(entry->program, program, MSTATS_PROGRAM_MAX);
    entry->program[MSTATS_PROGRAM_MAX - 1] = '\0';
    return entry;
}

/* Makes `entry` (NULL: none) this image's place to count, from `figures`
 * on, and marks it started. */
static void count_in(MstatsProcess *entry, const MstatsFigures *figures)
{
    shim.process = entry;
    shim.figures = entry != NULL ? &entry->figures : &shim.private_figures;
    if (shim.figures != figures)
        *shim.figures = *figures;
    if (entry != NULL)
        __atomic_store_n(&entry->started, 1, __ATOMIC_RELEASE);
}

/* glibc's registration of fork handlers. pthread_atfork passes the shim's
 * __dso_handle, and glibc drops such handlers when it finalizes the shim at
 * exit, before the destructors of libraries loaded after it (the allocator)
 * run: a fork from one of those would then leave the child counting in its
 * parent's entry. With no handle the handlers stay (the shim, preloaded, is
 * never unloaded). */
extern int __register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void),
                             void *dso_handle);

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
 * the heap) and measures itself in an entry of its own, starting from what it
 * inherited: its heap now (MAX from here), and its live blocks, which count
 * as requested. It never records. */
static void fork_child(void)
{
    pthread_mutex_init(&shim.lock, NULL);
    shim.recording = false;
    if (__atomic_load_n(&shim.phase, __ATOMIC_ACQUIRE) != SHIM_READY || shim.region == NULL)
        return;
    const MstatsFigures *parent = shim.figures;
    MstatsFigures born = {
        .heap_now = parent->heap_now,
        .heap_max = parent->heap_now,
        .requested = parent->live,
        .live = parent->live,
        .peak_live = parent->live,
        .live_blocks = parent->live_blocks,
    };
    for (int h = 0; h < MSTATS_HEADER_BOUNDS; h++)
        born.live_header[h] = born.peak_header[h] = parent->live_header[h];
    char program[MSTATS_PROGRAM_MAX] = {0};
    if (shim.process != NULL)
        memcpy(program, shim.process->program, MSTATS_PROGRAM_MAX);
    count_in(take_process_entry(shim.heap_start, program), &born);
}

/* The first image claims the recording; an exec in place of it ends the
 * recording, whose ids died with the old image. */
static void start_recording(int record_fd)
{
    pid_t self = getpid(), unclaimed = 0;
    if (__atomic_compare_exchange_n(&shim.region->recorder_pid, &unclaimed, self, false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        recorder_start(record_fd);
    else if (unclaimed == self)
        shim.region->record_truncated = 2;
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

    /* glibc's malloc moves the break itself (__sbrk); an mmap allocator has none. */
    shim.virtual_breaks = strcmp(allocator, "libc") != 0 && !shim.heap_unmeasured;
    shim_break_read(); /* the kernel's, which an allocator's sbrk may have moved already */
    if (shim.virtual_breaks)
        __curbrk = (void *)shim.kernel_break; /* glibc's cache, as glibc would set it */
    shim.heap_start = mstats_heap_start("/proc/self/stat");
    if (shim.heap_start == 0 || shim.heap_start > shim_break())
        shim.heap_start = shim_break();
    if (shim.region != NULL) {
        char program[MSTATS_PROGRAM_MAX];
        read_program_name(program);
        MstatsFigures empty = {0};
        /* The break may have moved already (an allocator's constructor). */
        empty.heap_now = empty.heap_max = shim_break() - shim.heap_start;
        count_in(take_process_entry(shim.heap_start, program), &empty);
    } else {
        count_in(NULL, &shim.private_figures);
    }
    /* The span is the limit plus a page: a heap past the limit stops the
     * program before any block beyond the span is checked. */
    if (!live_index_init(&shim.live, shim.heap_start, shim.memory_limit + 4096, shim.alignment))
        violation_exit(MSTATS_CODE_NO_STATS,
                       "statistics could not be collected: the shim could not map its "
                       "bookkeeping memory");
    shim.real_brk = (int (*)(void *))dlsym(RTLD_NEXT, "brk");

    uint64_t record_fd = env_number(MSTATS_ENV_RECORD_FD, UINT64_MAX);
    if (shim.region != NULL && record_fd <= 65535)
        start_recording((int)record_fd);
    /* Before the allocator's constructors run: a fork in one of them must
     * already leave the child off the region. */
    __register_atfork(fork_prepare, fork_parent, fork_child, NULL);
    allocator_load(allocator);
    crash_reports_start();
    if (shim.region != NULL)
        __atomic_store_n(&shim.region->allocator_ready, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&shim.phase, SHIM_READY, __ATOMIC_RELEASE);
}

/* Starts the shim even in a program that never allocates, so that the runner
 * can tell "no allocations" from "the shim never ran". */
__attribute__((constructor)) static void shim_constructor(void)
{
    shim_start();
}
