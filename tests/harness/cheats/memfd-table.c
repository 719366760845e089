/* Tries: the side table of side-table.c (no header in the heap, each block's
 * size kept outside it, side_table.h), in a memfd instead of private memory:
 * memfd_create, ftruncate to the table's size, mmap MAP_SHARED. The table is
 * then shared memory (shmem, a file's pages), not the process's private
 * anonymous data, for a witness that counts only the latter. MAX is
 * side-table.c's.
 * Caught by: the witness of memory outside the heap -> 91 naming the bytes
 * (the memfd's shared mapping, made inside an allocator call). */
#include "side_table.h"

#include <unistd.h>

/* The memfd that holds the table (-1: none yet). */
static int side_fd = -1;

/* The table in a memfd mapped MAP_SHARED: the file grown by ftruncate, the
 * mapping by mremap as it doubles. */
static void *side_table_resize(void *table, size_t bytes, size_t new_bytes)
{
    if (side_fd < 0)
        side_fd = memfd_create("side-table", MFD_CLOEXEC);
    if (side_fd < 0 || ftruncate(side_fd, (off_t)new_bytes) != 0)
        return MAP_FAILED;
    if (table == NULL)
        return mmap(NULL, new_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, side_fd, 0);
    return mremap(table, bytes, new_bytes, MREMAP_MAYMOVE);
}
