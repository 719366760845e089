/* JUnit XML for CI: a testsuite per allocator, a testcase per cell. A cell
 * fails when its STATUS is not OK, or, with a rubric, when the rubric's checks
 * for it do not hold (a workload the rubric expects to fail passes then); a
 * cell that did not run is skipped. The figures go into system-out. */
#include <string.h>

#include "format.h"

/* XML 1.0 forbids most control characters even as references, so they
 * become '?'. */
char *format_xml_text(const char *text)
{
    g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
    for (char *c = valid; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r')
            *c = '?';
    return g_markup_escape_text(valid, -1);
}

typedef struct {
    gboolean failed, skipped;
    char *message; /* failure or skip message */
} Verdict;

/* Whether a cell's testcase failed or was skipped, and the message saying why. */
static Verdict cell_verdict(const Comparison *comparison, const Cell *cell, const Score *score)
{
    (void)comparison;
    Verdict verdict = {0};
    const ItemScore *item = score_for_cell(score, cell->workload, cell->allocator);
    if (cell->state != CELL_DONE) {
        verdict.skipped = TRUE;
        verdict.message = cell_describe_failure(cell);
    } else if (item != NULL) {
        verdict.failed = item->earned < item->item->points;
        verdict.message = g_strdup(item->why);
    } else if (!cell_ok(cell)) {
        verdict.failed = TRUE;
        verdict.message = cell_describe_failure(cell);
    }
    return verdict;
}

/* The cell's figures as the system-out of its testcase. */
static void append_figures(GString *out, const Comparison *comparison, const Cell *cell)
{
    const MstatsRunResult *r = &cell->result;
    const Workload *workload = comparison_workload(comparison, cell->workload);
    GString *figures = g_string_new(NULL);
    g_string_append_printf(figures,
                           "STATUS %s\nMAX %" G_GUINT64_FORMAT "\nAVG %.6f\nTIME %.6f\n"
                           "REQUESTED %" G_GUINT64_FORMAT "\nPEAK-LIVE %" G_GUINT64_FORMAT
                           "\nUTILIZATION %.6f\n",
                           r->code == 0 ? "OK" : "FAILED", r->heap_max, r->heap_avg,
                           r->wall_seconds, r->requested, r->peak_live, r->utilization);
    double ratio = cell_ratio(comparison, cell);
    if (ratio > 0)
        g_string_append_printf(figures, "RATIO %.4f (optimal reuse %" G_GUINT64_FORMAT ")\n", ratio,
                               workload->optimal_reuse);
    if (r->code != 0) {
        g_autofree char *why = cell_describe_failure(cell);
        g_string_append_printf(figures, "REASON %s\n", why);
    }
    g_autofree char *escaped = format_xml_text(figures->str);
    g_string_append_printf(out, "      <system-out>%s</system-out>\n", escaped);
    g_string_free(figures, TRUE);
}

char *format_junit(const Comparison *comparison, const Score *score)
{
    guint total_failures = 0, total_skipped = 0;
    double total_time = 0;
    GString *suites = g_string_new(NULL);
    for (guint a = 0; a < comparison->allocators->len; a++) {
        const AllocatorColumn *column = comparison_column(comparison, a);
        GString *cases = g_string_new(NULL);
        guint failures = 0, skipped = 0;
        double time = 0;
        g_autofree char *suite_name = format_xml_text(column->name);
        /* CI tools read a classname's dots as packages: alloc.so would become
         * class "so" in package "mcompare.alloc". Dots become underscores. */
        g_autofree char *class_name = g_strdelimit(g_strdup(suite_name), ".", '_');
        for (guint w = 0; w < comparison->workloads->len; w++) {
            const Cell *cell = comparison_cell_const(comparison, w, a);
            Verdict verdict = cell_verdict(comparison, cell, score);
            double seconds = cell->state == CELL_DONE ? cell->result.wall_seconds : 0.0;
            time += seconds;
            g_autofree char *name = format_xml_text(comparison_workload(comparison, w)->name);
            g_autofree char *message = format_xml_text(verdict.message);
            g_string_append_printf(cases,
                                   "    <testcase name=\"%s\" classname=\"mcompare.%s\" "
                                   "time=\"%.6f\">\n",
                                   name, class_name, seconds);
            if (verdict.skipped) {
                skipped++;
                g_string_append_printf(cases, "      <skipped message=\"%s\"/>\n", message);
            } else if (verdict.failed) {
                failures++;
                g_autofree char *type = cell_ok(cell)
                                            ? g_strdup("rubric")
                                            : g_strdup_printf("status %d", cell->result.code);
                g_string_append_printf(cases,
                                       "      <failure message=\"%s\" type=\"%s\">%s</failure>\n",
                                       message, type, message);
            }
            if (cell->state == CELL_DONE)
                append_figures(cases, comparison, cell);
            g_string_append(cases, "    </testcase>\n");
            g_free(verdict.message);
        }
        g_autofree char *path = format_xml_text(column->path);
        g_string_append_printf(suites,
                               "  <testsuite name=\"%s\" tests=\"%u\" failures=\"%u\" "
                               "errors=\"0\" skipped=\"%u\" time=\"%.6f\">\n"
                               "    <properties>\n"
                               "      <property name=\"allocator_path\" value=\"%s\"/>\n",
                               suite_name, comparison->workloads->len, failures, skipped, time,
                               path);
        AllocatorSummary summary;
        comparison_summarize(comparison, a, &summary);
        if (summary.ratio_cells)
            g_string_append_printf(suites,
                                   "      <property name=\"geomean_ratio\" value=\"%.4f\"/>\n",
                                   summary.geomean_ratio);
        if (score != NULL && score->allocators[a].graded) {
            const AllocatorScore *own = &score->allocators[a];
            g_autofree char *earned = score_format_points(own->earned);
            g_autofree char *possible = score_format_points(own->possible);
            g_string_append_printf(suites,
                                   "      <property name=\"score\" value=\"%s/%s\"/>\n"
                                   "      <property name=\"passed\" value=\"%s\"/>\n",
                                   earned, possible, own->passed ? "true" : "false");
        }
        g_string_append_printf(suites, "    </properties>\n%s  </testsuite>\n", cases->str);
        g_string_free(cases, TRUE);
        total_failures += failures;
        total_skipped += skipped;
        total_time += time;
    }
    GString *out = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    g_string_append_printf(out,
                           "<testsuites name=\"mcompare\" tests=\"%u\" failures=\"%u\" "
                           "errors=\"0\" skipped=\"%u\" time=\"%.6f\">\n%s</testsuites>\n",
                           comparison->cell_count, total_failures, total_skipped, total_time,
                           suites->str);
    g_string_free(suites, TRUE);
    return g_string_free(out, FALSE);
}
