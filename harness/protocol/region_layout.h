/* The shared region: the one place where the preloaded shim (in the program)
 * and the runner (in mstats/mreplace) meet. The runner creates it as a memfd
 * before the fork, the program inherits the descriptor across exec, and the
 * shim maps it. Every measured process image of the run (the program, each
 * child it forks, each image an exec in place gives a process) takes an
 * entry of its own in `processes` when its shim starts, and counts its
 * figures there on every call (not at exit), so a program that crashes or
 * calls _exit still leaves the figures up to its last call. The runner
 * reports the process with the largest heap (the workload under a wrapper
 * such as `env`, `sh -c` or `make`). Both sides are built from this one
 * header; the version and size fields reject a mismatched pair.
 *
 * Environment handed to the program (names shared by both sides):
 *   MSTATS_SHIM_ALLOCATOR  allocator path, or "libc"
 *   MSTATS_SHIM_REGION_FD  descriptor of the region memfd
 *   MSTATS_SHIM_LIMIT      memory limit in bytes
 *   MSTATS_SHIM_RECORD_FD  descriptor of the recording memfd (optional)
 *   MSTATS_SHIM_ALIGN      alignment every block must have: 16 (default), 8, or 1 (none)
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

#include "break_rule.h"   /* MSTATS_BREAK_ROUND: the shim's break, the runner's witness check */
#include "status_codes.h" /* what `code` below holds */

#define MSTATS_REGION_MAGIC_HEAD 0x6d73746174732d48ULL /* "mstats-H" */
#define MSTATS_REGION_MAGIC_TAIL 0x6d73746174732d54ULL /* "mstats-T" */
#define MSTATS_REGION_VERSION 3u
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
 * MSTATS_SHIM_ALIGN: 8 under --align 8, 1 (none checked) under --align 1,
 * else the default. The shim checks it, and the workloads (testers, mreplay)
 * accept what the run accepts. */
static inline unsigned mstats_run_alignment(void)
{
    const char *alignment = getenv(MSTATS_ENV_ALIGN);
    if (alignment != NULL && strcmp(alignment, "8") == 0)
        return 8;
    if (alignment != NULL && strcmp(alignment, "1") == 0)
        return 1;
    return MSTATS_DEFAULT_ALIGNMENT;
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

/* The header bound: the heap an allocator needs at least when every block
 * carries an H-byte header and is rounded up to 16 bytes, the peak over time
 * of the sum of mstats_header_block(size, H) over the live blocks. Measured
 * for H = 8 (the strategies' header) and H = 16. */
#define MSTATS_HEADER_BOUNDS 2
/* The header size of bound `h` (0 .. MSTATS_HEADER_BOUNDS - 1): 8, then 16. */
static inline uint64_t mstats_header_size(int h)
{
    return h == 0 ? 8 : 16;
}

/* Bytes a live block of `size` requested bytes counts for in the header
 * bound with an H-byte header: size + H rounded up to a multiple of 16. */
static inline uint64_t mstats_header_block(uint64_t size, uint64_t header)
{
    return (size + header + 15) & ~(uint64_t)15;
}

/* Figures of one measured process image. All byte counts are requested
 * bytes except the heap_* ones, which are bytes of break above the image's
 * heap start. A forked child starts from what it inherits: its heap as it
 * was at the fork (MAX from there), and the blocks it holds, counted as
 * live and as requested. */
typedef struct {
    uint64_t heap_now;          /* break - heap_start after the latest call */
    uint64_t heap_max;          /* MAX: peak of heap_now, also sampled inside sbrk */
    unsigned __int128 heap_sum; /* sum of heap_now over all calls, for AVG */
    uint64_t samples;           /* calls summed into heap_sum */
    uint64_t requested;         /* REQUESTED: total bytes asked for */
    uint64_t live;              /* bytes in blocks allocated and not yet freed */
    uint64_t peak_live;         /* PEAK-LIVE: maximum of live */
    uint64_t live_blocks;       /* blocks allocated and not yet freed */
    /* The header bound (docs/mcompare.md): live blocks each counted as
     * mstats_header_block(size, H), now and at the peak, for the two header
     * sizes of mstats_header_size. */
    uint64_t live_header[MSTATS_HEADER_BOUNDS];
    uint64_t peak_header[MSTATS_HEADER_BOUNDS];
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
    uint16_t kind;     /* MstatsOpKind */
    uint16_t function; /* MstatsFunction called: malloc, calloc, ... (a realloc that freed:
                        * realloc) */
    uint32_t id;
    uint64_t size;
    uint64_t offset; /* the block's address minus heap_start (a and r) */
    uint64_t heap;   /* heap size (break - heap_start) after the call */
} MstatsRecordedOp;

/* Measured process images a run reports one by one; more are counted in
 * process_count but not measured (the report says how many). */
#define MSTATS_PROCESSES_MAX 1024
/* Bytes kept of an image's program name (its argv[0], without directories). */
#define MSTATS_PROGRAM_MAX 48

/* One measured process image. */
typedef struct {
    int32_t pid;                      /* as the run sees it (inside the sandbox's PID namespace) */
    uint32_t started;                 /* the fields below are written (set last, with release) */
    uint64_t heap_start;              /* the kernel's start of the image's heap (start_brk) */
    char program[MSTATS_PROGRAM_MAX]; /* NUL-terminated */
    MstatsFigures figures;
} MstatsProcess;

typedef struct {
    uint64_t magic_head;
    uint32_t version;
    uint32_t region_size;     /* sizeof(MstatsRegion), checked by both sides */
    uint32_t process_count;   /* entries taken (atomic increment); may pass the maximum */
    uint32_t allocator_ready; /* the first image's allocator was loaded and resolved */
    int32_t exec_errno;       /* exec of the program failed with this errno */
    pid_t recorder_pid;       /* 0 from the runner; the first shim claims it (start.c) */
    uint64_t memory_limit;    /* limit the shim enforced */
    uint32_t code_claimed;    /* the first check to fire sets it, then writes below */
    int32_t code;             /* 0, or the code of a check that fired */
    int32_t code_process;     /* the entry of the process it fired in (-1: unmeasured) */
    uint32_t record_truncated;
    uint64_t record_ops; /* operations written to the recording memfd */
    uint32_t record_ids; /* highest id used + 1 */
    uint32_t pad;
    char reason[MSTATS_REASON_MAX]; /* words for `code` */
    MstatsProcess processes[MSTATS_PROCESSES_MAX];
    uint64_t magic_tail;
} MstatsRegion;

#endif
