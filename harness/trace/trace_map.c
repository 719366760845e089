/*
 * trace_map.c: the trace library's only contact with the operating system: mapping a trace
 * file to parse it in place, anonymous mappings for its tables, and releasing them.
 * No malloc anywhere (see trace.h).
 */
#include "trace.h"
#include "trace_internal.h"
#include "text_buffer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void *trace_map_zeroed(size_t size, size_t *mapped)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - page)
        return NULL;
    size = (size + page - 1) / page * page;
    void *mapping = mmap(NULL, size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED)
        return NULL;
    *mapped = size;
    return mapping;
}

void trace_unmap(void *mapping, size_t mapped)
{
    if (mapping != NULL)
        munmap(mapping, mapped);
}

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

int trace_load(const char *path, struct trace *trace, struct trace_error *error)
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
    if (trace_parse(mapping != NULL ? mapping : "", length, trace, error) != 0) {
        if (mapping != NULL)
            munmap(mapping, length);
        return -1;
    }
    trace->file_mapping = mapping;
    trace->file_mapping_size = length;
    return 0;
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
