/* Where the shim and the allocators are: found relative to the running
 * executable (bin/../lib in the build tree and in an installed tree), so that
 * ./mstats works from the build's bin/ and mstats on the PATH after install. */
#ifndef MSTATS_ALLOCATOR_H
#define MSTATS_ALLOCATOR_H

#include <glib.h>

typedef struct {
    char *name; /* built-in name, "libc", a reference name, or the file's base name */
    char *path; /* absolute .so path; for libc, glibc's own file */
    gboolean is_libc;
    /* Loaded with LD_PRELOAD after the shim instead of dlopen: it has static
     * TLS (initial-exec), which dlopen cannot give it once a program runs. */
    gboolean preload;
    /* A reference allocator that takes its memory with mmap (jemalloc,
     * mimalloc, tcmalloc): its calls and time are measured, its heap is not,
     * so MAX is "not measured" and no grade uses it. */
    gboolean heap_unmeasured;
    /* Our own code or a system package (a built-in strategy, glibc, a
     * reference allocator installed under /usr): its figures are believed.
     * Any other file is graded code that may cheat (docs/security.md): its
     * heap is witnessed and its run checked against a reference run. */
    gboolean trusted;
} MstatsAllocator;

/* The built-in strategy names, NULL-terminated (without "libc"). */
const char *const *mstats_builtin_allocators(void);

/* True when the ELF shared object at `path` has static TLS (DF_STATIC_TLS):
 * it must be preloaded. FALSE when it has not, or cannot be read. */
gboolean mstats_needs_preload(const char *path);

/* The folder holding the running program (mstats, mcompare, and beside them
 * mreplay and the testers), or NULL + error. */
char *mstats_bin_dir(GError **error);

/* The folder holding libmstats-shim.so and libmalloc-*.so, or NULL + error. */
char *mstats_library_dir(GError **error);

/* Resolves a name ("first-fit", "libc") or a path ("./alloc.so") to a file
 * that exists. Fails with a one-line message saying what to give instead. */
gboolean mstats_allocator_resolve(const char *name_or_path, MstatsAllocator *allocator,
                                  GError **error);

void mstats_allocator_clear(MstatsAllocator *allocator);

#endif
