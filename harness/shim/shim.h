/* Internal state and interfaces of the preloaded shim (libmstats-shim.so).
 *
 * The shim sits between the program and the allocator under test. One file a
 * job:
 *   interpose.c    the exported malloc family: the bypass rule, forwarding
 *   measure.c      the figures and checks of one measured call
 *   live_index.c   live blocks by address (live_index.h)
 *   violation.c    the words of a failed check, and the end of the program
 *   break_hooks.c  sbrk and brk: MAX sampled the moment the break moves
 *   bypass.c       unmeasured calls: from inside the allocator, or at boot
 *   crash.c        a crash inside an allocator call, named
 *   boot_arena.c   memory for the dynamic loader before the allocator is loaded
 *   start.c        starting in a process image; fork and exec (start.h: the
 *                  bypass rule, which starts the shim on a first call)
 *   allocator_load.c, recorder.c  loading the allocator; --record
 * The shim links libc only and never calls malloc: its own memory comes from
 * mmap, and what the dynamic loader asks for before the allocator is loaded
 * comes from the boot arena and is never counted.
 */
#ifndef MSTATS_SHIM_H
#define MSTATS_SHIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "live_index.h"
#include "region_layout.h"
#include "text_buffer.h"

#define SHIM_HIDDEN __attribute__((visibility("hidden")))
#define SHIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SHIM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Every returned pointer must be aligned to this (max_align_t on x86-64)
 * unless the runner asked for 8 or 1 (MSTATS_SHIM_ALIGN, mstats --align). */
#define SHIM_ALIGNMENT 16

typedef enum { SHIM_UNLOADED, SHIM_LOADING, SHIM_READY } ShimPhase;

/* The allocator's entry points; NULL where it lacks an optional one. */
typedef struct {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*reallocarray)(void *, size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*malloc_usable_size)(void *);
} AllocatorFunctions;

/* Any one of them, to compare by address: the same function under two names
 * is one function. */
typedef void (*AllocatorEntry)(void);

/* The allocator's function that runs for a measured call of one function of
 * the family: the one of that name, or the one the shim serves it with where
 * the allocator lacks it (reallocarray with realloc; an aligned one with
 * memalign, posix_memalign, aligned_alloc, else malloc). */
typedef struct {
    AllocatorEntry entry;
    MstatsFunction name; /* names the allocator's function, not the call */
} Serving;

/* Recording state (reporter only, with --record). */
typedef struct {
    MstatsRecordedOp *ops; /* the recording memfd, mapped MAP_SHARED */
    uint64_t capacity;     /* ops that fit in the mapping */
    uint64_t *used_ids;    /* bitmap of ids in use */
    uint32_t id_limit;     /* bits in used_ids */
    uint32_t lowest_free;  /* every id below it is in use */
} Recorder;

/* All module state, in one place. */
typedef struct {
    volatile int phase;           /* ShimPhase */
    AllocatorFunctions allocator; /* where calls are forwarded */
    bool is_libc;                 /* glibc's own malloc held to sbrk */
    int (*real_brk)(void *);      /* glibc's brk, resolved at start */
    uintptr_t heap_start;         /* the kernel's start of this image's heap */
    /* The break (shim_break), kept by the shim and never read from memory the
     * program can write (glibc's __curbrk included). With virtual_breaks,
     * the allocator's, exact to the byte, moved only by the sbrk and brk calls
     * the shim serves, while the kernel's is moved to MSTATS_BREAK_ROUND of
     * it; without, the kernel's, read with the brk system call. */
    uintptr_t heap_break;
    uintptr_t kernel_break;        /* the kernel's, as the shim last set or read it */
    void *glibc_break_seen;        /* without virtual_breaks: __curbrk at that read */
    bool virtual_breaks;           /* sbrk and brk keep heap_break (break_hooks.c) */
    uint64_t memory_limit;         /* heap bytes past which the program stops (68) */
    unsigned alignment;            /* checked alignment of every block: 16, 8, 1 (none) */
    bool heap_unmeasured;          /* an mmap reference allocator: no heap checks */
    MstatsRegion *region;          /* shared region; NULL when there is none */
    MstatsProcess *process;        /* this image's entry in the region; NULL: none */
    bool recording;                /* the first image, with --record */
    MstatsFigures *figures;        /* process->figures, or private_figures */
    MstatsFigures private_figures; /* where an image without an entry counts (never read) */
    LiveIndex live;                /* live blocks by address: size, id; starts ever */
    Recorder recorder;
    pthread_mutex_t lock; /* guards all of the above after start */
    /* What serves each function of the family (allocator_load.c); read by the
     * bypass to tell a call that can only loop. Fixed once loaded. */
    Serving serving[MSTATS_FN_COUNT];
} Shim;

extern Shim shim SHIM_HIDDEN;

/* What the program asked for, for counting and for the words of a REASON. */
typedef struct {
    MstatsFunction fn;
    uintptr_t old;      /* realloc/free argument */
    uint64_t count;     /* calloc/reallocarray element count */
    uint64_t size;      /* requested bytes (for calloc: count * element size) */
    uint64_t alignment; /* required alignment of the result, a power of two */
} Call;

/* The measured call this thread is in (NULL outside one): what a crash
 * inside the allocator names (crash.c). */
extern __thread const Call *shim_call SHIM_HIDDEN __attribute__((tls_model("initial-exec")));

/* >0 while this thread is inside the shim: a malloc call from the allocator
 * itself then goes straight to the allocator, uncounted (unless it would go
 * to the very function running for shim_call: bypass.c). */
extern __thread int shim_depth SHIM_HIDDEN __attribute__((tls_model("initial-exec")));

static inline bool shim_ready(void)
{
    return SHIM_LIKELY(__atomic_load_n(&shim.phase, __ATOMIC_ACQUIRE) == SHIM_READY);
}

/* Enters the shim for measured `call`; returns whether the lock was taken. A
 * single-threaded program (glibc's flag, cleared by the first pthread_create)
 * needs none. */
static inline bool shim_enter(const Call *call)
{
    shim_depth++;
    shim_call = call;
    bool locked = !__libc_single_threaded;
    if (locked)
        pthread_mutex_lock(&shim.lock);
    return locked;
}

static inline void shim_leave(bool locked)
{
    if (locked)
        pthread_mutex_unlock(&shim.lock);
    shim_call = NULL;
    shim_depth--;
}

/* glibc's cached break and its sbrk, which moves the break and the cache. */
extern void *__curbrk;
extern void *__sbrk(intptr_t increment);

/* Reads the kernel's break (a brk system call) into heap_break. Here, not
 * in break_hooks.c, which calls the modules that read the break. */
static inline void shim_break_read(void)
{
    shim.glibc_break_seen = __curbrk; /* before the read: a later move is seen next time */
    shim.kernel_break = (uintptr_t)syscall(SYS_brk, 0);
    shim.heap_break = shim.kernel_break;
}

/* The break: the allocator's as the sbrk and brk calls the shim served left
 * it (break_hooks.c), so that a block past it is outside the heap whatever
 * the program wrote anywhere. glibc's malloc (no virtual_breaks) moves the
 * break with glibc's internal __sbrk, past the shim: its break is the
 * kernel's, read again with the brk system call whenever glibc's cache
 * __curbrk has changed, which is when glibc moved it. The cache only says
 * when to ask the kernel, never what the break is. No system call otherwise. */
static inline uintptr_t shim_break(void)
{
    if (SHIM_UNLIKELY(!shim.virtual_breaks) && __curbrk != shim.glibc_break_seen)
        shim_break_read();
    return shim.heap_break;
}

/* Boot arena: bump memory for calls made before the allocator is ready. */
SHIM_HIDDEN void *boot_alloc(size_t size, size_t alignment);
SHIM_HIDDEN bool boot_owns(const void *p);
SHIM_HIDDEN size_t boot_size(const void *p);

/* Unmeasured calls (bypass.c): to the allocator from inside it, else to the
 * boot arena. A boot block stays in the arena. `called` is the function of
 * the family the allocator called, for the words of a loop. */
SHIM_HIDDEN void *bypass_malloc(size_t size, size_t alignment, MstatsFunction called);
SHIM_HIDDEN void *bypass_calloc(size_t count, size_t size);
SHIM_HIDDEN void bypass_free(void *pointer);
SHIM_HIDDEN void *bypass_realloc(void *pointer, size_t size, MstatsFunction called);

/* Loads the allocator named by `path` ("libc" for glibc) into shim.allocator.
 * On failure ends the process with 65 or 66. */
SHIM_HIDDEN void allocator_load(const char *path);

/* Catches a crash inside a measured call and names the call (crash.c). */
SHIM_HIDDEN void crash_reports_start(void);

/* Ends the program as a stack overflow inside shim_call would (11, then
 * SIGABRT): the allocator's function running for it called `called` from
 * inside itself, which the shim forwards to that same function, `depth`
 * times nested, none returning: a loop that may never grow the stack (a
 * tail call). */
SHIM_HIDDEN __attribute__((noreturn, cold)) void crash_self_call(MstatsFunction called,
                                                                 unsigned depth);

/* Recording: ids and operations (no-ops unless shim.recording). */
SHIM_HIDDEN void recorder_start(int fd);
SHIM_HIDDEN uint32_t recorder_take_id(void);
SHIM_HIDDEN void recorder_release_id(uint32_t id);
SHIM_HIDDEN void recorder_log(MstatsOpKind kind, MstatsFunction fn, uint32_t id, uint64_t size,
                              uintptr_t pointer);
/* A free is logged before the allocator frees the block (its id is released
 * then); once the call is measured, this gives the last operation the heap
 * after the call. */
SHIM_HIDDEN void recorder_settle_heap(void);

/* Reads the heap size (break - heap start) into heap_now and MAX; returns it. */
static inline uint64_t heap_note(void)
{
    MstatsFigures *f = shim.figures;
    uintptr_t brk = shim_break();
    uint64_t heap = brk > shim.heap_start ? brk - shim.heap_start : 0;
    f->heap_now = heap;
    if (heap > f->heap_max)
        f->heap_max = heap;
    return heap;
}

#endif
