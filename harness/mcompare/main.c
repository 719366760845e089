/* mcompare: runs every allocator on every workload and prints the comparison
 * (table, Markdown, CSV, JSON or JUnit XML), optionally scored by a rubric;
 * or emits the cells as jobs for another runner and merges their results.
 * Option parsing and the choice of outputs only; the work is elsewhere. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"
#include "cli.h"
#include "environment.h"
#include "format.h"
#include "jobs.h"
#include "output_file.h"
#include "render.h"
#include "rubric.h"
#include "sandbox.h"
#include "scheduler.h"
#include "score.h"
#include "workloads.h"

typedef struct {
    char **allocators;
    char **workloads;
    int jobs;
    char *format;
    char *output;
    char *rubric;
    char *pass;
    double timeout;
    char *memory_limit;
    int alignment;
    gboolean no_sandbox;
    char **writable; /* --writable, made canonical by check_options */
    char *markdown_file, *json_file, *csv_file, *junit_file;
    char *gradescope_file, *prairielearn_file;
    char *build_log; /* the submission's build output, for the platform files */
    char *chart_file;
    char *emit_jobs;
    char *merge;
    char *label;
    gboolean quiet;
    gboolean version;
} Options;

/* The runner forwards Ctrl-C to at most MSTATS_RUNNING_MAX running programs. */
#define MCOMPARE_MAX_JOBS MSTATS_RUNNING_MAX

static Options options = {.timeout = MSTATS_DEFAULT_TIMEOUT, .jobs = 0};

static const GOptionEntry entries[] = {
    {"allocators", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &options.allocators,
     "Comma-separated allocators: built-in names, libc, or .so paths (default: the five "
     "strategies and libc)",
     "ALLOCATORS"},
    {"workloads", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &options.workloads,
     "Comma-separated workloads: tester-N, FILE.rep, a program (with arguments), testers, "
     "traces or all (default all)",
     "WORKLOADS"},
    {"jobs", 'j', 0, G_OPTION_ARG_INT, &options.jobs, "Cells run at a time (default: the cores)",
     "JOBS"},
    {"format", 0, 0, G_OPTION_ARG_STRING, &options.format,
     "Report format: table (default), markdown, csv, json or junit", "FORMAT"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &options.output,
     "Write the report to FILE instead of stdout", "FILE"},
    {"rubric", 0, 0, G_OPTION_ARG_FILENAME, &options.rubric,
     "Score the run with the rubric FILE (INI); exit 1 below the pass mark", "FILE"},
    {"pass", 0, 0, G_OPTION_ARG_STRING, &options.pass,
     "Pass mark in points (or N%), replacing the rubric's", "SCORE"},
    {"timeout", 't', 0, G_OPTION_ARG_DOUBLE, &options.timeout,
     "Stop each cell after SECONDS of CPU time (rounded up), or 10 times as long waiting "
     "(default 30; 0 = never)",
     "SECONDS"},
    {"memory-limit", 'm', 0, G_OPTION_ARG_STRING, &options.memory_limit,
     "Stop a cell when its heap passes SIZE (default 2.5G; K, M, G suffixes)", "SIZE"},
    {"align", 0, 0, G_OPTION_ARG_INT, &options.alignment,
     "Check every block for BYTES alignment: 16 (default), 8, or 1 to check none (replacing a "
     "rubric's align)",
     "BYTES"},
    {"no-sandbox", 0, 0, G_OPTION_ARG_NONE, &options.no_sandbox,
     "Run the cells outside the bubblewrap sandbox (debugging; the report says so, and a rubric "
     "with sandbox = required gives them nothing)",
     NULL},
    {"writable", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.writable,
     "Let every cell write PATH, an existing directory or file (repeatable); the sandbox keeps "
     "everything else read-only",
     "PATH"},
    {"markdown", 0, 0, G_OPTION_ARG_FILENAME, &options.markdown_file,
     "Also write the Markdown report to FILE", "FILE"},
    {"json", 0, 0, G_OPTION_ARG_FILENAME, &options.json_file, "Also write the JSON report to FILE",
     "FILE"},
    {"csv", 0, 0, G_OPTION_ARG_FILENAME, &options.csv_file, "Also write the CSV report to FILE",
     "FILE"},
    {"junit", 0, 0, G_OPTION_ARG_FILENAME, &options.junit_file,
     "Also write the JUnit XML report to FILE", "FILE"},
    {"gradescope", 0, 0, G_OPTION_ARG_FILENAME, &options.gradescope_file,
     "Also write Gradescope's autograder results.json to FILE (needs --rubric)", "FILE"},
    {"prairielearn", 0, 0, G_OPTION_ARG_FILENAME, &options.prairielearn_file,
     "Also write PrairieLearn's external grader results.json to FILE (needs --rubric)", "FILE"},
    {"build-log", 0, 0, G_OPTION_ARG_FILENAME, &options.build_log,
     "The submission's build output: the platform files (--gradescope, --prairielearn, "
     "--junit) show it when the allocator was not built or could not be loaded",
     "FILE"},
    {"chart", 0, 0, G_OPTION_ARG_FILENAME, &options.chart_file,
     "Also draw MAX / optimal reuse and the time ratio per workload as a PNG chart in FILE (the "
     "Markdown report embeds it)",
     "FILE"},
    {"emit-jobs", 0, 0, G_OPTION_ARG_FILENAME, &options.emit_jobs,
     "Run nothing: print one shell command per cell, each writing its result into DIR", "DIR"},
    {"merge", 0, 0, G_OPTION_ARG_FILENAME, &options.merge,
     "Run nothing: report the results the jobs of --emit-jobs wrote into DIR", "DIR"},
    {"label", 0, 0, G_OPTION_ARG_STRING, &options.label,
     "Name the (single) workload NAME in reports (emitted jobs use it)", "NAME"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &options.quiet, "No progress on stderr", NULL},
    {"version", 0, 0, G_OPTION_ARG_NONE, &options.version, "Print the version and exit", NULL},
    G_OPTION_ENTRY_NULL,
};

/* One line on stderr naming the problem; exit status 2. */
static int usage_error(const char *message)
{
    fprintf(stderr, "mcompare: %s (see mcompare --help)\n", message);
    return 2;
}

/* Rubric and trace errors start with FILE:LINE: and stand alone on the line,
 * as a compiler's do; other errors get the program's prefix. */
static int input_error(const GError *error)
{
    if (g_regex_match_simple("^[^ :]+:[0-9]+: ", error->message, 0, 0)) {
        fprintf(stderr, "%s\n", error->message);
        return 2;
    }
    return usage_error(error->message);
}

/* The --chart picture once written, for the Markdown reports to embed. */
static const char *written_chart;

/* The report in `format` for `path` (NULL: stdout): a Markdown report
 * embeds the chart, named as seen from where the report is. */
static char *render_report(ReportFormat format, const char *path, const Comparison *comparison,
                           const Score *score)
{
    if (format != FORMAT_MARKDOWN || written_chart == NULL)
        return report_render(format, comparison, score);
    g_autofree char *href = chart_markdown_href(written_chart, path);
    return format_markdown_with_chart(comparison, score, href);
}

/* Writes one report in `format` to `path` in place (output_file.h: through
 * links, into FIFOs and devices, never creating a folder). FALSE after one
 * line on stderr; the caller goes on with the other reports. */
static gboolean write_report(const char *path, ReportFormat format, const Comparison *comparison,
                             const Score *score)
{
    g_autofree char *text = render_report(format, path, comparison, score);
    g_autoptr(GError) error = NULL;
    if (output_file_write(path, text, -1, &error))
        return TRUE;
    fprintf(stderr, "mcompare: %s\n", error->message);
    return FALSE;
}

/* --build-log as the platform files show it, or NULL without one. */
static char *build_log_text(void)
{
    return options.build_log != NULL ? platform_build_log(options.build_log) : NULL;
}

/* Writes --gradescope and --prairielearn (check_options made sure that a
 * rubric scored the run). FALSE when one of them could not be written. */
static gboolean write_platform_results(const Comparison *comparison, const Score *score)
{
    const struct {
        const char *path;
        char *(*render)(const Comparison *, const Score *, const char *);
    } platforms[] = {{options.gradescope_file, format_gradescope},
                     {options.prairielearn_file, format_prairielearn}};
    g_autofree char *build_log = build_log_text();
    gboolean written = TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS(platforms); i++) {
        if (platforms[i].path == NULL || score == NULL)
            continue;
        g_autofree char *text = platforms[i].render(comparison, score, build_log);
        g_autoptr(GError) error = NULL;
        if (!output_file_write(platforms[i].path, text, -1, &error)) {
            fprintf(stderr, "mcompare: %s\n", error->message);
            written = FALSE;
        }
    }
    return written;
}

/* On GitHub Actions, GITHUB_STEP_SUMMARY names the job summary's file: the
 * Markdown report is appended to it (the steps before wrote there too, so
 * it is never truncated). FALSE after one line on stderr. */
static gboolean append_step_summary(const Comparison *comparison, const Score *score)
{
    const char *path = g_getenv("GITHUB_STEP_SUMMARY");
    if (path == NULL || *path == '\0')
        return TRUE;
    g_autofree char *report = report_render(FORMAT_MARKDOWN, comparison, score);
    /* GitHub strips data: images from job summaries and serves no local file,
     * so the chart is named, for the workflow to upload as an artifact. */
    g_autofree char *text =
        written_chart != NULL
            ? g_strdup_printf("%s\nThe chart of this run is `%s`: GitHub shows no local image in "
                              "a job summary, so upload it as an artifact.\n",
                              report, written_chart)
            : g_strdup(report);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    int failure = fd < 0 ? errno : output_fd_write_all(fd, text, strlen(text));
    if (fd >= 0 && close(fd) != 0 && failure == 0)
        failure = errno;
    if (failure == 0)
        return TRUE;
    fprintf(stderr, "mcompare: %s (GITHUB_STEP_SUMMARY): %s\n", path, g_strerror(failure));
    return FALSE;
}

/* The platform files asked for; `junit` is --junit, else the report when
 * it is JUnit XML (-o FILE, or standard output). */
static PlatformFiles platform_files(ReportFormat format)
{
    const char *report = options.output != NULL ? options.output : "/dev/stdout";
    return (PlatformFiles){
        .gradescope = options.gradescope_file,
        .prairielearn = options.prairielearn_file,
        .junit = options.junit_file != NULL ? options.junit_file
                 : format == FORMAT_JUNIT   ? report
                                            : NULL,
    };
}

/* Why a graded allocator file cannot be graded (platform_submission_problem),
 * or NULL: the files of -a, else the rubric's allocator. Names and libc are
 * the harness's own and always load. */
static char *submission_problem(const Rubric *rubric)
{
    g_autofree char *joined = options.allocators != NULL ? g_strjoinv(",", options.allocators)
                              : rubric != NULL           ? g_strdup(rubric->allocator)
                                                         : NULL;
    g_auto(GStrv) words = g_strsplit(joined != NULL ? joined : "", ",", -1);
    for (char **word = words; *word != NULL; word++) {
        g_strstrip(*word);
        if (strchr(*word, '/') == NULL && !g_str_has_suffix(*word, ".so"))
            continue;
        char *problem = platform_submission_problem(*word);
        if (problem != NULL)
            return problem;
    }
    return NULL;
}

/* When a rubric grades, platform files are asked for and the submission was
 * not built (or is no shared object), writes them for a run that graded nothing, the
 * student's fault, with the build log. Returns 1 then (score 0 is below any
 * pass mark), else 0: the run goes on. */
static int grade_unbuilt_submission(const Rubric *rubric, ReportFormat format)
{
    /* Without a rubric nothing is graded: a comparison shows an allocator
     * that cannot load as a row of failed cells, and runs the others. */
    if (rubric == NULL)
        return 0;
    PlatformFiles files = platform_files(format);
    if (files.gradescope == NULL && files.prairielearn == NULL && files.junit == NULL)
        return 0;
    g_autofree char *problem = submission_problem(rubric);
    if (problem == NULL)
        return 0;
    g_autofree char *build_log = build_log_text();
    g_autofree char *message = platform_ungraded_message(problem, build_log);
    fprintf(stderr, "mcompare: not graded: %s (the platform files say so)\n", problem);
    platform_write_ungraded(&files, rubric, message, TRUE);
    return 1;
}

/* This machine cannot meet the rubric (environment_unmet: `unmet`): one
 * line on stderr, and the platform files asked for, saying that nothing was
 * graded through no fault of the student's (PrairieLearn charges no
 * attempt). Returns MCOMPARE_EXIT_ENVIRONMENT. */
static int refuse_environment(const Rubric *rubric, ReportFormat format, const char *unmet)
{
    fprintf(stderr, "mcompare: %s\n", unmet);
    PlatformFiles files = platform_files(format);
    if (files.gradescope != NULL || files.prairielearn != NULL || files.junit != NULL) {
        g_autofree char *message = g_strdup_printf(
            "The autograder could not grade this submission: its machine cannot run the "
            "course's rubric safely. This is not a fault of your code: tell your "
            "instructor.\n\nFor the instructor: %s",
            unmet);
        platform_write_ungraded(&files, rubric, message, FALSE);
    }
    return MCOMPARE_EXIT_ENVIRONMENT;
}

/* Adds libc as a reference column when the rubric's time-ratio checks need
 * its CPU time and no column runs it already. Its cells sit beside the
 * graded cells of each workload in the table order the scheduler follows. */
static gboolean add_reference_column(const Rubric *rubric, GPtrArray *allocators, GError **error)
{
    if (rubric == NULL || !rubric_needs_reference(rubric))
        return TRUE;
    for (guint i = 0; i < allocators->len; i++)
        if (strcmp(((AllocatorColumn *)g_ptr_array_index(allocators, i))->spec,
                   MCOMPARE_REFERENCE_ALLOCATOR) == 0)
            return TRUE;
    if (!allocators_add(MCOMPARE_REFERENCE_ALLOCATOR, allocators, error))
        return FALSE;
    ((AllocatorColumn *)g_ptr_array_index(allocators, allocators->len - 1))->reference_only = TRUE;
    return TRUE;
}

/* The columns: -a, else the rubric's allocator, else the defaults. */
static gboolean plan_allocators(const Rubric *rubric, GPtrArray *allocators, GError **error)
{
    if (options.allocators != NULL) {
        for (char **list = options.allocators; *list; list++)
            if (!allocators_add(*list, allocators, error))
                return FALSE;
        return TRUE;
    }
    if (rubric != NULL && rubric->allocator != NULL)
        return allocators_add(rubric->allocator, allocators, error);
    if (rubric != NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "%s names no allocator: give -a or allocator = in [grading]", rubric->path);
        return FALSE;
    }
    return allocators_add(MCOMPARE_DEFAULT_ALLOCATORS, allocators, error);
}

/* The rows: -w, else the rubric's sections, else every workload; --label
 * renames a single one. */
static gboolean plan_workloads(const Rubric *rubric, GPtrArray *workloads, GError **error)
{
    if (options.workloads != NULL) {
        for (char **list = options.workloads; *list; list++)
            if (!workloads_add(*list, workloads, error))
                return FALSE;
    } else if (rubric != NULL) {
        for (guint i = 0; i < rubric->items->len; i++) {
            const RubricItem *item = g_ptr_array_index(rubric->items, i);
            g_autoptr(GError) local = NULL;
            Workload *workload = workload_resolve(item->workload, item->workload, &local);
            if (workload == NULL) {
                g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "%s:%u: [%s]: %s",
                            rubric->path, item->line, item->workload, local->message);
                return FALSE;
            }
            g_ptr_array_add(workloads, workload);
        }
    } else if (!workloads_add("all", workloads, error)) {
        return FALSE;
    }
    if (options.label == NULL)
        return TRUE;
    if (workloads->len != 1) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "--label names one workload, but -w gives %u", workloads->len);
        return FALSE;
    }
    Workload *only = g_ptr_array_index(workloads, 0);
    g_free(only->name);
    only->name = g_strdup(options.label);
    return TRUE;
}

/* The allocators and workloads to compare, with libc beside them when the
 * rubric's time-ratio checks need it. */
static Comparison *plan_comparison(const Rubric *rubric, GError **error)
{
    GPtrArray *allocators = g_ptr_array_new_with_free_func((GDestroyNotify)allocator_column_free);
    GPtrArray *workloads = g_ptr_array_new_with_free_func((GDestroyNotify)workload_free);
    gboolean ok =
        plan_allocators(rubric, allocators, error) && plan_workloads(rubric, workloads, error);
    if (ok && (allocators->len == 0 || workloads->len == 0)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                    "nothing to compare: -a and -w "
                    "name no allocator or no workload");
        ok = FALSE;
    }
    if (!ok || !add_reference_column(rubric, allocators, error)) {
        g_ptr_array_unref(allocators);
        g_ptr_array_unref(workloads);
        return NULL;
    }
    return comparison_new(allocators, workloads);
}

/* The number of cores online (at least 1). */
static guint default_jobs(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (guint)cores : 1;
}

/* Writes the chart (first: the Markdown reports embed it only once it is
 * written), the report (stdout or -o), the extra files and the score lines.
 * Every output is attempted even when one fails, so that no result already
 * made is lost. Returns the exit status: 1 when an output failed. */
static int report(const Comparison *comparison, const Score *score, ReportFormat format)
{
    gboolean written = TRUE;
    g_autoptr(GError) chart_error = NULL;
    if (options.chart_file != NULL) {
        if (chart_write(options.chart_file, comparison, &chart_error)) {
            written_chart = options.chart_file;
        } else {
            fprintf(stderr, "mcompare: %s\n", chart_error->message);
            written = FALSE;
        }
    }
    if (options.output != NULL) {
        written = write_report(options.output, format, comparison, score) && written;
    } else {
        g_autofree char *main_report = render_report(format, NULL, comparison, score);
        fputs(main_report, stdout);
    }
    const struct {
        const char *path;
        ReportFormat format;
    } extras[] = {{options.markdown_file, FORMAT_MARKDOWN},
                  {options.json_file, FORMAT_JSON},
                  {options.csv_file, FORMAT_CSV},
                  {options.junit_file, FORMAT_JUNIT}};
    for (gsize i = 0; i < G_N_ELEMENTS(extras); i++)
        if (extras[i].path != NULL)
            written = write_report(extras[i].path, extras[i].format, comparison, score) && written;
    written = write_platform_results(comparison, score) && written;
    written = append_step_summary(comparison, score) && written;
    /* The table carries the score lines itself; with another format on
     * stdout they go to stderr so that stdout stays parseable. */
    if (score != NULL && (format != FORMAT_TABLE || options.output != NULL)) {
        g_autofree char *lines = score_render_lines(score, comparison);
        fputs(lines, options.output != NULL ? stdout : stderr);
    }
    g_autoptr(GError) error = NULL;
    if (!output_stream_flush(stdout, "standard output", &error)) {
        fprintf(stderr, "mcompare: %s\n", error->message);
        written = FALSE;
    }
    if (comparison->interrupted)
        return 130;
    if (!written)
        return 1;
    if (score != NULL)
        return score_passed(score) ? 0 : 1;
    for (guint i = 0; i < comparison->cell_count; i++)
        if (!cell_ok(&comparison->cells[i]))
            return 1;
    return 0;
}

/* What the options ask for, checked before anything runs. */
typedef struct {
    ReportFormat format;
    guint64 memory_limit;
    unsigned alignment; /* 0: the rubric's, else 16 */
    double pass;        /* < 0: the rubric's */
    gboolean pass_percent;
} Plan;

/* Checks the options that need no file, into `plan`. Returns 0, or the exit
 * status of a usage error (already printed). */
static int check_options(Plan *plan)
{
    g_autoptr(GError) error = NULL;
    plan->format = FORMAT_TABLE;
    if (options.format != NULL && !report_format_parse(options.format, &plan->format)) {
        g_autofree char *message = g_strdup_printf(
            "--format %s: give table, markdown, csv, json or junit", options.format);
        return usage_error(message);
    }
    if (options.jobs < 0)
        return usage_error("--jobs: give a number of cells >= 1 (0: one per core)");
    if (options.jobs > MCOMPARE_MAX_JOBS) {
        g_autofree char *message = g_strdup_printf("--jobs %d: at most %d cells at a time",
                                                   options.jobs, MCOMPARE_MAX_JOBS);
        return usage_error(message);
    }
    plan->memory_limit = MSTATS_DEFAULT_MEMORY_LIMIT;
    if (!mstats_parse_limits(options.timeout, options.memory_limit, &plan->memory_limit, &error) ||
        !mstats_parse_alignment(options.alignment, &plan->alignment, &error))
        return usage_error(error->message);
    if (options.alignment == 0)
        plan->alignment = 0; /* not given: the rubric's, else the default */
    char **writable = sandbox_writable_paths(options.writable, FALSE, &error);
    if (writable == NULL)
        return usage_error(error->message);
    g_strfreev(options.writable);
    options.writable = writable;
    plan->pass = -1;
    plan->pass_percent = FALSE;
    if (options.pass != NULL) {
        if (options.rubric == NULL)
            return usage_error("--pass needs --rubric FILE");
        if (!rubric_parse_pass(options.pass, &plan->pass, &plan->pass_percent))
            return usage_error("--pass: give points (e.g. 60) or a percentage (e.g. 60%)");
    }
    if (options.gradescope_file != NULL && options.rubric == NULL)
        return usage_error("--gradescope writes a rubric's score: give --rubric FILE");
    if (options.prairielearn_file != NULL && options.rubric == NULL)
        return usage_error("--prairielearn writes a rubric's score: give --rubric FILE");
    if (options.emit_jobs != NULL && options.merge != NULL)
        return usage_error("--emit-jobs and --merge are two steps: give one of them");
    if (options.merge != NULL &&
        (options.allocators != NULL || options.workloads != NULL || options.label != NULL))
        return usage_error("--merge reports the cells in DIR: -a, -w and --label do not apply");
    return 0;
}

/* Runs every cell of `comparison` with the options' jobs and progress. */
static void run_cells(Comparison *comparison)
{
    /* The programs never read our terminal: a background group that did
     * would stop. */
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        if (null_fd != STDIN_FILENO)
            close(null_fd);
    }
    SchedulerOptions schedule = {
        .jobs = options.jobs > 0 ? (guint)options.jobs : default_jobs(),
        .quiet = options.quiet,
    };
    scheduler_run(comparison, &schedule);
    comparison_derive_bounds(comparison);
}

/* Parses argv into `options`. Returns 0, the exit status of a usage error, or
 * -1 when it answered --version (the caller exits 0). */
static int parse_command_line(int argc, char **argv)
{
    g_autoptr(GOptionContext) context = g_option_context_new(NULL);
    g_option_context_set_summary(
        context, "Runs every allocator on every workload and prints MAX, MAX / optimal reuse, "
                 "TIME and STATUS side by side, with the no-reuse and optimal-reuse bounds.");
    g_option_context_set_description(
        context, "Exit status: 0 when every cell is OK (with --rubric: the score reaches the "
                 "pass mark), 1 otherwise (a report file that could not be written included), "
                 "2 for a usage error, 3 when this machine cannot meet the rubric's requirements "
                 "(no sandbox, no witness: nothing is run), 130 when interrupted.\n"
                 "Docs: docs/mcompare.md, docs/grading.md.");
    g_option_context_add_main_entries(context, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &error))
        return usage_error(error->message);
    if (options.version) {
        printf("mcompare %s\n", MSTATS_VERSION);
        return -1;
    }
    if (argc > 1) {
        g_autofree char *message = g_strdup_printf("unexpected argument '%s': give workloads "
                                                   "with -w",
                                                   argv[1]);
        return usage_error(message);
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* The character set only (for the table's marks and rules): numbers keep
     * the C locale's decimal point in every format. */
    mstats_cli_start();
    Plan plan;
    int status = parse_command_line(argc, argv);
    if (status < 0) /* --version: answered */
        return 0;
    if (status != 0 || (status = check_options(&plan)) != 0)
        return status;

    g_autoptr(GError) error = NULL;
    g_autoptr(Rubric) rubric = NULL;
    if (options.rubric != NULL && (rubric = rubric_load(options.rubric, &error)) == NULL)
        return input_error(error);

    g_autoptr(Comparison) comparison = NULL;
    if (options.merge != NULL) {
        comparison = jobs_merge(options.merge, &error);
        if (comparison == NULL)
            return usage_error(error->message);
    } else {
        if ((status = grade_unbuilt_submission(rubric, plan.format)) != 0)
            return status;
        comparison = plan_comparison(rubric, &error);
        if (comparison == NULL)
            return input_error(error);
        comparison->timeout_seconds = options.timeout;
        comparison->memory_limit = plan.memory_limit;
        comparison->no_sandbox = options.no_sandbox;
        comparison->writable_paths = (const char *const *)options.writable;
        if (plan.alignment != 0)
            comparison->alignment = plan.alignment;
        else if (rubric != NULL && rubric->alignment != 0)
            comparison->alignment = rubric->alignment;
        if (options.emit_jobs != NULL) {
            if (!jobs_emit(comparison, options.emit_jobs, stdout, &error))
                return usage_error(error->message);
            return 0;
        }
        g_autofree char *unmet = environment_unmet(rubric, comparison);
        if (unmet != NULL)
            return refuse_environment(rubric, plan.format, unmet);
        run_cells(comparison);
    }
    g_autoptr(Score) score = NULL;
    if (rubric != NULL)
        score = rubric_score(rubric, comparison, plan.pass, plan.pass_percent);
    return report(comparison, score, plan.format);
}
