/* The boot arena: memory for the calls that arrive before the allocator is
 * loaded (the dynamic loader, dlopen and dlsym call malloc and calloc while the
 * shim is loading the allocator) and for nested calls made while the shim
 * itself is busy. A bump pointer over a static array: never reused, so calloc
 * memory is already zero, and free of a boot block does nothing. Boot blocks
 * are recognised by address and are never counted in any figure.
 */
#include <stdatomic.h>
#include <string.h>

#include "shim.h"

#define BOOT_ARENA_BYTES (4u << 20)

/* Each block is preceded by 16 bytes holding its size (for realloc and
 * malloc_usable_size). */
typedef struct {
    uint64_t size;
    uint64_t pad;
} BootHeader;

static _Alignas(4096) unsigned char boot_arena[BOOT_ARENA_BYTES];
static atomic_size_t boot_used;

void *boot_alloc(size_t size, size_t alignment)
{
    if (alignment < SHIM_ALIGNMENT)
        alignment = SHIM_ALIGNMENT;
    if (size > BOOT_ARENA_BYTES)
        return NULL;
    size_t need = sizeof(BootHeader) + size + alignment;
    size_t start = atomic_fetch_add(&boot_used, need);
    if (start + need > BOOT_ARENA_BYTES)
        return NULL;
    uintptr_t payload = (uintptr_t)&boot_arena[start] + sizeof(BootHeader);
    payload = (payload + alignment - 1) & ~(uintptr_t)(alignment - 1);
    ((BootHeader *)payload)[-1].size = size;
    return (void *)payload;
}

bool boot_owns(const void *p)
{
    return (const unsigned char *)p >= boot_arena &&
           (const unsigned char *)p < boot_arena + BOOT_ARENA_BYTES;
}

size_t boot_size(const void *p)
{
    return ((const BootHeader *)p)[-1].size;
}
