/* The starter kit's and the bundles' files, and their copy (see kit.h). */
#include "kit.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "allocator.h"
#include "run.h"

#ifndef MSTATS_INSTALL_DATADIR
#define MSTATS_INSTALL_DATADIR "share"
#endif
#ifndef MSTATS_SOURCE_DIR
#define MSTATS_SOURCE_DIR ""
#endif

/* The source archive of a bundle. */
#define KIT_SOURCE_ARCHIVE "mstats.tar.gz"

#define STUDENT (1u << KIT_STUDENT)
#define GRADESCOPE (1u << KIT_GRADESCOPE)
#define PRAIRIELEARN (1u << KIT_PRAIRIELEARN)
#define BUNDLES (GRADESCOPE | PRAIRIELEARN)

static const KitFile files[] = {
    {"kit/alloc.c", "alloc.c", STUDENT, FALSE},
    {"kit/Makefile", "Makefile", STUDENT, FALSE},
    {"kit/CMakeLists.txt", "CMakeLists.txt", STUDENT, FALSE},
    {"kit/gitignore", ".gitignore", STUDENT, FALSE},
    {"kit/README.md", "README.md", STUDENT, FALSE},
    {"kit/course.ini", "course.ini", STUDENT, FALSE},
    {"grader/Dockerfile", "Dockerfile", PRAIRIELEARN, FALSE},
    {"grader/setup.sh", "setup.sh", BUNDLES, TRUE},
    {"grader/run_autograder", "run_autograder", GRADESCOPE, TRUE},
    {"grader/run.sh", "run.sh", PRAIRIELEARN, TRUE},
    {"grader/grade.sh", "grade.sh", BUNDLES, TRUE},
    {"grader/self_check.sh", "self_check.sh", BUNDLES, TRUE},
    {"kit/course.ini", "course.ini", BUNDLES, FALSE},
    {"kit/Makefile", "Makefile", BUNDLES, FALSE},
    {"kit/alloc.c", "starter-alloc.c", BUNDLES, FALSE},
    {"grader/README-gradescope.md", "README.md", GRADESCOPE, FALSE},
    {"grader/README-prairielearn.md", "README.md", PRAIRIELEARN, FALSE},
    {NULL, KIT_SOURCE_ARCHIVE, BUNDLES, FALSE},
};

const KitFile *kit_files(gsize *count)
{
    *count = G_N_ELEMENTS(files);
    return files;
}

gboolean kit_file_in(const KitFile *file, KitKind kind)
{
    return (file->kinds & (1u << kind)) != 0;
}

char *kit_data_dir(GError **error)
{
    g_autofree char *bin = mstats_bin_dir(error);
    if (bin == NULL)
        return NULL;
    g_autofree char *dir = g_build_filename(bin, "..", MSTATS_INSTALL_DATADIR, "mstats", NULL);
    g_autofree char *shown = g_canonicalize_filename(dir, NULL);
    g_autofree char *template = g_build_filename(shown, "kit", "alloc.c", NULL);
    g_autofree char *script = g_build_filename(shown, "grader", "grade.sh", NULL);
    if (!g_file_test(template, G_FILE_TEST_IS_REGULAR) ||
        !g_file_test(script, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "the starter kit is missing: no %s or %s (build or install the whole project)",
                    template, script);
        return NULL;
    }
    return g_steal_pointer(&shown);
}

char *kit_source_dir(const char *given, GError **error)
{
    const char *dir = given != NULL ? given : MSTATS_SOURCE_DIR;
    g_autofree char *canonical = g_canonicalize_filename(*dir != '\0' ? dir : ".", NULL);
    g_autofree char *marker =
        g_build_filename(canonical, "harness", "init", "grader", "grade.sh", NULL);
    if (*dir != '\0' && g_file_test(marker, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer(&canonical);
    if (given != NULL)
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "--source %s: not an mstats source tree (no harness/init/grader/grade.sh)",
                    given);
    else
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "the mstats source this program was built from is not at %s: give --source "
                    "DIR, a checkout of mstats",
                    *dir != '\0' ? canonical : "(unknown)");
    return NULL;
}

/* The first file of `kind` already present in `dir`, as a path; NULL if none is. */
static char *first_existing_target(KitKind kind, const char *dir)
{
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        if (!kit_file_in(&files[i], kind))
            continue;
        char *path = g_build_filename(dir, files[i].target, NULL);
        if (g_file_test(path, G_FILE_TEST_EXISTS) || g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            return path;
        g_free(path);
    }
    return NULL;
}

/* Archives the source tree `source_dir` into `archive` with tar: without
 * version control, build folders (any folder with a CMakeCache.txt) or
 * Python caches, and without `dir` when it lies inside the tree. */
static gboolean write_source_archive(const char *source_dir, const char *dir, const char *archive,
                                     GError **error)
{
    g_autofree char *canonical_dir = g_canonicalize_filename(dir, NULL);
    g_autofree char *inside = NULL;
    if (g_str_has_prefix(canonical_dir, source_dir) &&
        canonical_dir[strlen(source_dir)] == G_DIR_SEPARATOR)
        inside = g_strdup_printf("--exclude=./%s", canonical_dir + strlen(source_dir) + 1);
    const char *argv[] = {"tar",
                          "--create",
                          "--gzip",
                          "--file",
                          archive,
                          "--exclude-vcs",
                          "--exclude-tag-all=CMakeCache.txt",
                          "--exclude=__pycache__",
                          "--directory",
                          source_dir,
                          inside != NULL ? inside : ".",
                          inside != NULL ? "." : NULL,
                          NULL};
    int status = 0;
    g_autofree char *err = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err, &status, error))
        return FALSE;
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "tar could not archive %s: %s",
                    source_dir, g_strstrip(err));
        return FALSE;
    }
    return TRUE;
}

gboolean kit_write(KitKind kind, const char *data_dir, const char *source_dir, const char *dir,
                   GError **error)
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
    g_autofree char *existing = first_existing_target(kind, dir);
    if (existing != NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "%s exists: not overwriting it (remove it, or give a new directory)", existing);
        return FALSE;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        if (!kit_file_in(&files[i], kind))
            continue;
        g_autofree char *to = g_build_filename(dir, files[i].target, NULL);
        if (files[i].source == NULL) {
            if (!write_source_archive(source_dir, dir, to, error))
                return FALSE;
            continue;
        }
        g_autofree char *from = g_build_filename(data_dir, files[i].source, NULL);
        g_autofree char *text = NULL;
        gsize length = 0;
        if (!g_file_get_contents(from, &text, &length, error) ||
            !g_file_set_contents(to, text, (gssize)length, error))
            return FALSE;
        if (files[i].executable && g_chmod(to, 0755) != 0) {
            g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot make %s executable: %s",
                        to, g_strerror(errno));
            return FALSE;
        }
    }
    return TRUE;
}
