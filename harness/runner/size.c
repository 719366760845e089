/* Sizes given on the command line: plain bytes or K, M, G (powers of 1024). */
#include <math.h>
#include <stdlib.h>

#include "error.h"
#include "run_model.h"
#include "size.h"

gboolean mstats_parse_size(const char *text, guint64 *bytes, GError **error)
{
    char *end = NULL;
    double value = g_ascii_strtod(text, &end);
    double unit = 1;
    if (end != text && *end != '\0') {
        switch (g_ascii_toupper(*end)) {
        case 'K':
            unit = 1024.0;
            break;
        case 'M':
            unit = 1024.0 * 1024;
            break;
        case 'G':
            unit = 1024.0 * 1024 * 1024;
            break;
        default:
            unit = 0;
        }
        end++;
        if (g_ascii_toupper(*end) == 'B' || g_ascii_toupper(*end) == 'I')
            end++;
        if (g_ascii_toupper(*end) == 'B')
            end++;
    }
    if (end == text || *end != '\0' || unit == 0 || !(value > 0) || !isfinite(value) ||
        value * unit > 1e18) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "bad size '%s': give bytes or a number with K, M or G (e.g. 512M, 2.5G)", text);
        return FALSE;
    }
    *bytes = (guint64)llround(value * unit);
    return TRUE;
}

gboolean mstats_parse_alignment(int value, unsigned *alignment, GError **error)
{
    if (value == 0 || value == 1 || value == 8 || value == 16) {
        *alignment = value == 0 ? MSTATS_DEFAULT_ALIGNMENT : (unsigned)value;
        return TRUE;
    }
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                "--align: %d is not an alignment mstats checks: give 1, 8 or 16 (16 is the "
                "default; 1 checks none)",
                value);
    return FALSE;
}

gboolean mstats_parse_limits(double timeout, const char *memory_limit, guint64 *bytes,
                             GError **error)
{
    /* The negated test also catches nan, which fails every comparison. */
    if (!(timeout >= 0 && timeout <= MSTATS_TIMEOUT_MAX)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "--timeout: %g is not a number of seconds from 0 (no timeout) to %g (a day)",
                    timeout, MSTATS_TIMEOUT_MAX);
        return FALSE;
    }
    g_autoptr(GError) size_error = NULL;
    if (memory_limit == NULL || mstats_parse_size(memory_limit, bytes, &size_error))
        return TRUE;
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "--memory-limit: %s", size_error->message);
    return FALSE;
}
