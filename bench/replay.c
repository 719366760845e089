/*
 * replay.c - bench-replay: a light trace replayer for timing allocators.
 *
 *   bench-replay TRACE        replays TRACE once and prints the CPU time of
 *                             the replay loop in nanoseconds
 *   bench-replay --bound TRACE
 *                             prints the trace's header bound in bytes
 *   bench-replay --brk-moves TRACE
 *                             replays TRACE untimed and prints after how many
 *                             calls the program break had moved, and after
 *                             how many it had moved into another page (the
 *                             brk calls a heap grown by whole pages would make)
 *
 * Unlike mreplay, it checks no data: it touches only the first and last byte
 * of each block it gets, so that the time is the allocator's and the pages'
 * (run it with LD_PRELOAD=ALLOCATOR). `r` of an id that holds no block is
 * realloc(NULL, n) and `f -1` is free(NULL), as in mdriver.
 *
 * The header bound is defined in bound.h.
 *
 * Only the trace library's public API (trace.h) is used. The id table is
 * mapped, not malloc'd, so that the replayed heap is the trace's alone.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "bound.h"
#include "trace.h"

/* An anonymous zeroed mapping of `count` elements of `size` bytes; exits on failure. */
static void *mapped_table(size_t count, size_t size)
{
    size_t bytes = count ? count * size : 1;
    void *table = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED) {
        fprintf(stderr, "bench-replay: cannot map a table of %zu ids\n", count);
        exit(1);
    }
    return table;
}

static uint64_t cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Writes the first and last byte of an n-byte block, as a program would. */
static inline void touch(char *p, uint64_t n)
{
    if (!p || !n)
        return;
    ((volatile char *)p)[0] = 1;
    ((volatile char *)p)[n - 1] = 1;
}

/* Replays every operation of `trace`; returns the CPU nanoseconds it took,
 * or with `count_moves`, untimed, the number of operations after which the
 * program break had moved, and sets *page_moves to those after which it had
 * moved into another page (sbrk(0) reads a variable of libc: no system call,
 * but a cost the timed replay must not carry). */
static uint64_t replay(const struct trace *trace, bool count_moves, uint64_t *page_moves)
{
    char **block = mapped_table(trace->id_count, sizeof *block);
    char *brk_was = sbrk(0);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uint64_t moves = 0;
    *page_moves = 0;
    uint64_t start = cpu_ns();
    for (uint64_t i = 0; i < trace->op_count; i++) {
        const struct trace_op *op = &trace->ops[i];
        switch (op->kind) {
        case TRACE_OP_ALLOC:
            block[op->id] = malloc(op->size);
            touch(block[op->id], op->size);
            break;
        case TRACE_OP_REALLOC:
            block[op->id] = realloc(block[op->id], op->size);
            touch(block[op->id], op->size);
            break;
        default:
            if (op->id >= 0) {
                free(block[op->id]);
                block[op->id] = NULL;
            } else {
                free(NULL);
            }
        }
        if (count_moves) {
            char *brk_now = sbrk(0);
            moves += brk_now != brk_was;
            *page_moves +=
                ((uintptr_t)brk_now + page - 1) / page != ((uintptr_t)brk_was + page - 1) / page;
            brk_was = brk_now;
        }
    }
    return count_moves ? moves : cpu_ns() - start;
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: bench-replay [--bound | --brk-moves] TRACE\n"
                                "Replays TRACE once, touching the first and last byte of each "
                                "block, and prints the replay's CPU time.\n";
    if (bench_answered(argc, argv, "bench-replay", usage))
        return 0;
    bool bound = argc == 3 && strcmp(argv[1], "--bound") == 0;
    bool moves = argc == 3 && strcmp(argv[1], "--brk-moves") == 0;
    if (argc != 2 + (bound || moves) || argv[argc - 1][0] == '-') {
        fputs(usage, stderr);
        return 2;
    }
    const char *path = argv[argc - 1];
    struct trace trace;
    struct trace_error error;
    if (trace_load(path, &trace, &error) != 0) {
        char message[512];
        trace_error_format(path, &error, message, sizeof message);
        fprintf(stderr, "bench-replay: %s", message);
        return 1;
    }
    uint64_t page_moves = 0;
    uint64_t figure = bound ? trace_header_bound(&trace) : replay(&trace, moves, &page_moves);
    if (moves)
        printf("%llu %llu\n", (unsigned long long)figure, (unsigned long long)page_moves);
    else
        printf("%llu\n", (unsigned long long)figure);
    return 0;
}
