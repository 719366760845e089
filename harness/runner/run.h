/* Running one program under one allocator and collecting its figures: the
 * library behind mstats, mreplace and mcompare. Nothing here prints or exits;
 * every function is safe to call from several threads at once (each run has
 * its own region, descriptors and process group), so mcompare can run cells
 * in parallel.
 */
#ifndef MSTATS_RUN_H
#define MSTATS_RUN_H

#include <glib.h>

#include "allocator.h"
#include "region_layout.h"
#include "status.h"

#define MSTATS_DEFAULT_TIMEOUT 30.0
/* Runs going on at once that stopping the harness reaches (mcompare's -j cap). */
#define MSTATS_RUNNING_MAX 256
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
    gboolean quiet;            /* the program's stdout and stderr go to /dev/null */
    int stdout_fd;             /* -1: inherit; else the program's stdout */
    int stderr_fd;             /* -1: inherit; else the program's stderr */
    const char *record_path;   /* write the allocation sequence as .rep here; NULL: no */
    const char *heap_map_path; /* draw the heap map (heap_map.h) as PNG here; NULL: no */
    /* One run at a time on a terminal (mstats, mreplace): the program's group
     * becomes the terminal's foreground, so it can read it and gets Ctrl-C. */
    gboolean take_terminal;
    /* Run outside the sandbox (debugging); the result says so. */
    gboolean no_sandbox;
    /* The alignment every block is checked for (code 93): 16 (0 means 16) or
     * 8 for the courses whose allocators return 8-aligned blocks. */
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

/* Whether the workload provably ran to its end (harness/protocol/proof.h). */
typedef enum {
    MSTATS_COMPLETION_NOT_VERIFIED, /* the program gives no proof, or no reference could run */
    MSTATS_COMPLETION_VERIFIED,     /* its proof equals the reference run's on glibc */
    MSTATS_COMPLETION_PROVED,       /* a trusted allocator, and the program's proof came */
    MSTATS_COMPLETION_MISSING,      /* no valid proof: code 96 */
} MstatsCompletion;

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
    guint64 heap_max;     /* MAX */
    double heap_avg;      /* AVG */
    double wall_seconds;  /* TIME */
    double cpu_seconds;   /* user + system of the program */
    guint64 requested;    /* REQUESTED */
    guint64 peak_live;    /* PEAK-LIVE */
    double utilization;   /* PEAK-LIVE / MAX, 0 when MAX is 0 */
    guint64 live_at_exit; /* requested bytes never freed */
    guint64 live_blocks_at_exit;
    guint64 calls[MSTATS_FN_COUNT];
    guint64 failed_calls;
    MstatsAllocator allocator; /* what was loaded */
    gboolean record_complete;  /* with record_path: every operation was recorded */
    gboolean sandboxed;        /* the run was inside bwrap (sandbox.h) */
    char *not_sandboxed_why;   /* words when it was not (NULL when sandboxed) */
    const char *memory_bound;  /* how all memory was bounded: "cgroup v1", "cgroup v2", "rlimit" */
    guint64 memory_peak;       /* the cgroup's peak charge in bytes (0: not known) */
    unsigned alignment;        /* the alignment blocks were checked for */
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
    /* MAX as the kernel's witness saw it: the peak of the kernel's break,
     * which the shim moves a page at a time (shim/break_hooks.c), so it is
     * MAX rounded up to a page when the two agree. */
    guint64 witness_max;
    MstatsCompletion completion;
    char *completion_why; /* words for the COMPLETION line */
    char *proof_line;     /* the program's last completion proof line (NULL: none) */
} MstatsRunResult;

void mstats_run_request_init(MstatsRunRequest *request);

/* Runs request->argv to completion (or timeout) and fills `result`.
 * With an untrusted allocator (MstatsAllocator.trusted) the run is checked
 * (docs/security.md): the kernel witnesses its heap (code 67 when the shim's
 * MAX differs); a program that gives a completion proof is first run on
 * glibc with the same challenge (the reference run, run once per workload
 * in this process), and the measured run must give the same proof (code
 * 96) and the same CALLS, REQUESTED and PEAK-LIVE (code 97).
 * Returns FALSE with `error` set only when the run could not be attempted:
 * unknown allocator, missing program, missing shim, exec failure, recording
 * file not writable. Every outcome of the program itself, crash or timeout
 * included, is a result with TRUE; so is a recording or heap map that could
 * not be written after the run (result->output_error says why). */
gboolean mstats_run(const MstatsRunRequest *request, MstatsRunResult *result, GError **error);

/* Sends `signal_number` to the process group of every program running now.
 * Async-signal-safe: call it from a SIGTERM/SIGINT handler so that stopping
 * the harness stops its programs. */
void mstats_forward_signal(int signal_number);

/* Makes SIGTERM, SIGINT and SIGHUP sent to the harness go on to the
 * programs it runs (mstats_forward_signal): they run in process groups of
 * their own, which a signal sent to ours would not reach. */
void mstats_forward_stop_signals(void);

/* Frees what mstats_run allocated in `result`. */
void mstats_run_result_clear(MstatsRunResult *result);

/* Sets result->utilization from its PEAK-LIVE and MAX. */
static inline void mstats_result_set_utilization(MstatsRunResult *result)
{
    result->utilization =
        result->heap_max ? (double)result->peak_live / (double)result->heap_max : 0.0;
}

/* CALLS line groups: aligned variants count as malloc, reallocarray as realloc. */
guint64 mstats_result_calls_malloc(const MstatsRunResult *result);
guint64 mstats_result_calls_realloc(const MstatsRunResult *result);

/* Parses a size such as 4096, 64K, 1.5M or 2.5G (binary units). */
gboolean mstats_parse_size(const char *text, guint64 *bytes, GError **error);

/* The --align option: 8 or 16 (0, not given: 16) into *alignment. FALSE
 * with a usage error naming the option otherwise. */
gboolean mstats_parse_alignment(int value, unsigned *alignment, GError **error);

/* The -t/--timeout and -m/--memory-limit options every harness program
 * takes: checks that `timeout` is a number from 0 to MSTATS_TIMEOUT_MAX and
 * parses `memory_limit` (NULL: leaves *bytes as it is). FALSE with a usage
 * error naming the option. */
gboolean mstats_parse_limits(double timeout, const char *memory_limit, guint64 *bytes,
                             GError **error);

#define MSTATS_ERROR (mstats_error_quark())
GQuark mstats_error_quark(void);
typedef enum {
    MSTATS_ERROR_USAGE,  /* bad option value, unknown allocator, missing file */
    MSTATS_ERROR_SYSTEM, /* fork, memfd, exec failed */
} MstatsError;

#endif
