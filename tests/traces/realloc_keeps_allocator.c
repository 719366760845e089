/*
 * realloc_keeps_allocator.c: a bump allocator over sbrk whose realloc(p, 0) keeps the block
 * and returns it, as the starter kit's (and any realloc that returns a block that already
 * fits) does; C allows it, where glibc frees p and returns NULL. Run under mstats (-a) to
 * prove that what mreplay calls does not depend on that choice. free does nothing.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* A 16-byte header before each block holds its size. */
typedef struct {
    size_t size;
    size_t pad;
} header;

void *malloc(size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    size_t rounded = (size + 15) & ~(size_t)15;
    header *h = sbrk((intptr_t)(sizeof(header) + rounded));
    if (h == (void *)-1)
        return NULL;
    h->size = size;
    return h + 1;
}

void free(void *block)
{
    (void)block;
}

void *calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *block = malloc(count * size);
    if (block != NULL)
        memset(block, 0, count * size); /* the break may hand back dirty memory */
    return block;
}

void *realloc(void *block, size_t size)
{
    if (block == NULL)
        return malloc(size);
    size_t old = ((header *)block)[-1].size;
    if (size <= old)
        return block; /* it fits already: realloc(p, 0) too */
    void *moved = malloc(size);
    if (moved != NULL)
        memcpy(moved, block, old);
    return moved;
}
