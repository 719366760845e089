/* Rubric reading. GKeyFile reads the values; a first pass over
 * the lines finds where each section and key is (GKeyFile keeps no line
 * numbers) and rejects what GKeyFile would accept silently: a key before any
 * section, a section or a key given twice. */
#include "rubric.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRADING "grading"

typedef struct {
    const char *path;
    GHashTable *group_lines; /* section -> line */
    GHashTable *key_lines;   /* "section\nkey" -> line */
} LineMap;

static gboolean rubric_fail(GError **error, const char *path, guint line, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

static gboolean rubric_fail(GError **error, const char *path, guint line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    g_autofree char *reason = g_strdup_vprintf(format, args);
    va_end(args);
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "%s:%u: %s", path, line, reason);
    return FALSE;
}

/* The line of `key` in [group], or 0 when absent. */
static guint key_line(const LineMap *map, const char *group, const char *key)
{
    g_autofree char *id = g_strdup_printf("%s\n%s", group, key);
    return GPOINTER_TO_UINT(g_hash_table_lookup(map->key_lines, id));
}

/* The line of the [group] header, or 0 when absent. */
static guint group_line(const LineMap *map, const char *group)
{
    return GPOINTER_TO_UINT(g_hash_table_lookup(map->group_lines, group));
}

/* The line pass: every line is blank, a # or ; comment, [section] or key = value. */
static gboolean scan_lines(const char *text, LineMap *map, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autofree char *group = NULL;
    for (guint i = 0; lines[i] != NULL; i++) {
        guint line = i + 1;
        g_autofree char *content = g_strstrip(g_strdup(lines[i]));
        if (*content == '\0' || *content == '#' || *content == ';')
            continue;
        if (*content == '[') {
            char *close = strchr(content, ']');
            if (close == NULL || close[1] != '\0' || close == content + 1)
                return rubric_fail(error, map->path, line,
                                   "bad section header '%s': write [NAME] alone on the line",
                                   content);
            g_free(group);
            group = g_strndup(content + 1, (gsize)(close - content - 1));
            guint first = group_line(map, group);
            if (first != 0)
                return rubric_fail(error, map->path, line,
                                   "section [%s] appears twice (first at line %u): merge them",
                                   group, first);
            g_hash_table_insert(map->group_lines, g_strdup(group), GUINT_TO_POINTER(line));
            continue;
        }
        char *equals = strchr(content, '=');
        if (equals == NULL)
            return rubric_fail(error, map->path, line,
                               "'%s' is not a [section], a key = value line or a # comment",
                               content);
        if (group == NULL)
            return rubric_fail(error, map->path, line,
                               "key outside any section: start the file with [grading]");
        g_autofree char *key = g_strstrip(g_strndup(content, (gsize)(equals - content)));
        if (*key == '\0')
            return rubric_fail(error, map->path, line, "missing key name before '='");
        guint first = key_line(map, group, key);
        if (first != 0)
            return rubric_fail(error, map->path, line,
                               "key '%s' appears twice in [%s] (first at line %u)", key, group,
                               first);
        g_hash_table_insert(map->key_lines, g_strdup_printf("%s\n%s", group, key),
                            GUINT_TO_POINTER(line));
    }
    return TRUE;
}

/* A whole string as a finite number (C locale). */
static gboolean parse_number(const char *text, double *value)
{
    char *end;
    *value = g_ascii_strtod(text, &end);
    return end != text && *end == '\0' && isfinite(*value);
}

gboolean rubric_parse_pass(const char *text, double *pass, gboolean *is_percent)
{
    g_autofree char *copy = g_strstrip(g_strdup(text));
    gsize length = strlen(copy);
    *is_percent = length > 0 && copy[length - 1] == '%';
    if (*is_percent)
        copy[length - 1] = '\0';
    return parse_number(copy, pass) && *pass >= 0 && (!*is_percent || *pass <= 100);
}

/* The raw value of a key, stripped; NULL when absent. */
static char *value_of(GKeyFile *file, const char *group, const char *key)
{
    char *value = g_key_file_get_value(file, group, key, NULL);
    return value ? g_strstrip(value) : NULL;
}

/* Fails on the first key of [group] that is not in `allowed`. */
static gboolean check_keys(GKeyFile *file, const LineMap *map, const char *group,
                           const char *const *allowed, const char *allowed_text, GError **error)
{
    g_auto(GStrv) keys = g_key_file_get_keys(file, group, NULL, NULL);
    for (char **key = keys; key && *key; key++)
        if (!g_strv_contains(allowed, *key))
            return rubric_fail(error, map->path, key_line(map, group, *key),
                               "unknown key '%s' in [%s]: expected %s", *key, group, allowed_text);
    return TRUE;
}

/* A [grading] key with two values: *first_chosen is TRUE for `first` and
 * when the key is absent, FALSE for `second`; anything else is an error
 * naming `choices`. */
static gboolean read_choice(GKeyFile *file, const LineMap *map, const char *group, const char *key,
                            const char *first, const char *second, const char *choices,
                            gboolean *first_chosen, GError **error)
{
    g_autofree char *value = value_of(file, group, key);
    *first_chosen = value == NULL || strcmp(value, first) == 0;
    if (value == NULL || *first_chosen || strcmp(value, second) == 0)
        return TRUE;
    return rubric_fail(error, map->path, key_line(map, group, key), "%s = %s: give %s", key, value,
                       choices);
}

/* [grading] verify: output (the default), proof or none. */
static gboolean read_verify(GKeyFile *file, const LineMap *map, Rubric *rubric, GError **error)
{
    static const char *const values[] = {
        [RUBRIC_VERIFY_OUTPUT] = "output",
        [RUBRIC_VERIFY_PROOF] = "proof",
        [RUBRIC_VERIFY_NONE] = "none",
    };
    g_autofree char *value = value_of(file, GRADING, "verify");
    rubric->verify = RUBRIC_VERIFY_OUTPUT;
    for (gsize i = 0; value != NULL && i < G_N_ELEMENTS(values); i++)
        if (strcmp(value, values[i]) == 0) {
            rubric->verify = (RubricVerify)i;
            return TRUE;
        }
    if (value == NULL)
        return TRUE;
    return rubric_fail(error, map->path, key_line(map, GRADING, "verify"),
                       "verify = %s: give output (a completion proof, or the exit status and "
                       "stdout of a run on glibc), proof (a completion proof only) or none",
                       value);
}

/* [grading]: the allocator (optional) and the pass mark (required). */
static gboolean read_grading(GKeyFile *file, const LineMap *map, Rubric *rubric, GError **error)
{
    if (!g_key_file_has_group(file, GRADING))
        return rubric_fail(error, map->path, 1,
                           "no [grading] section: add one with allocator = NAME and pass = POINTS");
    static const char *const allowed[] = {"allocator", "pass",    "align", "sandbox",
                                          "verify",    "witness", NULL};
    if (!check_keys(file, map, GRADING, allowed,
                    "allocator, pass, align, sandbox, verify or witness", error))
        return FALSE;
    if (!read_verify(file, map, rubric, error) ||
        !read_choice(file, map, GRADING, "witness", "required", "optional",
                     "required (an allocator whose heap was not witnessed earns nothing) or "
                     "optional",
                     &rubric->require_witness, error))
        return FALSE;
    g_autofree char *sandbox = value_of(file, GRADING, "sandbox");
    if (sandbox != NULL) {
        static const char *const modes[] = {"required", "container", "bwrap", "optional", NULL};
        if (!g_strv_contains(modes, sandbox))
            return rubric_fail(error, map->path, key_line(map, GRADING, "sandbox"),
                               "sandbox = %s: give required (or its other name, container: a "
                               "run that was not contained, in bwrap or in mstats's container "
                               "mode, earns nothing), bwrap (only bwrap's sandbox counts) or "
                               "optional",
                               sandbox);
        rubric->require_sandbox = strcmp(sandbox, "optional") != 0;
        rubric->require_bwrap = strcmp(sandbox, "bwrap") == 0;
    }
    g_autofree char *align = value_of(file, GRADING, "align");
    if (align != NULL) {
        if (strcmp(align, "1") != 0 && strcmp(align, "8") != 0 && strcmp(align, "16") != 0)
            return rubric_fail(error, map->path, key_line(map, GRADING, "align"),
                               "align = %s: give 1, 8 or 16 (the alignment every block is "
                               "checked for; 1 checks none)",
                               align);
        rubric->alignment = (unsigned)atoi(align);
    }
    rubric->allocator = value_of(file, GRADING, "allocator");
    if (rubric->allocator != NULL && *rubric->allocator == '\0')
        return rubric_fail(error, map->path, key_line(map, GRADING, "allocator"),
                           "allocator is empty: give a built-in name or a .so path");
    g_autofree char *pass = value_of(file, GRADING, "pass");
    if (pass == NULL)
        return rubric_fail(error, map->path, group_line(map, GRADING),
                           "[grading] has no pass: add pass = POINTS (or PERCENT%%)");
    if (!rubric_parse_pass(pass, &rubric->pass, &rubric->pass_is_percent))
        return rubric_fail(error, map->path, key_line(map, GRADING, "pass"),
                           "pass = '%s': give points (e.g. 60) or a percentage (e.g. 60%%)", pass);
    return TRUE;
}

/* ok, failed, any or a status code 1-255 into item->status. */
static gboolean read_status(const char *text, RubricItem *item)
{
    if (g_ascii_strcasecmp(text, "ok") == 0)
        item->status = EXPECT_OK;
    else if (g_ascii_strcasecmp(text, "failed") == 0)
        item->status = EXPECT_FAILED;
    else if (g_ascii_strcasecmp(text, "any") == 0)
        item->status = EXPECT_ANY;
    else {
        char *end;
        long code = strtol(text, &end, 10);
        if (end == text || *end != '\0' || code < 1 || code > 255)
            return FALSE;
        item->status = EXPECT_CODE;
        item->status_code = (int)code;
    }
    return TRUE;
}

/* The optional key `key` of [group] as a number > 0 into *value (*has set);
 * `meaning` says what to give when it is not one. */
static gboolean read_positive(GKeyFile *file, const LineMap *map, const char *group,
                              const char *key, const char *meaning, double *value, gboolean *has,
                              GError **error)
{
    g_autofree char *text = value_of(file, group, key);
    if (text == NULL)
        return TRUE;
    if (!parse_number(text, value) || *value <= 0)
        return rubric_fail(error, map->path, key_line(map, group, key),
                           "%s = '%s': give %s as a number > 0", key, text, meaning);
    *has = TRUE;
    return TRUE;
}

/* The wall-clock `time` key of older rubrics: an error that says what to
 * write instead, since a wall-clock limit grades the machine's load. */
static gboolean reject_wall_time(GKeyFile *file, const LineMap *map, const char *group,
                                 GError **error)
{
    g_autofree char *time = value_of(file, group, "time");
    if (time == NULL)
        return TRUE;
    return rubric_fail(error, map->path, key_line(map, group, "time"),
                       "time = %s: wall-clock limits no longer grade (they depend on the "
                       "machine's load); write time-ratio = 2.0 (CPU time against libc's on "
                       "the same workload) or cpu-seconds = %s (CPU time)",
                       time, time);
}

/* One workload section: points (required) and the optional checks. */
static gboolean read_item(GKeyFile *file, const LineMap *map, const char *group, RubricItem *item,
                          GError **error)
{
    static const char *const allowed[] = {"points",     "status",      "max-heap", "max-ratio",
                                          "time-ratio", "cpu-seconds", NULL};
    if (!reject_wall_time(file, map, group, error) ||
        !check_keys(file, map, group, allowed,
                    "points, status, max-heap, max-ratio, time-ratio or cpu-seconds", error))
        return FALSE;
    item->workload = g_strdup(group);
    item->line = group_line(map, group);
    g_autofree char *points = value_of(file, group, "points");
    if (points == NULL)
        return rubric_fail(error, map->path, item->line, "[%s] has no points: add points = NUMBER",
                           group);
    if (!parse_number(points, &item->points) || item->points < 0)
        return rubric_fail(error, map->path, key_line(map, group, "points"),
                           "points = '%s': give a number >= 0", points);
    g_autofree char *status = value_of(file, group, "status");
    if (status != NULL && !read_status(status, item))
        return rubric_fail(error, map->path, key_line(map, group, "status"),
                           "status = '%s': give ok, failed, any or a status code (1-255)", status);
    g_autofree char *max_heap = value_of(file, group, "max-heap");
    if (max_heap != NULL) {
        g_autoptr(GError) size_error = NULL;
        if (!mstats_parse_size(max_heap, &item->max_heap, &size_error))
            return rubric_fail(error, map->path, key_line(map, group, "max-heap"),
                               "max-heap = '%s': give bytes, with K, M or G if you like (%s)",
                               max_heap, size_error->message);
        item->has_max_heap = TRUE;
    }
    return read_positive(file, map, group, "max-ratio", "MAX / optimal reuse (e.g. 1.25)",
                         &item->max_ratio, &item->has_max_ratio, error) &&
           read_positive(file, map, group, "time-ratio", "CPU time / libc's CPU time (e.g. 2.0)",
                         &item->time_ratio, &item->has_time_ratio, error) &&
           read_positive(file, map, group, "cpu-seconds", "CPU seconds (e.g. 5)",
                         &item->cpu_seconds, &item->has_cpu_seconds, error);
}

/* Every section but [grading], in file order. */
static gboolean read_items(GKeyFile *file, const LineMap *map, Rubric *rubric, GError **error)
{
    g_auto(GStrv) groups = g_key_file_get_groups(file, NULL);
    for (char **group = groups; *group != NULL; group++) {
        if (strcmp(*group, GRADING) == 0)
            continue;
        RubricItem *item = g_new0(RubricItem, 1);
        g_ptr_array_add(rubric->items, item);
        if (!read_item(file, map, *group, item, error))
            return FALSE;
    }
    return TRUE;
}

/* Frees one rubric item. */
static void rubric_item_free(RubricItem *item)
{
    g_free(item->workload);
    g_free(item);
}

gboolean rubric_needs_reference(const Rubric *rubric)
{
    for (guint i = 0; i < rubric->items->len; i++)
        if (((const RubricItem *)g_ptr_array_index(rubric->items, i))->has_time_ratio)
            return TRUE;
    return FALSE;
}

void rubric_free(Rubric *rubric)
{
    if (rubric == NULL)
        return;
    g_free(rubric->path);
    g_free(rubric->allocator);
    if (rubric->items)
        g_ptr_array_unref(rubric->items);
    g_free(rubric);
}

/* Checks the text line by line, then reads it with GKeyFile into `rubric`. */
static gboolean parse_rubric(const char *text, LineMap *map, Rubric *rubric, GError **error)
{
    if (!g_utf8_validate(text, -1, NULL))
        return rubric_fail(error, map->path, 1, "the rubric is not UTF-8 text");
    if (!scan_lines(text, map, error))
        return FALSE;
    g_autoptr(GKeyFile) file = g_key_file_new();
    g_autoptr(GError) local = NULL;
    if (!g_key_file_load_from_data(file, text, (gsize)-1, G_KEY_FILE_NONE, &local))
        return rubric_fail(error, map->path, 1, "%s", local->message);
    if (!read_grading(file, map, rubric, error) || !read_items(file, map, rubric, error))
        return FALSE;
    if (rubric->items->len == 0)
        return rubric_fail(
            error, map->path, group_line(map, GRADING),
            "no workload sections: add one per workload, e.g. [tester-1] with points = 10");
    return TRUE;
}

Rubric *rubric_load(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) local = NULL;
    if (!g_file_get_contents(path, &text, NULL, &local)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "%s:0: cannot read the rubric: %s",
                    path, local->message);
        return NULL;
    }
    LineMap map = {.path = path,
                   .group_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                   .key_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    Rubric *rubric = g_new0(Rubric, 1);
    rubric->path = g_strdup(path);
    rubric->items = g_ptr_array_new_with_free_func((GDestroyNotify)rubric_item_free);
    gboolean ok = parse_rubric(text, &map, rubric, error);
    g_hash_table_unref(map.group_lines);
    g_hash_table_unref(map.key_lines);
    if (!ok) {
        rubric_free(rubric);
        return NULL;
    }
    return rubric;
}
