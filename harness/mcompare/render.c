/* The report dispatcher: a format's name to its renderer. It sits above the
 * formats (which share format_common.c) so that no file calls back into the
 * file that calls it. */
#include "render.h"

#include <string.h>

#include "format.h"

gboolean report_format_parse(const char *name, ReportFormat *format)
{
    static const struct {
        const char *name;
        ReportFormat format;
    } formats[] = {{"table", FORMAT_TABLE},
                   {"markdown", FORMAT_MARKDOWN},
                   {"csv", FORMAT_CSV},
                   {"json", FORMAT_JSON},
                   {"junit", FORMAT_JUNIT}};
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
        if (strcmp(name, formats[i].name) == 0) {
            *format = formats[i].format;
            return TRUE;
        }
    return FALSE;
}

char *report_render(ReportFormat format, const Comparison *comparison, const Score *score)
{
    switch (format) {
    case FORMAT_TABLE:
        return format_table(comparison, score);
    case FORMAT_MARKDOWN:
        return format_markdown(comparison, score);
    case FORMAT_CSV:
        return format_csv(comparison);
    case FORMAT_JSON:
        return format_json(comparison, score);
    case FORMAT_JUNIT:
        return format_junit(comparison, score);
    }
    g_assert_not_reached();
}
