/* The .rep writer. Text goes through a stdio buffer; the operations are read
 * straight from the shared memfd the shim wrote. */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "output_file.h"
#include "run.h"

const MstatsRecordedOp *record_map(int record_fd, guint64 count, GError **error)
{
    if (count == 0)
        return NULL;
    void *ops = mmap(NULL, count * sizeof(MstatsRecordedOp), PROT_READ, MAP_SHARED, record_fd, 0);
    if (ops == MAP_FAILED) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot read the recording: %s",
                    g_strerror(errno));
        return NULL;
    }
    return ops;
}

void record_unmap(const MstatsRecordedOp *ops, guint64 count)
{
    if (ops != NULL)
        munmap((void *)ops, count * sizeof(MstatsRecordedOp));
}

gboolean record_write_rep(const char *path, const MstatsRecordedOp *ops, guint64 count, guint32 ids,
                          guint64 heap_max, GError **error)
{
    g_autoptr(GError) open_error = NULL;
    FILE *out = output_file_fopen(path, &open_error);
    if (out == NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "cannot write the trace: %s",
                    open_error->message);
        return FALSE;
    }
    fprintf(out, "%" G_GUINT64_FORMAT "\n%u\n%" G_GUINT64_FORMAT "\n1\n", heap_max, ids, count);
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
    if (fclose(out) != 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "%s: cannot write the trace: %s",
                    path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}
