/* The grading platforms' results files (json-glib): Gradescope's autograder
 * results.json (--gradescope) and PrairieLearn's external grader results.json
 * (--prairielearn). Both carry the rubric's score and one test per rubric
 * item, so they need a rubric; the fields are the platforms' documented ones
 * (docs/grading.md names the specifications). With several graded
 * allocators (-a a.so,b.so) every item appears once per allocator, named
 * after it, and the totals add up over all of them. */
#include <json-glib/json-glib.h>

#include "format.h"
#include "json_member.h"

/* The rubric item's checks in words, without figures: what the test covers.
 * "STATUS OK, MAX / optimal <= 1.10, CPU <= 2.00 x libc". */
static char *item_checks(const RubricItem *item)
{
    GString *words = g_string_new(NULL);
    switch (item->status) {
    case EXPECT_OK:
        g_string_append(words, "STATUS OK");
        break;
    case EXPECT_FAILED:
        g_string_append(words, "STATUS FAILED expected");
        break;
    case EXPECT_CODE:
        g_string_append_printf(words, "STATUS %d expected", item->status_code);
        break;
    case EXPECT_ANY:
        g_string_append(words, "any STATUS");
        break;
    }
    if (item->has_max_heap)
        g_string_append_printf(words, ", MAX <= %" G_GUINT64_FORMAT, item->max_heap);
    if (item->has_max_ratio)
        g_string_append_printf(words, ", MAX / optimal <= %.2f", item->max_ratio);
    if (item->has_time_ratio)
        g_string_append_printf(words, ", CPU <= %.2f x libc", item->time_ratio);
    if (item->has_cpu_seconds)
        g_string_append_printf(words, ", CPU <= %g s", item->cpu_seconds);
    return g_string_free(words, FALSE);
}

/* A test's name: "tester-3 (tester: STATUS OK, MAX / optimal <= 1.10)",
 * prefixed with "first-fit: " when several allocators were graded. */
static char *test_name(const Comparison *comparison, const AllocatorScore *own,
                       const ItemScore *verdict, gboolean several)
{
    g_autofree char *checks = item_checks(verdict->item);
    const char *kind =
        verdict->workload != G_MAXUINT
            ? workload_kind_name(comparison_workload(comparison, verdict->workload)->kind)
            : "not run";
    return g_strdup_printf("%s%s%s (%s: %s)",
                           several ? comparison_column(comparison, own->allocator)->name : "",
                           several ? ": " : "", verdict->item->workload, kind, checks);
}

/* How many allocators carry a grade (the libc reference column does not). */
static guint graded_allocators(const Score *score)
{
    guint graded = 0;
    for (guint a = 0; a < score->allocator_count; a++)
        graded += score->allocators[a].graded ? 1 : 0;
    return graded;
}

/* The points earned and possible over every graded allocator. */
static void score_totals(const Score *score, double *earned, double *possible)
{
    *earned = *possible = 0;
    for (guint a = 0; a < score->allocator_count; a++)
        if (score->allocators[a].graded) {
            *earned += score->allocators[a].earned;
            *possible += score->allocators[a].possible;
        }
}

/* A platform's members of one test, called for every graded item. */
typedef void (*AddTest)(JsonBuilder *b, const char *name, const ItemScore *verdict);

/* The "tests" array: `add_test` for every item of every graded allocator. */
static void add_tests(JsonBuilder *b, const Comparison *comparison, const Score *score,
                      AddTest add_test)
{
    gboolean several = graded_allocators(score) > 1;
    json_builder_set_member_name(b, "tests");
    json_builder_begin_array(b);
    for (guint a = 0; a < score->allocator_count; a++) {
        const AllocatorScore *own = &score->allocators[a];
        if (!own->graded)
            continue;
        for (guint i = 0; i < own->item_count; i++) {
            g_autofree char *name = test_name(comparison, own, &own->items[i], several);
            json_builder_begin_object(b);
            add_test(b, name, &own->items[i]);
            json_builder_end_object(b);
        }
    }
    json_builder_end_array(b);
}

/* What the top-level members are made of. */
typedef struct {
    const Comparison *comparison;
    double earned, possible; /* over every graded allocator */
    char *summary;           /* the score lines, as mcompare prints them */
} Totals;

/* A platform's top-level members, and its members of one test. */
typedef void (*AddTotals)(JsonBuilder *b, const Totals *totals);

/* The whole results.json of a platform, pretty-printed with a final newline. */
static char *platform_document(const Comparison *comparison, const Score *score,
                               AddTotals add_totals, AddTest add_test)
{
    Totals totals = {.comparison = comparison, .summary = score_render_lines(score, comparison)};
    g_strchomp(totals.summary);
    score_totals(score, &totals.earned, &totals.possible);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_totals(b, &totals);
    add_tests(b, comparison, score, add_test);
    json_builder_end_object(b);
    g_free(totals.summary);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autoptr(JsonGenerator) generator = json_generator_new();
    json_generator_set_root(generator, root);
    json_generator_set_pretty(generator, TRUE);
    g_autofree char *text = json_generator_to_data(generator, NULL);
    return g_strconcat(text, "\n", NULL);
}

/* Gradescope: score and max_score in points, status passed/failed. */
static void add_gradescope_test(JsonBuilder *b, const char *name, const ItemScore *verdict)
{
    json_member_string(b, "name", name);
    json_member_double(b, "score", verdict->earned);
    json_member_double(b, "max_score", verdict->item->points);
    json_member_string(b, "status", verdict->earned >= verdict->item->points ? "passed" : "failed");
    json_member_string(b, "output", verdict->why);
}

/* Gradescope's submission: the points earned and possible, the run's
 * seconds and the score lines. */
static void add_gradescope_totals(JsonBuilder *b, const Totals *totals)
{
    json_member_double(b, "score", totals->earned);
    json_member_double(b, "max_score", totals->possible);
    json_member_int(b, "execution_time", (gint64)(totals->comparison->elapsed_seconds + 0.5));
    json_member_string(b, "output", totals->summary);
}

char *format_gradescope(const Comparison *comparison, const Score *score)
{
    return platform_document(comparison, score, add_gradescope_totals, add_gradescope_test);
}

/* PrairieLearn: points and max_points, the checks with their figures as the message. */
static void add_prairielearn_test(JsonBuilder *b, const char *name, const ItemScore *verdict)
{
    json_member_string(b, "name", name);
    json_member_double(b, "points", verdict->earned);
    json_member_double(b, "max_points", verdict->item->points);
    json_member_string(b, "message", verdict->why);
}

/* PrairieLearn's submission: gradable, the score as a fraction and the
 * score lines as the message. */
static void add_prairielearn_totals(JsonBuilder *b, const Totals *totals)
{
    /* An interrupted run graded nothing: PrairieLearn then shows the
     * message instead of a score and charges the student no attempt. */
    gboolean interrupted = totals->comparison->interrupted;
    json_member_bool(b, "gradable", !interrupted);
    json_member_double(b, "score", totals->possible > 0 ? totals->earned / totals->possible : 0.0);
    json_member_string(b, "message",
                       interrupted ? "mcompare was interrupted: not graded" : totals->summary);
}

char *format_prairielearn(const Comparison *comparison, const Score *score)
{
    return platform_document(comparison, score, add_prairielearn_totals, add_prairielearn_test);
}
