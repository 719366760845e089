/* Tries: a helper thread, started by a constructor, takes and gives back
 * 8 MiB of scratch with the raw brk system call whenever a call asks it to
 * (the call waits for it), so the growth happens on another thread than the
 * one inside the shim, and past the shim's sbrk.
 * Caught by: the kernel's brk witness, which follows every thread -> 67. */
static void scratch_on_helper(void);
#define CHEAT_ON_CALL() scratch_on_helper()
#include "cheat_core.h"

#include <pthread.h>
#include <semaphore.h>

static sem_t asked, done;
static int helper_running;

/* The helper thread: one hidden scratch per request, forever. */
static void *helper(void *unused)
{
    (void)unused;
    for (;;) {
        sem_wait(&asked);
        cheat_scratch_through(cheat_raw_sbrk);
        sem_post(&done);
    }
    return NULL;
}

/* At load: the helper thread (without it the cheat does nothing). */
__attribute__((constructor)) static void start_helper(void)
{
    pthread_t thread;
    sem_init(&asked, 0, 0);
    sem_init(&done, 0, 0);
    helper_running = pthread_create(&thread, NULL, helper, NULL) == 0;
}

/* In every call: asks the helper for a scratch and waits for it. */
static void scratch_on_helper(void)
{
    if (!helper_running)
        return;
    sem_post(&asked);
    sem_wait(&done);
}
