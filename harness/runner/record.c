/* The shim's recording, mapped from its memfd, and turned into a .rep trace by the trace
 * library's writer (harness/trace/trace_write.h), the one .rep writer. */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "output_file.h"
#include "trace_write.h"
#include "error.h"

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

/* The .rep operation for the shim's recorded OP. A realloc(NULL, n) recorded as
 * MSTATS_OP_REALLOC of a fresh id becomes `r ID SIZE` of an id that holds no block, which
 * mdriver's rules read back as realloc(NULL, SIZE) (trace.h). */
static struct trace_op trace_op_of(const MstatsRecordedOp *op)
{
    switch (op->kind) {
    case MSTATS_OP_ALLOC:
        return (struct trace_op){op->size, (int32_t)op->id, TRACE_OP_ALLOC};
    case MSTATS_OP_REALLOC:
        return (struct trace_op){op->size, (int32_t)op->id, TRACE_OP_REALLOC};
    case MSTATS_OP_FREE:
        return (struct trace_op){0, (int32_t)op->id, TRACE_OP_FREE};
    default:
        return (struct trace_op){0, -1, TRACE_OP_FREE};
    }
}

gboolean record_write_rep(const char *path, const MstatsRecordedOp *ops, guint64 count, guint32 ids,
                          guint64 heap_max, GError **error)
{
    g_autoptr(GError) open_error = NULL;
    int fd = output_file_open(path, &open_error);
    if (fd < 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "cannot write the trace: %s",
                    open_error->message);
        return FALSE;
    }
    g_autofree struct trace_file_writer *writer = g_new(struct trace_file_writer, 1);
    trace_file_start(writer, fd, heap_max, ids, count, 1);
    for (guint64 i = 0; i < count; i++) {
        struct trace_op op = trace_op_of(&ops[i]);
        trace_file_add(writer, &op);
    }
    int write_errno = trace_file_finish(writer);
    if (close(fd) != 0 && write_errno == 0)
        write_errno = errno;
    if (write_errno != 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "%s: cannot write the trace: %s",
                    path, g_strerror(write_errno));
        return FALSE;
    }
    return TRUE;
}
