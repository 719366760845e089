/* Honest: gives memory back. When a free block (merged with its free
 * neighbours) ends at the top of the heap, it is taken off the free list and
 * returned to the system with sbrk(-n), so the break falls as well as rises.
 * MAX is still the break's peak; the harness must follow a shrinking break. */
#include <unistd.h>

static void give_back_top(void *top_block);
#define HONEST_TOP_FREED(block) give_back_top(block)
#include "honest_core.h"

/* Returns `top_block` (free, ending at the break) to the system; it stays on
 * the free list if sbrk refuses. */
static void give_back_top(void *top_block)
{
    HonestBlock *block = top_block;
    honest_unlink_free(block);
    if (sbrk(-(intptr_t)(HONEST_HEADER + block->size)) == (void *)-1) {
        honest_insert_free(block);
        return;
    }
    honest.heap_top = (uintptr_t)block;
}
