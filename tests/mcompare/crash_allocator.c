/* An allocator that crashes on its first malloc: a student's allocator on a
 * bad day. mcompare must report its cells as failed (code 11) and still
 * complete every other cell. */
#include <stddef.h>

/* Writing through a null pointer the compiler cannot see through. */
static void crash(void)
{
    volatile int *volatile nowhere = NULL;
    *nowhere = 1;
}

void *malloc(size_t size)
{
    (void)size;
    crash();
    return NULL;
}

void free(void *block)
{
    (void)block;
}

void *calloc(size_t count, size_t size)
{
    (void)count, (void)size;
    crash();
    return NULL;
}

void *realloc(void *block, size_t size)
{
    (void)block, (void)size;
    crash();
    return NULL;
}
