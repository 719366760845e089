/* Rubrics: an INI file (read with GKeyFile) that turns a comparison into a
 * score. [grading] names the allocator and the pass mark; every other section
 * is a workload with its points and the checks that earn them:
 *
 *   [grading]
 *   allocator = ./alloc.so      # name or path; -a overrides
 *   pass = 60                   # points, or a percentage such as 60%
 *
 *   [tester-3]
 *   points = 10
 *   status = ok                 # ok (default), failed, any, or a status code
 *   max-heap = 300K             # MAX at most this many bytes (K, M, G suffixes)
 *   max-ratio = 1.10            # MAX / optimal reuse at most this
 *   time = 2                    # TIME at most this many seconds
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
    gboolean has_max_heap, has_max_ratio, has_time;
    guint64 max_heap;
    double max_ratio;
    double time;
} RubricItem;

typedef struct {
    char *path;
    char *allocator; /* [grading] allocator, NULL when absent */
    double pass;
    gboolean pass_is_percent;
    GPtrArray *items; /* RubricItem *, in file order */
} Rubric;

/* Reads and checks the whole rubric. On failure the error message is
 * `PATH:LINE: reason` (usage error). */
Rubric *rubric_load(const char *path, GError **error);
void rubric_free(Rubric *rubric);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Rubric, rubric_free)

/* Parses a pass mark: `60` (points) or `60%`. */
gboolean rubric_parse_pass(const char *text, double *pass, gboolean *is_percent);

/* One workload's verdict for one allocator. */
typedef struct {
    const RubricItem *item;
    guint workload; /* index in the comparison, G_MAXUINT when not in it */
    double earned;
    char *why; /* the checks and their figures, in words */
} ItemScore;

typedef struct {
    guint allocator;
    double earned, possible;
    double pass_mark; /* in points */
    gboolean passed;
    ItemScore *items; /* one per rubric item, in rubric order */
    guint item_count;
} AllocatorScore;

typedef struct {
    const Rubric *rubric;
    AllocatorScore *allocators; /* one per allocator column */
    guint allocator_count;
} Score;

/* Scores every allocator of `comparison`. `pass_override` >= 0 replaces the
 * rubric's pass mark (with `pass_override_percent`). */
Score *rubric_score(const Rubric *rubric, const Comparison *comparison, double pass_override,
                    gboolean pass_override_percent);
void score_free(Score *score);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Score, score_free)

/* The verdict for a cell, or NULL when its workload is not in the rubric. */
const ItemScore *score_for_cell(const Score *score, guint workload, guint allocator);

/* TRUE when every allocator reached the pass mark. */
gboolean score_passed(const Score *score);

/* The lines `[mcompare]: WORKLOAD: E/P points: why`, then
 * `[mcompare]: SCORE: <earned>/<possible>` (and the allocator's name when
 * several were scored) and PASS or FAIL against the pass mark. */
char *score_render_lines(const Score *score, const Comparison *comparison);

/* Points as printed: 10, 2.5. */
char *score_format_points(double points);

#endif
