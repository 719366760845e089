/*
 * trace_generate.c: writes the synthetic .rep traces shipped in traces/.
 *
 *   trace-generate --list                 the pattern names, one a line
 *   trace-generate [--scale K] NAME FILE  one pattern (K times the operations) into FILE
 *   trace-generate --all DIR              every pattern into DIR/NAME.rep
 *
 * Every pattern draws from its own fixed seed with a generator of our own (splitmix64), so
 * the output is byte-for-byte the same on every machine; a test regenerates the traces and
 * compares them with the shipped files. Ids are recycled after a free, as in CS:APP traces,
 * which keeps the header's id count (and mreplay's pointer table) small.
 *
 * This is an ordinary program: unlike mreplay it may use malloc and stdio.
 */
#include "trace.h"
#include "trace_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fixed-seed pseudo-random numbers (splitmix64): portable and reproducible. */
struct random {
    uint64_t state;
};

static uint64_t random_next(struct random *random)
{
    uint64_t z = (random->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A number in [LOW, HIGH]. */
static uint64_t random_between(struct random *random, uint64_t low, uint64_t high)
{
    return low + random_next(random) % (high - low + 1);
}

/* A size spread evenly over the powers of two in [LOW, HIGH]: many small, some large. */
static uint64_t random_log_size(struct random *random, uint64_t low, uint64_t high)
{
    int low_bits = 63 - __builtin_clzll(low), high_bits = 63 - __builtin_clzll(high);
    int bits = (int)random_between(random, (uint64_t)low_bits, (uint64_t)high_bits);
    uint64_t from = UINT64_C(1) << bits, to = (from << 1) - 1;
    if (from < low)
        from = low;
    if (to > high)
        to = high;
    return random_between(random, from, to);
}

/* The trace being built: its operations, the live ids, and the ids free for reuse. */
struct builder {
    struct trace_op *ops;
    size_t op_count, op_capacity;
    uint64_t *live_size;   /* per id: size if live */
    size_t *live_position; /* per id: index in live_ids */
    int32_t *live_ids;     /* the live ids, in no order, for random picks */
    size_t live_count;
    int32_t *free_ids; /* ids freed and ready for reuse (a stack) */
    size_t free_id_count;
    uint32_t id_count; /* ids handed out so far: the header's number of ids */
    size_t id_capacity;
    uint64_t live_bytes, peak_live;
    struct random random;
};

static void *grow(void *array, size_t *capacity, size_t element, size_t needed)
{
    if (needed <= *capacity)
        return array;
    size_t wanted = *capacity ? *capacity * 2 : 1024;
    while (wanted < needed)
        wanted *= 2;
    void *grown = realloc(array, wanted * element);
    if (grown == NULL) {
        fprintf(stderr, "trace-generate: out of memory\n");
        exit(1);
    }
    *capacity = wanted;
    return grown;
}

static void builder_push(struct builder *builder, char kind, int32_t id, uint64_t size)
{
    builder->ops =
        grow(builder->ops, &builder->op_capacity, sizeof *builder->ops, builder->op_count + 1);
    builder->ops[builder->op_count++] = (struct trace_op){size, id, (uint32_t)kind};
}

/* Track the live-byte peak, which becomes the header's suggested heap size. */
static void builder_live_changed(struct builder *builder)
{
    if (builder->live_bytes > builder->peak_live)
        builder->peak_live = builder->live_bytes;
}

/* `a` a new block of SIZE; returns its id (a recycled one when any is free). */
static int32_t trace_alloc(struct builder *builder, uint64_t size)
{
    int32_t id;
    if (builder->free_id_count > 0) {
        id = builder->free_ids[--builder->free_id_count];
    } else {
        id = (int32_t)builder->id_count++;
        size_t capacity = builder->id_capacity;
        builder->live_size =
            grow(builder->live_size, &capacity, sizeof(uint64_t), builder->id_count);
        capacity = builder->id_capacity;
        builder->live_position =
            grow(builder->live_position, &capacity, sizeof(size_t), builder->id_count);
        capacity = builder->id_capacity;
        builder->live_ids = grow(builder->live_ids, &capacity, sizeof(int32_t), builder->id_count);
        capacity = builder->id_capacity;
        builder->free_ids = grow(builder->free_ids, &capacity, sizeof(int32_t), builder->id_count);
        builder->id_capacity = capacity;
    }
    builder->live_size[id] = size;
    builder->live_position[id] = builder->live_count;
    builder->live_ids[builder->live_count++] = id;
    builder->live_bytes += size;
    builder_live_changed(builder);
    builder_push(builder, 'a', id, size);
    return id;
}

/* `r` live block ID to SIZE. */
static void trace_realloc(struct builder *builder, int32_t id, uint64_t size)
{
    builder->live_bytes += size - builder->live_size[id];
    builder->live_size[id] = size;
    builder_live_changed(builder);
    builder_push(builder, 'r', id, size);
}

/* `f` live block ID; its id becomes free for reuse. */
static void trace_free(struct builder *builder, int32_t id)
{
    size_t position = builder->live_position[id];
    int32_t last = builder->live_ids[--builder->live_count];
    builder->live_ids[position] = last;
    builder->live_position[last] = position;
    builder->live_bytes -= builder->live_size[id];
    builder->free_ids[builder->free_id_count++] = id;
    builder_push(builder, 'f', id, 0);
}

/* A random live id (there must be one). */
static int32_t random_live(struct builder *builder)
{
    return builder->live_ids[random_between(&builder->random, 0, builder->live_count - 1)];
}

/* Free every live block in random order. */
static void free_all_randomly(struct builder *builder)
{
    while (builder->live_count > 0)
        trace_free(builder, random_live(builder));
}

/* Shuffle N ids in place (Fisher-Yates). */
static void shuffle(struct builder *builder, int32_t *ids, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)random_between(&builder->random, 0, i - 1);
        int32_t swap = ids[i - 1];
        ids[i - 1] = ids[j];
        ids[j] = swap;
    }
}

static int32_t *id_array(size_t n)
{
    int32_t *ids = calloc(n ? n : 1, sizeof *ids);
    if (ids == NULL) {
        fprintf(stderr, "trace-generate: out of memory\n");
        exit(1);
    }
    return ids;
}

/* ramp: blocks of steadily growing size pile up, each with a short-lived temporary beside
 * it; all are freed at the end. The peak is at the very end: reuse comes only from the
 * temporaries. */
static void pattern_ramp(struct builder *builder, uint64_t scale)
{
    uint64_t steps = 4000 * scale;
    for (uint64_t i = 0; i < steps; i++) {
        trace_alloc(builder, 16 + (i % 4000) * 4 + random_between(&builder->random, 0, 15));
        int32_t temporary = trace_alloc(builder, random_between(&builder->random, 8, 256));
        trace_free(builder, temporary);
    }
    free_all_randomly(builder);
}

/* plateau: ramp up to 2000 live blocks, then hold the live set steady while blocks are
 * replaced one by one with new random sizes, then ramp down. */
static void pattern_plateau(struct builder *builder, uint64_t scale)
{
    for (int i = 0; i < 2000; i++)
        trace_alloc(builder, random_between(&builder->random, 16, 512));
    for (uint64_t i = 0; i < 20000 * scale; i++) {
        trace_free(builder, random_live(builder));
        trace_alloc(builder, random_between(&builder->random, 16, 512));
    }
    free_all_randomly(builder);
}

/* peaks: ten cycles of building up to a peak and tearing it down, each leaving a few
 * long-lived blocks behind that fragment the heap under the next peak. */
static void pattern_peaks(struct builder *builder, uint64_t scale)
{
    for (uint64_t cycle = 0; cycle < 10 * scale; cycle++) {
        size_t height = (size_t)random_between(&builder->random, 1000, 1500);
        int32_t *ids = id_array(height);
        for (size_t i = 0; i < height; i++)
            ids[i] = trace_alloc(builder, random_log_size(&builder->random, 32, 2048));
        shuffle(builder, ids, height);
        for (size_t i = 0; i < height; i++)
            if (i % 20 != 0) /* one in twenty survives the cycle */
                trace_free(builder, ids[i]);
        free(ids);
    }
    free_all_randomly(builder);
}

/* random: a random mix of malloc (50%), free (39%), realloc (10%) and free(NULL) (1%) with
 * sizes spread over 1 byte to 64 KiB, at most 4096 blocks live. */
static void pattern_random(struct builder *builder, uint64_t scale)
{
    for (uint64_t i = 0; i < 30000 * scale; i++) {
        uint64_t dice = random_between(&builder->random, 0, 99);
        if (dice == 99)
            builder_push(builder, 'f', -1, 0);
        else if (builder->live_count == 0 || (dice < 50 && builder->live_count < 4096))
            trace_alloc(builder, random_log_size(&builder->random, 1, 65536));
        else if (dice < 90)
            trace_free(builder, random_live(builder));
        else
            trace_realloc(builder, random_live(builder),
                          random_log_size(&builder->random, 1, 65536));
    }
    free_all_randomly(builder);
}

/* The binary-size adversary of CS:APP's binary traces: SMALL and LARGE blocks alternate,
 * the large ones are freed, then blocks of NEXT (a little larger than LARGE) are asked for.
 * No freed hole fits them unless it coalesces with a neighbour, and the small blocks in
 * between forbid that: every new block must come from fresh heap. */
static void binary_adversary(struct builder *builder, uint64_t scale, uint64_t small,
                             uint64_t large, uint64_t next)
{
    size_t pairs = 2000 * scale;
    int32_t *large_ids = id_array(pairs);
    for (size_t i = 0; i < pairs; i++) {
        trace_alloc(builder, small);
        large_ids[i] = trace_alloc(builder, large);
    }
    for (size_t i = 0; i < pairs; i++)
        trace_free(builder, large_ids[i]);
    for (size_t i = 0; i < pairs; i++)
        trace_alloc(builder, next);
    free(large_ids);
    free_all_randomly(builder);
}

static void pattern_binary(struct builder *builder, uint64_t scale)
{
    binary_adversary(builder, scale, 64, 448, 512);
}

static void pattern_binary2(struct builder *builder, uint64_t scale)
{
    binary_adversary(builder, scale, 16, 112, 128);
}

/* realloc-growth: one buffer grows by realloc step after step with a small allocation
 * placed after it each time (so growing in place is rarely possible), then 500 small
 * buffers grow in turn, interleaved, as string builders do. */
static void pattern_realloc_growth(struct builder *builder, uint64_t scale)
{
    uint64_t size = 512;
    int32_t buffer = trace_alloc(builder, size);
    int32_t previous_small = -1;
    for (uint64_t i = 0; i < 1200 * scale; i++) {
        int32_t small = trace_alloc(builder, 128);
        if (previous_small >= 0)
            trace_free(builder, previous_small);
        previous_small = small;
        size += 128;
        trace_realloc(builder, buffer, size);
    }
    free_all_randomly(builder);

    int32_t *ids = id_array(500);
    uint64_t *sizes = calloc(500, sizeof *sizes);
    for (int i = 0; i < 500; i++) {
        sizes[i] = random_between(&builder->random, 8, 64);
        ids[i] = trace_alloc(builder, sizes[i]);
    }
    for (uint64_t round = 0; round < 12 * scale; round++) {
        for (int i = 0; i < 500; i++) {
            sizes[i] += random_between(&builder->random, 1, 96);
            trace_realloc(builder, ids[i], sizes[i]);
        }
    }
    free(sizes);
    free(ids);
    free_all_randomly(builder);
}

/* coalesce: fill the heap with small blocks, free every other one (holes that cannot
 * merge), then free the rest (each free merges with both neighbours), then ask for large
 * blocks that fit only in the merged space. Three rounds: the rest freed forwards,
 * backwards, and in random order. */
static void pattern_coalesce(struct builder *builder, uint64_t scale)
{
    size_t count = 4000 * scale;
    int32_t *ids = id_array(count);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < count; i++)
            ids[i] = trace_alloc(builder, random_between(&builder->random, 16, 256));
        for (size_t i = 0; i < count; i += 2)
            trace_free(builder, ids[i]);
        size_t rest = 0;
        for (size_t i = 1; i < count; i += 2)
            ids[rest++] = ids[i];
        if (round == 1)
            for (size_t i = 0; i < rest / 2; i++) {
                int32_t swap = ids[i];
                ids[i] = ids[rest - 1 - i];
                ids[rest - 1 - i] = swap;
            }
        if (round == 2)
            shuffle(builder, ids, rest);
        for (size_t i = 0; i < rest; i++)
            trace_free(builder, ids[i]);
        for (size_t i = 0; i < count / 20; i++)
            trace_alloc(builder, random_between(&builder->random, 2048, 4096));
        free_all_randomly(builder);
    }
    free(ids);
}

/* The patterns, each with its fixed seed. */
static const struct pattern {
    const char *name;
    uint64_t seed;
    void (*build)(struct builder *builder, uint64_t scale);
} patterns[] = {
    {"ramp", 1, pattern_ramp},
    {"plateau", 2, pattern_plateau},
    {"peaks", 3, pattern_peaks},
    {"random", 4, pattern_random},
    {"binary", 5, pattern_binary},
    {"binary2", 6, pattern_binary2},
    {"realloc-growth", 7, pattern_realloc_growth},
    {"coalesce", 8, pattern_coalesce},
};

enum { PATTERN_COUNT = sizeof patterns / sizeof patterns[0] };

/* Write the trace BUILDER holds into PATH. Returns 0 or -1 with a message printed. */
static int write_trace(const struct builder *builder, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        fprintf(stderr, "trace-generate: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    static struct trace_file_writer writer;
    /* The suggested heap size is the trace's peak of live bytes: its optimal bound. */
    trace_file_start(&writer, fd, builder->peak_live, builder->id_count, builder->op_count, 1);
    for (size_t i = 0; i < builder->op_count; i++)
        trace_file_add(&writer, &builder->ops[i]);
    int write_errno = trace_file_finish(&writer);
    if (close(fd) != 0 && write_errno == 0)
        write_errno = errno;
    if (write_errno != 0) {
        fprintf(stderr, "trace-generate: cannot write %s: %s\n", path, strerror(write_errno));
        return -1;
    }
    return 0;
}

/* Build PATTERN at SCALE and write it to PATH. */
static int generate(const struct pattern *pattern, uint64_t scale, const char *path)
{
    struct builder builder;
    memset(&builder, 0, sizeof builder);
    builder.random.state = pattern->seed;
    pattern->build(&builder, scale);
    int status = write_trace(&builder, path);
    free(builder.ops);
    free(builder.live_size);
    free(builder.live_position);
    free(builder.live_ids);
    free(builder.free_ids);
    return status;
}

static const struct pattern *find_pattern(const char *name)
{
    for (int i = 0; i < PATTERN_COUNT; i++)
        if (strcmp(patterns[i].name, name) == 0)
            return &patterns[i];
    return NULL;
}

static const char usage_text[] = "Usage: trace-generate --list\n"
                                 "       trace-generate [--scale K] NAME FILE\n"
                                 "       trace-generate --all DIR\n";

/* The usage on stderr for a wrong command line: exit 2. */
static int usage(void)
{
    fputs(usage_text, stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("trace-generate %s\n", MSTATS_VERSION);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%sWrites the synthetic .rep traces (fixed seeds; --list names them), K times "
               "longer with --scale K.\n",
               usage_text);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (int i = 0; i < PATTERN_COUNT; i++)
            printf("%s\n", patterns[i].name);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--all") == 0) {
        for (int i = 0; i < PATTERN_COUNT; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.rep", argv[2], patterns[i].name);
            if (generate(&patterns[i], 1, path) != 0)
                return 1;
        }
        return 0;
    }
    uint64_t scale = 1;
    int first = 1;
    if (argc == 5 && strcmp(argv[1], "--scale") == 0) {
        char *end;
        scale = strtoull(argv[2], &end, 10);
        if (*end != '\0' || scale == 0 || scale > 100000) {
            fprintf(stderr,
                    "trace-generate: --scale '%s' must be an integer from 1 to "
                    "100000\n",
                    argv[2]);
            return 2;
        }
        first = 3;
    }
    if (argc != first + 2)
        return usage();
    const struct pattern *pattern = find_pattern(argv[first]);
    if (pattern == NULL) {
        fprintf(stderr, "trace-generate: unknown pattern '%s'; see 'trace-generate --list'\n",
                argv[first]);
        return 2;
    }
    return generate(pattern, scale, argv[first + 1]) == 0 ? 0 : 1;
}
