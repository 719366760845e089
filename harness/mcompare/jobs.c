/* --emit-jobs and --merge. A job is `cd CWD && MCOMPARE -q -j 1 -a SPEC -w
 * SPEC --label NAME -t T -m M --align A [--no-sandbox] [--writable PATH...]
 * --format json -o DIR/cell-NNNNN.json`, so the cell runs with exactly the
 * machinery of a direct run, and its file is an ordinary mcompare JSON
 * document with one cell. mcompare exits 1 for a failed cell; the job turns
 * that into 0 so a runner counts only jobs that could not produce a result
 * as failures. */
#include "jobs.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cell_json.h"
#include "output_file.h"
#include "workloads.h"

/* The result file of cell INDEX; zero-padded so that names sort in table order. */
static char *cell_file_name(guint index)
{
    return g_strdup_printf("cell-%05u.json", index);
}

/* DIR/manifest.json: the plan, every cell not run yet (what --merge shows for a lost job). */
static gboolean write_manifest(Comparison *plan, const char *dir, GError **error)
{
    for (guint i = 0; i < plan->cell_count; i++) {
        Cell *cell = &plan->cells[i];
        cell->state = CELL_NOT_RUN;
        g_free(cell->not_run_reason);
        g_autofree char *file = cell_file_name(i);
        cell->not_run_reason = g_strdup_printf("no result file %s in %s", file, dir);
    }
    g_autoptr(JsonNode) root = comparison_to_json(plan, NULL);
    g_autoptr(JsonGenerator) generator = json_generator_new();
    json_generator_set_root(generator, root);
    json_generator_set_pretty(generator, TRUE);
    g_autofree char *path = g_build_filename(dir, MCOMPARE_MANIFEST, NULL);
    gsize length;
    g_autofree char *text = json_generator_to_data(generator, &length);
    return output_file_write(path, text, (gssize)length, error);
}

gboolean jobs_emit(Comparison *plan, const char *dir, FILE *out, GError **error)
{
    /* DIR itself, never its parents: a mistyped path is an error. */
    if (g_mkdir(dir, 0777) != 0 && errno != EEXIST) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "--emit-jobs %s: %s", dir,
                    g_strerror(errno));
        return FALSE;
    }
    g_autofree char *absolute_dir = g_canonicalize_filename(dir, NULL);
    g_autoptr(GError) local = NULL;
    if (!write_manifest(plan, absolute_dir, &local)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "--emit-jobs %s: %s", dir,
                    local->message);
        return FALSE;
    }
    g_autofree char *self = g_file_read_link("/proc/self/exe", error);
    if (self == NULL)
        return FALSE;
    g_autofree char *cwd = g_get_current_dir();
    g_autofree char *quoted_cwd = g_shell_quote(cwd);
    g_autofree char *quoted_self = g_shell_quote(self);
    char timeout[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_dtostr(timeout, sizeof timeout, plan->timeout_seconds);
    GString *sandbox = g_string_new(plan->no_sandbox ? " --no-sandbox" : "");
    for (const char *const *path = plan->writable_paths; path != NULL && *path != NULL; path++) {
        g_autofree char *quoted = g_shell_quote(*path);
        g_string_append_printf(sandbox, " --writable %s", quoted);
    }
    for (guint i = 0; i < plan->cell_count; i++) {
        const Cell *cell = &plan->cells[i];
        const AllocatorColumn *column = g_ptr_array_index(plan->allocators, cell->allocator);
        const Workload *workload = g_ptr_array_index(plan->workloads, cell->workload);
        g_autofree char *file = cell_file_name(i);
        g_autofree char *path = g_build_filename(absolute_dir, file, NULL);
        g_autofree char *allocator = g_shell_quote(column->spec);
        g_autofree char *spec = g_shell_quote(workload->spec);
        g_autofree char *label = g_shell_quote(workload->name);
        g_autofree char *output = g_shell_quote(path);
        fprintf(out,
                "cd %s && %s -q -j 1 -a %s -w %s --label %s -t %s -m %" G_GUINT64_FORMAT
                " --align %u%s --format json -o %s || [ $? -eq 1 ]\n",
                quoted_cwd, quoted_self, allocator, spec, label, timeout, plan->memory_limit,
                plan->alignment, sandbox->str, output);
    }
    g_string_free(sandbox, TRUE);
    return fflush(out) == 0;
}

/* Loads PATH and checks that it is an mcompare JSON document. */
static gboolean parse_document(const char *path, JsonObject **object, JsonParser *parser,
                               GError **error)
{
    g_autoptr(GError) local = NULL;
    if (!json_parser_load_from_file(parser, path, &local)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "%s: %s", path, local->message);
        return FALSE;
    }
    JsonNode *root = json_parser_get_root(parser);
    const char *format = NULL;
    if (root != NULL && JSON_NODE_HOLDS_OBJECT(root)) {
        *object = json_node_get_object(root);
        JsonNode *member = json_object_get_member(*object, "format");
        if (member != NULL && json_node_get_value_type(member) == G_TYPE_STRING)
            format = json_node_get_string(member);
    }
    if (format == NULL || strcmp(format, MCOMPARE_JSON_FORMAT) != 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "%s: not an mcompare result (\"format\": \"%s\" missing)", path,
                    MCOMPARE_JSON_FORMAT);
        return FALSE;
    }
    return TRUE;
}

/* The array member `name`, or NULL. */
static JsonArray *array_member(JsonObject *object, const char *name)
{
    JsonNode *node = json_object_get_member(object, name);
    return node != NULL && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

/* The index of the workload (or allocator) called `name`, or G_MAXUINT. */
static guint find_by_name(GPtrArray *items, gboolean workloads, const char *name)
{
    for (guint i = 0; i < items->len; i++) {
        const char *own = workloads ? ((Workload *)g_ptr_array_index(items, i))->name
                                    : ((AllocatorColumn *)g_ptr_array_index(items, i))->name;
        if (strcmp(own, name) == 0)
            return i;
    }
    return G_MAXUINT;
}

/* Adds the allocators and workloads a document names that are not known yet. */
static gboolean collect_axes(JsonObject *document, const char *path, GPtrArray *allocators,
                             GPtrArray *workloads, GError **error)
{
    JsonArray *list = array_member(document, "allocators");
    for (guint i = 0; list && i < json_array_get_length(list); i++) {
        g_autoptr(GError) local = NULL;
        AllocatorColumn *column =
            allocator_from_json(json_array_get_object_element(list, i), &local);
        if (column == NULL) {
            g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "%s: allocators[%u]: %s", path, i,
                        local->message);
            return FALSE;
        }
        if (find_by_name(allocators, FALSE, column->name) == G_MAXUINT)
            g_ptr_array_add(allocators, column);
        else
            allocator_column_free(column);
    }
    list = array_member(document, "workloads");
    for (guint i = 0; list && i < json_array_get_length(list); i++) {
        g_autoptr(GError) local = NULL;
        Workload *workload = workload_from_json(json_array_get_object_element(list, i), &local);
        if (workload == NULL) {
            g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "%s: workloads[%u]: %s", path, i,
                        local->message);
            return FALSE;
        }
        if (find_by_name(workloads, TRUE, workload->name) == G_MAXUINT)
            g_ptr_array_add(workloads, workload);
        else
            workload_free(workload);
    }
    return TRUE;
}

/* Puts the cells of one document into their places in `comparison`. */
static gboolean take_cells(JsonObject *document, const char *path, Comparison *comparison,
                           GError **error)
{
    JsonArray *cells = array_member(document, "cells");
    for (guint i = 0; cells && i < json_array_get_length(cells); i++) {
        JsonObject *object = json_array_get_object_element(cells, i);
        const char *workload =
            object ? json_object_get_string_member_with_default(object, "workload", NULL) : NULL;
        const char *allocator =
            object ? json_object_get_string_member_with_default(object, "allocator", NULL) : NULL;
        guint w = workload ? find_by_name(comparison->workloads, TRUE, workload) : G_MAXUINT;
        guint a = allocator ? find_by_name(comparison->allocators, FALSE, allocator) : G_MAXUINT;
        if (w == G_MAXUINT || a == G_MAXUINT) {
            g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                        "%s: cells[%u] names a workload or allocator the file does not list", path,
                        i);
            return FALSE;
        }
        Cell *cell = comparison_cell(comparison, w, a);
        Cell fresh = {.workload = w, .allocator = a};
        g_autoptr(GError) local = NULL;
        if (!cell_from_json(object, &fresh, &local)) {
            g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "%s: cells[%u]: %s", path, i,
                        local->message);
            mstats_run_result_clear(&fresh.result);
            g_free(fresh.output_tail);
            g_free(fresh.not_run_reason);
            return FALSE;
        }
        /* A result beats the manifest's placeholder; a later file does not
         * replace a result already read. */
        if (cell->state == CELL_DONE && fresh.state != CELL_DONE) {
            g_free(fresh.not_run_reason);
            continue;
        }
        mstats_run_result_clear(&cell->result);
        g_free(cell->output_tail);
        g_free(cell->not_run_reason);
        *cell = fresh;
    }
    return TRUE;
}

/* strcmp for a GPtrArray of strings. */
static int compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Comparison *jobs_merge(const char *dir, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) listing = g_dir_open(dir, 0, &local);
    if (listing == NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "--merge %s: %s", dir, local->message);
        return NULL;
    }
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *manifest = g_build_filename(dir, MCOMPARE_MANIFEST, NULL);
    gboolean has_manifest = g_file_test(manifest, G_FILE_TEST_IS_REGULAR);
    g_autoptr(GPtrArray) cell_paths = g_ptr_array_new_with_free_func(g_free);
    for (const char *entry; (entry = g_dir_read_name(listing)) != NULL;)
        if (g_str_has_suffix(entry, ".json") && strcmp(entry, MCOMPARE_MANIFEST) != 0)
            g_ptr_array_add(cell_paths, g_build_filename(dir, entry, NULL));
    g_ptr_array_sort(cell_paths, compare_names);
    if (has_manifest)
        g_ptr_array_add(paths, g_strdup(manifest));
    for (guint i = 0; i < cell_paths->len; i++)
        g_ptr_array_add(paths, g_strdup(g_ptr_array_index(cell_paths, i)));
    if (paths->len == 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "--merge %s: no manifest.json and no result files: run the jobs of "
                    "--emit-jobs first",
                    dir);
        return NULL;
    }

    /* First pass: the axes (the manifest's order first), and the options. */
    GPtrArray *allocators = g_ptr_array_new_with_free_func((GDestroyNotify)allocator_column_free);
    GPtrArray *workloads = g_ptr_array_new_with_free_func((GDestroyNotify)workload_free);
    GPtrArray *parsers = g_ptr_array_new_with_free_func(g_object_unref);
    double timeout = MSTATS_DEFAULT_TIMEOUT, elapsed = 0;
    guint64 memory_limit = MSTATS_DEFAULT_MEMORY_LIMIT;
    gint64 alignment = MSTATS_DEFAULT_ALIGNMENT;
    for (guint i = 0; i < paths->len; i++) {
        const char *path = g_ptr_array_index(paths, i);
        JsonParser *parser = json_parser_new();
        g_ptr_array_add(parsers, parser);
        JsonObject *document = NULL;
        if (!parse_document(path, &document, parser, error) ||
            !collect_axes(document, path, allocators, workloads, error)) {
            g_ptr_array_unref(allocators);
            g_ptr_array_unref(workloads);
            g_ptr_array_unref(parsers);
            return NULL;
        }
        if (i == 0) {
            timeout = json_object_get_double_member_with_default(document, "timeout", timeout);
            memory_limit = (guint64)json_object_get_int_member_with_default(
                document, "memory_limit", (gint64)memory_limit);
            alignment = json_object_get_int_member_with_default(document, "alignment", alignment);
        }
        if (strcmp(path, manifest) != 0)
            elapsed += json_object_get_double_member_with_default(document, "elapsed", 0);
    }
    Comparison *comparison = comparison_new(allocators, workloads);
    comparison->timeout_seconds = timeout;
    comparison->memory_limit = memory_limit;
    comparison->alignment = (unsigned)alignment;
    comparison->elapsed_seconds = elapsed;
    for (guint i = 0; i < comparison->cell_count; i++) {
        comparison->cells[i].state = CELL_NOT_RUN;
        comparison->cells[i].not_run_reason = g_strdup_printf("no result in %s", dir);
    }
    for (guint i = 0; i < paths->len; i++) {
        JsonParser *parser = g_ptr_array_index(parsers, i);
        JsonObject *document = json_node_get_object(json_parser_get_root(parser));
        if (!take_cells(document, g_ptr_array_index(paths, i), comparison, error)) {
            g_ptr_array_unref(parsers);
            comparison_free(comparison);
            return NULL;
        }
    }
    g_ptr_array_unref(parsers);
    comparison_derive_bounds(comparison);
    return comparison;
}
