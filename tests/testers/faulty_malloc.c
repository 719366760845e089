/*
 * faulty_malloc.c: a preloadable wrapper around glibc's malloc that breaks
 * one promise, chosen by the environment variable TESTER_FAULT, so that the
 * tests can show each tester catches that fault and exits with its code:
 *
 *   calloc-dirty     calloc returns memory full of 0xA5         -> 24
 *   calloc-wraps     calloc multiplies without overflow check   -> 25
 *   realloc-no-copy  realloc moves without copying the data     -> 21
 *   misaligned       malloc returns pointers 8 bytes off 16     -> 23
 *   overlap          malloc(10) always returns the same block   -> 22
 *   refuse-big       malloc of 1 MiB or more returns NULL       -> 20
 *
 * Unset or unknown: no fault. It forwards to glibc's exported __libc_*
 * entry points, so it needs no dlsym and no memory of its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *block, size_t size);
void __libc_free(void *block);

enum fault {
    FAULT_NONE,
    FAULT_CALLOC_DIRTY,
    FAULT_CALLOC_WRAPS,
    FAULT_REALLOC_NO_COPY,
    FAULT_MISALIGNED,
    FAULT_OVERLAP,
    FAULT_REFUSE_BIG,
};

/* The one shared block FAULT_OVERLAP hands out for every malloc(10). */
static _Alignas(16) unsigned char overlap_block[16];

/* The fault named by TESTER_FAULT (read on every call: cheap, and no state). */
static enum fault active_fault(void)
{
    static const struct {
        const char *name;
        enum fault fault;
    } names[] = {
        {"calloc-dirty", FAULT_CALLOC_DIRTY},
        {"calloc-wraps", FAULT_CALLOC_WRAPS},
        {"realloc-no-copy", FAULT_REALLOC_NO_COPY},
        {"misaligned", FAULT_MISALIGNED},
        {"overlap", FAULT_OVERLAP},
        {"refuse-big", FAULT_REFUSE_BIG},
    };
    const char *wanted = getenv("TESTER_FAULT");
    for (size_t i = 0; wanted != NULL && i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(wanted, names[i].name) == 0)
            return names[i].fault;
    }
    return FAULT_NONE;
}

/* The pointer glibc gave out for `block` (undoes FAULT_MISALIGNED's shift). */
static void *real_block(void *block)
{
    if (active_fault() == FAULT_MISALIGNED && (uintptr_t)block % 16 == 8)
        return (unsigned char *)block - 8;
    return block;
}

void *malloc(size_t size)
{
    switch (active_fault()) {
    case FAULT_MISALIGNED: {
        unsigned char *block = __libc_malloc(size + 8);
        return block == NULL ? NULL : block + 8;
    }
    case FAULT_OVERLAP:
        if (size == 10)
            return overlap_block;
        break;
    case FAULT_REFUSE_BIG:
        if (size >= 1024 * 1024)
            return NULL;
        break;
    default:
        break;
    }
    return __libc_malloc(size);
}

void free(void *block)
{
    if (block == (void *)overlap_block)
        return;
    __libc_free(real_block(block));
}

void *calloc(size_t count, size_t size)
{
    switch (active_fault()) {
    case FAULT_CALLOC_DIRTY: {
        void *block = __libc_malloc(count * size);
        return block == NULL ? NULL : memset(block, 0xA5, count * size);
    }
    case FAULT_CALLOC_WRAPS:
        return __libc_calloc(1, count * size);
    default:
        return __libc_calloc(count, size);
    }
}

void *realloc(void *block, size_t size)
{
    if (active_fault() == FAULT_REALLOC_NO_COPY && block != NULL && size != 0) {
        void *moved = __libc_malloc(size);
        if (moved != NULL)
            __libc_free(block);
        return moved;
    }
    if (active_fault() == FAULT_MISALIGNED) {
        unsigned char *moved = __libc_realloc(real_block(block), size + 8);
        return moved == NULL ? NULL : moved + 8;
    }
    return __libc_realloc(block, size);
}
