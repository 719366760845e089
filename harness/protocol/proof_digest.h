/* The program side of the completion proof (proof.h): the digest a workload
 * of ours folds its checks into, and the one line it writes at its end.
 *
 * 1. Every check that passed adds one contribution to a 128-bit sum: the
 *    product (read_back XOR key0) x (subject XOR key1 + from M1 + to M2 +
 *    kind M3), 64 x 64 -> 128 bits. `read_back` is what the check read
 *    (a fold of the bytes, an errno, a byte count), `subject` what it was
 *    about (a pattern tag, a size), [from, to) the range it covered. The
 *    key is the run's challenge, so no contribution can be computed before
 *    the run, and none may depend on an address, the allocator or timing.
 * 2. The sum is a plain sum: contributions commute, so threads keep their
 *    own sums and add them up at the end (tester-15), and a check's place
 *    in the run does not matter, only that it was made.
 * 3. The digest is the sum and the count of checks, mixed with the key by a
 *    64-bit finaliser: 32 hexadecimal digits on the line.
 * Not cryptographic, and it need not be: the allocator shares the process,
 * so it can read the challenge too. What it cannot do is write the line
 * without having let every check run, short of reimplementing the workload.
 *
 * libc only, no allocation: the workloads run under the allocator measured.
 */
#ifndef MSTATS_PROOF_DIGEST_H
#define MSTATS_PROOF_DIGEST_H

#include "proof.h"

#include <stdbool.h>
#include <stdint.h>

/* The run's challenge, and where the line goes. */
struct mstats_proof {
    bool active; /* false: no (valid) MSTATS_CHALLENGE and MSTATS_PROOF_FD, write nothing */
    int fd;
    uint64_t key[2]; /* the challenge, first 16 digits in key[0] */
};

/* The checks folded so far. */
struct mstats_proof_sum {
    unsigned __int128 value; /* sum of the contributions, modulo 2^128 */
    uint64_t checks;
};

/* What a check was, so that equal numbers from two kinds of check differ. */
enum mstats_proof_kind {
    MSTATS_PROOF_PATTERN = 1, /* bytes [from, to) held the pattern of tag `subject` */
    MSTATS_PROOF_BLOCKS,      /* `subject` blocks were non-NULL and aligned */
    MSTATS_PROOF_DISJOINT,    /* `subject` live blocks of `from` bytes in all did not overlap */
    MSTATS_PROOF_ZEROED,      /* `subject` bytes were all zero */
    MSTATS_PROOF_REFUSED,     /* a refused call (subject, from: its arguments) gave an error */
    MSTATS_PROOF_VALUE,       /* a value the program keeps outside the heap was intact */
    MSTATS_PROOF_RETURNED,    /* a call for `subject` bytes returned an acceptable block */
};

/*
 * Reads MSTATS_CHALLENGE (exactly 32 hexadecimal digits) and MSTATS_PROOF_FD
 * (a decimal descriptor open for writing). Returns true with *proof active
 * when both are valid; otherwise false with proof->active false, and the
 * program writes no line and behaves as without them.
 */
bool mstats_proof_open(struct mstats_proof *proof);

/* Adds one check's contribution to *sum without counting it (for checks
 * counted in bulk, such as tester.c's block checks). */
static inline void mstats_proof_mix(struct mstats_proof_sum *sum, const struct mstats_proof *proof,
                                    enum mstats_proof_kind kind, uint64_t subject, uint64_t from,
                                    uint64_t to, uint64_t read_back)
{
    uint64_t what = (subject ^ proof->key[1]) + from * UINT64_C(0x9E3779B97F4A7C15) +
                    to * UINT64_C(0xC2B2AE3D27D4EB4F) +
                    (uint64_t)kind * UINT64_C(0x165667B19E3779F9);
    sum->value += (unsigned __int128)(read_back ^ proof->key[0]) * what;
}

/* Adds one check that passed to *sum: its contribution, and one to the count. */
static inline void mstats_proof_add(struct mstats_proof_sum *sum, const struct mstats_proof *proof,
                                    enum mstats_proof_kind kind, uint64_t subject, uint64_t from,
                                    uint64_t to, uint64_t read_back)
{
    mstats_proof_mix(sum, proof, kind, subject, from, to, read_back);
    sum->checks++;
}

/* Adds the sum `part` (another thread's) to *total. */
static inline void mstats_proof_combine(struct mstats_proof_sum *total,
                                        const struct mstats_proof_sum *part)
{
    total->value += part->value;
    total->checks += part->checks;
}

/*
 * The proof line of `sum` under `proof`'s challenge, newline and NUL
 * included, into `line`: "mstats-proof/1 digest=<32 hex> checks=<count>
 * peak-live=exact" (or "varies" when `peak_varies`). Returns its length.
 */
size_t mstats_proof_format(const struct mstats_proof *proof, const struct mstats_proof_sum *sum,
                           bool peak_varies, char line[MSTATS_PROOF_LINE_MAX]);

/*
 * Writes the proof line to proof->fd. Call it last of all, once every check
 * passed. Does nothing when the proof is not active; returns false when the
 * write failed (the run then simply has no proof).
 */
bool mstats_proof_write(const struct mstats_proof *proof, const struct mstats_proof_sum *sum,
                        bool peak_varies);

#endif
