/*
 * block.h - the block layout shared by every strategy, and its accessors.
 *
 * The heap is one run of blocks obtained with sbrk, ended by an epilogue:
 *
 *   allocated block           free block
 *   +-----------------+       +-----------------+
 *   | header   8 B    |       | header   8 B    |   size | flags
 *   +-----------------+ <-p   +-----------------+
 *   | payload         |       | free_node 16 B  |   index links (free_index.c)
 *   |  (>= 24 B)      |       | ...             |
 *   |                 |       | footer   8 B    |   copy of the header
 *   +-----------------+       +-----------------+
 *
 * Payloads are 16-byte aligned, so block addresses are 8 mod 16 and block
 * sizes are multiples of 16. Only free blocks carry a footer; a header's
 * BLOCK_PREV_USED bit says whether the block before it is allocated, and only
 * when it is not may its footer be read (boundary tags, Knuth 1973).
 * The epilogue is a header of size 0 marked used: the heap ends 8 bytes later.
 */
#ifndef MSTATS_BLOCK_H
#define MSTATS_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct block {
    size_t header;
} block;

enum {
    ALIGNMENT = 16,
    HEADER_SIZE = sizeof(size_t),
    FOOTER_SIZE = sizeof(size_t),
    /* header + free_node + footer: the smallest block that can be freed. */
    MIN_BLOCK = 32,
};

enum block_flag {
    BLOCK_USED = 1,      /* handed out to the program (or retired, or foreign) */
    BLOCK_PREV_USED = 2, /* the block before this one is not free */
    BLOCK_RETIRED = 4,   /* no-reuse: freed by the program, never reused */
    BLOCK_RUN = 4,       /* segregated-fit: a run of slots (runs.h); no policy has both */
    BLOCK_FOREIGN = 8,   /* a gap of someone else's sbrk inside our heap */
};
#define BLOCK_FLAGS ((size_t)15)

/* Every request size a strategy can serve, and the heap itself, stay below
 * this: the free index stores sizes and offsets in 16-byte units in 30 bits
 * (16 GiB), beside two bits of its own (free_index.h). */
#define HEAP_LIMIT ((size_t)1 << 34)

static inline size_t block_size(const block *b)
{
    return b->header & ~BLOCK_FLAGS;
}
static inline bool block_used(const block *b)
{
    return b->header & BLOCK_USED;
}
static inline bool block_prev_used(const block *b)
{
    return b->header & BLOCK_PREV_USED;
}
static inline bool block_is_free(const block *b)
{
    return !(b->header & BLOCK_USED);
}
static inline bool block_is_epilogue(const block *b)
{
    return block_size(b) == 0;
}

static inline void *block_payload(block *b)
{
    return (char *)b + HEADER_SIZE;
}
static inline block *block_of_payload(const void *p)
{
    return (block *)((char *)p - HEADER_SIZE);
}
static inline block *block_next(const block *b)
{
    return (block *)((char *)b + block_size(b));
}
static inline uintptr_t block_end(const block *b)
{
    return (uintptr_t)b + block_size(b);
}

static inline size_t *block_footer(block *b)
{
    return (size_t *)((char *)b + block_size(b) - FOOTER_SIZE);
}

/* The block before b. Caller guarantees !block_prev_used(b): only free
 * blocks have a footer. */
static inline block *block_prev(const block *b)
{
    size_t prev_size = ((const size_t *)b)[-1] & ~BLOCK_FLAGS;
    return (block *)((char *)b - prev_size);
}

/* Makes b a free block of the given size: header, footer, and the next
 * block's PREV_USED bit. Keeps b's own PREV_USED bit. */
static inline void block_set_free(block *b, size_t size)
{
    b->header = size | (b->header & BLOCK_PREV_USED);
    *block_footer(b) = b->header;
    block_next(b)->header &= ~(size_t)BLOCK_PREV_USED;
}

/* Makes b (free, not indexed) an allocated block; tells its successor. */
static inline void block_set_used(block *b)
{
    b->header |= BLOCK_USED;
    block_next(b)->header |= BLOCK_PREV_USED;
}

/* Smallest block that holds an n-byte payload, or 0 if none can. */
static inline size_t block_size_for(size_t n)
{
    if (n >= HEAP_LIMIT)
        return 0;
    size_t size = (n + HEADER_SIZE + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
    return size < MIN_BLOCK ? MIN_BLOCK : size;
}

#endif
