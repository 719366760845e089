/* The cell scheduler: JOBS worker threads take cells in table order from a
 * shared counter and run each with mstats_run (which is thread-safe: every
 * run has its own region, descriptors and process group). Finished cells go
 * through a queue to the main thread, which alone prints progress.
 *
 * Grades must not depend on the machine's load, so a cell's limit is CPU
 * time: -t SECONDS becomes RLIMIT_CPU, which every program inherits from
 * mcompare and which the kernel enforces with SIGXCPU however busy the
 * machine is. The wall clock only catches a program that waits instead of
 * running (a sleep, a deadlock), after MCOMPARE_WALL_GUARD times as long
 * (a program starved of CPU on an overloaded machine too, which is why the
 * guard is generous).
 * Table order is workload-major, so the libc reference cell of a rubric's
 * time-ratio runs right beside the graded cells of the same workload. */
#define _GNU_SOURCE
#include "scheduler.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "progress.h"

/* Set by the signal handler; read by the workers and the main thread. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signal_number)
{
    stop_requested = 1;
    mstats_forward_signal(signal_number);
}

/* A program that uses little CPU is stopped after this many times -t of
 * wall time; one that runs is stopped by its CPU limit long before. */
#define MCOMPARE_WALL_GUARD 10

typedef struct {
    Comparison *comparison;
    guint next_cell;       /* atomic: the next cell index to take */
    GAsyncQueue *finished; /* cell index + 1 per finished cell */
    GMutex running_lock;
    guint *running; /* per worker: cell index + 1, or 0 when idle */
    guint jobs;
    gint active_workers; /* atomic: workers that have not returned yet */
} Schedule;

/* The last non-empty line of what the program printed, at most 300 bytes. */
static char *output_tail(int fd)
{
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0)
        return NULL;
    char buffer[4096];
    off_t start = size > (off_t)sizeof buffer - 1 ? size - (off_t)sizeof buffer + 1 : 0;
    ssize_t length = pread(fd, buffer, (size_t)(size - start), start);
    if (length <= 0)
        return NULL;
    buffer[length] = '\0';
    g_strchomp(buffer);
    char *line = strrchr(buffer, '\n');
    line = line ? line + 1 : buffer;
    g_autofree char *valid = g_utf8_make_valid(line, -1);
    if (g_utf8_strlen(valid, -1) > 300)
        *g_utf8_offset_to_pointer(valid, 300) = '\0';
    return g_strdup(valid);
}

/* Words for the two limits of a cell (`cpu_limit`: whole seconds, 0 for
 * none): SIGXCPU from RLIMIT_CPU is the timeout of a program that ran too
 * long; the wall guard's, of one that waited (or got almost no CPU). */
static void explain_limits(MstatsRunResult *result, double cpu_limit)
{
    if (result->timed_out) {
        g_free(result->reason);
        result->reason = g_strdup_printf(
            "timed out after %g s of wall time with %.2f s of CPU time (the guard, %d x the %g s "
            "CPU limit: the program waited instead of running, or the machine was overloaded)",
            cpu_limit * MCOMPARE_WALL_GUARD, result->cpu_seconds, MCOMPARE_WALL_GUARD, cpu_limit);
    } else if (result->signal == SIGXCPU && result->code == MSTATS_CODE_SIGNAL && cpu_limit > 0) {
        result->code = MSTATS_CODE_TIMEOUT;
        result->timed_out = TRUE;
        g_free(result->reason);
        result->reason = g_strdup_printf("timed out: reached the -t limit of %g s of CPU "
                                         "time (stopped with SIGXCPU)",
                                         cpu_limit);
    }
}

/* Runs one cell to a result. The program's output goes to a memfd so that a
 * failed cell can show the tester's own FAILED line. */
static void run_cell(Schedule *schedule, Cell *cell)
{
    Comparison *comparison = schedule->comparison;
    const AllocatorColumn *column = g_ptr_array_index(comparison->allocators, cell->allocator);
    const Workload *workload = g_ptr_array_index(comparison->workloads, cell->workload);
    MstatsRunRequest request;
    mstats_run_request_init(&request);
    request.allocator = column->spec;
    request.argv = workload->argv;
    double cpu_limit = comparison->timeout_seconds > 0 ? ceil(comparison->timeout_seconds) : 0;
    request.timeout_seconds = cpu_limit * MCOMPARE_WALL_GUARD;
    request.memory_limit = comparison->memory_limit;
    request.alignment = comparison->alignment;
    request.no_sandbox = comparison->no_sandbox;
    request.writable_paths = comparison->writable_paths;
    int output = memfd_create("mcompare-output", MFD_CLOEXEC);
    if (output >= 0) {
        request.stdout_fd = output;
        request.stderr_fd = output;
    } else {
        request.quiet = TRUE;
    }
    g_autoptr(GError) error = NULL;
    if (!mstats_run(&request, &cell->result, &error)) {
        mstats_run_result_clear(&cell->result);
        memset(&cell->result, 0, sizeof cell->result);
        cell->result.code = CELL_CODE_NOT_STARTED;
        cell->result.exit_status = -1;
        cell->result.reason = g_strdup_printf("could not start: %s", error->message);
        cell->result.allocator.name = g_strdup(column->name);
        cell->result.allocator.path = g_strdup(column->path);
    }
    explain_limits(&cell->result, cpu_limit);
    if (output >= 0) {
        if (cell->result.code != MSTATS_CODE_OK)
            cell->output_tail = output_tail(output);
        close(output);
    }
    cell->state = CELL_DONE;
    /* A program stopped by our own forwarding of Ctrl-C did not finish. */
    if (stop_requested && cell->result.code != MSTATS_CODE_OK) {
        cell->state = CELL_NOT_RUN;
        cell->not_run_reason = g_strdup("interrupted while running");
    }
}

/* A worker thread: claims a progress slot, then runs cells until none is left or a
 * stop was requested. */
static gpointer worker(gpointer data)
{
    Schedule *schedule = data;
    guint slot;
    g_mutex_lock(&schedule->running_lock);
    for (slot = 0; schedule->running[slot] != G_MAXUINT; slot++) {
    }
    schedule->running[slot] = 0;
    g_mutex_unlock(&schedule->running_lock);

    while (!stop_requested) {
        guint index = g_atomic_int_add(&schedule->next_cell, 1);
        if (index >= schedule->comparison->cell_count || stop_requested)
            break; /* a cell taken after a stop stays pending: it never ran */
        Cell *cell = &schedule->comparison->cells[index];
        if (cell->state != CELL_PENDING)
            continue;
        g_mutex_lock(&schedule->running_lock);
        schedule->running[slot] = index + 1;
        g_mutex_unlock(&schedule->running_lock);
        run_cell(schedule, cell);
        g_mutex_lock(&schedule->running_lock);
        schedule->running[slot] = 0;
        g_mutex_unlock(&schedule->running_lock);
        g_async_queue_push(schedule->finished, GUINT_TO_POINTER(index + 1));
    }
    g_atomic_int_dec_and_test(&schedule->active_workers);
    return NULL;
}

/* SIGINT, SIGTERM and SIGHUP stop the run; the old handlers go into `saved`. */
static void install_stop_handlers(struct sigaction saved[3])
{
    static const int signals[3] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction stop = {.sa_handler = on_stop_signal, .sa_flags = SA_RESTART};
    sigemptyset(&stop.sa_mask);
    for (int i = 0; i < 3; i++)
        sigaction(signals[i], &stop, &saved[i]);
}

/* SIGXCPU reaches mcompare itself once its own CPU time passes the limit
 * its programs inherit: a handler (not SIG_IGN, which exec would keep, so
 * the programs could not be stopped) makes it harmless here. */
static void on_own_cpu_limit(int signal_number)
{
    (void)signal_number;
}

/* Sets RLIMIT_CPU to -t, rounded up (the kernel counts whole seconds), for
 * every program started from now on; the old limit and SIGXCPU handler go
 * into the saved ones. Nothing when there is no limit. */
static void install_cpu_limit(double seconds, struct rlimit *saved_limit,
                              struct sigaction *saved_handler)
{
    getrlimit(RLIMIT_CPU, saved_limit);
    struct sigaction quiet = {.sa_handler = on_own_cpu_limit, .sa_flags = SA_RESTART};
    sigemptyset(&quiet.sa_mask);
    sigaction(SIGXCPU, &quiet, saved_handler);
    if (seconds <= 0)
        return;
    struct rlimit limit = *saved_limit;
    rlim_t wanted = (rlim_t)ceil(seconds);
    if (limit.rlim_max == RLIM_INFINITY || wanted < limit.rlim_max)
        limit.rlim_cur = wanted;
    setrlimit(RLIMIT_CPU, &limit);
}

/* Puts back the handlers install_stop_handlers saved. */
static void restore_handlers(const struct sigaction saved[3])
{
    static const int signals[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++)
        sigaction(signals[i], &saved[i], NULL);
}

/* The cells running now (indices into comparison->cells) into `running`;
 * returns how many. */
static guint running_cells(Schedule *schedule, guint *running)
{
    guint count = 0;
    g_mutex_lock(&schedule->running_lock);
    for (guint i = 0; i < schedule->jobs; i++)
        if (schedule->running[i] != 0 && schedule->running[i] != G_MAXUINT)
            running[count++] = schedule->running[i] - 1;
    g_mutex_unlock(&schedule->running_lock);
    return count;
}

/* Reports one finished cell (its index + 1, as queued); counts it in *done
 * when it ran. */
static void report_finished(Schedule *schedule, Progress *progress, gpointer item, guint *done)
{
    const Cell *cell = &schedule->comparison->cells[GPOINTER_TO_UINT(item) - 1];
    if (cell->state == CELL_DONE)
        (*done)++;
    progress_cell_finished(progress, schedule->comparison, cell, *done);
}

/* The main thread while the workers run: progress for each of the `pending`
 * cells as it finishes, and a redraw every quarter second; after a stop,
 * until every worker has returned. */
static void watch_workers(Schedule *schedule, Progress *progress, guint pending, guint *done,
                          gint64 start)
{
    guint finished = 0;
    g_autofree guint *running = g_new0(guint, schedule->jobs);
    while (finished < pending) {
        gpointer item = g_async_queue_timeout_pop(schedule->finished, 250 * 1000);
        double elapsed = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
        if (item != NULL) {
            finished++;
            report_finished(schedule, progress, item, done);
        }
        guint running_count = running_cells(schedule, running);
        progress_redraw(progress, schedule->comparison, running, running_count, *done, elapsed);
        /* Stopped: the workers take no more cells. A cell may have started
         * just after the signal was forwarded, so forward it again until every
         * worker has returned. */
        if (stop_requested) {
            mstats_forward_signal(SIGINT);
            if (g_atomic_int_get(&schedule->active_workers) == 0)
                break;
        }
    }
}

/* After the run: cells never started become not run (the run was stopped). */
static void mark_unstarted(Comparison *comparison)
{
    for (guint i = 0; i < comparison->cell_count; i++) {
        Cell *cell = &comparison->cells[i];
        if (cell->state == CELL_PENDING) {
            cell->state = CELL_NOT_RUN;
            cell->not_run_reason = g_strdup("interrupted before it ran");
        }
    }
}

void scheduler_run(Comparison *comparison, const SchedulerOptions *options)
{
    Schedule schedule = {.comparison = comparison, .jobs = MAX(options->jobs, 1)};
    schedule.finished = g_async_queue_new();
    g_mutex_init(&schedule.running_lock);
    schedule.running = g_new(guint, schedule.jobs);
    for (guint i = 0; i < schedule.jobs; i++)
        schedule.running[i] = G_MAXUINT; /* unclaimed slot */

    guint pending = 0;
    for (guint i = 0; i < comparison->cell_count; i++)
        pending += comparison->cells[i].state == CELL_PENDING;
    guint done = comparison->cell_count - pending;

    struct sigaction saved[3], saved_xcpu;
    struct rlimit saved_cpu_limit;
    stop_requested = 0;
    install_stop_handlers(saved);
    install_cpu_limit(comparison->timeout_seconds, &saved_cpu_limit, &saved_xcpu);
    Progress *progress = progress_new(comparison, options->quiet);
    gint64 start = g_get_monotonic_time();
    guint workers = MIN(schedule.jobs, MAX(pending, 1));
    GThread **threads = g_new0(GThread *, workers);
    schedule.active_workers = (gint)workers;
    for (guint i = 0; i < workers; i++)
        threads[i] = g_thread_new("mcompare-cell", worker, &schedule);
    watch_workers(&schedule, progress, pending, &done, start);
    for (guint i = 0; i < workers; i++)
        g_thread_join(threads[i]);
    /* Drain cells that finished between the last look and the join. */
    for (gpointer item; (item = g_async_queue_try_pop(schedule.finished)) != NULL;)
        report_finished(&schedule, progress, item, &done);
    comparison->interrupted = stop_requested != 0;
    mark_unstarted(comparison);
    comparison->elapsed_seconds = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    progress_finish(progress, comparison, done, comparison->elapsed_seconds);
    restore_handlers(saved);
    setrlimit(RLIMIT_CPU, &saved_cpu_limit);
    sigaction(SIGXCPU, &saved_xcpu, NULL);

    progress_free(progress);
    g_free(threads);
    g_free(schedule.running);
    g_mutex_clear(&schedule.running_lock);
    g_async_queue_unref(schedule.finished);
}
