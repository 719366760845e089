/* mstats: runs one program under one allocator and prints the course's report
 * (or JSON). Option parsing and printing only; the work is in the runner. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_file.h"
#include "report.h"
#include "cli.h"
#include "single_run.h"
#include "diff_run.h"

typedef struct {
    SingleRunOptions run;
    gboolean json;
    char *json_file;
    gboolean list_allocators;
    gboolean explain;
    char *explain_code;
    gboolean quiet;
    char *record;
    char *heap_map;
    char *diff;  /* --diff A,B */
    char *chart; /* --chart FILE.png, with --diff */
} Options;

static Options options = {.run.timeout = MSTATS_DEFAULT_TIMEOUT};

static gboolean on_json(const char *name, const char *value, gpointer data, GError **error)
{
    (void)name, (void)data, (void)error;
    options.json = TRUE;
    g_free(options.json_file);
    options.json_file = value != NULL && *value != '\0' ? g_strdup(value) : NULL;
    return TRUE;
}

static gboolean on_explain(const char *name, const char *value, gpointer data, GError **error)
{
    (void)name, (void)data, (void)error;
    options.explain = TRUE;
    g_free(options.explain_code);
    options.explain_code = value != NULL && *value != '\0' ? g_strdup(value) : NULL;
    return TRUE;
}

static const GOptionEntry entries[] = {
    {"json", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, (gpointer)on_json,
     "Print the report as JSON, or write it to FILE and print the text report", "[FILE]"},
    {"record", 0, 0, G_OPTION_ARG_FILENAME, &options.record,
     "Write the program's allocation sequence to FILE as a .rep trace", "FILE"},
    {"heap-map", 0, 0, G_OPTION_ARG_FILENAME, &options.heap_map,
     "Draw where every block lived in the heap, and when, as a PNG picture in FILE", "FILE"},
    {"diff", 0, 0, G_OPTION_ARG_STRING, &options.diff,
     "Run PROGRAM under allocators A and B and show where their heaps part ways", "A,B"},
    {"chart", 0, 0, G_OPTION_ARG_FILENAME, &options.chart,
     "With --diff: draw both heap sizes over the calls as a PNG picture in FILE", "FILE"},
    {"list-allocators", 0, 0, G_OPTION_ARG_NONE, &options.list_allocators,
     "List the built-in allocators and where they are", NULL},
    {"explain", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, (gpointer)on_explain,
     "Explain every status code, or just CODE", "[CODE]"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &options.quiet,
     "Discard the program's output; print the report only", NULL},
    G_OPTION_ENTRY_NULL,
};

/* GOption gives an optional-argument option the next word as its value
 * (`--json ls` would write the report to a file named ls). Before parsing,
 * a bare --json or --explain becomes --json= / --explain= (empty: no value).
 * The scan stops at PROGRAM, skipping the values of options that take one. */
static void detach_optional_values(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || strcmp(arg, "--") == 0)
            return;
        if (strcmp(arg, "--json") == 0)
            argv[i] = (char *)"--json=";
        else if (strcmp(arg, "--explain") == 0)
            argv[i] = (char *)"--explain=";
        else if (strcmp(arg, "--allocator") == 0 || strcmp(arg, "--timeout") == 0 ||
                 strcmp(arg, "--memory-limit") == 0 || strcmp(arg, "--record") == 0 ||
                 strcmp(arg, "--heap-map") == 0 || strcmp(arg, "--writable") == 0 ||
                 strcmp(arg, "--align") == 0 || strcmp(arg, "--diff") == 0 ||
                 strcmp(arg, "--chart") == 0 ||
                 (arg[1] != '-' && strchr("atm", arg[strlen(arg) - 1]) != NULL))
            i++; /* the next word is this option's value */
    }
}

static int usage_error(const char *message)
{
    fprintf(stderr, "mstats: %s (see mstats --help)\n", message);
    return 2;
}

static int list_allocators(void)
{
    for (const char *const *name = mstats_builtin_allocators(); *name != NULL; name++) {
        MstatsAllocator allocator;
        g_autoptr(GError) error = NULL;
        if (mstats_allocator_resolve(*name, &allocator, &error)) {
            printf("%-10s %s\n", *name, allocator.path);
            mstats_allocator_clear(&allocator);
        } else {
            printf("%-10s (missing: %s)\n", *name, error->message);
        }
    }
    MstatsAllocator libc;
    mstats_allocator_resolve("libc", &libc, NULL);
    printf("%-10s %s (glibc malloc held to sbrk)\n", "libc", libc.path);
    mstats_allocator_clear(&libc);
    return 0;
}

static int explain(const char *code_text)
{
    gsize count;
    const MstatsCodeInfo *table = mstats_code_table(&count);
    if (code_text == NULL) {
        for (gsize i = 0; i < count; i++)
            printf("%3d  %s: %s\n", table[i].code, table[i].title, table[i].explanation);
        table = mstats_tester_code_table(&count);
        printf("the numbered testers' own exit statuses:\n");
        for (gsize i = 0; i < count; i++)
            printf("%3d  %s: %s\n", table[i].code, table[i].title, table[i].explanation);
        printf("any other code: the program's own non-zero exit status\n");
        return 0;
    }
    char *end;
    long code = strtol(code_text, &end, 10);
    const MstatsCodeInfo *info =
        *end == '\0' && end != code_text ? mstats_code_lookup((int)code) : NULL;
    if (info == NULL) {
        const MstatsCodeInfo *tester =
            *end == '\0' && end != code_text ? mstats_tester_code_lookup((int)code) : NULL;
        if (tester != NULL) {
            printf("%3d  %s (a numbered tester's own exit status): %s\n", tester->code,
                   tester->title, tester->explanation);
            return 0;
        }
        if (*end == '\0' && end != code_text && code > 0 && code < 256) {
            printf("%3ld  the program's own exit status (not a harness code)\n", code);
            return 0;
        }
        g_autofree char *message =
            g_strdup_printf("--explain: '%s' is not a status code", code_text);
        return usage_error(message);
    }
    printf("%3d  %s: %s\n", info->code, info->title, info->explanation);
    return 0;
}

/* Writes a report file in place (output_file.h); FALSE after one line on stderr. */
static gboolean write_file(const char *path, const char *text)
{
    g_autoptr(GError) error = NULL;
    if (!output_file_write(path, text, -1, &error)) {
        fprintf(stderr, "mstats: %s\n", error->message);
        return FALSE;
    }
    return TRUE;
}

int main(int argc, char **argv)
{
    mstats_cli_start();
    g_autoptr(GOptionContext) context = g_option_context_new("PROGRAM [ARG…]");
    g_option_context_set_summary(context,
                                 "Runs PROGRAM with its malloc family replaced by an allocator and "
                                 "reports heap used (MAX, AVG) against bytes requested.");
    g_option_context_set_description(context, "Exit status: 0 when STATUS is OK, 1 otherwise, 2 "
                                              "for a usage error. Codes: mstats --explain.");
    g_option_context_add_main_entries(
        context,
        single_run_entries(&options.run, "Stop the program after SECONDS (default 30; 0 = never)",
                           "Let the run write PATH, an existing directory or file (repeatable); "
                           "the sandbox keeps everything else read-only"),
        NULL);
    g_option_context_add_main_entries(context, entries, NULL);
    /* Options end at PROGRAM: `mstats ls -l` gives -l to ls. */
    g_option_context_set_strict_posix(context, TRUE);
    g_autoptr(GError) error = NULL;
    detach_optional_values(argc, argv);
    if (!g_option_context_parse(context, &argc, &argv, &error))
        return usage_error(error->message);
    if (options.list_allocators)
        return list_allocators();
    if (options.explain) {
        if (options.explain_code == NULL && argc == 2)
            return explain(argv[1]); /* --explain 91 */
        return explain(options.explain_code);
    }
    if (options.chart != NULL && options.diff == NULL)
        return usage_error("--chart draws the comparison of --diff: give --diff A,B too");
    if (options.diff != NULL) {
        if (options.record != NULL || options.heap_map != NULL)
            return usage_error("--diff records both runs itself: leave out --record and "
                               "--heap-map");
        DiffRequest diff = {options.diff, options.json, options.json_file, options.chart};
        return diff_run(&options.run, &diff, single_run_program(argc, argv));
    }
    MstatsRunRequest request;
    mstats_run_request_init(&request);
    request.quiet = options.quiet;
    request.record_path = options.record;
    request.heap_map_path = options.heap_map;
    MstatsRunResult result;
    int failed =
        single_run("mstats", &options.run, single_run_program(argc, argv), &request, &result);
    if (failed >= 0)
        return failed;
    if (options.record != NULL && !result.record_complete)
        fprintf(stderr,
                "mstats: warning: the recording in %s is incomplete (too many operations "
                "or live blocks, or the program exec'd in place)\n",
                options.record);
    gboolean ok = TRUE;
    if (options.json) {
        g_autofree char *json = mstats_report_json(&result, &request);
        if (options.json_file != NULL)
            ok = write_file(options.json_file, json);
        else
            fputs(json, stdout);
    }
    if (!options.json || options.json_file != NULL) {
        g_autofree char *text = mstats_report_text(&result);
        fputs(text, stdout);
        if (options.heap_map != NULL)
            printf("[mstats]: HEAP-MAP: %s\n", options.heap_map);
    }
    if (result.output_error != NULL) {
        fprintf(stderr, "mstats: %s\n", result.output_error);
        ok = FALSE;
    }
    /* A report lost on the way (stdout on a full disk) is a failure too. */
    if (!output_stream_flush(stdout, "standard output", &error)) {
        fprintf(stderr, "mstats: %s\n", error->message);
        ok = FALSE;
    }
    int status = result.code == MSTATS_CODE_OK && ok ? 0 : 1;
    mstats_run_result_clear(&result);
    return status;
}
