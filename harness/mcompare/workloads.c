/* Workload and allocator resolution. A word is, in this order: a set name
 * (testers, traces, all), tester-N, a file ending in .rep, or a program with
 * arguments (split as a shell would, looked up on PATH unless it has a /). */
#include "workloads.h"

#include <stdlib.h>
#include <string.h>

#include "trace.h"

#ifndef MCOMPARE_SOURCE_TRACES_DIR
#define MCOMPARE_SOURCE_TRACES_DIR ""
#endif
#ifndef MCOMPARE_INSTALL_DATADIR
#define MCOMPARE_INSTALL_DATADIR "share"
#endif

#define MCOMPARE_USAGE_ERROR(error, ...)                                                           \
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, __VA_ARGS__)

/* TRUE when DIR exists and holds at least one .rep file. */
static gboolean dir_has_traces(const char *dir)
{
    g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
    if (listing == NULL)
        return FALSE;
    for (const char *entry; (entry = g_dir_read_name(listing)) != NULL;)
        if (g_str_has_suffix(entry, ".rep"))
            return TRUE;
    return FALSE;
}

char *mcompare_traces_dir(GError **error)
{
    const char *from_env = g_getenv("MSTATS_TRACES_DIR");
    if (from_env != NULL && *from_env != '\0')
        return g_canonicalize_filename(from_env, NULL);
    g_autofree char *bin = mstats_bin_dir(error);
    if (bin == NULL)
        return NULL;
    g_autofree char *installed =
        g_build_filename(bin, "..", MCOMPARE_INSTALL_DATADIR, "mstats", "traces", NULL);
    if (dir_has_traces(installed))
        return g_canonicalize_filename(installed, NULL);
    if (*MCOMPARE_SOURCE_TRACES_DIR != '\0' && dir_has_traces(MCOMPARE_SOURCE_TRACES_DIR))
        return g_strdup(MCOMPARE_SOURCE_TRACES_DIR);
    MCOMPARE_USAGE_ERROR(error,
                         "no shipped traces in %s: build or install the whole project, or set "
                         "MSTATS_TRACES_DIR",
                         installed);
    return NULL;
}

gboolean allocators_add(const char *list, GPtrArray *columns, GError **error)
{
    g_auto(GStrv) words = g_strsplit(list, ",", -1);
    for (char **word = words; *word != NULL; word++) {
        g_strstrip(*word);
        if (**word == '\0')
            continue;
        MstatsAllocator allocator;
        g_autoptr(GError) local = NULL;
        if (!mstats_allocator_resolve(*word, &allocator, &local)) {
            MCOMPARE_USAGE_ERROR(error, "-a: %s", local->message);
            return FALSE;
        }
        AllocatorColumn *column = g_new0(AllocatorColumn, 1);
        gboolean is_path = strchr(*word, '/') != NULL || g_str_has_suffix(*word, ".so");
        column->spec = is_path ? g_canonicalize_filename(*word, NULL) : g_strdup(*word);
        column->path = g_strdup(allocator.path);
        column->name = g_strdup(allocator.name);
        mstats_allocator_clear(&allocator);
        /* The same allocator twice is one column; two submissions' alloc.so
         * would share a name: show the path as given then. */
        gboolean duplicate = FALSE;
        for (guint i = 0; i < columns->len; i++)
            duplicate =
                duplicate ||
                strcmp(((AllocatorColumn *)g_ptr_array_index(columns, i))->spec, column->spec) == 0;
        if (duplicate) {
            allocator_column_free(column);
            continue;
        }
        for (guint i = 0; i < columns->len; i++) {
            AllocatorColumn *other = g_ptr_array_index(columns, i);
            if (strcmp(other->name, column->name) == 0) {
                g_free(column->name);
                column->name = g_strdup(*word);
                break;
            }
        }
        g_ptr_array_add(columns, column);
    }
    return TRUE;
}

gboolean workload_load_trace_bounds(Workload *workload, const char *path, GError **error)
{
    struct trace trace;
    struct trace_error trace_error;
    if (trace_load(path, &trace, &trace_error) != 0) {
        char message[512];
        trace_error_format(path, &trace_error, message, sizeof message);
        g_strchomp(message);
        MCOMPARE_USAGE_ERROR(error, "%s", message);
        return FALSE;
    }
    workload->has_bounds = TRUE;
    workload->bounds_from_trace = TRUE;
    workload->bounds_agree = TRUE;
    workload->no_reuse = trace.bounds.no_reuse;
    workload->optimal_reuse = trace.bounds.optimal_reuse;
    workload->header_bound[0] = trace.bounds.header_8;
    workload->header_bound[1] = trace.bounds.header_16;
    trace_release(&trace);
    return TRUE;
}

/* TRUE for tester-N (digits only after the dash). */
static gboolean is_tester_name(const char *word)
{
    if (!g_str_has_prefix(word, "tester-") || word[7] == '\0')
        return FALSE;
    for (const char *c = word + 7; *c != '\0'; c++)
        if (!g_ascii_isdigit(*c))
            return FALSE;
    return TRUE;
}

/* Orders tester-N names by N. */
static int compare_tester_numbers(gconstpointer a, gconstpointer b)
{
    const char *left = *(char *const *)a, *right = *(char *const *)b;
    long l = strtol(left + 7, NULL, 10), r = strtol(right + 7, NULL, 10);
    return l < r ? -1 : l > r;
}

/* The tester-N programs in `bin`, in numeric order (maybe none). */
static GPtrArray *built_testers(const char *bin)
{
    g_autoptr(GDir) listing = g_dir_open(bin, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *entry; listing != NULL && (entry = g_dir_read_name(listing)) != NULL;)
        if (is_tester_name(entry))
            g_ptr_array_add(names, g_strdup(entry));
    g_ptr_array_sort(names, compare_tester_numbers);
    return names;
}

/* What tester `path` exercises, in a few words: the first clause of the
 * description its --help prints ("splitting", "coalescing with the next
 * block"), at most 48 characters; NULL when it says nothing. */
static char *tester_about(const char *path)
{
    char *argv[] = {(char *)path, (char *)"--help", NULL};
    g_autofree char *out = NULL;
    int status;
    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status,
                      NULL) ||
        !g_spawn_check_wait_status(status, NULL))
        return NULL;
    static const char lead[] = "Exercises the preloaded malloc: ";
    const char *about = strstr(out, lead);
    if (about == NULL)
        return NULL;
    about += strlen(lead);
    size_t n = strcspn(about, ":;.\n");
    if (n <= 48)
        return g_strndup(about, n);
    g_autofree char *cut = g_strndup(about, 47);
    return g_strconcat(cut, "…", NULL);
}

/* tester-N from bin/, or a path to one (an emitted job names it by path). */
static Workload *resolve_tester(const char *word, const char *label, GError **error)
{
    g_autofree char *bin = mstats_bin_dir(error);
    if (bin == NULL)
        return NULL;
    g_autofree char *path = strchr(word, '/') != NULL ? g_canonicalize_filename(word, NULL)
                                                      : g_build_filename(bin, word, NULL);
    g_autofree char *base = g_path_get_basename(word);
    if (!g_file_test(path, G_FILE_TEST_IS_EXECUTABLE)) {
        g_autoptr(GPtrArray) built = built_testers(bin);
        if (built->len == 0)
            MCOMPARE_USAGE_ERROR(error, "-w: no tester '%s' in %s: build the testers", word, bin);
        else
            MCOMPARE_USAGE_ERROR(error, "-w: no tester '%s' in %s: give one of %s ... %s", word,
                                 bin, (char *)g_ptr_array_index(built, 0),
                                 (char *)g_ptr_array_index(built, built->len - 1));
        return NULL;
    }
    /* A tester-N outside bin/ is someone else's: named by its path as given,
     * so that it never passes for ours in a report or a rubric. */
    g_autofree char *dir = g_path_get_dirname(path);
    gboolean ours = g_strcmp0(dir, bin) == 0;
    Workload *workload = g_new0(Workload, 1);
    workload->kind = WORKLOAD_TESTER;
    workload->name = g_strdup(label ? label : ours ? base : word);
    workload->about = ours ? tester_about(path) : NULL;
    workload->spec = g_strdup(path);
    workload->argv = g_new0(char *, 2);
    workload->argv[0] = g_strdup(path);
    return workload;
}

/* FILE.rep, or the name of a shipped trace (binary.rep) when no such file is here. */
static Workload *resolve_trace(const char *given, const char *label, GError **error)
{
    g_autofree char *shipped = NULL;
    const char *word = given;
    if (!g_file_test(word, G_FILE_TEST_IS_REGULAR) && strchr(word, '/') == NULL) {
        g_autofree char *dir = mcompare_traces_dir(NULL);
        shipped = dir ? g_build_filename(dir, word, NULL) : NULL;
        if (shipped != NULL && g_file_test(shipped, G_FILE_TEST_IS_REGULAR))
            word = shipped;
    }
    if (!g_file_test(word, G_FILE_TEST_IS_REGULAR)) {
        MCOMPARE_USAGE_ERROR(error,
                             "-w: trace '%s' not found: give the path of a .rep file or the name "
                             "of a shipped trace",
                             word);
        return NULL;
    }
    g_autofree char *bin = mstats_bin_dir(error);
    if (bin == NULL)
        return NULL;
    g_autofree char *mreplay = g_build_filename(bin, "mreplay", NULL);
    if (!g_file_test(mreplay, G_FILE_TEST_IS_EXECUTABLE)) {
        MCOMPARE_USAGE_ERROR(error, "-w %s: mreplay not found in %s: build the whole project", word,
                             bin);
        return NULL;
    }
    Workload *workload = g_new0(Workload, 1);
    workload->kind = WORKLOAD_TRACE;
    workload->spec = g_canonicalize_filename(word, NULL);
    workload->name = label ? g_strdup(label) : g_path_get_basename(word);
    workload->argv = g_new0(char *, 3);
    workload->argv[0] = g_strdup(mreplay);
    workload->argv[1] = g_strdup(workload->spec);
    if (!workload_load_trace_bounds(workload, workload->spec, error)) {
        workload_free(workload);
        return NULL;
    }
    return workload;
}

static Workload *resolve_program(const char *word, const char *label, GError **error)
{
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) local = NULL;
    if (!g_shell_parse_argv(word, NULL, &argv, &local)) {
        MCOMPARE_USAGE_ERROR(error, "-w '%s': %s", word, local->message);
        return NULL;
    }
    char *program = NULL;
    if (strchr(argv[0], '/') != NULL) {
        if (g_file_test(argv[0], G_FILE_TEST_IS_REGULAR) &&
            g_file_test(argv[0], G_FILE_TEST_IS_EXECUTABLE))
            program = g_canonicalize_filename(argv[0], NULL);
    } else {
        program = g_find_program_in_path(argv[0]);
        /* Programs shipped beside mcompare (beyond-heap, mreplay) need no path. */
        g_autofree char *bin = program == NULL ? mstats_bin_dir(NULL) : NULL;
        g_autofree char *beside = bin ? g_build_filename(bin, argv[0], NULL) : NULL;
        if (beside != NULL && g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE) &&
            g_file_test(beside, G_FILE_TEST_IS_REGULAR))
            program = g_steal_pointer(&beside);
    }
    if (program == NULL) {
        MCOMPARE_USAGE_ERROR(error,
                             "-w: '%s' is not a tester, a .rep trace or a program: give tester-N, "
                             "FILE.rep, a program path or command, testers, traces or all",
                             word);
        return NULL;
    }
    g_free(argv[0]);
    argv[0] = program;
    Workload *workload = g_new0(Workload, 1);
    workload->kind = WORKLOAD_PROGRAM;
    workload->name = g_strdup(label ? label : word);
    GString *spec = g_string_new(NULL);
    for (char **arg = argv; *arg != NULL; arg++) {
        g_autofree char *quoted = g_shell_quote(*arg);
        g_string_append_printf(spec, "%s%s", arg == argv ? "" : " ", quoted);
    }
    workload->spec = g_string_free(spec, FALSE);
    workload->argv = g_steal_pointer(&argv);
    return workload;
}

Workload *workload_resolve(const char *word, const char *label, GError **error)
{
    g_autofree char *base = g_path_get_basename(word);
    if (is_tester_name(word) || (is_tester_name(base) && g_file_test(word, G_FILE_TEST_EXISTS)))
        return resolve_tester(word, label, error);
    if (g_str_has_suffix(word, ".rep"))
        return resolve_trace(word, label, error);
    return resolve_program(word, label, error);
}

/* Adds `workload` unless a row of that name exists (`-w tester-1,testers`). */
static void add_unique(GPtrArray *workloads, Workload *workload)
{
    for (guint i = 0; i < workloads->len; i++)
        if (strcmp(((Workload *)g_ptr_array_index(workloads, i))->name, workload->name) == 0) {
            workload_free(workload);
            return;
        }
    g_ptr_array_add(workloads, workload);
}

/* Every tester-N beside mcompare, in numeric order. */
static gboolean add_testers(GPtrArray *workloads, GError **error)
{
    g_autofree char *bin = mstats_bin_dir(error);
    if (bin == NULL)
        return FALSE;
    g_autoptr(GPtrArray) names = built_testers(bin);
    if (names->len == 0) {
        MCOMPARE_USAGE_ERROR(error, "-w testers: no tester-N programs in %s: build the testers",
                             bin);
        return FALSE;
    }
    for (guint i = 0; i < names->len; i++) {
        Workload *workload = resolve_tester(g_ptr_array_index(names, i), NULL, error);
        if (workload == NULL)
            return FALSE;
        add_unique(workloads, workload);
    }
    return TRUE;
}

/* strcmp for a GPtrArray of strings. */
static int compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every shipped trace, in file-name order. */
static gboolean add_traces(GPtrArray *workloads, GError **error)
{
    g_autofree char *dir = mcompare_traces_dir(error);
    if (dir == NULL)
        return FALSE;
    g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    for (const char *entry; listing != NULL && (entry = g_dir_read_name(listing)) != NULL;)
        if (g_str_has_suffix(entry, ".rep"))
            g_ptr_array_add(paths, g_build_filename(dir, entry, NULL));
    g_ptr_array_sort(paths, compare_strings);
    for (guint i = 0; i < paths->len; i++) {
        Workload *workload = resolve_trace(g_ptr_array_index(paths, i), NULL, error);
        if (workload == NULL)
            return FALSE;
        add_unique(workloads, workload);
    }
    return TRUE;
}

gboolean workloads_add(const char *list, GPtrArray *workloads, GError **error)
{
    g_auto(GStrv) words = g_strsplit(list, ",", -1);
    for (char **word = words; *word != NULL; word++) {
        g_strstrip(*word);
        if (**word == '\0')
            continue;
        gboolean all = strcmp(*word, "all") == 0;
        if (all || strcmp(*word, "testers") == 0)
            if (!add_testers(workloads, error))
                return FALSE;
        if (all || strcmp(*word, "traces") == 0)
            if (!add_traces(workloads, error))
                return FALSE;
        if (all || strcmp(*word, "testers") == 0 || strcmp(*word, "traces") == 0)
            continue;
        Workload *workload = workload_resolve(*word, NULL, error);
        if (workload == NULL)
            return FALSE;
        add_unique(workloads, workload);
    }
    return TRUE;
}
