/* mstats --diff (diff_run.h): two recorded runs, compared (diff.h). */
#define _GNU_SOURCE
#include "diff_run.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "json_member.h"
#include "output_file.h"
#include "record.h"

/* A run's recording, kept past the run (run_model.h's recording_sink). */
typedef struct {
    int fd; /* a duplicate of the recording memfd; -1: none came */
    guint64 count;
    guint32 ids;
} KeptRecording;

static void keep_recording(int record_fd, guint64 count, guint32 ids, void *data)
{
    KeptRecording *kept = data;
    kept->fd = fcntl(record_fd, F_DUPFD_CLOEXEC, 0);
    kept->count = count;
    kept->ids = ids;
}

static int usage(const char *message)
{
    fprintf(stderr, "mstats: %s (see mstats --help)\n", message);
    return 2;
}

/* The two names of "A,B"; NULL after one line on stderr when it is not two. */
static char **split_pair(const char *pair)
{
    char **names = g_strsplit(pair, ",", -1);
    guint count = g_strv_length(names);
    gboolean empty = FALSE;
    for (guint i = 0; i < count; i++)
        empty = empty || names[i][0] == '\0';
    if (count == 2 && !empty)
        return names;
    g_strfreev(names);
    g_autofree char *message = g_strdup_printf(
        "--diff takes two allocators, as in --diff first-fit,best-fit, not '%s'", pair);
    usage(message);
    return NULL;
}

/* "OK" or "FAILED (CODE: reason)". */
static char *status_words(const MstatsRunResult *result)
{
    if (result->code == MSTATS_CODE_OK)
        return g_strdup("OK");
    return g_strdup_printf("FAILED (%d: %s)", result->code,
                           result->reason != NULL ? result->reason : "no reason");
}

static void add_placement(JsonBuilder *b, const DiffPlacement *p)
{
    json_builder_begin_object(b);
    json_member_bool(b, "placed", p->placed);
    if (p->placed) {
        json_member_int(b, "offset", (gint64)p->offset);
        json_member_int(b, "free_block_start", (gint64)p->gap_start);
        json_member_int(b, "free_block_end", (gint64)p->gap_end);
        json_member_bool(b, "at_top", p->at_top);
    }
    json_member_int(b, "heap_before", (gint64)p->heap_before);
    json_member_int(b, "heap_after", (gint64)p->heap_after);
    json_builder_end_object(b);
}

static void add_call(JsonBuilder *b, const char *name, const DiffCall *call)
{
    json_builder_set_member_name(b, name);
    if (call->call == 0) {
        json_builder_add_null_value(b);
        return;
    }
    json_builder_begin_object(b);
    json_member_int(b, "call", (gint64)call->call);
    json_member_string(b, "function",
                       call->function < MSTATS_FN_COUNT ? mstats_function_name(call->function)
                                                        : NULL);
    json_member_int(b, "size", (gint64)call->size);
    json_builder_set_member_name(b, "placements");
    json_builder_begin_array(b);
    for (int r = 0; r < 2; r++)
        add_placement(b, &call->placement[r]);
    json_builder_end_array(b);
    json_builder_end_object(b);
}

/* The JSON document (docs/mstats.md, "Comparing two allocators"). */
static char *report_json(const DiffFigures *f, const MstatsRunResult results[2], char **program)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_member_string(b, "format", "mstats-diff-1");
    json_builder_set_member_name(b, "program");
    json_builder_begin_array(b);
    for (char **arg = program; *arg != NULL; arg++)
        json_builder_add_string_value(b, *arg);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "runs");
    json_builder_begin_array(b);
    for (int r = 0; r < 2; r++) {
        json_builder_begin_object(b);
        json_member_string(b, "allocator", results[r].allocator.name);
        json_member_string(b, "allocator_path", results[r].allocator.path);
        json_member_string(b, "status", results[r].code == MSTATS_CODE_OK ? "OK" : "FAILED");
        json_member_int(b, "code", results[r].code);
        json_member_string(b, "reason", results[r].reason);
        json_member_int(b, "max", (gint64)f->max[r]);
        json_member_int(b, "max_call", (gint64)f->max_call[r]);
        json_member_bool(b, "record_complete", results[r].record_complete);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_member_bool(b, "comparable", f->comparable);
    json_member_int(b, "calls", (gint64)f->calls);
    json_member_bool(b, "same_length", f->same_length);
    if (f->differ_from != 0)
        json_member_int(b, "differ_from_call", (gint64)f->differ_from);
    else
        json_member_null(b, "differ_from_call");
    add_call(b, "parted", &f->parted);
    add_call(b, "split", &f->split);
    json_builder_set_member_name(b, "widest");
    if (f->widest == 0) {
        json_builder_add_null_value(b);
    } else {
        json_builder_begin_object(b);
        json_member_int(b, "call", (gint64)f->widest);
        json_builder_set_member_name(b, "heap");
        json_builder_begin_array(b);
        json_builder_add_int_value(b, (gint64)f->widest_heap[0]);
        json_builder_add_int_value(b, (gint64)f->widest_heap[1]);
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_object(b);
    return json_builder_to_text(b);
}

/* Checks a file option before anything runs: one line and FALSE when it cannot be written. */
static gboolean can_write(const char *path)
{
    g_autoptr(GError) error = NULL;
    if (path == NULL || output_file_check(path, &error))
        return TRUE;
    fprintf(stderr, "mstats: %s\n", error->message);
    return FALSE;
}

/* FALSE, with one line, when a run measured more than one process image:
 * the recording follows the first (under env, sh -c or a script, the
 * wrapper's), which need not be the workload. */
static gboolean recorded_the_workload(const DiffRequest *diff, const MstatsRunResult results[2])
{
    for (int r = 0; r < 2; r++) {
        guint count = results[r].process_count;
        if (count > 1) {
            const char *last = results[r].processes[count - 1].program;
            fprintf(stderr,
                    "mstats: --diff compares the calls of the run's first process, %s, and this "
                    "run had %u (the last %s): name the program itself (mstats --diff %s %s "
                    "...)\n",
                    results[r].processes[0].program, count, last, diff->pair, last);
            return FALSE;
        }
    }
    return TRUE;
}

/* Compares, reports and draws two finished runs; returns the exit status. */
static int compare_runs(const DiffRequest *diff, char **program, MstatsRunResult results[2],
                        KeptRecording kept[2])
{
    if (!recorded_the_workload(diff, results))
        return 1;
    DiffRecording runs[2];
    for (int r = 0; r < 2; r++) {
        g_autoptr(GError) error = NULL;
        runs[r] = (DiffRecording){record_map(kept[r].fd, kept[r].count, &error), kept[r].count,
                                  kept[r].ids};
        if (runs[r].ops == NULL && kept[r].count > 0) {
            fprintf(stderr, "mstats: %s\n", error->message);
            runs[r].count = 0;
        }
        if (!results[r].record_complete)
            fprintf(stderr, "mstats: warning: the run on %s was not recorded to its end\n",
                    results[r].allocator.name);
    }
    DiffFigures figures;
    diff_compare(runs, &figures);
    const char *names[2] = {results[0].allocator.name, results[1].allocator.name};
    g_autofree char *program_name = g_path_get_basename(program[0]);
    gboolean ok = figures.comparable && results[0].code == MSTATS_CODE_OK &&
                  results[1].code == MSTATS_CODE_OK;
    g_autoptr(GError) error = NULL;
    if (diff->json) {
        g_autofree char *json = report_json(&figures, results, program);
        if (diff->json_file == NULL)
            fputs(json, stdout);
        else if (!output_file_write(diff->json_file, json, -1, &error)) {
            fprintf(stderr, "mstats: %s\n", error->message);
            g_clear_error(&error);
            ok = FALSE;
        }
    }
    if (!diff->json || diff->json_file != NULL) {
        g_autofree char *status0 = status_words(&results[0]);
        g_autofree char *status1 = status_words(&results[1]);
        const char *status[2] = {status0, status1};
        g_autofree char *text = diff_report_text(&figures, names, program_name, status);
        fputs(text, stdout);
        if (diff->chart != NULL && figures.comparable)
            printf("[mstats]: CHART: %s\n", diff->chart);
    }
    if (diff->chart != NULL && figures.comparable) {
        DiffChart chart = {runs, &figures, names, program_name};
        if (!diff_chart_write(diff->chart, &chart, &error)) {
            fprintf(stderr, "mstats: %s\n", error->message);
            ok = FALSE;
        }
    }
    for (int r = 0; r < 2; r++)
        record_unmap(runs[r].ops, runs[r].count);
    return ok ? 0 : 1;
}

int diff_run(const SingleRunOptions *options, const DiffRequest *diff, char **program)
{
    g_auto(GStrv) names = split_pair(diff->pair);
    if (names == NULL)
        return 2;
    if (options->allocator != NULL)
        return usage("--diff names both allocators: leave out -a");
    for (int r = 0; r < 2; r++) {
        MstatsAllocator allocator;
        g_autoptr(GError) error = NULL;
        if (!mstats_allocator_resolve(names[r], &allocator, &error))
            return usage(error->message);
        gboolean unmeasured = allocator.heap_unmeasured;
        mstats_allocator_clear(&allocator);
        if (unmeasured) {
            g_autofree char *message =
                g_strdup_printf("--diff compares heaps, and %s takes its memory with mmap: its "
                                "heap is not measured",
                                names[r]);
            return usage(message);
        }
    }
    if (!can_write(diff->json_file) || !can_write(diff->chart))
        return 2;
    MstatsRunResult results[2] = {{0}, {0}};
    KeptRecording kept[2] = {{-1, 0, 0}, {-1, 0, 0}};
    int status = -1;
    for (int r = 0; r < 2 && status < 0; r++) {
        SingleRunOptions run_options = *options;
        run_options.allocator = names[r];
        MstatsRunRequest request;
        mstats_run_request_init(&request);
        request.quiet = TRUE; /* the workload's own output twice would bury the comparison */
        request.recording_sink = keep_recording;
        request.recording_sink_data = &kept[r];
        int failed = single_run("mstats", &run_options, program, &request, &results[r]);
        if (failed >= 0)
            status = failed;
        else if (kept[r].fd < 0) {
            fprintf(stderr, "mstats: the run on %s left no recording\n", names[r]);
            status = 1;
        }
    }
    if (status < 0)
        status = compare_runs(diff, program, results, kept);
    for (int r = 0; r < 2; r++) {
        if (kept[r].fd >= 0)
            close(kept[r].fd);
        mstats_run_result_clear(&results[r]);
    }
    return status;
}
