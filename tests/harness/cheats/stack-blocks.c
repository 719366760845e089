/* Tries: small blocks (up to 128 bytes) are handed out from a buffer on the
 * stack, which never counts in the heap.
 * Caught by: the shim's pointer check -> 91 (on the stack). */
#include <stddef.h>
#include <stdint.h>

static void *stack_block(size_t size);
#define CHEAT_PLACE(size) stack_block(size)
#include "cheat_core.h"

/* Returns `frame`. */
static void *identity(void *frame)
{
    return frame;
}

/* Returns `frame` out of the compiler's sight (it would warn of a dangling
 * pointer, or return NULL instead). */
static void *(*volatile escape)(void *) = identity;

/* A block of up to 128 bytes in this call's frame; NULL (the heap)
 * for larger ones. */
static void *stack_block(size_t size)
{
    if (size > 128)
        return NULL;
    _Alignas(16) unsigned char frame[128];
    return escape(frame);
}
