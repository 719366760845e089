/*
 * block_pattern.h: the bytes mreplay writes into every block, and their check.
 *
 * A block's pattern comes from a seed made of its id and the index of the operation that
 * allocated it, so a block that still holds an earlier occupant's bytes, a neighbour's
 * bytes, or a stale copy is caught: two live blocks, or two lives of one id, never share a
 * seed. The pattern is a sequence of 64-bit words, seed + i * K for word i (K odd), cheap to
 * write and to check at memory speed. Byte OFFSET's value depends only on the seed and
 * OFFSET, so any range of a block can be filled or checked on its own: a realloc that grows
 * a block fills only the bytes it adds.
 */
#ifndef MSTATS_BLOCK_PATTERN_H
#define MSTATS_BLOCK_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* The seed of the block with ID allocated by operation OP_INDEX. */
uint64_t block_pattern_seed(int32_t id, uint64_t op_index);

/* Write the pattern of SEED into bytes FROM .. TO-1 of BLOCK (nothing when FROM >= TO). */
void block_pattern_fill(unsigned char *block, size_t from, size_t to, uint64_t seed);

/* The expected byte at OFFSET of a block with SEED. */
unsigned char block_pattern_byte(uint64_t seed, size_t offset);

/*
 * Check bytes FROM .. TO-1 of BLOCK against SEED. Returns TO when all match (or FROM >= TO),
 * or the offset of the first byte that differs.
 */
size_t block_pattern_check(const unsigned char *block, size_t from, size_t to, uint64_t seed);

/*
 * block_pattern_check, which also folds what it read into *READ_BACK (the XOR of the words,
 * a lone byte at its place in its word; 0 for an empty range): what the completion proof
 * says the check saw. *READ_BACK is meaningful only when it returns TO.
 */
size_t block_pattern_read(const unsigned char *block, size_t from, size_t to, uint64_t seed,
                          uint64_t *read_back);

#endif
