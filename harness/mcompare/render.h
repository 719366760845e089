/* Choosing a report format by name and rendering the comparison in it. */
#ifndef MCOMPARE_RENDER_H
#define MCOMPARE_RENDER_H

#include <glib.h>

#include "comparison.h"
#include "score.h"

typedef enum {
    FORMAT_TABLE,
    FORMAT_MARKDOWN,
    FORMAT_CSV,
    FORMAT_JSON,
    FORMAT_JUNIT,
} ReportFormat;

/* "table", "markdown", "csv", "json", "junit" -> format; FALSE if unknown. */
gboolean report_format_parse(const char *name, ReportFormat *format);

/* The report in `format`; `score` may be NULL. */
char *report_render(ReportFormat format, const Comparison *comparison, const Score *score);

#endif
