/*
 * trace_memory.c: anonymous mappings for the trace library's tables (see trace_memory.h).
 */
#include "trace_memory.h"

#include <stdint.h>
#include <sys/mman.h>
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
