/*
 * alloc.c: your heap allocator.
 *
 * mstats loads the shared object built from this file (alloc.so) into a
 * program in place of the C library's malloc, free, calloc and realloc, and
 * measures how much heap it takes from the operating system (MAX, AVG)
 * against what the program asked for.
 *
 * The rules of the course:
 *   - memory comes from sbrk() only: no mmap(), no static arrays, no libc
 *     malloc behind yours (mstats stops the run with code 91 otherwise);
 *   - every pointer returned is 16-byte aligned;
 *   - malloc, free, calloc and realloc behave as the C standard says: the
 *     testers check every byte they wrote;
 *   - never call printf or anything else that may allocate from inside
 *     these functions: it would call your malloc again.
 *
 * This version is correct and simple, and wastes memory. Every block has a
 * 16-byte header; freed blocks go on a list kept in address order, and malloc
 * takes the first block on the list that is big enough (first fit). It does
 * not split a big free block for a small request, and it does not merge
 * neighbouring free blocks: improving that is your job (docs/students.md).
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define ALIGNMENT 16

/* The header in front of every block's payload. Its size is a multiple of
 * ALIGNMENT, so a payload is aligned when its header is. */
struct header {
    size_t size;              /* payload bytes, a multiple of ALIGNMENT */
    struct header *next_free; /* next free block by address; unused while allocated */
};

#define HEADER_SIZE sizeof(struct header)

/* Free blocks, lowest address first. */
static struct header *free_list;

/* One lock around everything: programs with threads call malloc at once. */
static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;

/* The payload bytes for a request of `size`: at least ALIGNMENT (so that
 * malloc(0) returns a unique pointer), rounded up to a multiple of it. */
static size_t payload_size(size_t size)
{
    if (size == 0)
        size = 1;
    return (size + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
}

static void *payload_of(struct header *block)
{
    return (char *)block + HEADER_SIZE;
}

static struct header *header_of(void *payload)
{
    return (struct header *)((char *)payload - HEADER_SIZE);
}

/* Takes the first free block of at least `size` payload bytes off the list;
 * NULL if there is none. */
static struct header *take_first_fit(size_t size)
{
    for (struct header **link = &free_list; *link != NULL; link = &(*link)->next_free) {
        struct header *block = *link;
        if (block->size >= size) {
            *link = block->next_free;
            return block;
        }
    }
    return NULL;
}

/* Grows the heap by a new block of `size` payload bytes; NULL (errno ENOMEM)
 * when sbrk fails. */
static struct header *grow_heap(size_t size)
{
    /* The first break may be anywhere: move it to an aligned address once. */
    uintptr_t start = (uintptr_t)sbrk(0);
    if (start % ALIGNMENT != 0 && sbrk(ALIGNMENT - start % ALIGNMENT) == (void *)-1)
        return NULL;
    void *memory = sbrk((intptr_t)(HEADER_SIZE + size));
    if (memory == (void *)-1) {
        errno = ENOMEM;
        return NULL;
    }
    struct header *block = memory;
    block->size = size;
    return block;
}

/* Puts `block` on the free list at its place in address order. */
static void insert_free(struct header *block)
{
    struct header **link = &free_list;
    while (*link != NULL && *link < block)
        link = &(*link)->next_free;
    block->next_free = *link;
    *link = block;
}

/* malloc: returns a pointer to at least `size` fresh bytes, 16-byte aligned,
 * or NULL with errno ENOMEM. */
void *malloc(size_t size)
{
    if (size > PTRDIFF_MAX - HEADER_SIZE - ALIGNMENT) {
        errno = ENOMEM;
        return NULL;
    }
    size_t need = payload_size(size);
    pthread_mutex_lock(&heap_lock);
    struct header *block = take_first_fit(need);
    if (block == NULL)
        block = grow_heap(need);
    pthread_mutex_unlock(&heap_lock);
    return block == NULL ? NULL : payload_of(block);
}

/* free: gives back a block malloc, calloc or realloc returned; NULL is
 * allowed and does nothing. */
void free(void *pointer)
{
    if (pointer == NULL)
        return;
    pthread_mutex_lock(&heap_lock);
    insert_free(header_of(pointer));
    pthread_mutex_unlock(&heap_lock);
}

/* calloc: `count` objects of `size` bytes, all zero; NULL with errno ENOMEM
 * when count * size overflows. Build with -fno-builtin: otherwise GCC may
 * turn the malloc + memset below into a call to calloc, which is this
 * function, and it calls itself without end. */
void *calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    void *pointer = malloc(count * size);
    if (pointer != NULL)
        memset(pointer, 0, count * size);
    return pointer;
}

/* realloc: resizes the block at `pointer` to `size` bytes, keeping its
 * contents; it may move. realloc(NULL, n) is malloc(n). On failure the old
 * block stays as it was and NULL is returned. */
void *realloc(void *pointer, size_t size)
{
    if (pointer == NULL)
        return malloc(size);
    size_t old_size = header_of(pointer)->size;
    if (size <= old_size)
        return pointer; /* it fits already */
    void *moved = malloc(size);
    if (moved == NULL)
        return NULL;
    memcpy(moved, pointer, old_size);
    free(pointer);
    return moved;
}
