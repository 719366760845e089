/* The shared region: the one place where the preloaded shim (in the program)
 * and the runner (in mstats/mreplace) meet. The runner creates it as a memfd
 * before the fork, the program inherits the descriptor across exec, and the
 * shim maps it. The first shim to start (the program's) claims the region by
 * writing its pid into reporter_pid, which the runner leaves 0. The shim
 * writes its figures here on every call (not at exit), so a program that
 * crashes or calls _exit still leaves the figures up to its last call. Both sides are built from
 * this one header; the version and size fields reject a mismatched pair.
 *
 * Environment handed to the program (names shared by both sides):
 *   MSTATS_SHIM_ALLOCATOR  allocator path, or "libc"
 *   MSTATS_SHIM_REGION_FD  descriptor of the region memfd
 *   MSTATS_SHIM_LIMIT      memory limit in bytes
 *   MSTATS_SHIM_RECORD_FD  descriptor of the recording memfd (optional)
 *   MSTATS_SHIM_ALIGN      alignment every block must have: 16 (default) or 8
 *   MSTATS_SHIM_MMAP       "1": a reference allocator that takes memory with
 *                          mmap (jemalloc, ...): calls and time are measured,
 *                          the heap and the checks on it are not
 */
#ifndef MSTATS_REGION_LAYOUT_H
#define MSTATS_REGION_LAYOUT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "break_rule.h" /* MSTATS_BREAK_ROUND: the shim's break, the runner's witness check */
#include "status_codes.h" /* what `code` below holds */

#define MSTATS_REGION_MAGIC_HEAD 0x6d73746174732d48ULL /* "mstats-H" */
#define MSTATS_REGION_MAGIC_TAIL 0x6d73746174732d54ULL /* "mstats-T" */
#define MSTATS_REGION_VERSION 1u
#define MSTATS_REASON_MAX 512

#define MSTATS_ENV_ALLOCATOR "MSTATS_SHIM_ALLOCATOR"
#define MSTATS_ENV_REGION_FD "MSTATS_SHIM_REGION_FD"
#define MSTATS_ENV_LIMIT "MSTATS_SHIM_LIMIT"
#define MSTATS_ENV_RECORD_FD "MSTATS_SHIM_RECORD_FD"
#define MSTATS_ENV_ALIGN "MSTATS_SHIM_ALIGN"
#define MSTATS_ENV_MMAP "MSTATS_SHIM_MMAP"

/* The memory limit when none is given: 2.5 GiB of heap. */
#define MSTATS_DEFAULT_MEMORY_LIMIT (5ULL << 29)
/* The alignment checked when none is given (max_align_t on x86-64). */
#define MSTATS_DEFAULT_ALIGNMENT 16u

/* The alignment the run checks every block for, read in the program from
 * MSTATS_SHIM_ALIGN: 8 under --align 8, else the default. The shim checks
 * it, and the workloads (testers, mreplay) accept what the run accepts. */
static inline unsigned mstats_run_alignment(void)
{
    const char *alignment = getenv(MSTATS_ENV_ALIGN);
    return alignment != NULL && strcmp(alignment, "8") == 0 ? 8 : MSTATS_DEFAULT_ALIGNMENT;
}

/* Largest recording the shim writes; past it recording stops and the region
 * says so (the memfd is sparse: only written pages cost memory). */
#define MSTATS_RECORD_CAPACITY (1ULL << 32)

/* The interposed functions, in the order of MstatsFigures.calls. */
typedef enum {
    MSTATS_FN_MALLOC,
    MSTATS_FN_CALLOC,
    MSTATS_FN_REALLOC,
    MSTATS_FN_FREE,
    MSTATS_FN_REALLOCARRAY,
    MSTATS_FN_POSIX_MEMALIGN,
    MSTATS_FN_ALIGNED_ALLOC,
    MSTATS_FN_MEMALIGN,
    MSTATS_FN_VALLOC,
    MSTATS_FN_PVALLOC,
    MSTATS_FN_COUNT
} MstatsFunction;

/* The function's name, as in REASON texts and the JSON report. */
static inline const char *mstats_function_name(MstatsFunction fn)
{
    static const char *const names[MSTATS_FN_COUNT] = {
        "malloc",         "calloc",        "realloc",  "free",   "reallocarray",
        "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc",
    };
    return names[fn];
}

/* Figures of the measured (top) process. All byte counts are requested bytes
 * except the heap_* ones, which are bytes of break above the shim's start. */
typedef struct {
    uint64_t heap_now;          /* break - heap_start after the latest call */
    uint64_t heap_max;          /* MAX: peak of heap_now, also sampled inside sbrk */
    unsigned __int128 heap_sum; /* sum of heap_now over all calls, for AVG */
    uint64_t samples;           /* calls summed into heap_sum */
    uint64_t requested;         /* REQUESTED: total bytes asked for */
    uint64_t live;              /* bytes in blocks allocated and not yet freed */
    uint64_t peak_live;         /* PEAK-LIVE: maximum of live */
    uint64_t live_blocks;       /* blocks allocated and not yet freed */
    uint64_t calls[MSTATS_FN_COUNT];
    uint64_t failed_calls; /* NULL for a non-zero request */
} MstatsFigures;

/* One recorded operation (32 bytes). The runner turns these into .rep lines
 * and heap maps. */
typedef enum {
    MSTATS_OP_ALLOC = 1, /* a ID SIZE */
    MSTATS_OP_REALLOC,   /* r ID SIZE */
    MSTATS_OP_FREE,      /* f ID */
    MSTATS_OP_FREE_NULL  /* f -1 */
} MstatsOpKind;

typedef struct {
    uint32_t kind;
    uint32_t id;
    uint64_t size;
    uint64_t offset; /* the block's address minus heap_start (a and r) */
    uint64_t heap;   /* heap size (break - heap_start) after the call; before it for a free */
} MstatsRecordedOp;

typedef struct {
    uint64_t magic_head;
    uint32_t version;
    uint32_t region_size;     /* sizeof(MstatsRegion), checked by both sides */
    pid_t reporter_pid;       /* 0 from the runner; the first shim claims it (start.c) */
    uint32_t shim_started;    /* the reporter's shim mapped the region */
    uint32_t allocator_ready; /* the allocator was loaded and resolved */
    int32_t exec_errno;       /* exec of the program failed with this errno */
    uint64_t heap_start;      /* break when the shim started (address) */
    uint64_t memory_limit;    /* limit the shim enforced */
    MstatsFigures figures;
    int32_t code; /* 0, or the code of a check that fired */
    uint32_t record_truncated;
    uint64_t record_ops; /* operations written to the recording memfd */
    uint32_t record_ids; /* highest id used + 1 */
    uint32_t pad;
    char reason[MSTATS_REASON_MAX]; /* words for `code` */
    uint64_t magic_tail;
} MstatsRegion;

#endif
