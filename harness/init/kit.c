/* The starter kit's files and their copy (see kit.h). */
#include "kit.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "allocator.h"
#include "run.h"

#ifndef MSTATS_INSTALL_DATADIR
#define MSTATS_INSTALL_DATADIR "share"
#endif

static const KitFile files[] = {
    {"alloc.c", "alloc.c"},      {"Makefile", "Makefile"},   {"CMakeLists.txt", "CMakeLists.txt"},
    {"gitignore", ".gitignore"}, {"README.md", "README.md"}, {"course.ini", "course.ini"},
};

const KitFile *kit_files(gsize *count)
{
    *count = G_N_ELEMENTS(files);
    return files;
}

char *kit_dir(GError **error)
{
    g_autofree char *bin = mstats_bin_dir(error);
    if (bin == NULL)
        return NULL;
    g_autofree char *dir =
        g_build_filename(bin, "..", MSTATS_INSTALL_DATADIR, "mstats", "kit", NULL);
    g_autofree char *template = g_build_filename(dir, "alloc.c", NULL);
    if (!g_file_test(template, G_FILE_TEST_IS_REGULAR)) {
        g_autofree char *shown = g_canonicalize_filename(dir, NULL);
        g_set_error(
            error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
            "the starter kit is missing: no %s/alloc.c (build or install the whole project)",
            shown);
        return NULL;
    }
    return g_canonicalize_filename(dir, NULL);
}

/* The first kit file already present in `dir`, as a path; NULL if none is. */
static char *first_existing_target(const char *dir)
{
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        char *path = g_build_filename(dir, files[i].target, NULL);
        if (g_file_test(path, G_FILE_TEST_EXISTS) || g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            return path;
        g_free(path);
    }
    return NULL;
}

gboolean kit_write(const char *kit, const char *dir, GError **error)
{
    if (g_file_test(dir, G_FILE_TEST_EXISTS) && !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "%s exists and is not a directory: give a new or existing directory", dir);
        return FALSE;
    }
    if (g_mkdir_with_parents(dir, 0777) != 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot create %s: %s", dir,
                    g_strerror(errno));
        return FALSE;
    }
    /* All or nothing: a student's half-finished alloc.c is never replaced. */
    g_autofree char *existing = first_existing_target(dir);
    if (existing != NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "%s exists: not overwriting it (remove it, or give a new directory)", existing);
        return FALSE;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *from = g_build_filename(kit, files[i].source, NULL);
        g_autofree char *to = g_build_filename(dir, files[i].target, NULL);
        g_autofree char *text = NULL;
        gsize length = 0;
        if (!g_file_get_contents(from, &text, &length, error) ||
            !g_file_set_contents(to, text, (gssize)length, error))
            return FALSE;
    }
    return TRUE;
}
