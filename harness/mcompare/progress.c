/* Progress display on stderr: a redrawn bar on a terminal, plain lines
 * elsewhere (CI logs, pipes), nothing with --quiet. */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct Progress {
    gboolean quiet;
    gboolean terminal;
    gboolean bar_shown; /* a bar is on the current line and must be erased first */
};

Progress *progress_new(const Comparison *comparison, gboolean quiet)
{
    (void)comparison;
    Progress *progress = g_new0(Progress, 1);
    progress->quiet = quiet;
    const char *term = g_getenv("TERM");
    progress->terminal =
        !quiet && isatty(STDERR_FILENO) && term != NULL && strcmp(term, "dumb") != 0;
    return progress;
}

/* Columns of the terminal on stderr (80 when unknown). */
static int terminal_width(void)
{
    struct winsize size;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 20)
        return size.ws_col;
    return 80;
}

/* Clears the bar so that a line can be printed in its place. */
static void erase_bar(Progress *progress)
{
    if (progress->bar_shown) {
        fputs("\r\033[K", stderr);
        progress->bar_shown = FALSE;
    }
}

/* The names a progress line shows for a cell. */
static const char *cell_allocator_name(const Comparison *comparison, const Cell *cell)
{
    return ((AllocatorColumn *)g_ptr_array_index(comparison->allocators, cell->allocator))->name;
}

static const char *cell_workload_name(const Comparison *comparison, const Cell *cell)
{
    return ((Workload *)g_ptr_array_index(comparison->workloads, cell->workload))->name;
}

void progress_cell_finished(Progress *progress, const Comparison *comparison, const Cell *cell,
                            guint done)
{
    if (progress->quiet)
        return;
    if (progress->terminal) {
        /* On a terminal only failures get a line of their own; the bar counts the rest. */
        if (cell_ok(cell) || cell->state == CELL_NOT_RUN)
            return;
        erase_bar(progress);
    }
    g_autofree char *outcome = cell_describe_failure(cell);
    fprintf(stderr, "[mcompare]: %u/%u %s on %s: %s", done, comparison->cell_count,
            cell_workload_name(comparison, cell), cell_allocator_name(comparison, cell), outcome);
    if (cell->state == CELL_DONE)
        fprintf(stderr, " (%.2f s)", cell->result.wall_seconds);
    fputc('\n', stderr);
    fflush(stderr);
}

void progress_redraw(Progress *progress, const Comparison *comparison, const guint *running,
                     guint running_count, guint done, double elapsed)
{
    if (!progress->terminal)
        return;
    int width = terminal_width();
    enum { BAR = 24 };
    guint total = comparison->cell_count ? comparison->cell_count : 1;
    guint filled = (guint)((guint64)done * BAR / total);
    GString *line = g_string_new("[");
    for (guint i = 0; i < BAR; i++)
        g_string_append_c(line, i < filled ? '#' : '.');
    g_string_append_printf(line, "] %u/%u cells  %d:%02d", done, comparison->cell_count,
                           (int)elapsed / 60, (int)elapsed % 60);
    if (running_count > 0)
        g_string_append(line, "  running:");
    for (guint i = 0; i < running_count; i++) {
        const Cell *cell = &comparison->cells[running[i]];
        g_string_append_printf(line, " %s/%s", cell_workload_name(comparison, cell),
                               cell_allocator_name(comparison, cell));
    }
    if (line->len > (gsize)width - 1)
        g_string_truncate(line, (gsize)width - 1);
    fprintf(stderr, "\r\033[K%s", line->str);
    fflush(stderr);
    progress->bar_shown = TRUE;
    g_string_free(line, TRUE);
}

void progress_finish(Progress *progress, const Comparison *comparison, guint done, double elapsed)
{
    if (progress->quiet)
        return;
    erase_bar(progress);
    if (comparison->interrupted)
        fprintf(stderr, "[mcompare]: interrupted: %u of %u cells finished in %.1f s\n", done,
                comparison->cell_count, elapsed);
    else
        fprintf(stderr, "[mcompare]: %u cells in %.1f s\n", done, elapsed);
    fflush(stderr);
}

void progress_free(Progress *progress)
{
    g_free(progress);
}
