/* The gallery of broken allocators: one bump allocator over sbrk, built once
 * per defect (-DDEFECT=...). DEFECT_NONE is a correct (if wasteful) allocator
 * used as a control. Each defect fires on the program's first or second
 * request, so `workload a0:24 a1:24` triggers every one of them:
 *   OUTSIDE     returns a pointer into a static array          -> 91
 *   PAST_END    grows the heap by less than the block needs     -> 92
 *   MISALIGNED  returns a pointer 8 bytes into its block        -> 93
 *   OVERLAP     returns the same block for the second request   -> 94
 *   CRASH       writes through NULL                             -> 11 SIGSEGV
 *   ABORT       calls abort()                                   -> 11 SIGABRT
 *   LOOP        never returns                                   -> 15 with -t
 *   NO_REALLOC  does not define realloc                         -> 66
 *   GREEDY      asks sbrk for 64 MiB per request                -> 68 with -m 1M
 *   MMAP        returns memory from mmap                         -> 91, "from mmap"
 *   STACK       returns a pointer into its own stack frame       -> 91, "on the stack"
 *   ALIGN8      not a defect under --align 8: an 8-byte size word before
 *               each block and sizes rounded to 8, so half the blocks are
 *               8- but not 16-aligned (as CS 241's allocators)   -> 93, or OK
 *               with --align 8
 *   RECURSE     calloc calls calloc (as malloc+memset does once GCC turns it
 *               into calloc)                                     -> 11, "calls itself"
 *   CALLOC_TAIL the textbook calloc, malloc + memset, built with -O2 and
 *               builtins: GCC makes it a tail call to calloc, a loop that
 *               never grows the stack                            -> 11, "calls itself"
 *   MALLOC_SELF malloc calls malloc                              -> 11, "calls itself"
 *   OVERFLOW    malloc recurses inside itself (not through the family) until
 *               the stack overflows                              -> 11, stack overflow
 *   RETRY       not a defect: malloc calls malloc once (a retry), realloc
 *               calls malloc and free                            -> OK
 *   ALIGN4      not a defect under --align 1: a 4-byte size word before each
 *               block and sizes rounded to 4, so blocks are 4- but not all
 *               8-aligned (a CS 241 allocator with a 4-byte tag)  -> 93 with
 *               --align 8 or 16, OK with --align 1
 *   OVERLAP4    ALIGN4 whose second request gets a block 4 bytes into the
 *               first                                             -> 94 under
 *               --align 1
 *   PACKED4     not a defect under --align 1: ALIGN4 without the size word,
 *               so blocks of up to 4 bytes lie 4 bytes apart     -> OK with
 *               --align 1
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DEFECT_NONE 0
#define DEFECT_OUTSIDE 1
#define DEFECT_PAST_END 2
#define DEFECT_MISALIGNED 3
#define DEFECT_OVERLAP 4
#define DEFECT_CRASH 5
#define DEFECT_ABORT 6
#define DEFECT_LOOP 7
#define DEFECT_NO_REALLOC 8
#define DEFECT_GREEDY 9
#define DEFECT_RECURSE 10
#define DEFECT_MMAP 11
#define DEFECT_STACK 12
#define DEFECT_ALIGN8 13
#define DEFECT_CALLOC_TAIL 14
#define DEFECT_MALLOC_SELF 15
#define DEFECT_OVERFLOW 16
#define DEFECT_RETRY 17
#define DEFECT_USABLE 18
#define DEFECT_USABLE_CRASH 19
#define DEFECT_ALIGN4 20
#define DEFECT_OVERLAP4 21
#define DEFECT_PACKED4 22

/* The 4-aligned allocators: a size word of 4 bytes, or none. */
#define WORD4 (DEFECT == DEFECT_ALIGN4 || DEFECT == DEFECT_OVERLAP4)
#define ALIGNED4 (WORD4 || DEFECT == DEFECT_PACKED4)

#ifndef DEFECT
#define DEFECT DEFECT_NONE
#endif

/* A 16-byte header before each block holds its size, for realloc. */
typedef struct {
    size_t size;
    size_t pad;
} Header;

static unsigned requests;
static _Alignas(16) unsigned char not_the_heap[4096];
static void *last_block;
static void *stack_identity(void *frame)
{
    return frame;
}

/* NULL, behind a volatile so that the compiler keeps the crash. */
static volatile int *volatile nowhere;

/* Returns `frame`, out of the compiler's sight (it would warn of a dangling
 * pointer, or return NULL instead). */
static void *(*volatile stack_escape)(void *) = stack_identity;

/* Recurses without end, each call with a frame of its own, out of the
 * compiler's sight (it would warn, or make a loop of it). */
static size_t descend(size_t depth);
static size_t (*volatile descend_again)(size_t) = descend;
static size_t descend(size_t depth)
{
    volatile unsigned char frame[256];
    frame[depth % sizeof frame] = (unsigned char)depth;
    return descend_again(depth + 1) + frame[0];
}

static void *bump(size_t size)
{
    requests++;
    /* malloc(0) gets a granule too: its pointer must lie inside the heap. */
    size_t rounded = size == 0 ? 16 : (size + 15) & ~(size_t)15;
    if (DEFECT == DEFECT_OUTSIDE)
        return not_the_heap + 32;
    if (DEFECT == DEFECT_MMAP) {
        void *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return map == MAP_FAILED ? NULL : map;
    }
    if (DEFECT == DEFECT_STACK) {
        _Alignas(16) unsigned char frame[64];
        return stack_escape(frame);
    }
    if (DEFECT == DEFECT_OVERLAP && requests == 2 && last_block != NULL)
        return last_block;
    if (DEFECT == DEFECT_CRASH)
        *nowhere = 1;
    if (DEFECT == DEFECT_ABORT)
        abort();
    if (DEFECT == DEFECT_LOOP)
        for (volatile int spin = 0;; spin++) {
        }
    if (ALIGNED4) {
        if (DEFECT == DEFECT_OVERLAP4 && requests == 2 && last_block != NULL)
            return (unsigned char *)last_block + 4;
        size_t word = WORD4 ? sizeof(uint32_t) : 0;
        unsigned char *start = sbrk((intptr_t)(word + (size == 0 ? 4 : (size + 3) & ~(size_t)3)));
        if (start == (void *)-1)
            return NULL;
        if (WORD4)
            *(uint32_t *)start = (uint32_t)size;
        last_block = start + word;
        return last_block;
    }
    if (DEFECT == DEFECT_ALIGN8) {
        size_t *word = sbrk((intptr_t)(sizeof(size_t) + ((size + 7) & ~(size_t)7)));
        if (word == (void *)-1)
            return NULL;
        *word = size;
        return word + 1;
    }
    size_t grow = sizeof(Header) + rounded;
    if (DEFECT == DEFECT_PAST_END)
        grow = sizeof(Header) + 8; /* the block needs more than this */
    if (DEFECT == DEFECT_GREEDY)
        grow = 64u << 20;
    unsigned char *start = sbrk((intptr_t)grow);
    if (start == (void *)-1)
        return NULL;
    Header *header = (Header *)start;
    header->size = size;
    last_block = header + 1;
    if (DEFECT == DEFECT_MISALIGNED)
        return (unsigned char *)last_block + 8;
    return last_block;
}

/* The program's malloc (the shim's), out of the compiler's sight: GCC binds a
 * function's call of its own name to itself, and the shim never sees it. */
static void *(*volatile malloc_again)(size_t);

static unsigned retries;

void *malloc(size_t size)
{
    if (DEFECT == DEFECT_MALLOC_SELF)
        return malloc_again(size);
    if (DEFECT == DEFECT_OVERFLOW)
        descend(0);
    if (DEFECT == DEFECT_RETRY && retries++ == 0)
        return malloc_again(size); /* as after growing the heap */
    return bump(size);
}

static void *(*volatile malloc_again)(size_t) = malloc;

/* The program's malloc_usable_size (the shim's: this allocator has none). */
static size_t (*volatile usable_size)(void *) = malloc_usable_size;

void free(void *p)
{
    /* usable: an honest allocator that asks the family how big the block is
     * (to poison it, say) from inside its free; usable-crash then crashes,
     * which the shim must name as a crash inside free. */
    if ((DEFECT == DEFECT_USABLE || DEFECT == DEFECT_USABLE_CRASH) && p != NULL)
        memset(p, 0x55, usable_size(p));
    if (DEFECT == DEFECT_USABLE_CRASH && p != NULL)
        *(volatile int *)NULL = 1;
}

/* The program's calloc (the shim's), out of the compiler's sight. */
static void *(*volatile calloc_again)(size_t, size_t) = calloc;

#if DEFECT == DEFECT_CALLOC_TAIL
/* The textbook calloc. Built with -O2 and builtins (CMakeLists.txt), it is
 * `return calloc(count * size, 1)` as a jump: to the shim's calloc, which
 * forwards it here again. */
void *calloc(size_t count, size_t size)
{
    size_t total = count * size;
    void *p = malloc(total);
    if (p != NULL)
        memset(p, 0, total);
    return p;
}
#else
void *calloc(size_t count, size_t size)
{
    if (DEFECT == DEFECT_RECURSE)
        return calloc_again(count, size);
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = bump(count * size);
    if (p != NULL)
        memset(p, 0, count * size); /* sbrk memory of a reused heap may be dirty */
    return p;
}
#endif

#if DEFECT == DEFECT_RETRY
/* Through the family, as many allocators do: malloc and free from inside
 * realloc go straight to this allocator, unmeasured. */
void *realloc(void *p, size_t size)
{
    void *moved = malloc(size);
    if (moved != NULL && p != NULL) {
        size_t old = ((Header *)p)[-1].size;
        memcpy(moved, p, old < size ? old : size);
    }
    free(p);
    return moved;
}
#elif DEFECT != DEFECT_NO_REALLOC
void *realloc(void *p, size_t size)
{
    if (p == NULL)
        return bump(size);
    if (size == 0) {
        free(p);
        return NULL;
    }
    void *moved = bump(size);
    if (moved != NULL) {
        size_t old = DEFECT == DEFECT_ALIGN8 ? ((size_t *)p)[-1]
                     : WORD4                 ? ((uint32_t *)p)[-1]
                     : ALIGNED4 /* no size word: all up to the new block */
                         ? (size_t)((unsigned char *)moved - (unsigned char *)p)
                         : ((Header *)p)[-1].size;
        memcpy(moved, p, old < size ? old : size);
    }
    return moved;
}
#endif
