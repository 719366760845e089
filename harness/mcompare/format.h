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
 * not be NULL: every test is a rubric item. */
char *format_gradescope(const Comparison *comparison, const Score *score);
char *format_prairielearn(const Comparison *comparison, const Score *score);

/* Shared helpers. */

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
