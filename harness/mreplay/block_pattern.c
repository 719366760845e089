/*
 * block_pattern.c: writing and checking block patterns (see block_pattern.h).
 * memcpy of 8 bytes compiles to a plain load or store, so blocks need no alignment.
 */
#include "block_pattern.h"

#include <string.h>

/* An odd constant (2^64 / golden ratio): consecutive words differ in every byte lane. */
#define PATTERN_STEP UINT64_C(0x9e3779b97f4a7c15)

uint64_t block_pattern_seed(int32_t id, uint64_t op_index)
{
    /* splitmix64's finaliser: nearby (id, index) pairs get unrelated seeds. */
    uint64_t z = ((uint64_t)(uint32_t)id << 40) ^ op_index ^ UINT64_C(0x5eed0f0b10c4);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Word WORD_INDEX of the pattern of SEED (bytes 8 * WORD_INDEX onwards, in memory order). */
static inline uint64_t pattern_word(uint64_t seed, size_t word_index)
{
    return seed + (uint64_t)word_index * PATTERN_STEP;
}

unsigned char block_pattern_byte(uint64_t seed, size_t offset)
{
    uint64_t word = pattern_word(seed, offset / 8);
    unsigned char bytes[8];
    memcpy(bytes, &word, 8);
    return bytes[offset % 8];
}

void block_pattern_fill(unsigned char *block, size_t from, size_t to, uint64_t seed)
{
    /* BLOCK may be NULL when FROM >= TO: malloc(0) and realloc(p, 0) may return it. */
    size_t offset = from;
    for (; offset < to && offset % 8 != 0; offset++)
        block[offset] = block_pattern_byte(seed, offset);
    for (; offset + 8 <= to; offset += 8) {
        uint64_t word = pattern_word(seed, offset / 8);
        memcpy(block + offset, &word, 8);
    }
    for (; offset < to; offset++)
        block[offset] = block_pattern_byte(seed, offset);
}

size_t block_pattern_read(const unsigned char *block, size_t from, size_t to, uint64_t seed,
                          uint64_t *read_back)
{
    size_t offset = from;
    uint64_t fold = 0;
    for (; offset < to && offset % 8 != 0; offset++) {
        if (block[offset] != block_pattern_byte(seed, offset))
            return offset;
        fold ^= (uint64_t)block[offset] << (8 * (offset % 8));
    }
    for (; offset + 8 <= to; offset += 8) {
        uint64_t expected = pattern_word(seed, offset / 8), found;
        memcpy(&found, block + offset, 8);
        if (found != expected)
            break; /* the byte loop below finds which byte */
        fold ^= found;
    }
    for (; offset < to; offset++) {
        if (block[offset] != block_pattern_byte(seed, offset))
            return offset;
        fold ^= (uint64_t)block[offset] << (8 * (offset % 8));
    }
    *read_back = fold;
    return to;
}

size_t block_pattern_check(const unsigned char *block, size_t from, size_t to, uint64_t seed)
{
    uint64_t read_back;
    return block_pattern_read(block, from, to, seed, &read_back);
}
