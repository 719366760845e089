/* Internal state and interfaces of the preloaded shim (libmstats-shim.so).
 *
 * The shim sits between the program and the allocator under test: every
 * malloc-family call goes through interpose.c, which forwards it to the
 * allocator and then measures (figures) and checks (heap bounds, alignment,
 * overlap via the shadow bitmap, invalid and double free via the live table).
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

#include "live_table.h"
#include "region_layout.h"
#include "text_buffer.h"
#include "shadow.h"

#define SHIM_HIDDEN __attribute__((visibility("hidden")))
#define SHIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SHIM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Every returned pointer must be aligned to this (max_align_t on x86-64). */
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
    volatile int phase;            /* ShimPhase */
    AllocatorFunctions allocator;  /* where calls are forwarded */
    bool is_libc;                  /* glibc's own malloc held to sbrk */
    int (*real_brk)(void *);       /* glibc's brk, resolved at start */
    uintptr_t heap_start;          /* break when the shim started */
    uint64_t memory_limit;         /* heap bytes past which the program stops (68) */
    MstatsRegion *region;          /* shared region; NULL when there is none */
    bool reporter;                 /* this process is the one being measured */
    bool recording;                /* reporter with --record */
    MstatsFigures *figures;        /* region->figures, or private_figures */
    MstatsFigures private_figures; /* where non-reporters count (never read) */
    LiveTable live;                /* live blocks: pointer -> requested size, id */
    Shadow shadow;                 /* granules of live blocks; block starts ever */
    Recorder recorder;
    pthread_mutex_t lock; /* guards all of the above after start */
} Shim;

extern Shim shim SHIM_HIDDEN;

/* glibc's break, read without a system call (sbrk(0) reads the same). */
extern void *__curbrk;
extern void *__sbrk(intptr_t increment);

static inline uintptr_t shim_break(void)
{
    return (uintptr_t)__curbrk;
}

/* Starts the shim if it has not started: maps the region, loads the allocator.
 * Safe to call from any entry point; calls made while it runs use the boot arena. */
SHIM_HIDDEN void shim_start(void);

/* Boot arena: bump memory for calls made before the allocator is ready. */
SHIM_HIDDEN void *boot_alloc(size_t size, size_t alignment);
SHIM_HIDDEN bool boot_owns(const void *p);
SHIM_HIDDEN size_t boot_size(const void *p);

/* Loads the allocator named by `path` ("libc" for glibc) into shim.allocator.
 * On failure ends the process with 65 or 66. */
SHIM_HIDDEN void allocator_load(const char *path);

/* Ends the process with `code` after recording `reason` (reporter) or printing
 * it on stderr (any other process). Never returns. */
SHIM_HIDDEN __attribute__((noreturn)) void violation_exit(int code, const char *reason);

/* Recording: ids and operations (no-ops unless shim.recording). */
SHIM_HIDDEN void recorder_start(int fd);
SHIM_HIDDEN uint32_t recorder_take_id(void);
SHIM_HIDDEN void recorder_release_id(uint32_t id);
SHIM_HIDDEN void recorder_log(MstatsOpKind kind, uint32_t id, uint64_t size, uintptr_t pointer);

/* Heap accounting after the break moved (also called inside sbrk/brk):
 * updates heap_now/heap_max and stops the program past the memory limit. */
SHIM_HIDDEN void heap_note_break(const char *cause);

#endif
