/* Check tests of the platform files of a run that graded nothing
 * (platform_write_ungraded) and of the build log's excerpt
 * (platform_build_log_excerpt). The excerpt is held to what it promises:
 * whole lines of the log, in order, at most the limit, the first error
 * line inside, and the bytes left out counted exactly. The platform files
 * are read back with json-glib and checked field by field; the grader's
 * fault (gradable = FALSE) is the case mcompare's command line cannot
 * reach today, so it is tested here. */
#include <check.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "format.h"
#include "rubric.h"

/* tests/mcompare/junit.xsd, from the command line. */
static const char *junit_schema;

/* `path` is valid against the JUnit schema (xmllint). */
static void assert_junit_valid(const char *path)
{
    const char *argv[] = {"xmllint", "--noout", "--schema", junit_schema, path, NULL};
    int status = -1;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    ck_assert_msg(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               &err, &status, &error),
                  "xmllint: %s", error ? error->message : "");
    ck_assert_msg(g_spawn_check_wait_status(status, NULL), "xmllint %s: %s", path, err);
}

/* A log of `lines` numbered warning lines with "alloc.c:N: error: ..." as
 * line `error_at` (0: none). */
static char *numbered_log(guint lines, guint error_at)
{
    GString *log = g_string_new(NULL);
    for (guint i = 1; i <= lines; i++) {
        if (i == error_at)
            g_string_append_printf(log, "alloc.c:%u:5: error: expected ';' before '}' token\n", i);
        else
            g_string_append_printf(log, "alloc.c:%u:1: warning: unused variable 'x%u' [-W]\n", i,
                                   i);
    }
    return g_string_free(log, FALSE);
}

/* The body of an excerpt (without its "left out" notes), and the two counts. */
typedef struct {
    char *body;
    gsize before, after; /* bytes said to be left out */
} Excerpt;

static Excerpt parse_excerpt(const char *excerpt)
{
    Excerpt parsed = {0};
    const char *body = excerpt;
    if (sscanf(excerpt, "[... the first %zu bytes", &parsed.before) == 1)
        body = strchr(excerpt, '\n') + 1;
    const char *tail = strstr(body, "[... the last ");
    if (tail != NULL)
        ck_assert_int_eq(sscanf(tail, "[... the last %zu bytes", &parsed.after), 1);
    parsed.body = g_strndup(body, tail != NULL ? (gsize)(tail - body) : strlen(body));
    return parsed;
}

/* The excerpt is whole lines of `log`, where the notes say, and fits the limit. */
static void assert_faithful(const char *log, const Excerpt *parsed)
{
    gsize length = strlen(log), kept = strlen(parsed->body);
    ck_assert_uint_le(kept, PLATFORM_BUILD_LOG_LIMIT);
    ck_assert_uint_eq(parsed->before + kept + parsed->after, length);
    ck_assert(memcmp(log + parsed->before, parsed->body, kept) == 0);
    ck_assert(parsed->before == 0 || log[parsed->before - 1] == '\n');
    ck_assert(kept > 0 && parsed->body[kept - 1] == '\n');
}

START_TEST(short_log_is_whole)
{
    g_autofree char *log = numbered_log(20, 7);
    g_autofree char *excerpt = platform_build_log_excerpt(log, strlen(log));
    ck_assert_str_eq(excerpt, log);
}
END_TEST

START_TEST(long_log_keeps_first_error)
{
    /* About 300 KiB; the first error at line 3000 (about 180 KiB in), a
     * second one later: the excerpt starts a few lines before the first. */
    g_autofree char *log = numbered_log(5000, 3000);
    char *second = strstr(log, "alloc.c:4000:1: warning");
    memcpy(second + strlen("alloc.c:4000:1: "), "error:  ", 8);
    ck_assert_uint_gt(strlen(log), 4 * PLATFORM_BUILD_LOG_LIMIT);
    g_autofree char *excerpt = platform_build_log_excerpt(log, strlen(log));
    Excerpt parsed = parse_excerpt(excerpt);
    assert_faithful(log, &parsed);
    ck_assert_ptr_nonnull(strstr(parsed.body, "alloc.c:3000:5: error: expected ';'"));
    g_autofree char *context =
        g_strdup_printf("alloc.c:%d:1: warning", 3000 - PLATFORM_BUILD_LOG_CONTEXT_LINES);
    ck_assert(g_str_has_prefix(parsed.body, context));
    ck_assert_uint_gt(parsed.before, 0);
    ck_assert_uint_gt(parsed.after, 0);
    g_free(parsed.body);
}
END_TEST

START_TEST(long_log_without_error_keeps_its_end)
{
    g_autofree char *log = numbered_log(5000, 0);
    g_autofree char *excerpt = platform_build_log_excerpt(log, strlen(log));
    Excerpt parsed = parse_excerpt(excerpt);
    assert_faithful(log, &parsed);
    ck_assert_uint_eq(parsed.after, 0);
    ck_assert(g_str_has_suffix(parsed.body, "unused variable 'x5000' [-W]\n"));
    /* As much of the end as fits: one more line would not. */
    ck_assert_uint_gt(strlen(parsed.body) + 60, PLATFORM_BUILD_LOG_LIMIT);
    g_free(parsed.body);
}
END_TEST

START_TEST(log_made_printable)
{
    const char log[] = "\x1b[01m\x1b[Kalloc.c:1:1:\x1b[m\x1b[K \x1b[01;31merror:\x1b[m bad\x01 "
                       "\xff\n";
    g_autofree char *excerpt = platform_build_log_excerpt(log, sizeof log - 1);
    ck_assert(g_utf8_validate(excerpt, -1, NULL));
    ck_assert(g_str_has_prefix(excerpt, "alloc.c:1:1: error: bad? "));
    ck_assert_ptr_null(strchr(excerpt, '\x1b'));
}
END_TEST

/* A rubric of two items, 5 and 10 points, in a file under `dir`. */
static Rubric *two_item_rubric(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "rubric.ini", NULL);
    const char *text = "[grading]\nallocator = ./alloc.so\npass = 50%\n\n"
                       "[tester-1]\npoints = 5\n\n[tester-3]\npoints = 10\nmax-ratio = 1.10\n";
    ck_assert(g_file_set_contents(path, text, -1, NULL));
    g_autoptr(GError) error = NULL;
    Rubric *rubric = rubric_load(path, &error);
    ck_assert_msg(rubric != NULL, "%s", error ? error->message : "");
    return rubric;
}

static JsonObject *read_json(const char *path, JsonParser *parser)
{
    g_autoptr(GError) error = NULL;
    ck_assert_msg(json_parser_load_from_file(parser, path, &error), "%s: %s", path,
                  error ? error->message : "");
    return json_node_get_object(json_parser_get_root(parser));
}

/* The three files for one `gradable`, read back. */
static void check_ungraded_files(gboolean gradable)
{
    g_autofree char *dir = g_dir_make_tmp("mcompare-ungraded-XXXXXX", NULL);
    g_autofree char *gs = g_build_filename(dir, "gs.json", NULL);
    g_autofree char *pl = g_build_filename(dir, "pl.json", NULL);
    g_autofree char *junit = g_build_filename(dir, "junit.xml", NULL);
    g_autoptr(Rubric) rubric = two_item_rubric(dir);
    PlatformFiles files = {.gradescope = gs, .prairielearn = pl, .junit = junit};
    const char *message = "Not graded: the grader cannot contain the program & <its> kin.\n\n"
                          "Second paragraph.";
    ck_assert(platform_write_ungraded(&files, rubric, message, gradable));

    g_autoptr(JsonParser) gs_parser = json_parser_new();
    JsonObject *doc = read_json(gs, gs_parser);
    ck_assert_double_eq(json_object_get_double_member(doc, "score"), 0);
    ck_assert_double_eq(json_object_get_double_member(doc, "max_score"), 15);
    ck_assert_str_eq(json_object_get_string_member(doc, "output"), message);
    JsonArray *tests = json_object_get_array_member(doc, "tests");
    ck_assert_uint_eq(json_array_get_length(tests), 2);
    JsonObject *second = json_array_get_object_element(tests, 1);
    ck_assert(g_str_has_prefix(json_object_get_string_member(second, "name"), "tester-3 ("));
    ck_assert_double_eq(json_object_get_double_member(second, "max_score"), 10);
    ck_assert_str_eq(json_object_get_string_member(second, "status"), "failed");
    ck_assert_str_eq(json_object_get_string_member(second, "output"),
                     "Not graded: the grader cannot contain the program & <its> kin.");

    g_autoptr(JsonParser) pl_parser = json_parser_new();
    doc = read_json(pl, pl_parser);
    ck_assert_int_eq(json_object_get_boolean_member(doc, "gradable"), gradable);
    ck_assert_double_eq(json_object_get_double_member(doc, "score"), 0);
    ck_assert_str_eq(json_object_get_string_member(doc, "message"), message);
    tests = json_object_get_array_member(doc, "tests");
    ck_assert_double_eq(
        json_object_get_double_member(json_array_get_object_element(tests, 0), "max_points"), 5);

    g_autofree char *xml = NULL;
    ck_assert(g_file_get_contents(junit, &xml, NULL, NULL));
    g_autofree char *counts = g_strdup_printf("tests=\"2\" failures=\"%d\" errors=\"%d\"",
                                              gradable ? 2 : 0, gradable ? 0 : 2);
    ck_assert_ptr_nonnull(strstr(xml, counts));
    ck_assert_ptr_nonnull(strstr(xml, gradable
                                          ? "<failure message=\"Not graded: the grader "
                                            "cannot contain the program &amp; &lt;its&gt; kin.\""
                                          : "<error message=\"Not graded: the grader "
                                            "cannot contain the program &amp; &lt;its&gt; kin.\""));
    ck_assert_ptr_nonnull(strstr(xml, "<testcase name=\"tester-3\""));
    ck_assert_ptr_nonnull(strstr(xml, "<property name=\"score\" value=\"0/15\"/>"));
    ck_assert_ptr_nonnull(strstr(xml, "kin.\n\nSecond paragraph.</system-out>"));
    assert_junit_valid(junit);
}

START_TEST(ungraded_by_the_students_fault)
{
    check_ungraded_files(TRUE);
}
END_TEST

START_TEST(ungraded_by_the_graders_fault)
{
    check_ungraded_files(FALSE);
}
END_TEST

/* A file that cannot be written is reported; the others are still written. */
START_TEST(ungraded_write_error)
{
    g_autofree char *dir = g_dir_make_tmp("mcompare-ungraded-XXXXXX", NULL);
    g_autofree char *pl = g_build_filename(dir, "pl.json", NULL);
    g_autofree char *missing = g_build_filename(dir, "no-such-folder", "gs.json", NULL);
    PlatformFiles files = {.gradescope = missing, .prairielearn = pl};
    ck_assert(!platform_write_ungraded(&files, NULL, "Not graded: why.", TRUE));
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *doc = read_json(pl, parser);
    JsonArray *tests = json_object_get_array_member(doc, "tests");
    ck_assert_uint_eq(json_array_get_length(tests), 1);
    ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(tests, 0), "name"),
                     "grading");
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test-platforms JUNIT_XSD\n");
        return 2;
    }
    junit_schema = argv[1];
    Suite *suite = suite_create("platforms");
    TCase *excerpt = tcase_create("build log");
    tcase_add_test(excerpt, short_log_is_whole);
    tcase_add_test(excerpt, long_log_keeps_first_error);
    tcase_add_test(excerpt, long_log_without_error_keeps_its_end);
    tcase_add_test(excerpt, log_made_printable);
    suite_add_tcase(suite, excerpt);
    TCase *ungraded = tcase_create("ungraded");
    tcase_add_test(ungraded, ungraded_by_the_students_fault);
    tcase_add_test(ungraded, ungraded_by_the_graders_fault);
    tcase_add_test(ungraded, ungraded_write_error);
    suite_add_tcase(suite, ungraded);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
