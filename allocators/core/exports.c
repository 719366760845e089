/*
 * exports.c - the only file that knows the standard names: each maps onto
 * the core's own (allocator.h), after the rules every strategy shares: the
 * product of calloc and reallocarray, and realloc of NULL or to 0. Everything
 * else in the library is hidden.
 *
 * malloc(0) returns a unique pointer (a minimum block). realloc(p, 0) frees p
 * and returns NULL, as glibc does. Impossible sizes, overflowing products and
 * sbrk failure return NULL with errno = ENOMEM; bad alignments give EINVAL.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include "allocator.h"

#define EXPORT __attribute__((visibility("default")))

static bool is_power_of_two(size_t n)
{
    return n && !(n & (n - 1));
}

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

EXPORT void *malloc(size_t size)
{
    return core_malloc(size);
}
EXPORT void free(void *p)
{
    core_free(p);
}
/* count * size, or SIZE_MAX (errno = ENOMEM) when it overflows. */
static bool product(size_t count, size_t size, size_t *total)
{
    if (!__builtin_mul_overflow(count, size, total))
        return true;
    errno = ENOMEM;
    return false;
}

EXPORT void *calloc(size_t count, size_t size)
{
    size_t total;
    return product(count, size, &total) ? core_calloc(total) : NULL;
}

/* realloc's rules for NULL and 0, then the core's realloc. */
static void *resize(void *p, size_t size)
{
    if (!p)
        return core_malloc(size);
    if (size == 0) {
        core_free(p);
        return NULL;
    }
    return core_realloc(p, size);
}

EXPORT void *realloc(void *p, size_t size)
{
    return resize(p, size);
}
EXPORT size_t malloc_usable_size(void *p)
{
    return core_usable_size(p);
}

EXPORT void *reallocarray(void *p, size_t count, size_t size)
{
    size_t total;
    return product(count, size, &total) ? resize(p, total) : NULL;
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment) || alignment % sizeof(void *))
        return EINVAL;
    int saved = errno;
    void *p = core_aligned(alignment, size);
    int error = p ? 0 : errno;
    errno = saved;
    if (p)
        *out = p;
    return error;
}

/* glibc's memalign and aligned_alloc (2.36, Debian 12's) round an alignment
 * that is not a power of two up, and so do these: the shim, which checks
 * the same rule (harness/shim/interpose.c), and a strategy on its own give a
 * program the same answer. */
EXPORT void *memalign(size_t alignment, size_t size)
{
    size_t rounded = ALIGNMENT;
    while (rounded < alignment) {
        if (rounded > HEAP_LIMIT) {
            errno = EINVAL;
            return NULL;
        }
        rounded <<= 1;
    }
    return core_aligned(rounded, size);
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    return memalign(alignment, size);
}

EXPORT void *valloc(size_t size)
{
    return core_aligned(page_size(), size);
}

EXPORT void *pvalloc(size_t size)
{
    size_t page = page_size();
    size_t rounded;
    if (__builtin_add_overflow(size, page - 1, &rounded)) {
        errno = ENOMEM;
        return NULL;
    }
    rounded &= ~(page - 1);
    return core_aligned(page, rounded ? rounded : page);
}

EXPORT void mstats_heap_info(struct mstats_heap_info *info)
{
    core_heap_info(info);
}
