/*
 * faulty_allocator.c: a malloc for tests that misbehaves on request, to prove that mreplay
 * notices. Preloaded with LD_PRELOAD; MREPLAY_TEST_FAULT picks the fault:
 *   overlap    every malloc of >= 1000 bytes returns the previous such block again
 *   no-copy    realloc of >= 1000 bytes moves the block without copying its contents
 *   misalign   malloc of >= 1000 bytes returns an address 8 bytes past a 16-byte boundary
 *   null       malloc of >= 1000 bytes returns NULL
 *   align8     every malloc returns an address 8 bytes past a 16-byte boundary, as CS 241
 *              allocators do (8-aligned, which C17 allows only for blocks under 16 bytes)
 *   in-place-corrupt  realloc of >= 1000 bytes of the newest block grows it in place, and
 *              flips the byte in the middle of what it kept
 * and anything else (or unset) is a correct bump allocator. Small requests are never
 * faulted, so that libc's own rare calls work. Memory comes from a static arena; free
 * does nothing. With MREPLAY_TEST_COUNT set, the calls of each function are written to
 * stderr at exit ("calls: malloc=N realloc=N free=N calloc=N"), to prove that mreplay
 * makes exactly its trace's calls. Links nothing but libc.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARENA_SIZE (256u << 20)
#define FAULT_MIN_SIZE 1000
#define HEADER 16 /* each block is preceded by its size, keeping 16-byte alignment */

static _Alignas(16) unsigned char arena[ARENA_SIZE];
static size_t arena_used;
static unsigned char *last_large_block;
static uint64_t malloc_calls, realloc_calls, free_calls, calloc_calls;

enum fault {
    FAULT_UNKNOWN,
    FAULT_NONE,
    FAULT_OVERLAP,
    FAULT_NO_COPY,
    FAULT_MISALIGN,
    FAULT_NULL,
    FAULT_ALIGN8,
    FAULT_IN_PLACE_CORRUPT,
};

static enum fault current_fault(void)
{
    static enum fault fault = FAULT_UNKNOWN;
    if (fault == FAULT_UNKNOWN) {
        const char *name = getenv("MREPLAY_TEST_FAULT");
        fault = FAULT_NONE;
        if (name != NULL && strcmp(name, "overlap") == 0)
            fault = FAULT_OVERLAP;
        else if (name != NULL && strcmp(name, "no-copy") == 0)
            fault = FAULT_NO_COPY;
        else if (name != NULL && strcmp(name, "misalign") == 0)
            fault = FAULT_MISALIGN;
        else if (name != NULL && strcmp(name, "null") == 0)
            fault = FAULT_NULL;
        else if (name != NULL && strcmp(name, "align8") == 0)
            fault = FAULT_ALIGN8;
        else if (name != NULL && strcmp(name, "in-place-corrupt") == 0)
            fault = FAULT_IN_PLACE_CORRUPT;
    }
    return fault;
}

/* A fresh block of SIZE bytes aligned to ALIGNMENT (a power of two >= 16), or NULL. */
static void *bump(size_t size, size_t alignment)
{
    size_t start = (arena_used + HEADER + alignment - 1) & ~(alignment - 1);
    if (size > ARENA_SIZE || start + size > ARENA_SIZE) {
        errno = ENOMEM;
        return NULL;
    }
    arena_used = (start + size + 15) & ~(size_t)15;
    memcpy(arena + start - sizeof(size_t), &size, sizeof size);
    return arena + start;
}

static size_t block_size(const void *block)
{
    size_t size;
    memcpy(&size, (const unsigned char *)block - sizeof size, sizeof size);
    return size;
}

void *malloc(size_t size)
{
    malloc_calls++;
    if (current_fault() == FAULT_ALIGN8) {
        unsigned char *block = bump(size + 8, 16);
        if (block == NULL)
            return NULL;
        /* The size word moves with the block, for realloc and malloc_usable_size. */
        memcpy(block + 8 - sizeof size, &size, sizeof size);
        return block + 8;
    }
    if (size < FAULT_MIN_SIZE)
        return bump(size, 16);
    switch (current_fault()) {
    case FAULT_NULL:
        errno = ENOMEM;
        return NULL;
    case FAULT_OVERLAP:
        if (last_large_block != NULL && block_size(last_large_block) >= size)
            return last_large_block;
        return last_large_block = bump(size, 16);
    case FAULT_MISALIGN: {
        unsigned char *block = bump(size + 16, 16);
        return block != NULL ? block + 8 : NULL;
    }
    default:
        return bump(size, 16);
    }
}

void free(void *block)
{
    (void)block;
    free_calls++;
}

void *calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    calloc_calls++;
    malloc_calls--; /* counted as calloc, not as the malloc that serves it */
    void *block = malloc(total);
    if (block != NULL)
        memset(block, 0, total);
    return block;
}

void *realloc(void *block, size_t size)
{
    realloc_calls++;
    if (block == NULL) {
        malloc_calls--; /* counted as realloc */
        return malloc(size);
    }
    size_t old = block_size(block);
    unsigned char *end_of_block = (unsigned char *)block + old;
    if (current_fault() == FAULT_IN_PLACE_CORRUPT && size >= FAULT_MIN_SIZE &&
        ((size_t)(end_of_block - arena) + 15) / 16 * 16 == arena_used &&
        (size_t)((unsigned char *)block - arena) + size <= ARENA_SIZE) {
        /* The newest block: grow it in place, but damage a byte it keeps. */
        arena_used = ((size_t)((unsigned char *)block - arena) + size + 15) & ~(size_t)15;
        memcpy((unsigned char *)block - sizeof size, &size, sizeof size);
        size_t kept = old < size ? old : size;
        ((unsigned char *)block)[kept / 2] ^= 0xff;
        return block;
    }
    void *moved = current_fault() == FAULT_ALIGN8 ? malloc(size) : bump(size, 16);
    if (current_fault() == FAULT_ALIGN8)
        malloc_calls--; /* counted as realloc */
    if (moved == NULL)
        return NULL;
    if (!(current_fault() == FAULT_NO_COPY && size >= FAULT_MIN_SIZE))
        memcpy(moved, block, old < size ? old : size);
    return moved;
}

int posix_memalign(void **result, size_t alignment, size_t size)
{
    void *block = bump(size, alignment < 16 ? 16 : alignment);
    if (block == NULL)
        return ENOMEM;
    *result = block;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    return bump(size, alignment < 16 ? 16 : alignment);
}

void *memalign(size_t alignment, size_t size)
{
    return bump(size, alignment < 16 ? 16 : alignment);
}

size_t malloc_usable_size(void *block)
{
    return block != NULL ? block_size(block) : 0;
}

/* Append VALUE in decimal to the buffer at *END. */
static void append_number(char **end, uint64_t value)
{
    char digits[24];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count > 0)
        *(*end)++ = digits[--count];
}

static void append_text(char **end, const char *text)
{
    while (*text != '\0')
        *(*end)++ = *text++;
}

__attribute__((destructor)) static void report_calls(void)
{
    if (getenv("MREPLAY_TEST_COUNT") == NULL)
        return;
    char line[160], *end = line;
    append_text(&end, "calls: malloc=");
    append_number(&end, malloc_calls);
    append_text(&end, " realloc=");
    append_number(&end, realloc_calls);
    append_text(&end, " free=");
    append_number(&end, free_calls);
    append_text(&end, " calloc=");
    append_number(&end, calloc_calls);
    append_text(&end, "\n");
    if (write(2, line, (size_t)(end - line)) < 0)
        return;
}
