/*
 * fit_cost.c - bench-fit-cost: how the cost of a call grows with the heap.
 * A benchmark, not a test. Run it with a strategy preloaded (or none, for
 * glibc):
 *   LD_PRELOAD=build/lib/libmalloc-best-fit.so build/bench/bench-fit-cost
 *
 * Three patterns, each with 1,000 and with 1,000,000 blocks (live or free):
 * - random-frees: n blocks of mixed sizes allocated, then freed in random
 *   order (the index sees inserts and merges all over the heap);
 * - small-holes: n small free holes between live blocks, then requests larger
 *   than any hole, each followed by its free (the search must skip them all;
 *   only these requests are timed);
 * - realloc-growth: n blocks grown in turn by 16 bytes, round after round,
 *   so each moves past its live neighbour.
 * Every pattern does about the same number of calls at both sizes (the small
 * one repeats on a fresh heap), each measurement runs in a fresh child
 * process, the sizes alternate over ROUNDS rounds, and the medians are
 * compared. It prints ns per call at both sizes and their ratio; an index
 * whose cost grows like log n keeps the ratio near 2, and the goal is 3 or
 * less (docs/performance.md).
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "mstats/heap_info.h"

enum { ROUNDS = 3, SMALL = 1000, LARGE = 1000000, CALLS = 2000000 };

static uint64_t rng_state;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Mixed sizes: mostly small, some up to 1 KiB (10^6 of them take about
 * 200 MB). */
static size_t mixed_size(void)
{
    uint64_t r = next_random();
    return r % 8 ? 16 + r % 112 : 128 + (r >> 8) % 896;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* A table of n pointers outside the heap under test. */
static void **pointer_table(size_t n)
{
    void *table =
        mmap(NULL, n * sizeof(void *), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED)
        abort();
    return table;
}

static void *checked(void *p)
{
    if (!p)
        abort();
    *(volatile char *)p = 1;
    return p;
}

/* Allocates n mixed blocks and frees them in a random order; returns the
 * calls made. */
static size_t random_frees(void **block, size_t n)
{
    for (size_t i = 0; i < n; i++)
        block[i] = checked(malloc(mixed_size()));
    for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = next_random() % (i + 1);
        void *t = block[i];
        block[i] = block[j];
        block[j] = t;
    }
    for (size_t i = 0; i < n; i++)
        free(block[i]);
    return 2 * n;
}

/* Leaves n small holes between live blocks. */
static void make_small_holes(void **block, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        block[i] = checked(malloc(16 + next_random() % 100));
        checked(malloc(16)); /* separator: keeps the holes apart */
    }
    for (size_t i = 0; i < n; i++)
        free(block[i]);
}

/* Makes `pairs` requests larger than any small hole, each freed at once;
 * returns the calls made. */
static size_t large_requests(size_t pairs)
{
    for (size_t i = 0; i < pairs; i++)
        free(checked(malloc(4096 + next_random() % 4096)));
    return 2 * pairs;
}

/* Grows n blocks by 16 bytes each, in turn, over `rounds` rounds, then frees
 * them; returns the calls made. */
static size_t realloc_growth(void **block, size_t n, int rounds)
{
    for (size_t i = 0; i < n; i++)
        block[i] = checked(malloc(16));
    for (int r = 1; r <= rounds; r++)
        for (size_t i = 0; i < n; i++)
            block[i] = checked(realloc(block[i], 16 + 16 * (size_t)r));
    for (size_t i = 0; i < n; i++)
        free(block[i]);
    return n * (size_t)(rounds + 2);
}

enum pattern { RANDOM_FREES, SMALL_HOLES, REALLOC_GROWTH, PATTERNS };
static const char *const pattern_name[PATTERNS] = {"random-frees", "small-holes", "realloc-growth"};

/* Runs `pattern` over n blocks, repeated to about CALLS calls, and returns
 * the CPU ns per call. One untimed run first brings the pages in, so that
 * both sizes measure the allocator on memory it already has, not the
 * kernel's first touch of 200 MB. */
static double cost_per_call(enum pattern pattern, size_t n)
{
    rng_state = 0x2545f4914f6cdd1dULL;
    void **block = pointer_table(n);
    size_t calls = 0;
    double start = 0;
    switch (pattern) {
    case RANDOM_FREES:
        random_frees(block, n);
        start = now();
        while (calls < CALLS)
            calls += random_frees(block, n);
        break;
    case SMALL_HOLES: /* only the large requests are timed; the holes stay */
        make_small_holes(block, n);
        large_requests(1000);
        start = now();
        calls = large_requests(CALLS / 2);
        break;
    case REALLOC_GROWTH:
        realloc_growth(block, n, 4);
        start = now();
        while (calls < CALLS)
            calls += realloc_growth(block, n, 4);
        break;
    default:
        abort();
    }
    return (now() - start) / (double)calls;
}

/* cost_per_call in a child process, so each measurement starts on a new heap. */
static double measured_in_child(enum pattern pattern, size_t n)
{
    int channel[2];
    if (pipe(channel))
        abort();
    pid_t child = fork();
    if (child == 0) {
        double cost = cost_per_call(pattern, n);
        _exit(write(channel[1], &cost, sizeof cost) == sizeof cost ? 0 : 1);
    }
    double cost = -1;
    if (read(channel[0], &cost, sizeof cost) != sizeof cost) {
        fprintf(stderr, "bench-fit-cost: the %s child failed\n", pattern_name[pattern]);
        exit(1);
    }
    waitpid(child, NULL, 0);
    close(channel[0]);
    close(channel[1]);
    return cost;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: [LD_PRELOAD=ALLOCATOR.so] bench-fit-cost\n"
                                "Prints the cost of an operation at 10^3 and 10^6 blocks in each "
                                "pattern, and their ratio.\n";
    if (bench_answered(argc, argv, "bench-fit-cost", usage))
        return 0;
    if (argc != 1) {
        fputs(usage, stderr);
        return 2;
    }
    void (*info_of)(struct mstats_heap_info *) =
        (void (*)(struct mstats_heap_info *))dlsym(RTLD_DEFAULT, "mstats_heap_info");
    struct mstats_heap_info info = {.strategy = "libc"};
    if (info_of)
        info_of(&info);
    for (int p = 0; p < PATTERNS; p++) {
        double small[ROUNDS], large[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            small[r] = measured_in_child(p, SMALL);
            large[r] = measured_in_child(p, LARGE);
        }
        qsort(small, ROUNDS, sizeof *small, by_value);
        qsort(large, ROUNDS, sizeof *large, by_value);
        double a = small[ROUNDS / 2], b = large[ROUNDS / 2];
        printf("%-10s %-15s %7.1f ns/call at 10^3 blocks, %7.1f at 10^6: ratio %.2f\n",
               info.strategy, pattern_name[p], a, b, b / a);
    }
    return 0;
}
