/* Tries: the shim's own free, found with dlsym, called by a destructor on
 * every block the allocator handed out (it remembers the first 4096), outside
 * any measured call: the shim takes them for the program's frees, and the
 * report shows a program that freed everything.
 * Caught by: the cross-check against the reference run; CALLS differ -> 97.
 * (Each block is freed once: no 95.) */
#include <stdint.h>

static void remember(void *block);
#define CHEAT_HANDED_OUT(block) remember(block)
#include "cheat_core.h"

#include <dlfcn.h>

enum { REMEMBERED = 4096 };
static void *handed_out[REMEMBERED];
static unsigned remembered;

/* Keeps `block` for the destructor, up to REMEMBERED blocks. */
static void remember(void *block)
{
    if (block != NULL && remembered < REMEMBERED)
        handed_out[remembered++] = block;
}

/* The blocks the program may still hold: the shim knows which are live, so
 * only those malloc_usable_size (also the shim's) says are live are freed. */
__attribute__((destructor)) static void free_behind_the_program(void)
{
    void (*shim_free)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "free");
    size_t (*shim_usable)(void *) = (size_t(*)(void *))dlsym(RTLD_DEFAULT, "malloc_usable_size");
    if (shim_free == NULL || shim_usable == NULL)
        return;
    for (unsigned i = 0; i < remembered; i++)
        if (shim_usable(handed_out[i]) != 0)
            shim_free(handed_out[i]);
}
