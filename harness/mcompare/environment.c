/* Checking the environment against a rubric (environment.h). */
#include "environment.h"

#include "allocator.h"
#include "run_init.h"
#include "sandbox.h"

/* Whether a column's allocator is graded code (its heap must be witnessed). */
static gboolean column_graded(const AllocatorColumn *column)
{
    MstatsAllocator allocator = {0};
    gboolean graded = !column->reference_only &&
                      mstats_allocator_resolve(column->spec, &allocator, NULL) &&
                      !allocator.trusted && !allocator.heap_unmeasured;
    mstats_allocator_clear(&allocator);
    return graded;
}

/* A graded allocator the confined program could not read (the harness as
 * root reads it only by privileges the program drops): one line, or NULL. */
static char *unreadable_allocator(const Comparison *comparison, const char *init)
{
    for (guint i = 0; i < comparison->allocators->len; i++) {
        const AllocatorColumn *column = g_ptr_array_index(comparison->allocators, i);
        int error = column_graded(column) ? sandbox_unreadable(init, column->path) : 0;
        if (error != 0)
            return g_strdup_printf(
                "the allocator %s cannot be read by the graded program (%s), which runs "
                "without root's privileges: make it readable to every user, and its folders "
                "searchable (chmod a+r FILE, a+x on each folder)",
                column->path, g_strerror(error));
    }
    return NULL;
}

char *environment_unmet(const Rubric *rubric, const Comparison *comparison)
{
    if (rubric == NULL)
        return NULL;
    const char *file = rubric->path;
    if (rubric->require_sandbox && comparison->no_sandbox)
        return g_strdup_printf("the rubric %s requires the sandbox, and --no-sandbox was given: "
                               "leave it out",
                               file);
    g_autoptr(GError) error = NULL;
    g_autofree char *library_dir = mstats_library_dir(&error);
    if (library_dir == NULL)
        return g_strdup(error->message);
    g_autofree char *init = g_build_filename(library_dir, RUN_INIT_NAME, NULL);
    const SandboxProbe *probe = sandbox_probe(init);
    if (rubric->require_sandbox && probe->mode == SANDBOX_NONE)
        return g_strdup_printf("the rubric %s requires the sandbox, and none can start here: %s",
                               file, probe->none_why);
    if (rubric->require_bwrap && probe->mode != SANDBOX_BWRAP)
        return g_strdup_printf("the rubric %s requires bwrap's sandbox (sandbox = bwrap), and %s: "
                               "let bwrap start, or give sandbox = required to accept mstats's "
                               "container mode (docs/sandbox.md)",
                               file, probe->bwrap_why);
    if (!comparison->no_sandbox) {
        char *unreadable = unreadable_allocator(comparison, init);
        if (unreadable != NULL)
            return unreadable;
    }
    if (rubric->require_witness && probe->witness_why != NULL)
        for (guint i = 0; i < comparison->allocators->len; i++)
            if (column_graded(g_ptr_array_index(comparison->allocators, i)))
                return g_strdup_printf("the rubric %s requires the kernel's witness of graded "
                                       "heaps (witness = required), and %s",
                                       file, probe->witness_why);
    return NULL;
}
