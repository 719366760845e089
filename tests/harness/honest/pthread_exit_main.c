/* A threaded program whose main thread leaves first: main starts WORKERS
 * threads that allocate, fill, check and free blocks, waits until each has
 * done its first rounds, and calls pthread_exit while they go on. A watcher
 * thread joins the main thread (POSIX allows joining a thread that called
 * pthread_exit), and each worker makes its last rounds only after that, so
 * the workers outlive main. The last worker to finish prints one line and
 * returns; the process then exits 0, as glibc does when its last thread ends.
 *
 * Its figures do not depend on how the threads interleave, so that every run
 * of one allocator gives the same MAX, REQUESTED and PEAK-LIVE: the number
 * and sizes of all requests are fixed, and main first allocates and frees one
 * block of 1 MiB, the heap's peak, which the workers' few live blocks (under
 * 10 KiB together) then fit inside on any allocator that reuses memory.
 * Its line goes out with write, not stdio, whose buffer's size (a request
 * of its own) would depend on what stdout is.
 * A block that does not read back what was written exits 21, as a tester's
 * corruption check does. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WORKERS 4
#define LIVE_PER_WORKER 8      /* blocks each worker holds at once */
#define BLOCK_BYTES 256        /* every worker block's size */
#define ROUNDS_BEFORE_EXIT 50  /* rounds each worker makes before main leaves */
#define ROUNDS_DURING_EXIT 200 /* then at once, while main is leaving */
#define ROUNDS_AFTER_EXIT 50   /* and after main has gone */
#define PEAK_BYTES ((size_t)1 << 20)

/* What the threads share. `lock` guards the counts and flags; `changed` is
 * signalled when any of them changes. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t main_thread;
    int workers_ready; /* workers done with their rounds before main's exit */
    int main_gone;     /* the watcher has joined main */
    atomic_int workers_running;
} shared = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

/* Writes `text` on stdout without stdio. */
static void say(const char *text)
{
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t written = write(STDOUT_FILENO, text, length);
        if (written <= 0)
            return;
        text += written;
        length -= (size_t)written;
    }
}

static void fail(const char *what, int code)
{
    say("pthread-exit-main: ");
    say(what);
    say("\n");
    _exit(code);
}

/* One round of worker `id`: LIVE_PER_WORKER blocks allocated, filled with a
 * byte of this worker and round, read back, and freed. */
static void round_of_blocks(int id, int round)
{
    unsigned char *blocks[LIVE_PER_WORKER];
    unsigned char fill = (unsigned char)(id * 64 + round);
    for (int i = 0; i < LIVE_PER_WORKER; i++) {
        blocks[i] = malloc(BLOCK_BYTES);
        if (blocks[i] == NULL)
            fail("malloc returned NULL", 1);
        memset(blocks[i], fill, BLOCK_BYTES);
    }
    for (int i = 0; i < LIVE_PER_WORKER; i++) {
        for (int j = 0; j < BLOCK_BYTES; j++)
            if (blocks[i][j] != fill)
                fail("a block did not read back what was written", 21);
        free(blocks[i]);
    }
}

/* Waits until `*flag` reaches `value`. */
static void wait_for(int *flag, int value)
{
    pthread_mutex_lock(&shared.lock);
    while (*flag < value)
        pthread_cond_wait(&shared.changed, &shared.lock);
    pthread_mutex_unlock(&shared.lock);
}

static void raise_flag(int *flag)
{
    pthread_mutex_lock(&shared.lock);
    (*flag)++;
    pthread_cond_broadcast(&shared.changed);
    pthread_mutex_unlock(&shared.lock);
}

static void *worker(void *argument)
{
    int id = (int)(long)argument, round = 0;
    for (; round < ROUNDS_BEFORE_EXIT; round++)
        round_of_blocks(id, round);
    raise_flag(&shared.workers_ready);
    for (; round < ROUNDS_BEFORE_EXIT + ROUNDS_DURING_EXIT; round++)
        round_of_blocks(id, round);
    wait_for(&shared.main_gone, 1);
    for (; round < ROUNDS_BEFORE_EXIT + ROUNDS_DURING_EXIT + ROUNDS_AFTER_EXIT; round++)
        round_of_blocks(id, round);
    if (atomic_fetch_sub(&shared.workers_running, 1) == 1) {
        char line[160];
        snprintf(line, sizeof line,
                 "pthread-exit-main: %d threads outlived main, %d blocks of %d bytes each, "
                 "all intact\n",
                 WORKERS,
                 (ROUNDS_BEFORE_EXIT + ROUNDS_DURING_EXIT + ROUNDS_AFTER_EXIT) * LIVE_PER_WORKER,
                 BLOCK_BYTES);
        say(line);
    }
    return NULL;
}

/* Joins the main thread, which has called pthread_exit, and tells the workers. */
static void *watcher(void *unused)
{
    (void)unused;
    if (pthread_join(shared.main_thread, NULL) != 0)
        fail("cannot join the main thread", 1);
    raise_flag(&shared.main_gone);
    return NULL;
}

int main(void)
{
    unsigned char *peak = malloc(PEAK_BYTES);
    if (peak == NULL)
        fail("malloc of the peak block returned NULL", 1);
    memset(peak, 0x5a, PEAK_BYTES);
    free(peak);

    shared.main_thread = pthread_self();
    atomic_store(&shared.workers_running, WORKERS);
    pthread_t thread;
    if (pthread_create(&thread, NULL, watcher, NULL) != 0)
        fail("cannot start the watcher thread", 1);
    pthread_detach(thread);
    for (long id = 0; id < WORKERS; id++) {
        if (pthread_create(&thread, NULL, worker, (void *)id) != 0)
            fail("cannot start a worker thread", 1);
        pthread_detach(thread);
    }
    wait_for(&shared.workers_ready, WORKERS);
    pthread_exit(NULL);
}
