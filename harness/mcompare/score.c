/* Scoring: a rubric applied to a comparison, per allocator, and the
 * [mcompare]: lines that say each workload's points and why. */
#include <math.h>
#include <string.h>

#include "rubric.h"
#include "workloads.h"

char *score_format_points(double points)
{
    char buffer[G_ASCII_DTOSTR_BUF_SIZE];
    if (points == floor(points) && fabs(points) < 1e15)
        return g_strdup_printf("%.0f", points);
    return g_strdup(g_ascii_formatd(buffer, sizeof buffer, "%.2f", points));
}

/* The comparison's row for a rubric section: by name, else by resolving the
 * section as a workload word and comparing what would run. */
static guint find_workload(const Comparison *comparison, const char *section)
{
    for (guint w = 0; w < comparison->workloads->len; w++) {
        const Workload *workload = g_ptr_array_index(comparison->workloads, w);
        if (strcmp(workload->name, section) == 0)
            return w;
    }
    g_autoptr(GError) error = NULL;
    Workload *resolved = workload_resolve(section, NULL, &error);
    guint found = G_MAXUINT;
    for (guint w = 0; resolved != NULL && w < comparison->workloads->len; w++) {
        const Workload *workload = g_ptr_array_index(comparison->workloads, w);
        if (strcmp(workload->spec, resolved->spec) == 0)
            found = w;
    }
    workload_free(resolved);
    return found;
}

/* Applies one item's checks to one cell; fills earned and why. */
static void judge(const RubricItem *item, const Comparison *comparison, const Cell *cell,
                  ItemScore *verdict)
{
    GString *why = g_string_new(NULL);
    gboolean pass = TRUE;
#define NOTE(ok, ...)                                                                              \
    do {                                                                                           \
        if (why->len)                                                                              \
            g_string_append(why, "; ");                                                            \
        g_string_append_printf(why, __VA_ARGS__);                                                  \
        pass = pass && (ok);                                                                       \
    } while (0)
    if (cell == NULL || cell->state != CELL_DONE) {
        g_autofree char *reason = cell ? cell_describe_failure(cell) : g_strdup("not run");
        NOTE(FALSE, "%s", cell ? reason : "not run: the workload is not in this comparison");
        verdict->earned = 0.0;
        verdict->why = g_string_free(why, FALSE);
        return;
    }
    const MstatsRunResult *r = &cell->result;
    g_autofree char *outcome = cell_describe_failure(cell);
    switch (item->status) {
    case EXPECT_OK:
        NOTE(r->code == MSTATS_CODE_OK, "STATUS %s%s",
             r->code == 0 ? "OK" : "FAILED: ", r->code == 0 ? "" : outcome);
        break;
    case EXPECT_FAILED:
        NOTE(r->code != MSTATS_CODE_OK, "STATUS %s (a failure expected)", outcome);
        break;
    case EXPECT_CODE:
        NOTE(r->code == item->status_code, "STATUS %s (code %d expected)", outcome,
             item->status_code);
        break;
    case EXPECT_ANY:
        break;
    }
    if (item->has_max_heap) {
        if (!r->figures_valid)
            NOTE(FALSE, "no MAX to compare with max-heap %" G_GUINT64_FORMAT, item->max_heap);
        else
            NOTE(r->heap_max <= item->max_heap, "MAX %" G_GUINT64_FORMAT " %s %" G_GUINT64_FORMAT,
                 r->heap_max, r->heap_max <= item->max_heap ? "<=" : ">", item->max_heap);
    }
    if (item->has_max_ratio) {
        const Workload *workload = g_ptr_array_index(comparison->workloads, cell->workload);
        double ratio = workload->has_bounds && workload->optimal_reuse && r->figures_valid
                           ? (double)r->heap_max / (double)workload->optimal_reuse
                           : 0.0;
        if (ratio <= 0)
            NOTE(FALSE, "no MAX / optimal to compare with max-ratio %.3f", item->max_ratio);
        else
            NOTE(ratio <= item->max_ratio, "MAX / optimal %.3f %s %.3f", ratio,
                 ratio <= item->max_ratio ? "<=" : ">", item->max_ratio);
    }
    if (item->has_time)
        NOTE(r->wall_seconds <= item->time, "TIME %.3f s %s %g s", r->wall_seconds,
             r->wall_seconds <= item->time ? "<=" : ">", item->time);
#undef NOTE
    verdict->earned = pass ? item->points : 0.0;
    verdict->why = g_string_free(why, FALSE);
}

Score *rubric_score(const Rubric *rubric, const Comparison *comparison, double pass_override,
                    gboolean pass_override_percent)
{
    Score *score = g_new0(Score, 1);
    score->rubric = rubric;
    score->allocator_count = comparison->allocators->len;
    score->allocators = g_new0(AllocatorScore, MAX(score->allocator_count, 1));
    guint *rows = g_new(guint, MAX(rubric->items->len, 1));
    for (guint i = 0; i < rubric->items->len; i++)
        rows[i] = find_workload(comparison,
                                ((RubricItem *)g_ptr_array_index(rubric->items, i))->workload);
    double pass = pass_override >= 0 ? pass_override : rubric->pass;
    gboolean percent = pass_override >= 0 ? pass_override_percent : rubric->pass_is_percent;
    for (guint a = 0; a < score->allocator_count; a++) {
        AllocatorScore *own = &score->allocators[a];
        own->allocator = a;
        own->item_count = rubric->items->len;
        own->items = g_new0(ItemScore, MAX(own->item_count, 1));
        for (guint i = 0; i < own->item_count; i++) {
            ItemScore *verdict = &own->items[i];
            verdict->item = g_ptr_array_index(rubric->items, i);
            verdict->workload = rows[i];
            const Cell *cell =
                rows[i] == G_MAXUINT ? NULL : comparison_cell_const(comparison, rows[i], a);
            judge(verdict->item, comparison, cell, verdict);
            own->earned += verdict->earned;
            own->possible += verdict->item->points;
        }
        own->pass_mark = percent ? own->possible * pass / 100.0 : pass;
        /* A tiny tolerance: 59.999999 from summed halves is 60. */
        own->passed = own->earned + 1e-9 >= own->pass_mark;
    }
    g_free(rows);
    return score;
}

void score_free(Score *score)
{
    if (score == NULL)
        return;
    for (guint a = 0; a < score->allocator_count; a++) {
        for (guint i = 0; i < score->allocators[a].item_count; i++)
            g_free(score->allocators[a].items[i].why);
        g_free(score->allocators[a].items);
    }
    g_free(score->allocators);
    g_free(score);
}

const ItemScore *score_for_cell(const Score *score, guint workload, guint allocator)
{
    if (score == NULL || allocator >= score->allocator_count)
        return NULL;
    const AllocatorScore *own = &score->allocators[allocator];
    for (guint i = 0; i < own->item_count; i++)
        if (own->items[i].workload == workload)
            return &own->items[i];
    return NULL;
}

gboolean score_passed(const Score *score)
{
    for (guint a = 0; a < score->allocator_count; a++)
        if (!score->allocators[a].passed)
            return FALSE;
    return TRUE;
}

char *score_render_lines(const Score *score, const Comparison *comparison)
{
    GString *text = g_string_new(NULL);
    for (guint a = 0; a < score->allocator_count; a++) {
        const AllocatorScore *own = &score->allocators[a];
        const AllocatorColumn *column = g_ptr_array_index(comparison->allocators, a);
        gboolean several = score->allocator_count > 1;
        for (guint i = 0; i < own->item_count; i++) {
            const ItemScore *verdict = &own->items[i];
            g_autofree char *earned = score_format_points(verdict->earned);
            g_autofree char *points = score_format_points(verdict->item->points);
            g_string_append_printf(text, "[mcompare]: %s%s%s: %s/%s points: %s\n",
                                   several ? column->name : "", several ? " " : "",
                                   verdict->item->workload, earned, points, verdict->why);
        }
        g_autofree char *earned = score_format_points(own->earned);
        g_autofree char *possible = score_format_points(own->possible);
        g_autofree char *mark = score_format_points(own->pass_mark);
        g_string_append_printf(text, "[mcompare]: SCORE: %s/%s%s%s\n", earned, possible,
                               several ? " " : "", several ? column->name : "");
        g_string_append_printf(text, "[mcompare]: %s (pass mark %s)%s%s\n",
                               own->passed ? "PASS" : "FAIL", mark, several ? " " : "",
                               several ? column->name : "");
    }
    return g_string_free(text, FALSE);
}
