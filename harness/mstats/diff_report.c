/* The words of mstats --diff (diff.h): a few [mstats]: lines a student reads. */
#include "diff.h"

/* "at +OFFSET, in the free block [+A, +B) of N bytes" or "at the top". */
static void append_placement(GString *out, const char *name, const DiffPlacement *p)
{
    g_string_append_printf(out, "[mstats]:   %s: at +%" G_GUINT64_FORMAT, name, p->offset);
    if (!p->at_top) {
        g_string_append_printf(out,
                               ", in the free block [+%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT
                               ") of %" G_GUINT64_FORMAT " bytes between live blocks\n",
                               p->gap_start, p->gap_end, p->gap_end - p->gap_start);
    } else if (p->heap_after > p->heap_before && p->gap_end <= p->gap_start) {
        g_string_append_printf(out,
                               ", at the top of the heap, which had no free end: it grew from "
                               "%" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " bytes\n",
                               p->heap_before, p->heap_after);
    } else if (p->heap_after > p->heap_before) {
        g_string_append_printf(out,
                               ", at the top of the heap: the free end [+%" G_GUINT64_FORMAT
                               ", +%" G_GUINT64_FORMAT
                               ") was too small, the heap grew from %" G_GUINT64_FORMAT
                               " to %" G_GUINT64_FORMAT " bytes\n",
                               p->gap_start, p->gap_end, p->heap_before, p->heap_after);
    } else {
        g_string_append_printf(out,
                               ", at the top of the heap, in the free end [+%" G_GUINT64_FORMAT
                               ", +%" G_GUINT64_FORMAT ") of %" G_GUINT64_FORMAT " bytes\n",
                               p->gap_start, p->gap_end, p->gap_end - p->gap_start);
    }
}

static void append_placements(GString *out, const DiffCall *call, const char *const names[2])
{
    for (int r = 0; r < 2; r++)
        if (call->placement[r].placed)
            append_placement(out, names[r], &call->placement[r]);
}

char *diff_report_text(const DiffFigures *f, const char *const names[2], const char *program,
                       const char *const status[2])
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "[mstats]: DIFF: %s on %s and %s: ", program, names[0], names[1]);
    if (!f->comparable)
        g_string_append_printf(
            out,
            "not comparable: the runs made different calls from call %" G_GUINT64_FORMAT
            " on; %s is not deterministic (threads, time or randomness)\n",
            f->differ_from, program);
    else if (f->same_length)
        g_string_append_printf(out, "%" G_GUINT64_FORMAT " calls, the same in both runs\n",
                               f->calls);
    else
        g_string_append_printf(out, "the same %" G_GUINT64_FORMAT " calls, then one run stopped\n",
                               f->calls);
    g_string_append_printf(out, "[mstats]: STATUS: %s %s, %s %s\n", names[0], status[0], names[1],
                           status[1]);
    if (!f->comparable)
        return g_string_free(out, FALSE);
    if (f->parted.call != 0 && f->parted.call != f->split.call) {
        g_autofree char *words = diff_call_words(&f->parted);
        g_string_append_printf(out,
                               "[mstats]: PARTED: call %" G_GUINT64_FORMAT
                               ", %s: placed apart, the heaps still of one size (%" G_GUINT64_FORMAT
                               " bytes)\n",
                               f->parted.call, words, f->parted.placement[0].heap_after);
        append_placements(out, &f->parted, names);
    }
    if (f->split.call == 0) {
        g_string_append(out, "[mstats]: SPLIT: none: the heaps had the same size after every "
                             "call\n");
    } else {
        g_autofree char *words = diff_call_words(&f->split);
        g_string_append_printf(out,
                               "[mstats]: SPLIT: call %" G_GUINT64_FORMAT
                               ", %s: heap %" G_GUINT64_FORMAT " on %s, %" G_GUINT64_FORMAT
                               " on %s\n",
                               f->split.call, words, f->split.placement[0].heap_after, names[0],
                               f->split.placement[1].heap_after, names[1]);
        append_placements(out, &f->split, names);
    }
    g_string_append_printf(out,
                           "[mstats]: MAX: %s %" G_GUINT64_FORMAT " after call %" G_GUINT64_FORMAT
                           ", %s %" G_GUINT64_FORMAT " after call %" G_GUINT64_FORMAT "\n",
                           names[0], f->max[0], f->max_call[0], names[1], f->max[1],
                           f->max_call[1]);
    if (f->widest != 0) {
        guint64 a = f->widest_heap[0], b = f->widest_heap[1];
        g_string_append_printf(out,
                               "[mstats]: WIDEST: after call %" G_GUINT64_FORMAT
                               ": %s %" G_GUINT64_FORMAT ", %s %" G_GUINT64_FORMAT
                               " (%" G_GUINT64_FORMAT " bytes apart)\n",
                               f->widest, names[0], a, names[1], b, a > b ? a - b : b - a);
    }
    return g_string_free(out, FALSE);
}
