/* The slow ways in: calls that shim_measures_call() says are not measured.
 * From inside the allocator (the shim is ready, this thread is already in
 * it) a call goes straight to the allocator, uncounted; while the shim is
 * loading, the boot arena serves it. A block of the boot arena stays there:
 * freeing it does nothing, and resizing it moves it within the arena.
 */
#include <errno.h>
#include <string.h>

#include "shim.h"

void *bypass_malloc(size_t size, size_t alignment)
{
    if (shim_ready()) {
        if (alignment <= SHIM_ALIGNMENT)
            return shim.allocator.malloc(size);
        if (shim.allocator.memalign != NULL)
            return shim.allocator.memalign(alignment, size);
    }
    return boot_alloc(size, alignment);
}

void *bypass_calloc(size_t count, size_t size)
{
    if (shim_ready())
        return shim.allocator.calloc(count, size);
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return boot_alloc(total, SHIM_ALIGNMENT); /* never reused: already zero */
}

void bypass_free(void *pointer)
{
    if (shim_ready() && !boot_owns(pointer))
        shim.allocator.free(pointer);
}

void *bypass_realloc(void *pointer, size_t size)
{
    if (shim_ready() && !boot_owns(pointer))
        return shim.allocator.realloc(pointer, size);
    void *moved = boot_alloc(size, SHIM_ALIGNMENT);
    if (moved != NULL && pointer != NULL) {
        size_t old = boot_owns(pointer) ? boot_size(pointer) : 0;
        memcpy(moved, pointer, old < size ? old : size);
    }
    return moved;
}
