/*
 * bench_fit_cost.c - a benchmark, not a test: the mean cost of a malloc+free
 * pair with 1,000 and with 100,000 free blocks of mixed sizes in the heap.
 *
 * Run it with a strategy preloaded:
 *   LD_PRELOAD=build/lib/libmalloc-best-fit.so build/bin/bench-fit-cost
 * Each measurement runs in a fresh child process (a fresh heap); the sizes
 * alternate over several rounds and the medians are compared. An O(log n)
 * index keeps the ratio near log(100000)/log(1000) = 1.7; a list walk would
 * make it about 100.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mstats/heap_info.h"

enum { ROUNDS = 5, PAIRS = 2000000 };

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Mixed sizes: mostly small, some up to 2 KiB. */
static size_t mixed_size(void)
{
    uint64_t r = next_random();
    return r % 4 ? 16 + r % 240 : 256 + (r >> 8) % 1792;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Builds `holes` free blocks separated by live ones, then returns the mean
 * nanoseconds of a malloc+free pair of mixed sizes. */
static double pair_cost(size_t holes)
{
    void **hole = malloc(holes * sizeof *hole);
    for (size_t i = 0; i < holes; i++) {
        hole[i] = malloc(mixed_size());
        if (!malloc(16)) /* separator: keeps the holes apart */
            abort();
    }
    for (size_t i = 0; i < holes; i++)
        free(hole[i]);
    double start = now();
    for (int i = 0; i < PAIRS; i++) {
        void *p = malloc(mixed_size());
        if (!p)
            abort();
        *(volatile char *)p = 1;
        free(p);
    }
    return (now() - start) / PAIRS * 1e9;
}

/* pair_cost in a child process, so each measurement starts on a new heap. */
static double measured_in_child(size_t holes)
{
    int channel[2];
    if (pipe(channel))
        abort();
    pid_t child = fork();
    if (child == 0) {
        double cost = pair_cost(holes);
        _exit(write(channel[1], &cost, sizeof cost) == sizeof cost ? 0 : 1);
    }
    double cost = -1;
    if (read(channel[0], &cost, sizeof cost) != sizeof cost)
        abort();
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

int main(void)
{
    void (*info_of)(struct mstats_heap_info *) =
        (void (*)(struct mstats_heap_info *))dlsym(RTLD_DEFAULT, "mstats_heap_info");
    struct mstats_heap_info info = {.strategy = "libc"};
    if (info_of)
        info_of(&info);
    double small[ROUNDS], large[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        small[r] = measured_in_child(1000);
        large[r] = measured_in_child(100000);
    }
    qsort(small, ROUNDS, sizeof *small, by_value);
    qsort(large, ROUNDS, sizeof *large, by_value);
    double a = small[ROUNDS / 2], b = large[ROUNDS / 2];
    printf("%-10s malloc+free pair: %6.1f ns with 1,000 free blocks, %6.1f ns with 100,000: "
           "ratio %.2f\n",
           info.strategy, a, b, b / a);
    return 0;
}
