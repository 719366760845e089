/* Tries: headers in an mmap side table. The blocks lie in the heap, grown
 * through the shim's sbrk as the control's are, but with no header before
 * them: each block's size (what realloc needs) is kept in a table of
 * (offset, size) pairs in an anonymous private mmap outside the heap
 * (side_table.h), which MAX does not count. The heap holds the blocks alone,
 * 16 bytes a block less than the control's: tester-16's 10 million blocks of
 * 32 bytes take 320,000,000 bytes of heap instead of 480,000,000, and the
 * other 160,000,000 sit in the table.
 * Caught by: the witness of memory outside the heap -> 91 naming the bytes
 * (the table's anonymous mapping, made inside an allocator call). */
#include "side_table.h"

/* The table in anonymous private memory, moved by mremap as it doubles. */
static void *side_table_resize(void *table, size_t bytes, size_t new_bytes)
{
    if (table == NULL)
        return mmap(NULL, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return mremap(table, bytes, new_bytes, MREMAP_MAYMOVE);
}
