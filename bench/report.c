/*
 * report.c - bench-report: the performance report behind scripts/bench.
 *
 * Times every allocator (glibc, the built-in strategies, and jemalloc,
 * mimalloc and tcmalloc when installed, each preloaded with LD_PRELOAD) on
 * the shipped traces (replayed by bench-replay, which touches only the first
 * and last byte of each block) and on the testers, in one alternating run:
 * each round runs every workload under every allocator, the allocators in an
 * order that rotates from round to round. CPU time is the replay loop's for
 * traces and the whole process's (user + system, from wait4) for testers;
 * each cell keeps its median. MAX comes from one mcompare run of the
 * strategies; the header bound from the trace (bound.h), or for a tester from
 * its allocations recorded by `mstats --record`.
 *
 * Prints one table of CPU-time ratios to glibc and MAX ratios to the header
 * bound, with geometric means, and writes bench.md, bench.json and bench.png
 * into the output directory (docs/performance.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bound.h"
#include "report.h"

static const char *const strategies[] = {"first-fit", "next-fit",       "best-fit", "worst-fit",
                                         "no-reuse",  "segregated-fit", "buddy"};

/* General-purpose allocators compared when their Debian packages are
 * installed: a name and a glob for the library. */
static const char *const others[][2] = {
    {"jemalloc", "/usr/lib/*/libjemalloc.so.2"},
    {"mimalloc", "/usr/lib/*/libmimalloc.so.2*"},
    {"tcmalloc", "/usr/lib/*/libtcmalloc_minimal.so.4"},
};

static struct allocator *allocator_new(const char *name, const char *preload, bool ours)
{
    struct allocator *a = g_new0(struct allocator, 1);
    a->name = g_strdup(name);
    a->preload = g_strdup(preload);
    a->ours = ours;
    return a;
}

/* glibc, every strategy of the build, and the installed general allocators. */
static GPtrArray *find_allocators(const char *build)
{
    GPtrArray *list = g_ptr_array_new();
    g_ptr_array_add(list, allocator_new("glibc", NULL, false));
    for (size_t i = 0; i < G_N_ELEMENTS(strategies); i++) {
        char *path = g_strdup_printf("%s/lib/libmalloc-%s.so", build, strategies[i]);
        if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
            fprintf(stderr, "bench-report: %s is missing: build the tree first\n", path);
            exit(1);
        }
        g_ptr_array_add(list, allocator_new(strategies[i], path, true));
        g_free(path);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(others); i++) {
        glob_t found;
        if (glob(others[i][1], 0, NULL, &found) == 0 && found.gl_pathc > 0)
            g_ptr_array_add(list, allocator_new(others[i][0], found.gl_pathv[0], false));
        else
            fprintf(stderr, "bench-report: %s not installed (%s): its column is left out\n",
                    others[i][0], others[i][1]);
        globfree(&found);
    }
    return list;
}

/* The traces of catalog.tsv (recorded ones are the real-program traces),
 * then tester-1 ... tester-N of the build. */
static GPtrArray *find_workloads(const char *traces, const char *build, bool want_traces,
                                 bool want_testers)
{
    GPtrArray *list = g_ptr_array_new();
    char *catalog = g_build_filename(traces, "catalog.tsv", NULL), *text = NULL;
    GError *error = NULL;
    if (want_traces && !g_file_get_contents(catalog, &text, NULL, &error)) {
        fprintf(stderr, "bench-report: %s (give the traces directory with --traces)\n",
                error->message);
        exit(1);
    }
    char **lines = g_strsplit(text ? text : "", "\n", -1);
    for (char **line = lines; *line; line++) {
        char **field = g_strsplit(*line, "\t", 3);
        if (**line && **line != '#' && field[0] && field[1]) {
            struct workload *w = g_new0(struct workload, 1);
            w->name = g_strdup_printf("%s.rep", field[0]);
            w->path = g_build_filename(traces, w->name, NULL);
            w->kind =
                strcmp(field[1], "recorded") == 0 ? WORKLOAD_REAL_TRACE : WORKLOAD_SYNTHETIC_TRACE;
            g_ptr_array_add(list, w);
        }
        g_strfreev(field);
    }
    g_strfreev(lines);
    g_free(text);
    g_free(catalog);
    for (int n = 1; want_testers; n++) {
        char *path = g_strdup_printf("%s/bin/tester-%d", build, n);
        if (!g_file_test(path, G_FILE_TEST_IS_EXECUTABLE)) {
            g_free(path);
            break;
        }
        struct workload *w = g_new0(struct workload, 1);
        w->name = g_strdup_printf("tester-%d", n);
        w->path = path;
        w->kind = WORKLOAD_TESTER;
        g_ptr_array_add(list, w);
    }
    return list;
}

/* Runs argv with LD_PRELOAD=preload (none for NULL), its stdout captured into
 * `out` (a buffer of `size` bytes, NUL-terminated) or discarded when out is
 * NULL, and its stderr discarded. Returns true when it exited 0, and sets
 * *cpu_ns to its CPU time (user + system). */
static bool run(char *const argv[], const char *preload, char *out, size_t size, double *cpu_ns)
{
    int channel[2];
    if (pipe(channel))
        return false;
    pid_t child = fork();
    if (child < 0)
        return false;
    if (child == 0) {
        if (preload)
            setenv("LD_PRELOAD", preload, 1);
        else
            unsetenv("LD_PRELOAD");
        int null = open("/dev/null", O_WRONLY);
        dup2(out ? channel[1] : null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(channel[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(channel[1]);
    size_t used = 0;
    for (ssize_t n;
         out && used + 1 < size && (n = read(channel[0], out + used, size - 1 - used)) > 0;)
        used += (size_t)n;
    if (out)
        out[used] = '\0';
    close(channel[0]);
    int status;
    struct rusage usage;
    while (wait4(child, &status, 0, &usage) < 0 && errno == EINTR)
        ;
    *cpu_ns = ((double)usage.ru_utime.tv_sec + (double)usage.ru_stime.tv_sec) * 1e9 +
              ((double)usage.ru_utime.tv_usec + (double)usage.ru_stime.tv_usec) * 1e3;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The header bound of the trace at `path`; 0 when it cannot be loaded. */
static uint64_t bound_of_file(const char *path)
{
    struct trace trace;
    struct trace_error error;
    if (trace_load(path, &trace, &error) != 0) {
        char message[512];
        trace_error_format(path, &error, message, sizeof message);
        fprintf(stderr, "bench-report: %s", message);
        return 0;
    }
    uint64_t bound = trace_header_bound(&trace);
    trace_release(&trace);
    return bound;
}

/* Header bounds: from each trace, and for each tester from a recording of
 * its allocations (`mstats --record`, on glibc) in `scratch`. */
static void measure_bounds(struct bench *bench, const char *build, const char *scratch)
{
    for (guint w = 0; w < bench->workloads->len; w++) {
        struct workload *wl = g_ptr_array_index(bench->workloads, w);
        if (wl->kind != WORKLOAD_TESTER) {
            wl->header_bound = bound_of_file(wl->path);
            continue;
        }
        char *mstats = g_strdup_printf("%s/bin/mstats", build);
        char *record = g_strdup_printf("%s/%s.rep", scratch, wl->name);
        char *argv[] = {mstats, "-q", "-a", "libc", "-t", "0", "--record", record, wl->path, NULL};
        double ignored;
        if (run(argv, NULL, NULL, 0, &ignored))
            wl->header_bound = bound_of_file(record);
        else
            fprintf(stderr, "bench-report: could not record %s: no header bound\n", wl->name);
        unlink(record);
        g_free(record);
        g_free(mstats);
    }
}

/* MAX of glibc and every strategy on every workload, from one mcompare run.
 * The general allocators take memory with mmap, which MAX does not see: they
 * get none. */
static void measure_max(struct bench *bench, const char *build, const char *scratch)
{
    GString *names = g_string_new("libc"), *workloads = g_string_new(NULL);
    for (guint a = 0; a < bench->allocators->len; a++) {
        struct allocator *al = g_ptr_array_index(bench->allocators, a);
        if (al->ours)
            g_string_append_printf(names, ",%s", al->name);
    }
    for (guint w = 0; w < bench->workloads->len; w++) {
        struct workload *wl = g_ptr_array_index(bench->workloads, w);
        g_string_append_printf(workloads, "%s%s", workloads->len ? "," : "",
                               wl->kind == WORKLOAD_TESTER ? wl->name : wl->path);
    }
    char *mcompare = g_strdup_printf("%s/bin/mcompare", build);
    char *json = g_strdup_printf("%s/max.json", scratch);
    char *argv[] = {mcompare,   "-q", "-j",           "1",      "-t", "300", "-a",
                    names->str, "-w", workloads->str, "--json", json, NULL};
    double ignored;
    run(argv, NULL, NULL, 0, &ignored); /* exits 1 when a cell failed: read what there is */
    JsonParser *parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_file(parser, json, &error)) {
        fprintf(stderr, "bench-report: no MAX figures: mcompare wrote no %s (%s)\n", json,
                error->message);
        g_clear_error(&error);
    } else {
        JsonArray *cells = json_object_get_array_member(
            json_node_get_object(json_parser_get_root(parser)), "cells");
        for (guint i = 0; cells && i < json_array_get_length(cells); i++) {
            JsonObject *c = json_array_get_object_element(cells, i);
            const char *workload = json_object_get_string_member(c, "workload");
            const char *allocator = json_object_get_string_member(c, "allocator");
            const char *status = json_object_get_string_member(c, "status");
            if (!workload || !allocator || g_strcmp0(status, "OK") != 0)
                continue;
            for (guint w = 0; w < bench->workloads->len; w++)
                for (guint a = 0; a < bench->allocators->len; a++) {
                    struct workload *wl = g_ptr_array_index(bench->workloads, w);
                    struct allocator *al = g_ptr_array_index(bench->allocators, a);
                    /* mcompare calls glibc "libc" */
                    const char *name = al->preload ? al->name : "libc";
                    if ((al->ours || !al->preload) && strcmp(wl->name, workload) == 0 &&
                        strcmp(name, allocator) == 0)
                        bench_cell(bench, w, a)->max =
                            (uint64_t)json_object_get_int_member(c, "max");
                }
        }
    }
    unlink(json);
    g_object_unref(parser);
    g_free(json);
    g_free(mcompare);
    g_string_free(names, TRUE);
    g_string_free(workloads, TRUE);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The alternating timed run: samples[cell][round]. A failed run poisons its
 * cell (-1). */
static void measure_times(struct bench *bench, const char *build)
{
    guint na = bench->allocators->len, nw = bench->workloads->len;
    int rounds = 0; /* the most any workload present needs */
    for (guint w = 0; w < nw; w++) {
        struct workload *wl = g_ptr_array_index(bench->workloads, w);
        rounds =
            MAX(rounds, wl->kind == WORKLOAD_TESTER ? bench->tester_rounds : bench->trace_rounds);
    }
    double *samples = g_new0(double, (gsize)na *nw *rounds);
    char *replay = g_strdup_printf("%s/bench/bench-replay", build);
    for (int r = 0; r < rounds; r++) {
        fprintf(stderr, "bench-report: round %d of %d\n", r + 1, rounds);
        for (guint w = 0; w < nw; w++) {
            struct workload *wl = g_ptr_array_index(bench->workloads, w);
            bool tester = wl->kind == WORKLOAD_TESTER;
            if (r >= (tester ? bench->tester_rounds : bench->trace_rounds))
                continue;
            for (guint i = 0; i < na; i++) {
                guint a = (i + (guint)r) % na; /* rotate: nobody always goes first */
                struct allocator *al = g_ptr_array_index(bench->allocators, a);
                char out[64] = "";
                double ns = -1;
                char *trace_argv[] = {replay, wl->path, NULL};
                char *tester_argv[] = {wl->path, NULL};
                bool ok = tester ? run(tester_argv, al->preload, NULL, 0, &ns)
                                 : run(trace_argv, al->preload, out, sizeof out, &ns);
                if (ok && !tester)
                    ns = g_ascii_strtod(out, NULL);
                samples[((gsize)w * na + a) * rounds + r] = ok && ns > 0 ? ns : -1;
            }
        }
    }
    for (guint w = 0; w < nw; w++) {
        struct workload *wl = g_ptr_array_index(bench->workloads, w);
        int n = wl->kind == WORKLOAD_TESTER ? bench->tester_rounds : bench->trace_rounds;
        for (guint a = 0; a < na; a++) {
            double *s = &samples[((gsize)w * na + a) * rounds];
            bool failed = false;
            for (int r = 0; r < n; r++)
                failed |= s[r] < 0;
            qsort(s, (size_t)n, sizeof *s, by_value);
            bench_cell(bench, w, a)->median_ns = failed ? -1 : s[n / 2];
        }
    }
    g_free(replay);
    g_free(samples);
}

/* Time ratios to glibc (column 0) and MAX ratios to the header bound. */
static void compute_ratios(struct bench *bench)
{
    for (guint w = 0; w < bench->workloads->len; w++) {
        struct workload *wl = g_ptr_array_index(bench->workloads, w);
        double glibc = bench_cell(bench, w, 0)->median_ns;
        for (guint a = 0; a < bench->allocators->len; a++) {
            struct cell *c = bench_cell(bench, w, a);
            c->time_ratio = glibc > 0 && c->median_ns > 0 ? c->median_ns / glibc : 0;
            c->max_ratio = c->max && wl->header_bound ? (double)c->max / wl->header_bound : 0;
        }
    }
}

int main(int argc, char **argv)
{
    char *build = NULL, *traces = NULL, *output = NULL, *only = NULL;
    int trace_rounds = 7, tester_rounds = 3;
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        {"build", 'b', 0, G_OPTION_ARG_FILENAME, &build, "The build directory (default: ours)",
         "DIR"},
        {"traces", 0, 0, G_OPTION_ARG_FILENAME, &traces, "The traces directory with catalog.tsv",
         "DIR"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
         "Where bench.md, bench.json and bench.png go (default: BUILD/report)", "DIR"},
        {"trace-rounds", 0, 0, G_OPTION_ARG_INT, &trace_rounds, "Rounds for traces (default 7)",
         "N"},
        {"tester-rounds", 0, 0, G_OPTION_ARG_INT, &tester_rounds, "Rounds for testers (default 3)",
         "N"},
        {"only", 0, 0, G_OPTION_ARG_STRING, &only, "traces or testers (default: both)", "KIND"},
        {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *context = g_option_context_new(NULL);
    g_option_context_set_summary(context, "Times every allocator on the traces and testers "
                                          "against glibc, and MAX against the header bound.");
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &error) || argc != 1) {
        fprintf(stderr, "bench-report: %s (see bench-report --help)\n",
                error ? error->message : "unexpected arguments");
        return 2;
    }
    if (version) {
        printf("bench-report %s\n", MSTATS_VERSION);
        return 0;
    }
    if (trace_rounds < 1 || tester_rounds < 1 ||
        (only && strcmp(only, "traces") && strcmp(only, "testers"))) {
        fprintf(stderr, "bench-report: --trace-rounds and --tester-rounds take N >= 1, --only "
                        "takes traces or testers\n");
        return 2;
    }
    if (!build) {
        char *self = g_file_read_link("/proc/self/exe", NULL);
        char *dir = g_path_get_dirname(self);
        build = g_path_get_dirname(dir);
        g_free(dir);
        g_free(self);
    }
    if (!traces)
        traces = g_strdup(BENCH_SOURCE_TRACES_DIR);
    if (!output)
        output = g_build_filename(build, "report", NULL);
    char *scratch = g_build_filename(output, "bench-scratch", NULL);
    if (g_mkdir_with_parents(scratch, 0755) != 0) {
        fprintf(stderr, "bench-report: cannot create %s: %s\n", scratch, g_strerror(errno));
        return 1;
    }

    struct bench bench = {.trace_rounds = trace_rounds, .tester_rounds = tester_rounds};
    bench.allocators = find_allocators(build);
    bench.workloads = find_workloads(traces, build, !only || strcmp(only, "traces") == 0,
                                     !only || strcmp(only, "testers") == 0);
    bench.cells = g_new0(struct cell, (gsize)bench.allocators->len * bench.workloads->len);
    fprintf(stderr, "bench-report: header bounds\n");
    measure_bounds(&bench, build, scratch);
    fprintf(stderr, "bench-report: MAX (mcompare)\n");
    measure_max(&bench, build, scratch);
    measure_times(&bench, build);
    compute_ratios(&bench);
    rmdir(scratch);

    bench_write_table(&bench, stdout, false);
    fflush(stdout); /* the table first, then the messages, where both go to one file */
    char *md = g_build_filename(output, "bench.md", NULL);
    char *json = g_build_filename(output, "bench.json", NULL);
    char *png = g_build_filename(output, "bench.png", NULL);
    FILE *file = fopen(md, "w");
    bool ok = file != NULL;
    if (file) {
        bench_write_table(&bench, file, true);
        ok = fclose(file) == 0;
    }
    if (!ok)
        fprintf(stderr, "bench-report: cannot write %s: %s\n", md, g_strerror(errno));
    ok = bench_write_json(&bench, json) && ok;
    ok = bench_write_chart(&bench, png) && ok;
    fprintf(stderr, "bench-report: wrote %s, %s and %s\n", md, json, png);
    return ok ? 0 : 1;
}
