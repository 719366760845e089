/* Scoring: a rubric applied to a comparison, per allocator, and the
 * [mcompare]: lines that say each workload's points and why. */
#ifndef MCOMPARE_SCORE_H
#define MCOMPARE_SCORE_H

#include <glib.h>

#include "comparison.h"
#include "rubric.h"

/* One workload's verdict for one allocator. */
typedef struct {
    const RubricItem *item;
    guint workload; /* index in the comparison, G_MAXUINT when not in it */
    double earned;
    char *why; /* the checks and their figures, in words */
} ItemScore;

typedef struct {
    guint allocator;
    gboolean graded; /* FALSE for the libc reference column: no items, no score */
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

/* TRUE when every graded allocator reached the pass mark. */
gboolean score_passed(const Score *score);

/* The lines `[mcompare]: WORKLOAD: E/P points: why`, then
 * `[mcompare]: SCORE: <earned>/<possible>` (and the allocator's name when
 * several were scored) and PASS or FAIL against the pass mark. */
char *score_render_lines(const Score *score, const Comparison *comparison);

/* Points as printed: 10, 2.5. */
char *score_format_points(double points);

#endif
