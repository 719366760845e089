/* The data model of a run: what to run (MstatsRunRequest) and what happened
 * (MstatsRunResult, with one MstatsProcessFigures per measured process
 * image), and the small functions over them (run_model.c). The runner
 * (run.h) fills them; trust, the reference run, the reports and mcompare
 * read them. */
#ifndef MSTATS_RUN_MODEL_H
#define MSTATS_RUN_MODEL_H

#include <glib.h>

#include "allocator.h"
#include "region_layout.h"
#include "status.h"

#define MSTATS_DEFAULT_TIMEOUT 30.0
/* Longest timeout: a day. Longer values are typing errors (and would overflow). */
#define MSTATS_TIMEOUT_MAX 86400.0
/* All the memory a run may take (-m bounds the heap): the heap limit, as much
 * again for the shim's bookkeeping (the live index reserves about a quarter
 * of it, half when recording), and
 * 256 MiB for the program's code, libraries, stacks and other mappings. */
#define MSTATS_RUN_MEMORY(heap_limit) (2 * (heap_limit) + (G_GUINT64_CONSTANT(256) << 20))

/* Which allocators' heaps the kernel witnesses. */
typedef enum {
    MSTATS_WITNESS_UNTRUSTED, /* the default: every allocator but trusted ones */
    MSTATS_WITNESS_ALL,       /* trusted ones too (--witness-all: checks, cost) */
    MSTATS_WITNESS_NONE,      /* none (--no-witness: debugging with gdb, which
                               * cannot attach to a traced program); the
                               * report says "figures not witnessed" */
} MstatsWitnessPolicy;

/* What to run. Fill with mstats_run_request_init, then set fields. */
typedef struct {
    const char *allocator;     /* built-in name, "libc" or a path; NULL: first-fit */
    char **argv;               /* PROGRAM ARG...; NULL-terminated; PROGRAM via PATH */
    double timeout_seconds;    /* <= 0: no timeout */
    guint64 memory_limit;      /* heap bytes before code 68 */
    gboolean quiet;            /* stdout and stderr without a descriptor below go to /dev/null */
    int stdin_fd;              /* -1: inherit; else the program's stdin */
    int stdout_fd;             /* -1: inherit; else the program's stdout */
    int stderr_fd;             /* -1: inherit; else the program's stderr */
    const char *record_path;   /* write the allocation sequence as .rep here; NULL: no */
    const char *heap_map_path; /* draw the heap map (heap_map.h) as PNG here; NULL: no */
    /* Record the run and hand the recording to this function after it (NULL:
     * no): the recording memfd (record.h's record_map reads it; dup it to keep
     * it), its operations and ids. mstats --diff compares two runs this way.
     * The reference run of a graded allocator is not handed over. */
    void (*recording_sink)(int record_fd, guint64 count, guint32 ids, void *data);
    void *recording_sink_data;
    /* One run at a time on a terminal (mstats, mreplace): the program's group
     * becomes the terminal's foreground, so it can read it and gets Ctrl-C. */
    gboolean take_terminal;
    /* Run outside the sandbox (debugging); the result says so. */
    gboolean no_sandbox;
    /* The alignment every block is checked for (code 93): 16 (0 means 16),
     * 8 for the courses whose allocators return 8-aligned blocks, or 1: none
     * checked, as the courses' contest harnesses did. */
    unsigned alignment;
    /* Which runs the kernel witnesses (MAX through brk; run_init.c). */
    MstatsWitnessPolicy witness_policy;
    /* Existing paths the run may change (--writable; NULL-terminated, may be
     * NULL; sandbox_writable_paths), bound read-write into the sandbox. The
     * rest of the file system is read-only there; without it they change
     * nothing. */
    const char *const *writable_paths;
} MstatsRunRequest;

/* How MAX was witnessed (docs/security.md). */
typedef enum {
    MSTATS_WITNESS_TRUSTED,     /* a trusted allocator: the shim's MAX is believed */
    MSTATS_WITNESS_KERNEL,      /* the kernel's account of every brk (run_init.c) */
    MSTATS_WITNESS_UNAVAILABLE, /* an untrusted allocator whose heap could not be witnessed */
    MSTATS_WITNESS_UNMEASURED,  /* an mmap allocator: no heap figure at all */
} MstatsWitness;

/* Whether the workload provably ran to its end (harness/protocol/proof.h,
 * docs/security.md): by its completion proof, or, for a program that gives
 * none, by its exit status and standard output. */
typedef enum {
    MSTATS_COMPLETION_NOT_VERIFIED, /* no reference could verify it (completion_why says why) */
    MSTATS_COMPLETION_VERIFIED,     /* its proof equals the reference run's on glibc */
    MSTATS_COMPLETION_PROVED,       /* a trusted allocator, and the program's proof came */
    MSTATS_COMPLETION_MISSING,      /* no valid proof: code 96 */
    MSTATS_COMPLETION_OUTPUT,       /* no proof; exit status and stdout equal the reference run's */
    MSTATS_COMPLETION_OUTPUT_DIFFERS, /* no proof; stdout differs: not verified, no verdict */
    MSTATS_COMPLETION_TRUSTED,        /* a trusted allocator, no proof: none is needed */
} MstatsCompletion;

/* One measured process image of a run (region_layout.h): the program, a
 * child it forked, or an image an exec in place gave a process. */
typedef struct {
    int pid;       /* as the run saw it (inside the sandbox's PID namespace) */
    char *program; /* argv[0] without its directories */
    guint64 heap_start;
    guint64 heap_max;
    double heap_avg;
    guint64 requested;
    guint64 peak_live;
    guint64 header_bound[MSTATS_HEADER_BOUNDS]; /* for the headers of mstats_header_size */
    guint64 live_at_exit;
    guint64 live_blocks_at_exit;
    guint64 calls[MSTATS_FN_COUNT];
    guint64 failed_calls;
    gboolean witnessed;   /* the kernel's witness followed this image */
    guint64 witness_max;  /* its peak of the kernel's break above heap_start */
    guint64 witness_brks; /* its brk system calls */
    /* its memory outside the heap as the witness saw it (brk_witness.h):
     * private writable memory less the heap at its peak, and shared memory */
    guint64 witness_outside;
} MstatsProcessFigures;

/* The memory outside the heap a graded run may keep beyond its reference
 * run's before it fails 91 (trust.c): the allocator's own static data (its
 * .data and .bss). */
#define MSTATS_OUTSIDE_ALLOWANCE (64 * 1024)

/* What happened. Figures are meaningful when figures_valid. */
typedef struct {
    int code;                     /* 0 OK; else a code of status.h or the exit status */
    gboolean code_is_exit_status; /* code is the program's own non-zero exit status */
    char *reason;                 /* words for code (NULL when OK) */
    int wait_status;              /* raw, as from wait(2) */
    int exit_status;              /* -1 when killed by a signal */
    int signal;                   /* 0 when it exited */
    gboolean timed_out;
    gboolean figures_valid;
    guint64 heap_max;    /* MAX */
    double heap_avg;     /* AVG */
    double wall_seconds; /* TIME */
    double cpu_seconds;  /* user + system of the program (cpu_source says of what else) */
    guint64 requested;   /* REQUESTED */
    guint64 peak_live;   /* PEAK-LIVE */
    /* The header bound (docs/mcompare.md) for the header sizes of
     * mstats_header_size (8 and 16 bytes): the peak of live blocks, each
     * rounded up to 16 bytes with its header */
    guint64 header_bound[MSTATS_HEADER_BOUNDS];
    double utilization;   /* PEAK-LIVE / MAX, 0 when MAX is 0 */
    guint64 live_at_exit; /* requested bytes never freed */
    guint64 live_blocks_at_exit;
    guint64 calls[MSTATS_FN_COUNT];
    guint64 failed_calls;
    MstatsAllocator allocator; /* what was loaded */
    /* Every measured process image, in the order they started. The figures
     * above (MAX to CALLS) are those of processes[reported_process], the
     * one with the largest heap: the workload under a wrapper. */
    MstatsProcessFigures *processes;
    guint process_count;
    guint processes_unmeasured; /* images past MSTATS_PROCESSES_MAX */
    int reported_process;       /* -1: none (no figures) */
    gboolean record_complete;   /* with record_path: every operation was recorded */
    const char *sandbox;        /* its mode: "bwrap", "container" or "none" (sandbox.h) */
    gboolean sandboxed;         /* contained: bwrap or container, every layer held */
    char *not_sandboxed_why;    /* words when it was not (NULL when sandboxed) */
    const char *memory_bound;   /* how all memory was bounded: "cgroup v1", "cgroup v2", "rlimit" */
    guint64 memory_peak;        /* the cgroup's peak charge in bytes (0: not known) */
    const char *cpu_source;     /* of cpu_seconds (cpu_count.h): "cgroup" or "rusage" */
    char *cpu_source_why;       /* "rusage": why there was no cgroup */
    unsigned alignment;         /* the alignment blocks were checked for */
    /* record_path or heap_map_path could not be written: why, in one line.
     * The run's figures stand; the caller reports this and fails. */
    char *output_error;
    /* What the grade can believe (docs/security.md). With an untrusted
     * allocator heap_max is the shim's MAX only when the kernel's witness
     * agrees (else the witnessed one, and code 67), and a verified run's
     * CALLS, REQUESTED and PEAK-LIVE are the reference run's. */
    MstatsWitness witness;
    char *witness_why;    /* MSTATS_WITNESS_UNAVAILABLE: why, in words */
    guint64 witness_brks; /* brk system calls the witness saw */
    /* The largest heap the witness saw in a process image that no shim
     * measured (a static program, LD_PRELOAD removed), and its pid; 0: none. */
    guint64 unmeasured_heap;
    int unmeasured_pid;
    /* MAX as the kernel's witness saw it: the peak of the kernel's break,
     * which the shim moves a page at a time (shim/break_hooks.c), so it is
     * MAX rounded up to a page when the two agree. */
    guint64 witness_max;
    /* Memory outside the heap (brk_witness.h): the reported process's, and
     * with outside_compared, its twin's in the reference run on glibc. */
    guint64 witness_outside;
    gboolean outside_compared;
    guint64 reference_outside;
    MstatsCompletion completion;
    char *completion_why; /* words for the COMPLETION line */
    /* The program's stdout, read on its way for verification by output
     * (output_capture.h): its length and SHA-256; stdout_sha256 is empty
     * when it was not read. */
    guint64 stdout_bytes;
    char stdout_sha256[65];
    char *proof_line; /* the program's last completion proof line (NULL: none) */
} MstatsRunResult;

void mstats_run_request_init(MstatsRunRequest *request);

/* Whether `request`'s run is recorded (--record, --heap-map, a recording
 * sink): the shim then maps the recording and its table of ids. */
static inline gboolean mstats_run_request_records(const MstatsRunRequest *request)
{
    return request->record_path != NULL || request->heap_map_path != NULL ||
           request->recording_sink != NULL;
}

/* Frees what mstats_run allocated in `result`. */
void mstats_run_result_clear(MstatsRunResult *result);

/* The process image whose figures are the result's; NULL when none. */
static inline const MstatsProcessFigures *mstats_result_reported(const MstatsRunResult *result)
{
    return result->reported_process >= 0 && (guint)result->reported_process < result->process_count
               ? &result->processes[result->reported_process]
               : NULL;
}

/* Makes processes[index]'s figures the result's (MAX to CALLS). */
void mstats_result_report_process(MstatsRunResult *result, guint index);

/* The index of the process image with the largest heap (the witnessed one
 * where the kernel witnessed it; the first of equals), -1 when none. */
int mstats_result_largest_process(const MstatsRunResult *result);

/* Sets result->utilization from its PEAK-LIVE and MAX. */
static inline void mstats_result_set_utilization(MstatsRunResult *result)
{
    result->utilization =
        result->heap_max ? (double)result->peak_live / (double)result->heap_max : 0.0;
}

/* CALLS line groups: aligned variants count as malloc, reallocarray as realloc. */
guint64 mstats_result_calls_malloc(const MstatsRunResult *result);
guint64 mstats_result_calls_realloc(const MstatsRunResult *result);

#endif
