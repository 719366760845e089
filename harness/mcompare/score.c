/* Scoring: a rubric applied to a comparison, per allocator, and the
 * [mcompare]: lines that say each workload's points and why. */
#include "score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
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

/* The checks of one verdict as they are made: the words so far and whether
 * every check held. */
typedef struct {
    GString *why;
    gboolean pass;
} Checks;

/* Adds one check's words ("; "-separated) and folds its outcome into the verdict. */
static void check_note(Checks *checks, gboolean ok, const char *format, ...) G_GNUC_PRINTF(3, 4);

static void check_note(Checks *checks, gboolean ok, const char *format, ...)
{
    if (checks->why->len)
        g_string_append(checks->why, "; ");
    va_list args;
    va_start(args, format);
    g_string_append_vprintf(checks->why, format, args);
    va_end(args);
    checks->pass = checks->pass && ok;
}

/* The STATUS check of `item` on a cell that ran. */
static void check_status(Checks *checks, const RubricItem *item, const Cell *cell)
{
    const MstatsRunResult *r = &cell->result;
    g_autofree char *outcome = cell_describe_failure(cell);
    switch (item->status) {
    case EXPECT_OK:
        check_note(checks, r->code == MSTATS_CODE_OK, "STATUS %s%s",
                   r->code == 0 ? "OK" : "FAILED: ", r->code == 0 ? "" : outcome);
        break;
    case EXPECT_FAILED:
        check_note(checks, r->code != MSTATS_CODE_OK, "STATUS %s (a failure expected)", outcome);
        break;
    case EXPECT_CODE:
        check_note(checks, r->code == item->status_code, "STATUS %s (code %d expected)", outcome,
                   item->status_code);
        break;
    case EXPECT_ANY:
        break;
    }
}

/* Whether a run with `completion` finished as the rubric's `verify` asks
 * (MISSING comes with a failed STATUS). */
static gboolean completion_shown(RubricVerify verify, MstatsCompletion completion)
{
    switch (verify) {
    case RUBRIC_VERIFY_NONE:
        return TRUE;
    case RUBRIC_VERIFY_PROOF:
        return completion != MSTATS_COMPLETION_NOT_VERIFIED &&
               completion != MSTATS_COMPLETION_OUTPUT;
    case RUBRIC_VERIFY_OUTPUT:
        break;
    }
    return completion != MSTATS_COMPLETION_NOT_VERIFIED &&
           completion != MSTATS_COMPLETION_OUTPUT_DIFFERS;
}

/* The rubric's verify check on a run (a failed one is judged by its STATUS
 * alone). */
static void check_completion(Checks *checks, const Rubric *rubric, const MstatsRunResult *r)
{
    if (r->code == MSTATS_CODE_OK && !completion_shown(rubric->verify, r->completion)) {
        g_autofree char *completion = mstats_completion_words(r);
        gboolean by_output = r->completion == MSTATS_COMPLETION_OUTPUT;
        check_note(checks, FALSE, "completion %s: the rubric needs verify = %s to grade it",
                   completion, by_output ? "output or none" : "none");
    }
}

/* The MAX checks (max-heap, max-ratio) of `item` on a cell that ran. */
static void check_heap(Checks *checks, const RubricItem *item, const Comparison *comparison,
                       const Cell *cell)
{
    const MstatsRunResult *r = &cell->result;
    if ((item->has_max_heap || item->has_max_ratio) && r->allocator.heap_unmeasured) {
        check_note(checks, FALSE, "MAX not measured (mmap allocator): not graded");
        return;
    }
    if (item->has_max_heap) {
        if (!r->figures_valid)
            check_note(checks, FALSE, "no MAX to compare with max-heap %" G_GUINT64_FORMAT,
                       item->max_heap);
        else
            check_note(checks, r->heap_max <= item->max_heap,
                       "MAX %" G_GUINT64_FORMAT " %s %" G_GUINT64_FORMAT, r->heap_max,
                       r->heap_max <= item->max_heap ? "<=" : ">", item->max_heap);
    }
    if (item->has_max_ratio) {
        const Workload *workload = comparison_workload(comparison, cell->workload);
        double ratio = workload->has_bounds && workload->optimal_reuse && r->figures_valid
                           ? (double)r->heap_max / (double)workload->optimal_reuse
                           : 0.0;
        if (ratio <= 0)
            check_note(checks, FALSE, "no MAX / optimal to compare with max-ratio %.3f",
                       item->max_ratio);
        else
            check_note(checks, ratio <= item->max_ratio, "MAX / optimal %.3f %s %.3f", ratio,
                       ratio <= item->max_ratio ? "<=" : ">", item->max_ratio);
    }
}

/* The CPU time checks (cpu-seconds, time-ratio) of `item` on a cell that
 * ran. Wall-clock TIME is never graded: it depends on the machine's load. */
static void check_cpu_time(Checks *checks, const RubricItem *item, const Comparison *comparison,
                           const Cell *cell)
{
    double cpu = cell->result.cpu_seconds;
    if (item->has_cpu_seconds)
        check_note(checks, cpu <= item->cpu_seconds, "CPU %.3f s %s %g s", cpu,
                   cpu <= item->cpu_seconds ? "<=" : ">", item->cpu_seconds);
    if (item->has_time_ratio) {
        const Cell *reference = comparison_reference_cell(comparison, cell->workload);
        if (reference == NULL || !cell_ok(reference)) {
            g_autofree char *why = reference == NULL ? g_strdup("not a column of this run")
                                                     : cell_describe_failure(reference);
            check_note(checks, FALSE, "no libc CPU time to compare with time-ratio %.2f (libc: %s)",
                       item->time_ratio, why);
            return;
        }
        /* A reference below the floor counts as the floor, so that the
         * timer's granularity and start-up noise never decide a grade. */
        double libc = reference->result.cpu_seconds;
        double ratio = cpu / MAX(libc, RUBRIC_TIME_RATIO_FLOOR);
        g_autofree char *base = libc >= RUBRIC_TIME_RATIO_FLOOR
                                    ? g_strdup_printf("libc's %.3f s", libc)
                                    : g_strdup_printf("the %.1f s floor (libc's %.3f s)",
                                                      RUBRIC_TIME_RATIO_FLOOR, libc);
        /* Both figures come from the same source where the machine allows a
         * cgroup per run; a cell whose cgroup could not be made says so. */
        const char *source = cell->result.cpu_source, *libc_source = reference->result.cpu_source;
        g_autofree char *unlike =
            source != NULL && libc_source != NULL && strcmp(source, libc_source) != 0
                ? g_strdup_printf(" (CPU time from %s, libc's from %s)", source, libc_source)
                : g_strdup("");
        check_note(checks, ratio <= item->time_ratio, "CPU %.3f s = %.2f x %s %s %.2f%s", cpu,
                   ratio, base, ratio <= item->time_ratio ? "<=" : ">", item->time_ratio, unlike);
    }
}

/* Applies one item's checks to one cell (NULL: its workload is not in the
 * comparison); fills earned and why. */
static void judge(const Rubric *rubric, const RubricItem *item, const Comparison *comparison,
                  const Cell *cell, ItemScore *verdict)
{
    Checks checks = {.why = g_string_new(NULL), .pass = TRUE};
    if (cell == NULL) {
        check_note(&checks, FALSE, "not run: the workload is not in this comparison");
    } else if (cell->state != CELL_DONE) {
        g_autofree char *reason = cell_describe_failure(cell);
        check_note(&checks, FALSE, "%s", reason);
    } else {
        if (rubric->require_sandbox && !cell->result.sandboxed)
            check_note(&checks, FALSE, "not sandboxed (%s): the rubric requires the sandbox",
                       cell->result.not_sandboxed_why != NULL ? cell->result.not_sandboxed_why
                                                              : "no reason given");
        else if (rubric->require_bwrap && g_strcmp0(cell->result.sandbox, "bwrap") != 0)
            check_note(
                &checks, FALSE,
                "sandboxed in %s mode: the rubric requires bwrap's sandbox (sandbox = bwrap)",
                cell->result.sandbox != NULL ? cell->result.sandbox : "no");
        const MstatsRunResult *r = &cell->result;
        if (rubric->require_witness && r->witness == MSTATS_WITNESS_UNAVAILABLE)
            check_note(&checks, FALSE,
                       "figures not witnessed (%s): the rubric requires the witness",
                       r->witness_why != NULL ? r->witness_why : "no reason given");
        check_completion(&checks, rubric, r);
        check_status(&checks, item, cell);
        /* A run that failed is not judged on its figures: a MAX / optimal
         * under the threshold would read as a pass. */
        if (checks.pass || item->status != EXPECT_OK) {
            check_heap(&checks, item, comparison, cell);
            check_cpu_time(&checks, item, comparison, cell);
        }
    }
    verdict->earned = checks.pass ? item->points : 0.0;
    verdict->why = g_string_free(checks.why, FALSE);
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
        own->graded = !comparison_column(comparison, a)->reference_only;
        own->item_count = own->graded ? rubric->items->len : 0;
        own->items = g_new0(ItemScore, MAX(own->item_count, 1));
        for (guint i = 0; i < own->item_count; i++) {
            ItemScore *verdict = &own->items[i];
            verdict->item = g_ptr_array_index(rubric->items, i);
            verdict->workload = rows[i];
            const Cell *cell =
                rows[i] == G_MAXUINT ? NULL : comparison_cell_const(comparison, rows[i], a);
            judge(rubric, verdict->item, comparison, cell, verdict);
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
        if (score->allocators[a].graded && !score->allocators[a].passed)
            return FALSE;
    return TRUE;
}

/* Orders items by workload: testers by number, then the rest by name. */
static int compare_items(gconstpointer a, gconstpointer b)
{
    const char *left = (*(const ItemScore *const *)a)->item->workload;
    const char *right = (*(const ItemScore *const *)b)->item->workload;
    gboolean left_tester = g_str_has_prefix(left, "tester-");
    gboolean right_tester = g_str_has_prefix(right, "tester-");
    if (left_tester && right_tester) {
        long l = strtol(left + 7, NULL, 10), r = strtol(right + 7, NULL, 10);
        if (l != r)
            return l < r ? -1 : 1;
    } else if (left_tester != right_tester) {
        return left_tester ? -1 : 1;
    }
    return strcmp(left, right);
}

char *score_render_lines(const Score *score, const Comparison *comparison)
{
    GString *text = g_string_new(NULL);
    guint graded = 0;
    for (guint a = 0; a < score->allocator_count; a++)
        graded += score->allocators[a].graded;
    gboolean several = graded > 1;
    for (guint a = 0; a < score->allocator_count; a++) {
        const AllocatorScore *own = &score->allocators[a];
        const AllocatorColumn *column = comparison_column(comparison, a);
        if (!own->graded)
            continue;
        g_autoptr(GPtrArray) ordered = g_ptr_array_new();
        for (guint i = 0; i < own->item_count; i++)
            g_ptr_array_add(ordered, &own->items[i]);
        g_ptr_array_sort(ordered, compare_items);
        for (guint i = 0; i < ordered->len; i++) {
            const ItemScore *verdict = g_ptr_array_index(ordered, i);
            const Workload *workload = verdict->workload != G_MAXUINT
                                           ? comparison_workload(comparison, verdict->workload)
                                           : NULL;
            g_autofree char *about = workload != NULL && workload->about != NULL
                                         ? g_strdup_printf(" (%s)", workload->about)
                                         : g_strdup("");
            g_autofree char *earned = score_format_points(verdict->earned);
            g_autofree char *points = score_format_points(verdict->item->points);
            g_string_append_printf(text, "[mcompare]: %s%s%s%s: %s/%s points: %s\n",
                                   several ? column->name : "", several ? " " : "",
                                   verdict->item->workload, about, earned, points, verdict->why);
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
