/* Honest: static TLS, and a constructor that calls sbrk. A thread-local
 * counter with the initial-exec model makes the linker mark the object
 * DF_STATIC_TLS, so mstats preloads it (harness/runner/allocator.c,
 * mstats_needs_preload) instead of loading it with dlopen; and its
 * constructor reserves the first 64 KiB of heap before main, as allocators
 * that set up an arena at load do. That constructor may run before the
 * shim's: the harness must count its sbrk all the same. */
static __thread unsigned long calls_on_this_thread __attribute__((tls_model("initial-exec")));
#define HONEST_ON_CALL() (calls_on_this_thread++)
#include "honest_core.h"

/* The allocator calls made on the calling thread (a statistic a student's
 * allocator might keep; it keeps the counter from being optimised away). */
unsigned long honest_calls_on_this_thread(void)
{
    return calls_on_this_thread;
}

/* At load: the first 64 KiB of heap, on the free list. */
__attribute__((constructor)) static void reserve_first_heap(void)
{
    honest_reserve((size_t)64 << 10);
}
