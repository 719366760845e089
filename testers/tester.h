/*
 * tester.h: what every numbered tester shares.
 *
 * The testers run under the allocator being measured, so this support code
 * allocates nothing of its own: patterns are computed, not stored, and the
 * result line is printed once, at the very end. (live_blocks_allocate
 * allocates the tester's blocks, on the tester's behalf.)
 *
 * Exit codes (one per kind of failure; they avoid the codes mstats uses for
 * its own verdicts: 11, 15, 65-68, 91-99):
 *
 *   0   success: the one result line says what was proved
 *   20  a request that must succeed returned NULL (out of memory)
 *   21  a block's contents changed while it was live (pattern mismatch)
 *   22  two live blocks overlap
 *   23  a pointer is not aligned as the call promised
 *   24  calloc (or a zeroing path) returned memory that is not all zero
 *   25  an invalid request was not refused the documented way
 *       (wrong return value or errno)
 *   26  the tester could not set itself up (thread creation, bad argument,
 *       an unknown command-line option)
 *   27  beyond-heap only: touching memory past the heap end did not fault
 */
#ifndef MSTATS_TESTER_H
#define MSTATS_TESTER_H

#include "proof_digest.h"
#include "status_codes.h" /* enum tester_exit */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One live block as the overlap check sees it: [start, start + size). */
struct tester_span {
    uintptr_t start;
    size_t size;
};

/*
 * Answers the command line every tester shares, before it allocates
 * anything: with no argument it returns and the tester runs; `--help`
 * prints a usage line and `exercises` (one sentence: what the tester
 * exercises) and exits 0; `--version` prints the program's name and the
 * mstats version and exits 0. Anything else prints a one-line error naming
 * the argument and exits with TESTER_EXIT_SETUP. When the tester runs, it
 * opens the completion proof first (tester_proof_add). Call it first in
 * main.
 */
void tester_options(int argc, char **argv, const char *exercises);

/*
 * Prints "<program>: FAILED: <message>" as the one result line and exits
 * with `code`. Never returns.
 */
_Noreturn void tester_fail(enum tester_exit code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Prints "<program>: <message>" as the one result line, then, when the run
 * asked for one (MSTATS_CHALLENGE, MSTATS_PROOF_FD), writes the completion
 * proof line of every check made (see "Completion proof" below). Call it
 * once, last, after every check and free; the caller then returns 0 from
 * main.
 */
void tester_pass(const char *format, ...) __attribute__((format(printf, 1, 2)));

/*
 * Completion proof (harness/protocol/proof_digest.h). tester_options opens
 * it; every check of this library that passes (pattern_require_range and
 * what calls it, require_block, spans_require_disjoint) adds to it, and
 * tester_pass writes it. Any thread may check: each keeps its own sum (at
 * most 64 threads over a run's life, or the run writes no proof).
 */

/*
 * Adds a check the tester made itself and that passed (a calloc block all
 * zero, a refusal's errno, a variable outside the heap): `subject` and
 * `detail` say what was checked (a size, a call's arguments), `read_back`
 * what was read (the errno, the bytes folded). None may be an address.
 */
void tester_proof_add(enum mstats_proof_kind kind, uint64_t subject, uint64_t detail,
                      uint64_t read_back);

/*
 * Says that this tester's PEAK-LIVE depends on how its threads interleave,
 * so its proof line says peak-live=varies (tester-15). Call before
 * tester_pass.
 */
void tester_peak_live_varies(void);

/*
 * The pattern byte at `offset` of a block tagged `tag`. Every block gets its
 * own tag, so a block that overlaps or overwrites another shows up as a
 * mismatch. The value depends only on (tag, offset): any sub-range can be
 * written or checked on its own.
 */
uint8_t pattern_byte(uint64_t tag, size_t offset);

/* Writes the pattern of `tag` into bytes [from, to) of `block`. */
void pattern_fill_range(void *block, size_t from, size_t to, uint64_t tag);

/*
 * Checks bytes [from, to) of `block` against the pattern of `tag`.
 * Returns true when every byte matches.
 */
bool pattern_check_range(const void *block, size_t from, size_t to, uint64_t tag);

/* Fills the whole block [0, size). */
static inline void pattern_fill(void *block, size_t size, uint64_t tag)
{
    pattern_fill_range(block, 0, size, tag);
}

/*
 * Fails with TESTER_EXIT_CORRUPTED naming `what` unless bytes [from, to)
 * still hold the pattern of `tag`.
 */
void pattern_require_range(const void *block, size_t from, size_t to, uint64_t tag,
                           const char *what);

/* Fails unless the whole block [0, size) holds the pattern of `tag`. */
static inline void pattern_require(const void *block, size_t size, uint64_t tag, const char *what)
{
    pattern_require_range(block, 0, size, tag, what);
}

/*
 * Writes the pattern of `tag` into the first and last byte of a block of
 * `size` (> 0) bytes only: for huge blocks, where touching every page would
 * measure the memory and not the allocator.
 */
void pattern_fill_ends(void *block, size_t size, uint64_t tag);

/* Fails naming `what` unless both end bytes still hold the pattern of `tag`. */
void pattern_require_ends(const void *block, size_t size, uint64_t tag, const char *what);

/*
 * Fails with TESTER_EXIT_OUT_OF_MEMORY naming `what` when `block` is NULL;
 * fails with TESTER_EXIT_MISALIGNED unless it is aligned to `alignment`
 * (a power of two; 16, malloc's promise, means 8 under mstats --align 8).
 * Returns `block`.
 */
void *require_block(void *block, size_t alignment, const char *what);

/* The alignment malloc must give any block of `size` bytes. */
size_t malloc_alignment_for(size_t size);

/*
 * Many live blocks at once: blocks[i] = malloc(size_of(i)) for every i in
 * [0, count), each required non-NULL and aligned (`what` names the call in
 * a failure) and filled with the pattern of tag i; then every block is
 * checked. Returns the bytes requested. The caller frees them.
 */
size_t live_blocks_allocate(unsigned char **blocks, size_t count, size_t (*size_of)(size_t),
                            const char *what);

/*
 * Sorts `spans` by address and fails with TESTER_EXIT_OVERLAP if any two
 * of them share a byte. Spans of size 0 are ignored.
 */
void spans_require_disjoint(struct tester_span *spans, size_t count, const char *what);

/* A small, fast, seedable generator (xorshift64*): the same seed, the same run. */
struct tester_rng {
    uint64_t state;
};

/* Seeds the generator; any seed, 0 included, gives a usable sequence. */
void rng_seed(struct tester_rng *rng, uint64_t seed);

/* The next 64 random bits. */
uint64_t rng_next(struct tester_rng *rng);

/* A value in [low, high]; requires low <= high. */
size_t rng_between(struct tester_rng *rng, size_t low, size_t high);

#endif
