/* Finding the shim and the allocators beside the running executable. */
#define _GNU_SOURCE
#include "allocator.h"

#include <dlfcn.h>
#include <elf.h>
#include <gnu/libc-version.h>
#include <string.h>

#include "error.h"

#ifndef MSTATS_STRATEGY_NAMES
#define MSTATS_STRATEGY_NAMES "first-fit,next-fit,best-fit,worst-fit,no-reuse"
#endif
#ifndef MSTATS_INSTALL_LIBDIR
#define MSTATS_INSTALL_LIBDIR "lib"
#endif

const char *const *mstats_builtin_allocators(void)
{
    static char **names;
    if (g_once_init_enter(&names)) {
        char **split = g_strsplit(MSTATS_STRATEGY_NAMES, ",", -1);
        g_once_init_leave(&names, split);
    }
    return (const char *const *)names;
}

char *mstats_bin_dir(GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autofree char *exe = g_file_read_link("/proc/self/exe", &local);
    if (exe == NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot find my own executable: %s",
                    local->message);
        return NULL;
    }
    return g_path_get_dirname(exe);
}

char *mstats_library_dir(GError **error)
{
    g_autofree char *bin_dir = mstats_bin_dir(error);
    if (bin_dir == NULL)
        return NULL;
    /* Build tree: bin/ and lib/; installed tree: bin/ and the install libdir. */
    const char *candidates[] = {"../lib", "../" MSTATS_INSTALL_LIBDIR};
    for (gsize i = 0; i < G_N_ELEMENTS(candidates); i++) {
        g_autofree char *dir = g_build_filename(bin_dir, candidates[i], NULL);
        g_autofree char *shim = g_build_filename(dir, "libmstats-shim.so", NULL);
        if (g_file_test(shim, G_FILE_TEST_EXISTS))
            return g_canonicalize_filename(dir, NULL);
    }
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                "libmstats-shim.so not found in %s/../lib or %s/../%s: build or install the "
                "whole project",
                bin_dir, bin_dir, MSTATS_INSTALL_LIBDIR);
    return NULL;
}

/* glibc's file, for the ALLOCATOR line of libc. */
static char *glibc_path(void)
{
    Dl_info info;
    if (dladdr((void *)gnu_get_libc_version, &info) != 0 && info.dli_fname != NULL)
        return g_canonicalize_filename(info.dli_fname, NULL);
    return g_strdup("libc.so.6");
}

/* A reference allocator: its name, its Debian package, and its file. */
typedef struct {
    const char *name;
    const char *package;
    const char *file;
} Reference;

static const Reference references[] = {
    {"jemalloc", "libjemalloc2", "libjemalloc.so.2"},
    {"mimalloc", "libmimalloc2.0", "libmimalloc.so.2"},
    {"tcmalloc", "libtcmalloc-minimal4", "libtcmalloc_minimal.so.4"},
};

/* The reference allocator installed at `path` (a system library directory,
 * which the graded code cannot write to), or NULL. */
static const Reference *reference_by_file(const char *path)
{
    if (!g_str_has_prefix(path, "/usr/lib") && !g_str_has_prefix(path, "/lib"))
        return NULL;
    g_autofree char *basename = g_path_get_basename(path);
    for (size_t i = 0; i < G_N_ELEMENTS(references); i++)
        if (g_str_has_prefix(basename, references[i].file) ||
            (g_str_has_prefix(basename, "lib") &&
             g_str_has_prefix(basename + 3, references[i].name)))
            return &references[i];
    return NULL;
}

/* Finds reference allocator `name`'s file where the dynamic loader looks. */
static gboolean resolve_reference(const Reference *reference, MstatsAllocator *allocator,
                                  GError **error)
{
    static const char *const dirs[] = {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
                                       "/lib/x86_64-linux-gnu"};
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        char *path = g_build_filename(dirs[i], reference->file, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            allocator->name = g_strdup(reference->name);
            allocator->path = path;
            allocator->heap_unmeasured = TRUE;
            allocator->preload = TRUE;
            allocator->trusted = TRUE;
            return TRUE;
        }
        g_free(path);
    }
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                "allocator '%s' is not installed: install it with 'apt-get install %s'",
                reference->name, reference->package);
    return FALSE;
}

gboolean mstats_needs_preload(const char *path)
{
    g_autoptr(GMappedFile) file = g_mapped_file_new(path, FALSE, NULL);
    if (file == NULL)
        return FALSE;
    const unsigned char *bytes = (const unsigned char *)g_mapped_file_get_contents(file);
    gsize size = g_mapped_file_get_length(file);
    if (size < sizeof(Elf64_Ehdr) || memcmp(bytes, ELFMAG, SELFMAG) != 0 ||
        bytes[EI_CLASS] != ELFCLASS64)
        return FALSE;
    const Elf64_Ehdr *header = (const Elf64_Ehdr *)bytes;
    if (header->e_phoff > size || header->e_phnum > (size - header->e_phoff) / sizeof(Elf64_Phdr))
        return FALSE;
    const Elf64_Phdr *segments = (const Elf64_Phdr *)(bytes + header->e_phoff);
    for (int i = 0; i < header->e_phnum; i++) {
        if (segments[i].p_type != PT_DYNAMIC || segments[i].p_offset > size ||
            segments[i].p_filesz > size - segments[i].p_offset)
            continue;
        const Elf64_Dyn *entry = (const Elf64_Dyn *)(bytes + segments[i].p_offset);
        gsize count = segments[i].p_filesz / sizeof(Elf64_Dyn);
        for (gsize j = 0; j < count && entry[j].d_tag != DT_NULL; j++)
            if (entry[j].d_tag == DT_FLAGS && (entry[j].d_un.d_val & DF_STATIC_TLS) != 0)
                return TRUE;
    }
    return FALSE;
}

static gboolean is_builtin(const char *name)
{
    return g_strv_contains(mstats_builtin_allocators(), name);
}

gboolean mstats_allocator_resolve(const char *name_or_path, MstatsAllocator *allocator,
                                  GError **error)
{
    memset(allocator, 0, sizeof *allocator);
    if (name_or_path == NULL || *name_or_path == '\0')
        name_or_path = "first-fit";
    if (strcmp(name_or_path, "libc") == 0) {
        allocator->name = g_strdup("libc");
        allocator->path = glibc_path();
        allocator->is_libc = TRUE;
        allocator->trusted = TRUE;
        return TRUE;
    }
    if (is_builtin(name_or_path)) {
        g_autofree char *dir = mstats_library_dir(error);
        if (dir == NULL)
            return FALSE;
        g_autofree char *file = g_strdup_printf("libmalloc-%s.so", name_or_path);
        char *path = g_build_filename(dir, file, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                        "allocator '%s' is not built: %s is missing (build the project)",
                        name_or_path, path);
            g_free(path);
            return FALSE;
        }
        allocator->name = g_strdup(name_or_path);
        allocator->path = path;
        allocator->trusted = TRUE;
        return TRUE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(references); i++)
        if (strcmp(name_or_path, references[i].name) == 0)
            return resolve_reference(&references[i], allocator, error);
    if (strchr(name_or_path, '/') == NULL && !g_str_has_suffix(name_or_path, ".so")) {
        g_autofree char *names = g_strjoinv(", ", (char **)mstats_builtin_allocators());
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "unknown allocator '%s': give one of %s, libc, jemalloc, mimalloc, "
                    "tcmalloc, or a path to a .so file",
                    name_or_path, names);
        return FALSE;
    }
    if (g_file_test(name_or_path, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "allocator '%s' is a directory: give the shared object inside it (for "
                    "example %s/alloc.so)",
                    name_or_path, name_or_path);
        return FALSE;
    }
    if (!g_file_test(name_or_path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "allocator file '%s' does not exist: give a path to a shared object or one "
                    "of the built-in names (mstats --list-allocators)",
                    name_or_path);
        return FALSE;
    }
    allocator->path = g_canonicalize_filename(name_or_path, NULL);
    allocator->name = g_path_get_basename(name_or_path);
    allocator->preload = mstats_needs_preload(allocator->path);
    allocator->heap_unmeasured = reference_by_file(allocator->path) != NULL;
    allocator->trusted = allocator->heap_unmeasured;
    return TRUE;
}

void mstats_allocator_clear(MstatsAllocator *allocator)
{
    g_clear_pointer(&allocator->name, g_free);
    g_clear_pointer(&allocator->path, g_free);
}
