/* One run: resolve, prepare the region and environment, spawn, wait, then
 * turn the wait status and the region into a code, a reason and figures. */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap_map.h"
#include "output_file.h"
#include "record.h"
#include "region.h"
#include "spawn.h"

GQuark mstats_error_quark(void)
{
    return g_quark_from_static_string("mstats-error-quark");
}

void mstats_run_request_init(MstatsRunRequest *request)
{
    memset(request, 0, sizeof *request);
    request->timeout_seconds = MSTATS_DEFAULT_TIMEOUT;
    request->memory_limit = MSTATS_DEFAULT_MEMORY_LIMIT;
    request->stdout_fd = -1;
    request->stderr_fd = -1;
}

void mstats_run_result_clear(MstatsRunResult *result)
{
    g_clear_pointer(&result->reason, g_free);
    g_clear_pointer(&result->output_error, g_free);
    mstats_allocator_clear(&result->allocator);
}

guint64 mstats_result_calls_malloc(const MstatsRunResult *result)
{
    return result->calls[MSTATS_FN_MALLOC] + result->calls[MSTATS_FN_POSIX_MEMALIGN] +
           result->calls[MSTATS_FN_ALIGNED_ALLOC] + result->calls[MSTATS_FN_MEMALIGN] +
           result->calls[MSTATS_FN_VALLOC] + result->calls[MSTATS_FN_PVALLOC];
}

guint64 mstats_result_calls_realloc(const MstatsRunResult *result)
{
    return result->calls[MSTATS_FN_REALLOC] + result->calls[MSTATS_FN_REALLOCARRAY];
}

/* PROGRAM as given: a path if it has a slash, else looked up on PATH. */
static char *find_program(const char *program, GError **error)
{
    if (strchr(program, '/') != NULL) {
        if (g_file_test(program, G_FILE_TEST_IS_REGULAR))
            return g_strdup(program);
    } else {
        char *found = g_find_program_in_path(program);
        if (found != NULL)
            return found;
    }
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE,
                "program '%s' not found: give a path to an executable or a command on PATH",
                program);
    return NULL;
}

static char **program_environment(const char *shim, const MstatsRunRequest *request,
                                  const MstatsAllocator *allocator, const RunnerRegion *region)
{
    char **env = g_get_environ();
    const char *preload = g_environ_getenv(env, "LD_PRELOAD");
    g_autofree char *preload_value = preload != NULL && *preload != '\0'
                                         ? g_strconcat(shim, ":", preload, NULL)
                                         : g_strdup(shim);
    g_autofree char *region_fd = g_strdup_printf("%d", region->fd);
    g_autofree char *limit = g_strdup_printf("%" G_GUINT64_FORMAT, request->memory_limit);
    env = g_environ_setenv(env, "LD_PRELOAD", preload_value, TRUE);
    env = g_environ_setenv(env, MSTATS_ENV_ALLOCATOR, allocator->is_libc ? "libc" : allocator->path,
                           TRUE);
    env = g_environ_setenv(env, MSTATS_ENV_REGION_FD, region_fd, TRUE);
    env = g_environ_setenv(env, MSTATS_ENV_LIMIT, limit, TRUE);
    if (region->record_fd >= 0) {
        g_autofree char *record_fd = g_strdup_printf("%d", region->record_fd);
        env = g_environ_setenv(env, MSTATS_ENV_RECORD_FD, record_fd, TRUE);
    } else {
        env = g_environ_unsetenv(env, MSTATS_ENV_RECORD_FD);
    }
    return env;
}

/* Takes the figures out of the region. */
static void collect_figures(const MstatsRegion *map, MstatsRunResult *result)
{
    const MstatsFigures *f = &map->figures;
    result->heap_max = f->heap_max;
    result->heap_avg = f->samples ? (double)f->heap_sum / (double)f->samples : 0.0;
    result->requested = f->requested;
    result->peak_live = f->peak_live;
    result->utilization = f->heap_max ? (double)f->peak_live / (double)f->heap_max : 0.0;
    result->live_at_exit = f->live;
    result->live_blocks_at_exit = f->live_blocks;
    memcpy(result->calls, f->calls, sizeof result->calls);
    result->failed_calls = f->failed_calls;
    result->record_complete = map->record_truncated == 0;
}

/* Decides code and reason; the order matters: our own kill first, then what
 * the shim said, then how the process ended. */
static void classify(const RunnerRegion *region, const SpawnOutcome *outcome,
                     const MstatsRunRequest *request, MstatsRunResult *result)
{
    const MstatsRegion *map = region->map;
    int status = outcome->wait_status;
    result->wait_status = status;
    result->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    result->timed_out = outcome->timed_out;
    g_autofree char *problem = runner_region_problem(region);
    gboolean started = problem == NULL && map->shim_started;
    int shim_code = problem == NULL ? __atomic_load_n(&map->code, __ATOMIC_ACQUIRE) : 0;

    result->figures_valid = started;
    if (started)
        collect_figures(map, result);

    if (outcome->timed_out) {
        result->code = MSTATS_CODE_TIMEOUT;
        result->reason = g_strdup_printf(
            "timed out after %g s: process group sent SIGTERM%s", request->timeout_seconds,
            outcome->needed_sigkill ? ", then SIGKILL one second later" : "");
    } else if (shim_code != 0) {
        result->code = shim_code;
        result->reason = g_strndup(map->reason, MSTATS_REASON_MAX);
    } else if (result->signal != 0) {
        result->code = MSTATS_CODE_SIGNAL;
        result->reason = mstats_describe_signal(result->signal);
    } else if (problem != NULL) {
        result->code = MSTATS_CODE_NO_STATS;
        result->reason = g_strdup_printf("statistics could not be collected: %s", problem);
    } else if (!map->shim_started) {
        result->code = MSTATS_CODE_NO_STATS;
        result->reason = g_strdup_printf(
            "statistics could not be collected: the shim never started in %s (statically "
            "linked, setuid, or LD_PRELOAD removed)",
            request->argv[0]);
    } else if (result->exit_status != 0) {
        result->code = result->exit_status;
        result->code_is_exit_status = TRUE;
        result->reason = g_strdup_printf("the program exited with status %d", result->exit_status);
    } else {
        result->code = MSTATS_CODE_OK;
    }
}

/* Checks that `path` (an option's file; NULL: not asked for) can be
 * written, before the program runs, so no run is wasted on a typo. Nothing
 * is written yet (output_file.h): a FIFO's reader must see only the result. */
static gboolean writable(const char *path, const char *option, GError **error)
{
    g_autoptr(GError) write_error = NULL;
    if (path == NULL || output_file_check(path, &write_error))
        return TRUE;
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "%s: %s", option, write_error->message);
    return FALSE;
}

/* Turns the recording into the .rep trace and the heap map asked for. */
static gboolean write_recording(const MstatsRunRequest *request, const RunnerRegion *region,
                                const MstatsRunResult *result, GError **error)
{
    guint64 count = region->map->record_ops;
    guint32 ids = region->map->record_ids;
    const MstatsRecordedOp *ops = record_map(region->record_fd, count, error);
    if (ops == NULL && count > 0)
        return FALSE;
    gboolean written = TRUE;
    if (request->record_path != NULL)
        written = record_write_rep(request->record_path, ops, count, ids, result->heap_max, error);
    if (written && request->heap_map_path != NULL) {
        g_autofree char *program = g_path_get_basename(request->argv[0]);
        g_autofree char *title = g_strdup_printf(
            "%s on %s: MAX %" G_GUINT64_FORMAT ", PEAK-LIVE %" G_GUINT64_FORMAT " bytes", program,
            result->allocator.name, result->heap_max, result->peak_live);
        written =
            heap_map_write(request->heap_map_path, ops, count, ids, result->heap_max, title, error);
    }
    record_unmap(ops, count);
    return written;
}

gboolean mstats_run(const MstatsRunRequest *request, MstatsRunResult *result, GError **error)
{
    memset(result, 0, sizeof *result);
    if (request->argv == NULL || request->argv[0] == NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "no PROGRAM given");
        return FALSE;
    }
    if (!mstats_allocator_resolve(request->allocator, &result->allocator, error))
        return FALSE;
    g_autofree char *shim = mstats_shim_path(error);
    if (shim == NULL)
        return FALSE;
    g_autofree char *program = find_program(request->argv[0], error);
    if (program == NULL)
        return FALSE;
    if (!writable(request->record_path, "--record", error) ||
        !writable(request->heap_map_path, "--heap-map", error))
        return FALSE;

    RunnerRegion region;
    gboolean recording = request->record_path != NULL || request->heap_map_path != NULL;
    if (!runner_region_create(&region, request->memory_limit, recording, error))
        return FALSE;
    g_auto(GStrv) env = program_environment(shim, request, &result->allocator, &region);
    int null_fd = -1;
    if (request->quiet)
        null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    SpawnPlan plan = {
        .program_path = program,
        .argv = request->argv,
        .envp = env,
        .inherit_fds = {region.fd, region.record_fd},
        .stdout_fd = request->quiet ? null_fd : request->stdout_fd,
        .stderr_fd = request->quiet ? null_fd : request->stderr_fd,
        .region = region.map,
        .timeout_seconds = request->timeout_seconds,
        .take_terminal = request->take_terminal,
    };
    SpawnOutcome outcome;
    gboolean spawned = spawn_and_wait(&plan, &outcome, error);
    if (null_fd >= 0)
        close(null_fd);
    if (!spawned) {
        runner_region_close(&region);
        return FALSE;
    }
    if (region.map->exec_errno != 0) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "cannot run '%s': %s", program,
                    g_strerror(region.map->exec_errno));
        runner_region_close(&region);
        return FALSE;
    }
    result->wall_seconds = outcome.wall_seconds;
    result->cpu_seconds = outcome.cpu_seconds;
    classify(&region, &outcome, request, result);

    g_autoptr(GError) write_error = NULL;
    if (recording && !write_recording(request, &region, result, &write_error))
        result->output_error = g_strdup(write_error->message);
    runner_region_close(&region);
    return TRUE;
}
