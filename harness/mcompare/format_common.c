/* Helpers the formats share: sizes, status marks, the list of failures. */
#include "format.h"

/* Bytes with the unit names given (bytes, K, M, G), three significant digits. */
static char *format_size(guint64 bytes, const char *const units[4])
{
    if (bytes < 1024)
        return g_strdup_printf("%" G_GUINT64_FORMAT "%s", bytes, units[0]);
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024 && unit < 3) {
        value /= 1024;
        unit++;
    }
    const char *shape = value >= 100 ? "%.0f%s" : value >= 10 ? "%.1f%s" : "%.2f%s";
    return g_strdup_printf(shape, value, units[unit]);
}

char *format_size_short(guint64 bytes)
{
    static const char *const units[4] = {"", "K", "M", "G"};
    return format_size(bytes, units);
}

char *format_size_long(guint64 bytes)
{
    static const char *const units[4] = {" B", " KiB", " MiB", " GiB"};
    return format_size(bytes, units);
}

char *format_status_mark(const Cell *cell, gboolean utf8)
{
    if (cell->state != CELL_DONE)
        return g_strdup("-");
    if (cell->result.code == MSTATS_CODE_OK)
        return g_strdup(utf8 ? "✓" : "ok");
    return g_strdup_printf("%s%d", utf8 ? "✗ " : "x ", cell->result.code);
}

void format_append_failures(GString *out, const Comparison *comparison, const char *heading,
                            const char *prefix, const char *emphasis)
{
    gboolean header = FALSE;
    for (guint i = 0; i < comparison->cell_count; i++) {
        const Cell *cell = &comparison->cells[i];
        if (cell_ok(cell))
            continue;
        if (!header) {
            g_string_append(out, heading);
            header = TRUE;
        }
        g_autofree char *why = cell_describe_failure(cell);
        g_string_append_printf(out, "%s%s%s%s on %s%s%s: %s\n", prefix, emphasis,
                               comparison_workload(comparison, cell->workload)->name, emphasis,
                               emphasis, comparison_column(comparison, cell->allocator)->name,
                               emphasis, why);
    }
}
