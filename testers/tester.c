/*
 * tester.c: the helpers behind tester.h (result line, failure exits, data
 * patterns, overlap check, random numbers, many live blocks). Nothing here
 * calls malloc except live_blocks_allocate, for the tester: the testers must
 * measure only their own workload.
 */
/* program_invocation_short_name is a GNU extension. */
#define _GNU_SOURCE
#include "tester.h"

#include "region_layout.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MSTATS_VERSION
#error "MSTATS_VERSION must be defined (testers/CMakeLists.txt passes the project version)"
#endif

/*
 * The completion proof. Every thread adds its checks to a lane of its own,
 * claimed at its first check, so a check costs no lock and no atomic
 * operation; tester_pass, after the threads are joined, sums the lanes (the
 * sum commutes, so the interleaving cannot change it).
 */
enum { PROOF_LANES = 64 };

/* One thread's checks: its sum, and its block checks, counted apart
 * because require_block is the most frequent check and a count is cheaper. */
struct proof_lane {
    _Alignas(64) struct mstats_proof_sum sum; /* a cache line each: no false sharing */
    uint64_t blocks;
};

static struct mstats_proof run_proof;
static struct proof_lane proof_lanes[PROOF_LANES];
/* Lanes handed out. Past PROOF_LANES threads the last lane is shared, its
 * sums race, and the run writes no proof. */
static atomic_uint proof_lanes_claimed;
static _Thread_local struct proof_lane *thread_lane;
static bool peak_live_varies;

/* This thread's lane, claimed on first use. */
static inline struct proof_lane *proof_lane(void)
{
    if (__builtin_expect(thread_lane == NULL, 0)) {
        unsigned index = atomic_fetch_add_explicit(&proof_lanes_claimed, 1, memory_order_relaxed);
        thread_lane = &proof_lanes[index < PROOF_LANES ? index : PROOF_LANES - 1];
    }
    return thread_lane;
}

/* Adds a check that passed to this thread's lane (nothing without a proof). */
static inline void proof_add(enum mstats_proof_kind kind, uint64_t subject, uint64_t from,
                             uint64_t to, uint64_t read_back)
{
    if (run_proof.active)
        mstats_proof_add(&proof_lane()->sum, &run_proof, kind, subject, from, to, read_back);
}

void tester_proof_add(enum mstats_proof_kind kind, uint64_t subject, uint64_t detail,
                      uint64_t read_back)
{
    proof_add(kind, subject, detail, 0, read_back);
}

void tester_peak_live_varies(void)
{
    peak_live_varies = true;
}

/* Sums the lanes and writes the proof line; nothing when there is no proof
 * or a lane was shared by two threads. */
static void proof_write(void)
{
    unsigned claimed = atomic_load(&proof_lanes_claimed);
    if (!run_proof.active || claimed > PROOF_LANES)
        return;
    struct mstats_proof_sum total = {0, 0};
    uint64_t blocks = 0;
    for (unsigned i = 0; i < claimed; i++) {
        mstats_proof_combine(&total, &proof_lanes[i].sum);
        blocks += proof_lanes[i].blocks;
    }
    mstats_proof_mix(&total, &run_proof, MSTATS_PROOF_BLOCKS, blocks, 0, 0, blocks);
    total.checks += blocks;
    mstats_proof_write(&run_proof, &total, peak_live_varies);
}

void tester_options(int argc, char **argv, const char *exercises)
{
    const char *program = program_invocation_short_name;
    if (argc <= 1) {
        mstats_proof_open(&run_proof);
        return;
    }
    /* Unbuffered: printing then allocates no stdio buffer, so --help and
     * --version take nothing from the allocator under test. */
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        printf("usage: %s [--help | --version]\n"
               "Exercises the preloaded malloc: %s.\n"
               "Prints one result line, \"%s: ...\" or \"%s: FAILED: ...\"; exits 0 on\n"
               "success, 20-27 for the kind of failure (see docs/testers.md).\n",
               program, exercises, program, program);
        exit(0);
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("%s (mstats) %s\n", program, MSTATS_VERSION);
        exit(0);
    }
    fprintf(stderr, "%s: unknown argument '%s': a tester takes no arguments (try --help)\n",
            program, argv[1]);
    exit(TESTER_EXIT_SETUP);
}

/* Prints "<program>: <message>\n" in one write, then flushes. */
static void print_result_line(const char *verdict, const char *format, va_list args)
{
    printf("%s: %s", program_invocation_short_name, verdict);
    vprintf(format, args);
    printf("\n");
    fflush(stdout);
}

_Noreturn void tester_fail(enum tester_exit code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    print_result_line("FAILED: ", format, args);
    va_end(args);
    exit(code);
}

void tester_pass(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    print_result_line("", format, args);
    va_end(args);
    proof_write();
}

/*
 * The 64-bit pattern word number `index` of a block tagged `tag`: two odd
 * multipliers make neighbouring words and neighbouring tags differ in many
 * bits, and no word is zero-filled memory for long.
 */
static inline uint64_t pattern_word(uint64_t tag, size_t index)
{
    uint64_t word =
        (tag + 1) * UINT64_C(0x9E3779B97F4A7C15) ^ (index + 1) * UINT64_C(0xD6E8FEB86659FD93);
    return word ^ (word >> 29);
}

uint8_t pattern_byte(uint64_t tag, size_t offset)
{
    return (uint8_t)(pattern_word(tag, offset / 8) >> (8 * (offset % 8)));
}

/* True where a 64-bit word's bytes sit in memory least significant first. */
static inline bool little_endian(void)
{
    return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
}

void pattern_fill_range(void *block, size_t from, size_t to, uint64_t tag)
{
    unsigned char *bytes = block;
    size_t offset = from;
    /* Byte by byte up to a word boundary of the offset, words, then bytes. */
    while (offset < to && (offset % 8 != 0 || !little_endian())) {
        bytes[offset] = pattern_byte(tag, offset);
        offset++;
    }
    for (; offset + 8 <= to; offset += 8) {
        uint64_t word = pattern_word(tag, offset / 8);
        memcpy(bytes + offset, &word, sizeof word);
    }
    for (; offset < to; offset++)
        bytes[offset] = pattern_byte(tag, offset);
}

/*
 * Checks bytes [from, to) of `block` against the pattern of `tag`, and
 * folds what it read into *read_back (the XOR of the words, a lone byte at
 * its place in its word) for the proof. Returns true when every byte
 * matches.
 */
static inline bool pattern_read_range(const void *block, size_t from, size_t to, uint64_t tag,
                                      uint64_t *read_back)
{
    const unsigned char *bytes = block;
    size_t offset = from;
    uint64_t fold = 0;
    while (offset < to && (offset % 8 != 0 || !little_endian())) {
        if (bytes[offset] != pattern_byte(tag, offset))
            return false;
        fold ^= (uint64_t)bytes[offset] << (8 * (offset % 8));
        offset++;
    }
    for (; offset + 8 <= to; offset += 8) {
        uint64_t word;
        memcpy(&word, bytes + offset, sizeof word);
        if (word != pattern_word(tag, offset / 8))
            return false;
        fold ^= word;
    }
    for (; offset < to; offset++) {
        if (bytes[offset] != pattern_byte(tag, offset))
            return false;
        fold ^= (uint64_t)bytes[offset] << (8 * (offset % 8));
    }
    *read_back = fold;
    return true;
}

bool pattern_check_range(const void *block, size_t from, size_t to, uint64_t tag)
{
    uint64_t read_back;
    return pattern_read_range(block, from, to, tag, &read_back);
}

/* pattern_require_range without the proof: returns what the check read. */
static inline uint64_t pattern_verify(const void *block, size_t from, size_t to, uint64_t tag,
                                      const char *what)
{
    uint64_t read_back;
    if (!pattern_read_range(block, from, to, tag, &read_back))
        tester_fail(TESTER_EXIT_CORRUPTED, "%s: bytes [%zu, %zu) of block %p changed", what, from,
                    to, block);
    return read_back;
}

void pattern_require_range(const void *block, size_t from, size_t to, uint64_t tag,
                           const char *what)
{
    uint64_t read_back = pattern_verify(block, from, to, tag, what);
    proof_add(MSTATS_PROOF_PATTERN, tag, from, to, read_back);
}

void pattern_fill_ends(void *block, size_t size, uint64_t tag)
{
    pattern_fill_range(block, 0, 1, tag);
    pattern_fill_range(block, size - 1, size, tag);
}

void pattern_require_ends(const void *block, size_t size, uint64_t tag, const char *what)
{
    pattern_require_range(block, 0, 1, tag, what);
    pattern_require_range(block, size - 1, size, tag, what);
}

/* The fundamental alignment (16), or 8 under mstats --align 8, which accepts
 * 8-aligned blocks as the courses with such allocators do. Read from the
 * environment once: a getenv for every block checked cost tester-16 a fifth
 * of its time, more under mstats, whose environment is longer. */
static size_t run_alignment(void)
{
    static atomic_uint cached; /* 0: not read yet */
    unsigned alignment = atomic_load_explicit(&cached, memory_order_relaxed);
    if (alignment == 0) {
        alignment = mstats_run_alignment();
        atomic_store_explicit(&cached, alignment, memory_order_relaxed);
    }
    return alignment;
}

size_t malloc_alignment_for(size_t size)
{
    /* C11 7.22.3: fundamental alignment; a block smaller than that cannot
     * hold an object needing more than its own size rounded down. */
    size_t alignment = run_alignment();
    while (alignment > 1 && alignment > size)
        alignment /= 2;
    return alignment;
}

/* require_block without the proof. */
static inline void *block_verify(void *block, size_t alignment, const char *what)
{
    if (alignment == _Alignof(max_align_t))
        alignment = run_alignment(); /* malloc's promise, as this run checks it */
    if (block == NULL)
        tester_fail(TESTER_EXIT_OUT_OF_MEMORY, "%s returned NULL (errno %d)", what, errno);
    if ((uintptr_t)block % alignment != 0)
        tester_fail(TESTER_EXIT_MISALIGNED, "%s returned %p, not aligned to %zu", what, block,
                    alignment);
    return block;
}

void *require_block(void *block, size_t alignment, const char *what)
{
    block_verify(block, alignment, what);
    if (run_proof.active)
        proof_lane()->blocks++;
    return block;
}

size_t live_blocks_allocate(unsigned char **blocks, size_t count, size_t (*size_of)(size_t),
                            const char *what)
{
    /* The proof of these millions of checks is summed here, in registers,
     * and added to the thread's lane once: the same sum, fewer stores. */
    struct proof_lane batch = {{0, 0}, 0};
    size_t requested = 0;
    for (size_t i = 0; i < count; i++) {
        size_t size = size_of(i);
        blocks[i] = block_verify(malloc(size), malloc_alignment_for(size), what);
        batch.blocks++;
        pattern_fill(blocks[i], size, i);
        requested += size;
    }
    for (size_t i = 0; i < count; i++) {
        size_t size = size_of(i);
        uint64_t read_back = pattern_verify(blocks[i], 0, size, i, "a live block");
        mstats_proof_add(&batch.sum, &run_proof, MSTATS_PROOF_PATTERN, i, 0, size, read_back);
    }
    if (run_proof.active) {
        struct proof_lane *lane = proof_lane();
        mstats_proof_combine(&lane->sum, &batch.sum);
        lane->blocks += batch.blocks;
    }
    return requested;
}

/* Moves spans[root] down the max-heap spans[0, count) ordered by start. */
static void span_sift_down(struct tester_span *spans, size_t root, size_t count)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= count)
            return;
        if (child + 1 < count && spans[child + 1].start > spans[child].start)
            child++;
        if (spans[root].start >= spans[child].start)
            return;
        struct tester_span swap = spans[root];
        spans[root] = spans[child];
        spans[child] = swap;
        root = child;
    }
}

/* Sorts spans by start address in place: heap sort, because glibc's qsort
 * may call malloc, and this must not allocate. */
static void spans_sort(struct tester_span *spans, size_t count)
{
    for (size_t root = count / 2; root-- > 0;)
        span_sift_down(spans, root, count);
    for (size_t end = count; end > 1; end--) {
        struct tester_span swap = spans[0];
        spans[0] = spans[end - 1];
        spans[end - 1] = swap;
        span_sift_down(spans, 0, end - 1);
    }
}

void spans_require_disjoint(struct tester_span *spans, size_t count, const char *what)
{
    spans_sort(spans, count);
    const struct tester_span *previous = NULL;
    /* For the proof: how many blocks, how many bytes (sums, which the
     * order by address does not change). */
    uint64_t blocks = 0, bytes = 0;
    for (size_t i = 0; i < count; i++) {
        if (spans[i].size == 0)
            continue;
        if (previous != NULL && previous->start + previous->size > spans[i].start)
            tester_fail(TESTER_EXIT_OVERLAP,
                        "%s: block 0x%jx (%zu bytes) overlaps block 0x%jx (%zu bytes)", what,
                        (uintmax_t)previous->start, previous->size, (uintmax_t)spans[i].start,
                        spans[i].size);
        previous = &spans[i];
        blocks++;
        bytes += spans[i].size;
    }
    proof_add(MSTATS_PROOF_DISJOINT, blocks, bytes, 0, bytes);
}

void rng_seed(struct tester_rng *rng, uint64_t seed)
{
    /* splitmix64 of the seed: never zero, which xorshift cannot leave. */
    uint64_t z = seed + UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    rng->state = z != 0 ? z : 1;
}

uint64_t rng_next(struct tester_rng *rng)
{
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

size_t rng_between(struct tester_rng *rng, size_t low, size_t high)
{
    uint64_t span = (uint64_t)(high - low) + 1;
    /* span == 0 means the full 64-bit range. */
    return span == 0 ? (size_t)rng_next(rng) : low + (size_t)(rng_next(rng) % span);
}
