/* Loading the allocator under test. A path is opened with dlopen and each
 * function looked up in that object only (a symbol its dependencies define,
 * such as glibc's realloc, does not count as the allocator's). "libc" forwards
 * to glibc's malloc (the next definition after the shim) and holds it to sbrk:
 * no mmap'd chunks, one arena, no top padding, so that its MAX is comparable
 * with the strategies'. Runs while shim.phase is SHIM_LOADING, so the mallocs
 * of dlopen itself come from the boot arena.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <string.h>

#include "violation.h"

/* Returns the definition of `name` inside the object `handle`, or NULL. */
static void *lookup_own(void *handle, const char *name)
{
    void *symbol = dlsym(handle, name);
    if (symbol == NULL)
        return NULL;
    struct link_map *allocator_map = NULL;
    struct link_map *symbol_map = NULL;
    Dl_info info;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &allocator_map) != 0 ||
        dladdr1(symbol, &info, (void **)&symbol_map, RTLD_DL_LINKMAP) == 0)
        return symbol;
    return symbol_map == allocator_map ? symbol : NULL;
}

/* The allocator's function named `name`; NULL where it lacks it. */
static AllocatorEntry allocator_entry(MstatsFunction name)
{
    const AllocatorFunctions *a = &shim.allocator;
    switch (name) {
    case MSTATS_FN_MALLOC:
        return (AllocatorEntry)a->malloc;
    case MSTATS_FN_CALLOC:
        return (AllocatorEntry)a->calloc;
    case MSTATS_FN_REALLOC:
        return (AllocatorEntry)a->realloc;
    case MSTATS_FN_FREE:
        return (AllocatorEntry)a->free;
    case MSTATS_FN_REALLOCARRAY:
        return (AllocatorEntry)a->reallocarray;
    case MSTATS_FN_POSIX_MEMALIGN:
        return (AllocatorEntry)a->posix_memalign;
    case MSTATS_FN_ALIGNED_ALLOC:
        return (AllocatorEntry)a->aligned_alloc;
    case MSTATS_FN_MEMALIGN:
        return (AllocatorEntry)a->memalign;
    case MSTATS_FN_VALLOC:
        return (AllocatorEntry)a->valloc;
    case MSTATS_FN_PVALLOC:
        return (AllocatorEntry)a->pvalloc;
    default:
        return NULL;
    }
}

/* What serves an aligned call where the allocator lacks its function: the
 * first it has of memalign, posix_memalign, aligned_alloc, else malloc. */
static MstatsFunction aligned_fallback(void)
{
    if (shim.allocator.memalign != NULL)
        return MSTATS_FN_MEMALIGN;
    if (shim.allocator.posix_memalign != NULL)
        return MSTATS_FN_POSIX_MEMALIGN;
    if (shim.allocator.aligned_alloc != NULL)
        return MSTATS_FN_ALIGNED_ALLOC;
    return MSTATS_FN_MALLOC;
}

/* The one rule for what serves a measured call of each function (resize_block
 * and allocate_aligned follow shim.serving): the allocator's own function of
 * that name; else, for reallocarray, realloc; for an aligned one, the
 * aligned fallback. */
static void serving_start(void)
{
    for (int fn = 0; fn < MSTATS_FN_COUNT; fn++) {
        MstatsFunction name = (MstatsFunction)fn;
        if (allocator_entry(name) == NULL)
            name = fn == MSTATS_FN_REALLOCARRAY ? MSTATS_FN_REALLOC : aligned_fallback();
        shim.serving[fn] = (Serving){allocator_entry(name), name};
    }
}

static __attribute__((noreturn)) void fail_load(int code, const char *path, const char *words,
                                                const char *detail)
{
    char storage[MSTATS_REASON_MAX];
    struct text_buffer reason;
    text_init(&reason, storage, sizeof storage);
    text_add(&reason, "allocator ");
    text_add(&reason, path);
    text_add(&reason, words);
    if (detail != NULL)
        text_add(&reason, detail);
    violation_exit(code, storage);
}

/* Fills shim.allocator with `lookup(handle, name)` for every function of the
 * family, and shim.serving from it; stops with 66 naming the first of the
 * required four it lacks. The optional ones may be NULL: interpose.c serves
 * them from the required four. */
static void resolve_family(const char *path, void *handle,
                           void *(*lookup)(void *handle, const char *name))
{
    AllocatorFunctions *f = &shim.allocator;
    static const char *const required[] = {"malloc", "free", "calloc", "realloc"};
    void *found[4];
    for (int i = 0; i < 4; i++) {
        found[i] = lookup(handle, required[i]);
        if (found[i] == NULL)
            fail_load(MSTATS_CODE_MISSING_FUNCTION, path, " lacks ", required[i]);
    }
    f->malloc = (void *(*)(size_t))found[0];
    f->free = (void (*)(void *))found[1];
    f->calloc = (void *(*)(size_t, size_t))found[2];
    f->realloc = (void *(*)(void *, size_t))found[3];
    f->reallocarray = lookup(handle, "reallocarray");
    f->posix_memalign = lookup(handle, "posix_memalign");
    f->aligned_alloc = lookup(handle, "aligned_alloc");
    f->memalign = lookup(handle, "memalign");
    f->valloc = lookup(handle, "valloc");
    f->pvalloc = lookup(handle, "pvalloc");
    f->malloc_usable_size = lookup(handle, "malloc_usable_size");
    serving_start();
}

void allocator_load(const char *path)
{
    if (strcmp(path, "libc") == 0) {
        shim.is_libc = true;
        resolve_family(path, RTLD_NEXT, dlsym); /* glibc: the definitions after ours */
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_ARENA_MAX, 1);
        mallopt(M_TOP_PAD, 0);
        return;
    }
    /* Preloaded by the runner (an allocator with static TLS, such as
     * jemalloc, cannot be dlopen'ed): use the copy already there. */
    void *handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (handle == NULL)
        handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL)
        fail_load(MSTATS_CODE_LOAD, path, " cannot be loaded: ", dlerror());
    resolve_family(path, handle, lookup_own);
}
