/* Tries: blocks of 4 KiB or more come from mmap, as real allocators do, so
 * they never count in the heap: MAX shrinks to the small blocks.
 * Caught by: the shim's pointer check -> 91 (memory from mmap). */
#include <stddef.h>
#include <stdint.h>

static void *mapped_block(size_t size);
#define CHEAT_PLACE(size) mapped_block(size)
#include "cheat_core.h"

/* A block of 4 KiB or more from mmap; NULL (the heap) for smaller ones. */
static void *mapped_block(size_t size)
{
    if (size < 4096)
        return NULL;
    void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return map == MAP_FAILED ? NULL : map;
}
