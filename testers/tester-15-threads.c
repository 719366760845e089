/*
 * tester-15: four threads doing random operations at once.
 *
 * Exercises: 4 threads, each with its own seed and 64 slots, make 100,000
 * random malloc (1 byte to 2 KiB), realloc and free calls, patterning whole
 * blocks and checking them before every free and realloc. One step in 16
 * hands a block to a shared mailbox or takes one out, so blocks are also
 * freed by a thread other than the one that allocated them. Everything is
 * checked and freed at the end.
 *
 * A good allocator: thread-safe (no lost or shared blocks; a lock is
 * enough), MAX near four threads' working sets (a few hundred KiB).
 */
#include "tester.h"

#include <pthread.h>
#include <stdlib.h>

enum { THREADS = 4, SLOTS = 64, STEPS = 100000, MAX_BYTES = 2048, MAILBOX = 256 };

/* A block with its size and pattern tag, in a slot or in the mailbox. */
struct owned_block {
    unsigned char *block;
    size_t size;
    uint64_t tag;
};

/* Blocks passed between threads, guarded by `lock`. */
static struct {
    pthread_mutex_t lock;
    struct owned_block blocks[MAILBOX];
    int count;
} mailbox = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Puts `block` into the mailbox; returns false (keeping it) when full. */
static bool mailbox_post(struct owned_block block)
{
    pthread_mutex_lock(&mailbox.lock);
    bool posted = mailbox.count < MAILBOX;
    if (posted)
        mailbox.blocks[mailbox.count++] = block;
    pthread_mutex_unlock(&mailbox.lock);
    return posted;
}

/* Takes a block out of the mailbox; returns false when it is empty. */
static bool mailbox_take(struct owned_block *block)
{
    pthread_mutex_lock(&mailbox.lock);
    bool taken = mailbox.count > 0;
    if (taken)
        *block = mailbox.blocks[--mailbox.count];
    pthread_mutex_unlock(&mailbox.lock);
    return taken;
}

/* One thread's workload; `argument` points at its index. */
static void *thread_workload(void *argument)
{
    uint64_t index = *(const uint64_t *)argument;
    struct tester_rng rng;
    rng_seed(&rng, 15 + index);
    struct owned_block slots[SLOTS] = {{0}};
    /* Tags are unique across threads: the thread index is in the top bits. */
    uint64_t next_tag = index << 48;
    for (int step = 0; step < STEPS; step++) {
        struct owned_block *slot = &slots[rng_between(&rng, 0, SLOTS - 1)];
        size_t size = rng_between(&rng, 1, MAX_BYTES);
        unsigned choice = (unsigned)rng_between(&rng, 0, 15);
        if (slot->block != NULL)
            pattern_require(slot->block, slot->size, slot->tag, "a thread's block");
        if (choice == 0) {
            struct owned_block taken;
            if (slot->block != NULL && mailbox_post(*slot))
                slot->block = NULL;
            if (slot->block == NULL && mailbox_take(&taken)) {
                pattern_require(taken.block, taken.size, taken.tag, "a block from the mailbox");
                free(taken.block);
            }
        } else if (slot->block == NULL) {
            slot->block = require_block(malloc(size), malloc_alignment_for(size), "malloc");
            slot->size = size;
            slot->tag = next_tag++;
            pattern_fill(slot->block, size, slot->tag);
        } else if (choice < 7) {
            size_t kept = slot->size < size ? slot->size : size;
            slot->block =
                require_block(realloc(slot->block, size), malloc_alignment_for(size), "realloc");
            pattern_require(slot->block, kept, slot->tag, "a block after realloc");
            pattern_fill_range(slot->block, kept, size, slot->tag);
            slot->size = size;
        } else {
            free(slot->block);
            slot->block = NULL;
        }
    }
    for (int s = 0; s < SLOTS; s++) {
        if (slots[s].block == NULL)
            continue;
        pattern_require(slots[s].block, slots[s].size, slots[s].tag, "a thread's block");
        free(slots[s].block);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "4 threads of random operations with data checks, blocks freed by other threads "
                   "through a mailbox");
    /* Which thread frees a handed-over block, and when, changes from run to
     * run. The checks do not: a thread that posts a block takes one out at
     * once, so the mailbox never holds more than one block per thread, every
     * post succeeds, and each posted block is checked exactly once. */
    tester_peak_live_varies();
    pthread_t threads[THREADS];
    uint64_t indexes[THREADS];
    for (int t = 0; t < THREADS; t++) {
        indexes[t] = (uint64_t)t;
        int error = pthread_create(&threads[t], NULL, thread_workload, &indexes[t]);
        if (error != 0)
            tester_fail(TESTER_EXIT_SETUP, "pthread_create failed with %d", error);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    struct owned_block left;
    int handed_over = 0;
    while (mailbox_take(&left)) {
        pattern_require(left.block, left.size, left.tag, "a block left in the mailbox");
        free(left.block);
        handed_over++;
    }
    tester_pass("Threads: %d threads made %d random malloc/realloc/free steps each, blocks "
                "crossed threads through a mailbox (%d left at the end), all data intact",
                THREADS, STEPS, handed_over);
    return 0;
}
