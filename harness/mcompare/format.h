/* The report formats. Each renders the whole comparison (and the score, when
 * a rubric was given) into one string; render.h picks one by name, main
 * decides where it goes. The shared helpers are in format_common.c. */
#ifndef MCOMPARE_FORMAT_H
#define MCOMPARE_FORMAT_H

#include <glib.h>

#include "comparison.h"
#include "score.h"

char *format_table(const Comparison *comparison, const Score *score);
char *format_markdown(const Comparison *comparison, const Score *score);
/* The same with the chart (mcompare --chart) embedded as an image whose
 * address is `chart_href`; NULL: no image. */
char *format_markdown_with_chart(const Comparison *comparison, const Score *score,
                                 const char *chart_href);
char *format_csv(const Comparison *comparison);
char *format_json(const Comparison *comparison, const Score *score);
char *format_junit(const Comparison *comparison, const Score *score);
/* The grading platforms' results.json (format_platforms.c); `score` must
 * not be NULL: every test is a rubric item. `build_log` (platform_build_log,
 * or NULL) follows the score lines when a graded allocator loaded in none of
 * its cells. */
char *format_gradescope(const Comparison *comparison, const Score *score, const char *build_log);
char *format_prairielearn(const Comparison *comparison, const Score *score, const char *build_log);

/* The platform files a run writes (NULL: not asked for). */
typedef struct {
    const char *gradescope;   /* --gradescope */
    const char *prairielearn; /* --prairielearn */
    const char *junit;        /* --junit, or the report in JUnit XML */
} PlatformFiles;

/* Writes every file of `files` for a run that graded nothing: score 0 out of
 * the rubric's points (`rubric` may be NULL), a failed test per rubric item
 * saying the first line of `message`, and `message` whole as the
 * submission's output (platform_ungraded_message makes one). `gradable`:
 * TRUE when the student is at fault (a submission that does not build);
 * FALSE when the grader is (its environment cannot run the rubric), so that
 * PrairieLearn charges no attempt and JUnit reports errors, not failures.
 * Every file is attempted; FALSE after one line on stderr for each that
 * could not be written. */
gboolean platform_write_ungraded(const PlatformFiles *files, const Rubric *rubric,
                                 const char *message, gboolean gradable);

/* Why the allocator file at `path` cannot be graded, in a student's words
 * ("alloc.so is empty: the build stopped before writing it"), or NULL when
 * it looks like a shared object for this machine. Reads its ELF header
 * only: nothing of it runs. */
char *platform_submission_problem(const char *path);

/* The build log at `path` as a submission's output shows it: a heading, then
 * the log, or an excerpt of a long one (platform_build_log_excerpt). */
char *platform_build_log(const char *path);

/* At most about PLATFORM_BUILD_LOG_LIMIT bytes of a build log, whole lines,
 * made printable: a longer log is cut to the lines from a few before its
 * first error (a compiler's "error:", a linker's "undefined reference",
 * make's "***"), else to its last lines, saying what was left out. */
#define PLATFORM_BUILD_LOG_LIMIT (64 * 1024)
#define PLATFORM_BUILD_LOG_CONTEXT_LINES 5
char *platform_build_log_excerpt(const char *text, gsize length);

/* "Not graded, so every test scores 0: PROBLEM." and the build log after it
 * (`build_log` may be NULL). */
char *platform_ungraded_message(const char *problem, const char *build_log);

/* Shared helpers. */

/* `text` escaped for an XML attribute or text (format_junit.c). */
char *format_xml_text(const char *text);

/* Bytes in three significant digits (four below the next unit) with a binary
 * unit: 980, 12.1K, 1009K, 3.19M. */
char *format_size_short(guint64 bytes);
/* The same with a spaced unit for prose tables: 12.1 KiB. */
char *format_size_long(guint64 bytes);
/* "✓" / "✗ 11" / "-" (ASCII "ok" / "x 11" / "-" outside UTF-8 locales). */
char *format_status_mark(const Cell *cell, gboolean utf8);
/* When some cell failed or did not run: `heading`, then one line per such
 * cell: `prefix`, the workload, " on ", the allocator, ": ", the reason.
 * `emphasis` wraps the two names (Markdown's "**"; "" for plain text). */
void format_append_failures(GString *out, const Comparison *comparison, const char *heading,
                            const char *prefix, const char *emphasis);

#endif
