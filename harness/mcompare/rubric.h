/* Rubrics: an INI file (read with GKeyFile) that turns a comparison into a
 * score. [grading] names the allocator and the pass mark; every other section
 * is a workload with its points and the checks that earn them:
 *
 *   [grading]
 *   allocator = ./alloc.so
 *   pass = 60
 *
 *   [tester-3]
 *   points = 10
 *   status = ok
 *   max-heap = 300K
 *   max-ratio = 1.10
 *   time-ratio = 2.0
 *   cpu-seconds = 5
 *
 * allocator is a built-in name or a .so path (-a overrides); pass is points
 * or a percentage (60%). status is ok (default), failed, any or a status
 * code; max-heap bounds MAX in bytes (K, M, G suffixes); max-ratio bounds
 * MAX / optimal reuse. Time is CPU time (user + system), never wall-clock
 * TIME, which depends on the machine's load: time-ratio bounds it as a
 * multiple of libc's CPU time on the same workload in the same run (libc
 * then runs as a reference column), cpu-seconds in seconds. A `#` starts a
 * comment only at the start of a line.
 *
 * A workload earns all its points when every check holds, none otherwise.
 * Errors name the file and line: `course.ini:12: reason`. */
#ifndef MCOMPARE_RUBRIC_H
#define MCOMPARE_RUBRIC_H

#include <glib.h>

#include "comparison.h"

typedef enum {
    EXPECT_OK,     /* STATUS OK */
    EXPECT_FAILED, /* any failure */
    EXPECT_ANY,    /* status not checked */
    EXPECT_CODE,   /* this status code */
} StatusExpectation;

typedef struct {
    char *workload; /* the section name */
    guint line;     /* of the section header */
    double points;
    StatusExpectation status;
    int status_code; /* for EXPECT_CODE */
    gboolean has_max_heap, has_max_ratio, has_time_ratio, has_cpu_seconds;
    guint64 max_heap;
    double max_ratio;
    double time_ratio;  /* CPU time / libc's CPU time on the workload, at most */
    double cpu_seconds; /* CPU time, at most */
} RubricItem;

/* time-ratio divides by libc's CPU time, or by this when libc's is smaller,
 * so that the timer's granularity and start-up costs never decide a grade. */
#define RUBRIC_TIME_RATIO_FLOOR 0.1

/* [grading] verify: what shows that a run finished (docs/grading.md). A
 * trusted allocator's run needs nothing, under every value. */
typedef enum {
    /* output (the default): its completion proof, or for a program that
     * gives none, its exit status and stdout equal to the reference run's;
     * anything else earns nothing. */
    RUBRIC_VERIFY_OUTPUT,
    RUBRIC_VERIFY_PROOF, /* proof: only a completion proof */
    /* none: nothing; a run whose only fault is its output (97, COMPLETION
     * output differs) is graded as OK, for programs whose output varies. */
    RUBRIC_VERIFY_NONE,
} RubricVerify;

typedef struct {
    char *path;
    char *allocator;          /* [grading] allocator, NULL when absent */
    unsigned alignment;       /* [grading] align: 1 (none), 8 or 16; 0 when absent */
    gboolean require_sandbox; /* [grading] sandbox = required or container: an uncontained cell
                               * fails (sandbox.h: bwrap or container mode, every layer held) */
    gboolean require_bwrap;   /* [grading] sandbox = bwrap: a cell outside bwrap fails too */
    RubricVerify verify;      /* [grading] verify */
    /* [grading] witness = required (the default): a graded allocator whose
     * heap could not be witnessed earns nothing; witness = optional grades
     * its shim-reported figures anyway. */
    gboolean require_witness;
    double pass;
    gboolean pass_is_percent;
    GPtrArray *items; /* RubricItem *, in file order */
} Rubric;

/* Reads and checks the whole rubric. On failure the error message is
 * `PATH:LINE: reason` (usage error). */
Rubric *rubric_load(const char *path, GError **error);
void rubric_free(Rubric *rubric);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Rubric, rubric_free)

/* TRUE when some item has a time-ratio check (libc must run beside). */
gboolean rubric_needs_reference(const Rubric *rubric);

/* Parses a pass mark: `60` (points) or `60%`. */
gboolean rubric_parse_pass(const char *text, double *pass, gboolean *is_percent);

#endif
