/* Honest and thread-safe: one mutex around every entry point, as the
 * mstats-init kit has. The matrix runs it on pthread_exit_main.c, whose main
 * thread leaves with pthread_exit while other threads go on allocating. */
#include <pthread.h>

static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
#define HONEST_LOCK() pthread_mutex_lock(&heap_lock)
#define HONEST_UNLOCK() pthread_mutex_unlock(&heap_lock)
#include "honest_core.h"
