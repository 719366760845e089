/*
 * trace_load.c: the top of the trace library: mapping a trace file to parse it in place,
 * releasing what a parse mapped, and the one-line `FILE:LINE: reason` messages.
 * No malloc anywhere (see trace.h).
 */
#include "trace.h"
#include "trace_memory.h"
#include "text_buffer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fill ERROR with line 0 and "WHAT: strerror(ERRNO_VALUE)". */
static void io_error(struct trace_error *error, const char *what, int errno_value)
{
    struct text_buffer reason;
    text_init(&reason, error->reason, sizeof error->reason);
    text_add(&reason, what);
    text_add(&reason, ": ");
    text_add(&reason, strerror(errno_value));
    error->line = 0;
}

int trace_load_as(const char *path, enum trace_rules rules, struct trace *trace,
                  struct trace_error *error)
{
    memset(trace, 0, sizeof *trace);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        io_error(error, "cannot open the trace", errno);
        return -1;
    }
    struct stat status;
    if (fstat(fd, &status) != 0) {
        io_error(error, "cannot read the trace", errno);
        close(fd);
        return -1;
    }
    if (!S_ISREG(status.st_mode)) {
        io_error(error, "cannot read the trace", S_ISDIR(status.st_mode) ? EISDIR : EINVAL);
        close(fd);
        return -1;
    }
    size_t length = (size_t)status.st_size;
    void *mapping = NULL;
    if (length > 0) {
        /* Populate up front: one big read-ahead beats a page fault per 4 KiB. */
        mapping = mmap(NULL, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (mapping == MAP_FAILED) {
            io_error(error, "cannot map the trace", errno);
            close(fd);
            return -1;
        }
        madvise(mapping, length, MADV_SEQUENTIAL);
    }
    close(fd);
    if (trace_parse_as(mapping != NULL ? mapping : "", length, rules, trace, error) != 0) {
        if (mapping != NULL)
            munmap(mapping, length);
        return -1;
    }
    trace->file_mapping = mapping;
    trace->file_mapping_size = length;
    return 0;
}

int trace_load(const char *path, struct trace *trace, struct trace_error *error)
{
    return trace_load_as(path, TRACE_RULES_MDRIVER, trace, error);
}

void trace_release(struct trace *trace)
{
    trace_unmap(trace->ops, trace->ops_mapping_size);
    if (trace->file_mapping != NULL)
        munmap(trace->file_mapping, trace->file_mapping_size);
    memset(trace, 0, sizeof *trace);
}

size_t trace_error_format(const char *path, const struct trace_error *error, char *buffer,
                          size_t capacity)
{
    struct text_buffer line;
    text_init(&line, buffer, capacity);
    text_add(&line, path);
    if (error->line > 0) {
        text_add_char(&line, ':');
        text_add_u64(&line, error->line);
    }
    text_add(&line, ": ");
    text_add(&line, error->reason);
    /* Keep the newline even when a long path truncated the message. */
    if (line.length + 1 >= capacity && capacity > 1)
        line.length = capacity - 2;
    text_add_char(&line, '\n');
    return line.length;
}

int trace_ignored_warning(const struct trace *trace, struct trace_error *warning)
{
    if (trace->ignored_lines == 0)
        return 0;
    struct text_buffer reason;
    text_init(&reason, warning->reason, sizeof warning->reason);
    text_add(&reason, "warning: ignoring ");
    text_add_u64(&reason, trace->ignored_lines);
    text_add(&reason, trace->ignored_lines == 1 ? " line" : " lines");
    text_add(&reason, " after the ");
    text_add_u64(&reason, trace->op_count);
    text_add(&reason, " operations the header promises, as mdriver does (--strict refuses "
                      "the trace)");
    warning->line = trace->ignored_from_line;
    return 1;
}
