/* The .rep writer. Text goes through a stdio buffer; the operations are read
 * straight from the shared memfd the shim wrote. */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "run.h"

gboolean record_write_rep(const char *path, int record_fd, const MstatsRegion *region,
                          guint64 heap_max, GError **error)
{
    guint64 count = region->record_ops;
    const MstatsRecordedOp *ops = NULL;
    gsize bytes = count * sizeof(MstatsRecordedOp);
    if (count > 0) {
        ops = mmap(NULL, bytes, PROT_READ, MAP_SHARED, record_fd, 0);
        if (ops == MAP_FAILED) {
            g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot read the recording: %s",
                        g_strerror(errno));
            return FALSE;
        }
    }
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "%s: cannot write the trace: %s", path,
                    g_strerror(errno));
        if (ops != NULL)
            munmap((void *)ops, bytes);
        return FALSE;
    }
    fprintf(out, "%" G_GUINT64_FORMAT "\n%u\n%" G_GUINT64_FORMAT "\n1\n", heap_max,
            region->record_ids, count);
    for (guint64 i = 0; i < count; i++) {
        const MstatsRecordedOp *op = &ops[i];
        switch (op->kind) {
        case MSTATS_OP_ALLOC:
            fprintf(out, "a %u %" G_GUINT64_FORMAT "\n", op->id, op->size);
            break;
        case MSTATS_OP_REALLOC:
            fprintf(out, "r %u %" G_GUINT64_FORMAT "\n", op->id, op->size);
            break;
        case MSTATS_OP_FREE:
            fprintf(out, "f %u\n", op->id);
            break;
        default:
            fputs("f -1\n", out);
            break;
        }
    }
    if (ops != NULL)
        munmap((void *)ops, bytes);
    if (fclose(out) != 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "%s: cannot write the trace: %s",
                    path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}
