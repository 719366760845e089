/* The grading platforms' results files (json-glib): Gradescope's autograder
 * results.json (--gradescope) and PrairieLearn's external grader results.json
 * (--prairielearn). Both carry the rubric's score and one test per rubric
 * item, so they need a rubric; the fields are the platforms' documented ones
 * (docs/grading.md names the specifications). With several graded
 * allocators (-a a.so,b.so) every item appears once per allocator, named
 * after it, and the totals add up over all of them.
 *
 * A run that graded nothing (a submission that did not build, a grader that
 * cannot contain it) still writes every platform file, JUnit's included:
 * score 0, every test failed, and a message that says why in a student's
 * words, with the build's output when the grader passed it along. */
#include <elf.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "json_member.h"
#include "output_file.h"
#include "workloads.h"

/* The rubric item's checks in words, without figures: what the test covers.
 * "STATUS OK, MAX / optimal <= 1.10, CPU <= 2.00 x libc". */
static char *item_checks(const RubricItem *item)
{
    GString *words = g_string_new(NULL);
    switch (item->status) {
    case EXPECT_OK:
        g_string_append(words, "STATUS OK");
        break;
    case EXPECT_FAILED:
        g_string_append(words, "STATUS FAILED expected");
        break;
    case EXPECT_CODE:
        g_string_append_printf(words, "STATUS %d expected", item->status_code);
        break;
    case EXPECT_ANY:
        g_string_append(words, "any STATUS");
        break;
    }
    if (item->has_max_heap)
        g_string_append_printf(words, ", MAX <= %" G_GUINT64_FORMAT, item->max_heap);
    if (item->has_max_ratio)
        g_string_append_printf(words, ", MAX / optimal <= %.2f", item->max_ratio);
    if (item->has_time_ratio)
        g_string_append_printf(words, ", CPU <= %.2f x libc", item->time_ratio);
    if (item->has_cpu_seconds)
        g_string_append_printf(words, ", CPU <= %g s", item->cpu_seconds);
    return g_string_free(words, FALSE);
}

/* A test's name: "tester-3 (tester: STATUS OK, MAX / optimal <= 1.10)",
 * prefixed with "first-fit: " when `allocator` is not NULL. `kind` is the
 * workload's kind, "not run" when the run has none. */
static char *item_test_name(const char *allocator, const RubricItem *item, const char *kind)
{
    g_autofree char *checks = item_checks(item);
    return g_strdup_printf("%s%s%s (%s: %s)", allocator != NULL ? allocator : "",
                           allocator != NULL ? ": " : "", item->workload, kind, checks);
}

/* The test's name of a verdict; the allocator named when several were graded. */
static char *test_name(const Comparison *comparison, const AllocatorScore *own,
                       const ItemScore *verdict, gboolean several)
{
    const char *kind =
        verdict->workload != G_MAXUINT
            ? workload_kind_name(comparison_workload(comparison, verdict->workload)->kind)
            : "not run";
    return item_test_name(several ? comparison_column(comparison, own->allocator)->name : NULL,
                          verdict->item, kind);
}

/* How many allocators carry a grade (the libc reference column does not). */
static guint graded_allocators(const Score *score)
{
    guint graded = 0;
    for (guint a = 0; a < score->allocator_count; a++)
        graded += score->allocators[a].graded ? 1 : 0;
    return graded;
}

/* The points earned and possible over every graded allocator. */
static void score_totals(const Score *score, double *earned, double *possible)
{
    *earned = *possible = 0;
    for (guint a = 0; a < score->allocator_count; a++)
        if (score->allocators[a].graded) {
            *earned += score->allocators[a].earned;
            *possible += score->allocators[a].possible;
        }
}

/* One test of a results file, whatever the platform. */
typedef struct {
    char *name;
    const char *workload; /* the rubric item's section: JUnit's testcase name */
    double earned, possible;
    const char *why; /* the checks with their figures, or why nothing was graded */
} PlatformTest;

static void platform_test_free(PlatformTest *test)
{
    g_free(test->name);
    g_free(test);
}

static PlatformTest *platform_test_new(char *name, const char *workload, double earned,
                                       double possible, const char *why)
{
    PlatformTest *test = g_new(PlatformTest, 1);
    *test = (PlatformTest){
        .name = name, .workload = workload, .earned = earned, .possible = possible, .why = why};
    return test;
}

/* The submission's members of a results file. */
typedef struct {
    double earned, possible;
    gint64 seconds;     /* the run's wall-clock time */
    gboolean gradable;  /* FALSE: nothing was graded, and not by the student's fault */
    const char *output; /* the score lines, or why nothing was graded */
} Totals;

/* A platform's members of the submission, and of one test. */
typedef struct {
    void (*add_totals)(JsonBuilder *b, const Totals *totals);
    void (*add_test)(JsonBuilder *b, const PlatformTest *test);
} Platform;

/* The whole results.json of a platform, pretty-printed with a final newline. */
static char *platform_document(const Platform *platform, const Totals *totals,
                               const GPtrArray *tests)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    platform->add_totals(b, totals);
    json_builder_set_member_name(b, "tests");
    json_builder_begin_array(b);
    for (guint i = 0; i < tests->len; i++) {
        json_builder_begin_object(b);
        platform->add_test(b, g_ptr_array_index(tests, i));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_to_text(b);
}

/* TRUE when a graded allocator ran and loaded in none of its cells (status
 * 65 or 66 in each): its build, more than any test, says what went wrong. */
static gboolean graded_allocator_never_loaded(const Comparison *comparison, const Score *score)
{
    for (guint a = 0; a < score->allocator_count; a++) {
        if (!score->allocators[a].graded)
            continue;
        gboolean ran = FALSE, loaded = FALSE;
        for (guint w = 0; w < comparison->workloads->len; w++) {
            const Cell *cell = comparison_cell_const(comparison, w, a);
            if (cell->state != CELL_DONE)
                continue;
            ran = TRUE;
            loaded = loaded || (cell->result.code != MSTATS_CODE_LOAD &&
                                cell->result.code != MSTATS_CODE_MISSING_FUNCTION);
        }
        if (ran && !loaded)
            return TRUE;
    }
    return FALSE;
}

/* A graded run's results file: a test for every item of every graded
 * allocator, the score lines as the output, and the build log after them
 * when the allocator never loaded. */
static char *graded_document(const Platform *platform, const Comparison *comparison,
                             const Score *score, const char *build_log)
{
    gboolean several = graded_allocators(score) > 1;
    g_autoptr(GPtrArray) tests = g_ptr_array_new_with_free_func((GDestroyNotify)platform_test_free);
    for (guint a = 0; a < score->allocator_count; a++) {
        const AllocatorScore *own = &score->allocators[a];
        if (!own->graded)
            continue;
        for (guint i = 0; i < own->item_count; i++) {
            const ItemScore *verdict = &own->items[i];
            g_ptr_array_add(tests, platform_test_new(test_name(comparison, own, verdict, several),
                                                     verdict->item->workload, verdict->earned,
                                                     verdict->item->points, verdict->why));
        }
    }
    g_autofree char *lines = score_render_lines(score, comparison);
    g_strchomp(lines);
    g_autofree char *output =
        build_log != NULL && graded_allocator_never_loaded(comparison, score)
            ? g_strdup_printf("%s\n\nYour allocator could not be loaded in any test. %s", lines,
                              build_log)
            : g_strdup(lines);
    /* An interrupted run graded nothing: PrairieLearn then shows the
     * message instead of a score and charges the student no attempt. */
    Totals totals = {.seconds = (gint64)(comparison->elapsed_seconds + 0.5),
                     .gradable = !comparison->interrupted,
                     .output =
                         comparison->interrupted ? "mcompare was interrupted: not graded" : output};
    score_totals(score, &totals.earned, &totals.possible);
    return platform_document(platform, &totals, tests);
}

/* Gradescope: score and max_score in points, status passed/failed. */
static void add_gradescope_test(JsonBuilder *b, const PlatformTest *test)
{
    json_member_string(b, "name", test->name);
    json_member_double(b, "score", test->earned);
    json_member_double(b, "max_score", test->possible);
    json_member_string(b, "status", test->earned >= test->possible ? "passed" : "failed");
    json_member_string(b, "output", test->why);
}

/* Gradescope's submission: the points earned and possible, the run's
 * seconds and the score lines. Gradescope has no "not gradable": a run that
 * graded nothing scores 0 and says why. */
static void add_gradescope_totals(JsonBuilder *b, const Totals *totals)
{
    json_member_double(b, "score", totals->earned);
    json_member_double(b, "max_score", totals->possible);
    json_member_int(b, "execution_time", totals->seconds);
    json_member_string(b, "output", totals->output);
}

static const Platform gradescope = {add_gradescope_totals, add_gradescope_test};

char *format_gradescope(const Comparison *comparison, const Score *score, const char *build_log)
{
    return graded_document(&gradescope, comparison, score, build_log);
}

/* PrairieLearn: points and max_points, the checks with their figures as the message. */
static void add_prairielearn_test(JsonBuilder *b, const PlatformTest *test)
{
    json_member_string(b, "name", test->name);
    json_member_double(b, "points", test->earned);
    json_member_double(b, "max_points", test->possible);
    json_member_string(b, "message", test->why);
}

/* PrairieLearn's submission: gradable, the score as a fraction and the
 * score lines as the message. */
static void add_prairielearn_totals(JsonBuilder *b, const Totals *totals)
{
    json_member_bool(b, "gradable", totals->gradable);
    json_member_double(b, "score", totals->possible > 0 ? totals->earned / totals->possible : 0.0);
    json_member_string(b, "message", totals->output);
}

static const Platform prairielearn = {add_prairielearn_totals, add_prairielearn_test};

char *format_prairielearn(const Comparison *comparison, const Score *score, const char *build_log)
{
    return graded_document(&prairielearn, comparison, score, build_log);
}

/* ---- A run that graded nothing ---- */

/* The tests of a run that graded nothing: every rubric item, named as a
 * graded run names it, with 0 points and `why`; without a rubric, one test
 * named "grading". */
static GPtrArray *ungraded_tests(const Rubric *rubric, const char *why)
{
    GPtrArray *tests = g_ptr_array_new_with_free_func((GDestroyNotify)platform_test_free);
    for (guint i = 0; rubric != NULL && i < rubric->items->len; i++) {
        const RubricItem *item = g_ptr_array_index(rubric->items, i);
        Workload *workload = workload_resolve(item->workload, item->workload, NULL);
        const char *kind = workload != NULL ? workload_kind_name(workload->kind) : "not run";
        g_ptr_array_add(tests, platform_test_new(item_test_name(NULL, item, kind), item->workload,
                                                 0, item->points, why));
        if (workload != NULL)
            workload_free(workload);
    }
    if (tests->len == 0)
        g_ptr_array_add(tests, platform_test_new(g_strdup("grading"), "grading", 0, 0, why));
    return tests;
}

/* The JUnit report of a run that graded nothing: one testsuite, a testcase
 * per test failed with `why` (an error when the grader is at fault), and the
 * whole message as the testsuite's output. */
static char *junit_ungraded(const GPtrArray *tests, const char *message, const char *why,
                            gboolean gradable)
{
    g_autofree char *escaped_why = format_xml_text(why);
    g_autofree char *escaped_message = format_xml_text(message);
    const char *element = gradable ? "failure" : "error";
    guint failures = gradable ? tests->len : 0, errors = gradable ? 0 : tests->len;
    double possible = 0;
    GString *cases = g_string_new(NULL);
    for (guint i = 0; i < tests->len; i++) {
        const PlatformTest *test = g_ptr_array_index(tests, i);
        g_autofree char *name = format_xml_text(test->workload);
        possible += test->possible;
        g_string_append_printf(cases,
                               "    <testcase name=\"%s\" classname=\"mcompare.not_graded\" "
                               "time=\"0\">\n"
                               "      <%s message=\"%s\" type=\"not graded\">%s</%s>\n"
                               "    </testcase>\n",
                               name, element, escaped_why, escaped_why, element);
    }
    g_autofree char *points = score_format_points(possible);
    g_autofree char *counts =
        g_strdup_printf("tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"0\" time=\"0\"",
                        tests->len, failures, errors);
    char *text = g_strdup_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                 "<testsuites name=\"mcompare\" %s>\n"
                                 "  <testsuite name=\"not graded\" %s>\n"
                                 "    <properties>\n"
                                 "      <property name=\"score\" value=\"0/%s\"/>\n"
                                 "      <property name=\"passed\" value=\"false\"/>\n"
                                 "    </properties>\n"
                                 "%s"
                                 "    <system-out>%s</system-out>\n"
                                 "  </testsuite>\n"
                                 "</testsuites>\n",
                                 counts, counts, points, cases->str, escaped_message);
    g_string_free(cases, TRUE);
    return text;
}

gboolean platform_write_ungraded(const PlatformFiles *files, const Rubric *rubric,
                                 const char *message, gboolean gradable)
{
    /* The tests say the first line; the submission's output says it all. */
    g_autofree char *why = g_strndup(message, strcspn(message, "\n"));
    g_autoptr(GPtrArray) tests = ungraded_tests(rubric, why);
    Totals totals = {.gradable = gradable, .output = message};
    for (guint i = 0; i < tests->len; i++)
        totals.possible += ((const PlatformTest *)g_ptr_array_index(tests, i))->possible;
    const struct {
        const char *path;
        char *text;
    } outputs[] = {
        {files->gradescope,
         files->gradescope ? platform_document(&gradescope, &totals, tests) : NULL},
        {files->prairielearn,
         files->prairielearn ? platform_document(&prairielearn, &totals, tests) : NULL},
        {files->junit, files->junit ? junit_ungraded(tests, message, why, gradable) : NULL},
    };
    gboolean written = TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS(outputs); i++) {
        g_autoptr(GError) error = NULL;
        if (outputs[i].path != NULL &&
            !output_file_write(outputs[i].path, outputs[i].text, -1, &error)) {
            fprintf(stderr, "mcompare: %s\n", error->message);
            written = FALSE;
        }
        g_free(outputs[i].text);
    }
    return written;
}

/* ---- The submission and its build ---- */

/* The ELF header of the file open on `fd` (zeros past a short file): the
 * bytes read, or -1. */
static ssize_t read_elf_header(int fd, ElfW(Ehdr) * header)
{
    memset(header, 0, sizeof *header);
    return pread(fd, header, sizeof *header, 0);
}

/* TRUE when the ELF file open on `fd`, of mcompare's own class, names a
 * program interpreter: it is a program (a PIE is ET_DYN like a library). */
static gboolean has_interpreter(int fd, const ElfW(Ehdr) * header)
{
    if (header->e_phentsize != sizeof(ElfW(Phdr)))
        return FALSE;
    for (ElfW(Half) i = 0; i < header->e_phnum; i++) {
        ElfW(Phdr) segment;
        off_t at = (off_t)(header->e_phoff + (ElfW(Off))i * sizeof segment);
        if (pread(fd, &segment, sizeof segment, at) != (ssize_t)sizeof segment)
            return FALSE;
        if (segment.p_type == PT_INTERP)
            return TRUE;
    }
    return FALSE;
}

/* Why the ELF file open on `fd` is no shared object this machine loads, or
 * NULL. Its class, byte order and machine must be mcompare's own: the
 * programs that load it are built as mcompare is. */
static char *elf_problem(int fd, const char *name)
{
    ElfW(Ehdr) header, own;
    ssize_t length = read_elf_header(fd, &header);
    if (length < 0)
        return g_strdup_printf("%s cannot be read: %s", name, g_strerror(errno));
    if (length < EI_NIDENT || memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
        return g_strdup_printf("%s is not a shared object (not an ELF file): build it with "
                               "-shared -fPIC, as the course's Makefile does",
                               name);
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    gboolean foreign =
        self >= 0 && read_elf_header(self, &own) == (ssize_t)sizeof own &&
        (header.e_ident[EI_CLASS] != own.e_ident[EI_CLASS] ||
         header.e_ident[EI_DATA] != own.e_ident[EI_DATA] || header.e_machine != own.e_machine);
    if (self >= 0)
        close(self);
    if (foreign)
        return g_strdup_printf("%s was built for another machine (%s): build it here, without "
                               "-m32 or a cross-compiler",
                               name,
                               header.e_ident[EI_CLASS] == ELFCLASS32 ? "32-bit" : "not this one");
    if (header.e_type == ET_REL)
        return g_strdup_printf("%s is an object file, not a shared object: link it with "
                               "-shared -fPIC",
                               name);
    if (header.e_type != ET_DYN || has_interpreter(fd, &header))
        return g_strdup_printf("%s is a program, not a shared object: build it with -shared "
                               "-fPIC, and without a main function",
                               name);
    return NULL;
}

char *platform_submission_problem(const char *path)
{
    g_autofree char *name = g_path_get_basename(path);
    struct stat info;
    if (stat(path, &info) != 0)
        return g_strdup_printf("%s does not exist: your code did not compile, or was not built",
                               name);
    if (S_ISDIR(info.st_mode))
        return g_strdup_printf("%s is a folder, not a shared object", name);
    if (info.st_size == 0)
        return g_strdup_printf("%s is empty: the build stopped before writing it", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return g_strdup_printf("%s cannot be read: %s", name, g_strerror(errno));
    char *problem = elf_problem(fd, name);
    close(fd);
    return problem;
}

/* Printable text: valid UTF-8, terminal colour sequences removed (a build
 * may force colours), other control characters but tab and newline as '?'. */
static char *printable_log(const char *text, gsize length)
{
    g_autofree char *valid = g_utf8_make_valid(text, (gssize)length);
    g_autoptr(GRegex) colours = g_regex_new("\x1b\\[[0-9;?]*[A-Za-z]", 0, 0, NULL);
    char *plain = g_regex_replace_literal(colours, valid, -1, 0, "", 0, NULL);
    for (char *c = plain; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\n')
            *c = '?';
    return plain;
}

/* Where the excerpt of a long log starts: a few lines before its first
 * error (the compiler's "In function" lines come before it), else where the
 * last PLATFORM_BUILD_LOG_LIMIT bytes start, at a line's start. */
static gsize excerpt_start(const char *log, gsize length)
{
    g_autoptr(GRegex) error_line = g_regex_new("error:|undefined reference|\\*\\*\\* ",
                                               G_REGEX_CASELESS | G_REGEX_MULTILINE, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;
    int start = 0, end = 0;
    gsize at;
    if (g_regex_match(error_line, log, 0, &match) &&
        g_match_info_fetch_pos(match, 0, &start, &end)) {
        at = (gsize)start;
        for (int lines = 0; at > 0 && lines <= PLATFORM_BUILD_LOG_CONTEXT_LINES; at--)
            lines += log[at - 1] == '\n';
        return at == 0 ? 0 : at + 1;
    }
    at = length - PLATFORM_BUILD_LOG_LIMIT;
    while (at < length && log[at - 1] != '\n')
        at++;
    return at;
}

char *platform_build_log_excerpt(const char *text, gsize length)
{
    g_autofree char *log = printable_log(text, length);
    gsize size = strlen(log);
    if (size <= PLATFORM_BUILD_LOG_LIMIT)
        return g_steal_pointer(&log);
    gsize start = excerpt_start(log, size);
    gsize end = MIN(size, start + PLATFORM_BUILD_LOG_LIMIT);
    while (end < size && end > start && log[end - 1] != '\n')
        end--;
    GString *excerpt = g_string_new(NULL);
    if (start > 0)
        g_string_append_printf(excerpt,
                               "[... the first %zu bytes of the build's output left out "
                               "...]\n",
                               start);
    g_string_append_len(excerpt, log + start, (gssize)(end - start));
    if (end < size)
        g_string_append_printf(excerpt, "%s[... the last %zu bytes left out ...]\n",
                               end > start && log[end - 1] == '\n' ? "" : "\n", size - end);
    return g_string_free(excerpt, FALSE);
}

char *platform_build_log(const char *path)
{
    g_autofree char *text = NULL;
    gsize length = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &text, &length, &error))
        return g_strdup_printf("The build's output could not be read: %s", error->message);
    if (length == 0)
        return g_strdup("The build printed nothing.");
    g_autofree char *excerpt = platform_build_log_excerpt(text, length);
    g_strchomp(excerpt);
    return g_strdup_printf("The build's output (fix its first error first, then submit "
                           "again):\n\n%s",
                           excerpt);
}

char *platform_ungraded_message(const char *problem, const char *build_log)
{
    return g_strdup_printf("Not graded, so every test scores 0: %s.%s%s", problem,
                           build_log != NULL ? "\n\n" : "", build_log != NULL ? build_log : "");
}
