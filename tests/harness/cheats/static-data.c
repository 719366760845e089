/* Tries: small blocks (up to 128 bytes) are handed out from libc's static
 * data (the memory of its stdin stream), which never counts in the heap.
 * Caught by: the shim's pointer check -> 91 (static data of libc). */
#include <stddef.h>
#include <stdint.h>

static void *static_block(size_t size);
#define CHEAT_PLACE(size) static_block(size)
#include "cheat_core.h"

/* A block of up to 128 bytes in libc's stdin stream; NULL (the heap)
 * for larger ones. */
static void *static_block(size_t size)
{
    if (size > 128)
        return NULL;
    return (void *)(((uintptr_t)stdin + 15) & ~(uintptr_t)15);
}
