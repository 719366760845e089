/* The honest core of the honest-allocator matrix (issue 19): the tutorial's
 * finished allocator (docs/students.md), written once, so that each allocator
 * of tests/harness/honest/ differs from it in one thing the course allows.
 *
 * Policy: first fit on a free list kept in address order; a free block bigger
 * than the request by a header and a granule is split, the front handed out;
 * a freed block merges with the free blocks that touch it on either side.
 * Memory comes from the program break only, 16-byte aligned blocks.
 * Cost: O(free blocks) per malloc and free. Weakness: linear lists, so it is
 * for small workloads only (tester-1, tester-3, a short trace).
 *
 * An allocator includes this header after defining the hooks it needs:
 *   HONEST_GROW(bytes)         more heap at the break, returning the old break
 *                              as sbrk does, or (void *)-1 (default: sbrk)
 *   HONEST_TOP_FREED(block)    called, under the lock, with a free block that
 *                              ends at the top of the heap (default: nothing;
 *                              give-back.c returns it to the system)
 *   HONEST_REALLOC_ZERO_KEEPS  if defined, realloc(p, 0) keeps p's block and
 *                              returns p; otherwise it frees p and returns
 *                              NULL, as glibc does (C allows both)
 *   HONEST_LOCK(), HONEST_UNLOCK()  around each entry point (default: none)
 *   HONEST_ON_CALL()           at the start of each entry point (default: none)
 * libc only. Each entry point calls the core's own functions, never another
 * exported one, so a call from the program is one call to the shim.
 */
#ifndef MSTATS_HONEST_CORE_H
#define MSTATS_HONEST_CORE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#ifndef HONEST_GROW
#define HONEST_GROW(bytes) sbrk(bytes)
#endif
#ifndef HONEST_TOP_FREED
#define HONEST_TOP_FREED(block) ((void)(block))
#endif
#ifndef HONEST_LOCK
#define HONEST_LOCK() ((void)0)
#define HONEST_UNLOCK() ((void)0)
#endif
#ifndef HONEST_ON_CALL
#define HONEST_ON_CALL() ((void)0)
#endif

#define HONEST_ALIGNMENT ((size_t)16)

/* The header before every payload; 16 bytes, so a payload is aligned when
 * its header is. `size` is the payload's, a multiple of HONEST_ALIGNMENT. */
typedef struct HonestBlock {
    size_t size;
    struct HonestBlock *next_free; /* next free block by address; unused while allocated */
} HonestBlock;

#define HONEST_HEADER sizeof(HonestBlock)

/* The allocator's state. Invariants: `free_list` is in address order and no
 * two of its blocks touch (they would have merged); every block lies below
 * `heap_top`, the break as this allocator last set it. */
static struct {
    HonestBlock *free_list;
    uintptr_t heap_top;
} honest;

/* The payload bytes for a request of `size` (at least one granule, so that
 * malloc(0) is a unique pointer), or 0 when the request cannot be met. */
static size_t honest_payload_size(size_t size)
{
    if (size > PTRDIFF_MAX - 2 * HONEST_HEADER - HONEST_ALIGNMENT)
        return 0;
    if (size == 0)
        size = 1;
    return (size + HONEST_ALIGNMENT - 1) & ~(HONEST_ALIGNMENT - 1);
}

static inline void *honest_payload(HonestBlock *block)
{
    return (char *)block + HONEST_HEADER;
}

static inline HonestBlock *honest_block_of(void *payload)
{
    return (HonestBlock *)((char *)payload - HONEST_HEADER);
}

static inline uintptr_t honest_end(HonestBlock *block)
{
    return (uintptr_t)honest_payload(block) + block->size;
}

/* Takes the first free block of at least `size` payload bytes off the list,
 * split when the rest can hold a header and a granule; NULL if none fits. */
static HonestBlock *honest_take_first_fit(size_t size)
{
    for (HonestBlock **link = &honest.free_list; *link != NULL; link = &(*link)->next_free) {
        HonestBlock *block = *link;
        if (block->size < size)
            continue;
        if (block->size >= size + HONEST_HEADER + HONEST_ALIGNMENT) {
            HonestBlock *rest = (HonestBlock *)((char *)honest_payload(block) + size);
            rest->size = block->size - size - HONEST_HEADER;
            rest->next_free = block->next_free;
            block->size = size;
            *link = rest;
        } else {
            *link = block->next_free;
        }
        return block;
    }
    return NULL;
}

/* A new block of `size` payload bytes at the break; NULL (errno ENOMEM) when
 * the break cannot move. The first break may be unaligned: it is moved to
 * a 16-byte boundary once. */
static HonestBlock *honest_grow(size_t size)
{
    uintptr_t start = (uintptr_t)HONEST_GROW(0);
    if (start % HONEST_ALIGNMENT != 0 &&
        HONEST_GROW((intptr_t)(HONEST_ALIGNMENT - start % HONEST_ALIGNMENT)) == (void *)-1) {
        errno = ENOMEM;
        return NULL;
    }
    void *memory = HONEST_GROW((intptr_t)(HONEST_HEADER + size));
    if (memory == (void *)-1) {
        errno = ENOMEM;
        return NULL;
    }
    HonestBlock *block = memory;
    block->size = size;
    honest.heap_top = honest_end(block);
    return block;
}

/* Puts `block` on the free list in address order, merged with the free
 * blocks that touch it; returns the free block that now holds it. */
static HonestBlock *honest_insert_free(HonestBlock *block)
{
    HonestBlock *before = NULL, **link = &honest.free_list;
    while (*link != NULL && *link < block) {
        before = *link;
        link = &(*link)->next_free;
    }
    HonestBlock *after = *link;
    if (after != NULL && honest_end(block) == (uintptr_t)after) {
        block->size += HONEST_HEADER + after->size;
        after = after->next_free;
    }
    if (before != NULL && honest_end(before) == (uintptr_t)block) {
        before->size += HONEST_HEADER + block->size;
        before->next_free = after;
        return before;
    }
    block->next_free = after;
    *link = block;
    return block;
}

/* Takes `block`, which is on the free list, off it. */
static inline void honest_unlink_free(HonestBlock *block)
{
    HonestBlock **link = &honest.free_list;
    while (*link != block)
        link = &(*link)->next_free;
    *link = block->next_free;
}

/* malloc's work, under the lock: a block of at least `size` bytes, or NULL. */
static void *honest_allocate(size_t size)
{
    size_t need = honest_payload_size(size);
    if (need == 0) {
        errno = ENOMEM;
        return NULL;
    }
    HonestBlock *block = honest_take_first_fit(need);
    if (block == NULL)
        block = honest_grow(need);
    return block == NULL ? NULL : honest_payload(block);
}

/* free's work, under the lock. */
static void honest_release(void *payload)
{
    HonestBlock *merged = honest_insert_free(honest_block_of(payload));
    if (honest_end(merged) == honest.heap_top)
        HONEST_TOP_FREED(merged);
}

/* Adds `size` bytes of fresh heap to the free list (a constructor's reserve). */
static inline void honest_reserve(size_t size)
{
    HONEST_LOCK();
    HonestBlock *block = honest_grow(honest_payload_size(size));
    if (block != NULL)
        honest_insert_free(block);
    HONEST_UNLOCK();
}

/* A 16-byte aligned block of at least `size` bytes, or NULL with ENOMEM. */
void *malloc(size_t size)
{
    HONEST_ON_CALL();
    HONEST_LOCK();
    void *payload = honest_allocate(size);
    HONEST_UNLOCK();
    return payload;
}

/* Gives back a block of this allocator; NULL does nothing. */
void free(void *payload)
{
    HONEST_ON_CALL();
    if (payload == NULL)
        return;
    HONEST_LOCK();
    honest_release(payload);
    HONEST_UNLOCK();
}

/* `count` objects of `size` bytes, zeroed (reused heap may be dirty); NULL
 * with ENOMEM when the product overflows. */
void *calloc(size_t count, size_t size)
{
    HONEST_ON_CALL();
    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    HONEST_LOCK();
    void *payload = honest_allocate(count * size);
    HONEST_UNLOCK();
    if (payload != NULL)
        memset(payload, 0, count * size);
    return payload;
}

/* Resizes `payload`'s block to `size` bytes, keeping its contents: in place
 * when it fits, else moved. realloc(NULL, n) is malloc(n); on failure the old
 * block stays and NULL is returned. realloc(p, 0): see HONEST_REALLOC_ZERO_KEEPS. */
void *realloc(void *payload, size_t size)
{
    HONEST_ON_CALL();
    HONEST_LOCK();
    void *result = payload;
    if (payload == NULL) {
        result = honest_allocate(size);
    } else if (size == 0) {
#ifndef HONEST_REALLOC_ZERO_KEEPS
        honest_release(payload);
        result = NULL;
#endif
    } else if (size > honest_block_of(payload)->size) {
        result = honest_allocate(size);
        if (result != NULL) {
            memcpy(result, payload, honest_block_of(payload)->size);
            honest_release(payload);
        }
    }
    HONEST_UNLOCK();
    return result;
}

#endif
