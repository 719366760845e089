/* One run: resolve, prepare the region and environment, spawn, wait, then
 * turn the wait status and the region into a code, a reason and figures. */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap_map.h"
#include "proof.h"
#include "output_file.h"
#include "record.h"
#include "memory_bound.h"
#include "region.h"
#include "run_init.h"
#include "sandbox.h"
#include "spawn.h"
#include "trust.h"

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
    request->alignment = MSTATS_DEFAULT_ALIGNMENT;
    request->stderr_fd = -1;
}

void mstats_run_result_clear(MstatsRunResult *result)
{
    g_clear_pointer(&result->reason, g_free);
    g_clear_pointer(&result->not_sandboxed_why, g_free);
    g_clear_pointer(&result->output_error, g_free);
    g_clear_pointer(&result->witness_why, g_free);
    g_clear_pointer(&result->completion_why, g_free);
    g_clear_pointer(&result->proof_line, g_free);
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

/* The environment of the run's first process (bwrap or mstats-run-init): the
 * caller's, without the shim's variables, which would start the shim in it. */
static char **run_environment(void)
{
    char **env = g_get_environ();
    env = g_environ_unsetenv(env, "LD_PRELOAD");
    const char *shim_variables[] = {MSTATS_ENV_ALLOCATOR, MSTATS_ENV_REGION_FD, MSTATS_ENV_LIMIT,
                                    MSTATS_ENV_RECORD_FD, MSTATS_ENV_ALIGN,     MSTATS_ENV_MMAP,
                                    MSTATS_ENV_CHALLENGE, MSTATS_ENV_PROOF_FD};
    for (gsize i = 0; i < G_N_ELEMENTS(shim_variables); i++)
        env = g_environ_unsetenv(env, shim_variables[i]);
    return env;
}

/* NAME=VALUE pairs mstats-run-init adds for the program alone: the shim
 * preloaded (before any LD_PRELOAD of the caller's; an allocator with static
 * TLS right after it), its configuration, and the completion proof's
 * challenge and descriptor (proof.h). */
static char **program_variables(const char *shim, const MstatsRunRequest *request,
                                const MstatsAllocator *allocator, const RunnerRegion *region,
                                const char *scratch_dir, const char *challenge, int proof_fd)
{
    GPtrArray *pairs = g_ptr_array_new();
    GString *preload = g_string_new("LD_PRELOAD=");
    g_string_append(preload, shim);
    if (allocator->preload)
        g_string_append_printf(preload, ":%s", allocator->path);
    const char *caller_preload = g_getenv("LD_PRELOAD");
    if (caller_preload != NULL && *caller_preload != '\0')
        g_string_append_printf(preload, ":%s", caller_preload);
    g_ptr_array_add(pairs, g_string_free(preload, FALSE));
    g_ptr_array_add(pairs, g_strdup_printf(MSTATS_ENV_ALIGN "=%u", request->alignment));
    if (allocator->heap_unmeasured)
        g_ptr_array_add(pairs, g_strdup(MSTATS_ENV_MMAP "=1"));
    g_ptr_array_add(pairs, g_strconcat(MSTATS_ENV_ALLOCATOR "=",
                                       allocator->is_libc ? "libc" : allocator->path, NULL));
    g_ptr_array_add(pairs, g_strdup_printf(MSTATS_ENV_REGION_FD "=%d", region->fd));
    g_ptr_array_add(pairs,
                    g_strdup_printf(MSTATS_ENV_LIMIT "=%" G_GUINT64_FORMAT, request->memory_limit));
    if (region->record_fd >= 0)
        g_ptr_array_add(pairs, g_strdup_printf(MSTATS_ENV_RECORD_FD "=%d", region->record_fd));
    if (scratch_dir != NULL) /* the run's private scratch directory (sandbox.h) */
        g_ptr_array_add(pairs, g_strconcat("TMPDIR=", scratch_dir, NULL));
    g_ptr_array_add(pairs, g_strconcat(MSTATS_ENV_CHALLENGE "=", challenge, NULL));
    g_ptr_array_add(pairs, g_strdup_printf(MSTATS_ENV_PROOF_FD "=%d", proof_fd));
    g_ptr_array_add(pairs, NULL);
    return (char **)g_ptr_array_free(pairs, FALSE);
}

/* Takes the figures out of the region. */
static void collect_figures(const MstatsRegion *map, MstatsRunResult *result)
{
    const MstatsFigures *f = &map->figures;
    result->heap_max = f->heap_max;
    result->heap_avg = f->samples ? (double)f->heap_sum / (double)f->samples : 0.0;
    result->requested = f->requested;
    result->peak_live = f->peak_live;
    mstats_result_set_utilization(result);
    result->live_at_exit = f->live;
    result->live_blocks_at_exit = f->live_blocks;
    memcpy(result->calls, f->calls, sizeof result->calls);
    result->failed_calls = f->failed_calls;
    result->record_complete = map->record_truncated == 0;
}

/* Decides code and reason; the order matters: our own kill first, then what
 * the shim said, then how the process ended. */
static void classify(const RunnerRegion *region, const SpawnOutcome *outcome,
                     const MstatsRunRequest *request, const char *memory_hit,
                     MstatsRunResult *result)
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
        result->reason =
            g_strdup_printf("timed out after %g s: every process of the run got SIGTERM%s",
                            request->timeout_seconds,
                            outcome->needed_sigkill ? ", then SIGKILL one second later" : "");
    } else if (memory_hit != NULL) {
        result->code = MSTATS_CODE_MEMORY_LIMIT;
        result->reason = g_strdup(memory_hit);
    } else if (!outcome->reported) {
        result->code = MSTATS_CODE_NO_STATS;
        result->reason = g_strdup_printf(
            "statistics could not be collected: the run's first process (%s) was killed before "
            "it could report the program's status (%s)",
            RUN_INIT_NAME,
            result->signal != 0 ? g_strsignal(result->signal) : "it exited without a report");
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
        g_autofree char *program = g_path_get_basename(request->argv[0]);
        const MstatsCodeInfo *tester = mstats_tester_code_lookup(result->exit_status);
        if (tester != NULL &&
            (g_str_has_prefix(program, "tester-") || strcmp(program, "beyond-heap") == 0))
            result->reason = g_strdup_printf("the program exited with status %d: the tester's "
                                             "check failed: %s",
                                             result->exit_status, tester->explanation);
        else
            result->reason =
                g_strdup_printf("the program exited with status %d", result->exit_status);
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
        HeapMapRun shown = {program,           result->allocator.name, result->heap_max,
                            result->peak_live, result->code,           result->reason};
        written = heap_map_write(request->heap_map_path, ops, count, ids, &shown, error);
    }
    record_unmap(ops, count);
    return written;
}

static void close_pipe(int ends[2])
{
    for (int i = 0; i < 2; i++)
        if (ends[i] >= 0)
            close(ends[i]);
}

/* Whether this run goes into the sandbox; when not, *why says why. */
static gboolean use_sandbox(const MstatsRunRequest *request, const char *init, char **why)
{
    const char *unavailable = NULL;
    if (request->no_sandbox)
        *why = g_strdup("--no-sandbox was given");
    else if (!sandbox_available(init, &unavailable))
        *why = g_strdup(unavailable);
    return *why == NULL;
}

/* What the program wrote on its proof descriptor (at most
 * MSTATS_PROOF_READ_MAX bytes, NUL-terminated). */
static char *read_proof(int fd)
{
    char *text = g_malloc(MSTATS_PROOF_READ_MAX + 1);
    ssize_t n = pread(fd, text, MSTATS_PROOF_READ_MAX, 0);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

/* One run of `request` on the allocator already resolved in
 * result->allocator, handing the program `challenge`; fills the rest of
 * `result`, the program's last proof line and the witness's figures
 * included. *proof_text receives everything the program wrote as proof. */
static gboolean run_program(const MstatsRunRequest *request, const char *program,
                            const char *challenge, MstatsRunResult *result, char **proof_text,
                            GError **error)
{
    g_autofree char *library_dir = mstats_library_dir(error);
    if (library_dir == NULL)
        return FALSE;
    g_autofree char *shim = g_build_filename(library_dir, "libmstats-shim.so", NULL);
    g_autofree char *init = g_build_filename(library_dir, RUN_INIT_NAME, NULL);
    if (!writable(request->record_path, "--record", error) ||
        !writable(request->heap_map_path, "--heap-map", error))
        return FALSE;

    RunnerRegion region;
    gboolean recording = request->record_path != NULL || request->heap_map_path != NULL;
    if (!runner_region_create(&region, request->memory_limit, recording, error))
        return FALSE;
    result->sandboxed = use_sandbox(request, init, &result->not_sandboxed_why);
    g_auto(SandboxScratch) scratch = {NULL}; /* removed on every return below */
    if (result->sandboxed && !sandbox_scratch_create(&scratch, error)) {
        runner_region_close(&region);
        return FALSE;
    }
    result->alignment = request->alignment;
    const MstatsAllocator *allocator = &result->allocator;
    gboolean wanted = request->witness_policy == MSTATS_WITNESS_ALL ||
                      (request->witness_policy == MSTATS_WITNESS_UNTRUSTED && !allocator->trusted);
    gboolean witnessed = wanted && !allocator->heap_unmeasured;
    int status_pipe[2] = {-1, -1}, info_pipe[2] = {-1, -1};
    int proof_fd = memfd_create("mstats-proof", MFD_CLOEXEC);
    if (proof_fd < 0 || pipe2(status_pipe, O_CLOEXEC) != 0 ||
        (result->sandboxed && pipe2(info_pipe, O_CLOEXEC) != 0)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot create a pipe: %s",
                    g_strerror(errno));
        close_pipe(status_pipe);
        if (proof_fd >= 0)
            close(proof_fd);
        runner_region_close(&region);
        return FALSE;
    }
    MemoryBound bound;
    memory_bound_create(&bound, MSTATS_RUN_MEMORY(request->memory_limit));
    result->memory_bound = bound.kind;
    g_auto(GStrv) variables = program_variables(shim, request, &result->allocator, &region,
                                                scratch.path, challenge, proof_fd);
    SandboxCommand command = {
        .sandboxed = result->sandboxed,
        .init_path = init,
        .status_fd = status_pipe[1],
        .info_fd = info_pipe[1],
        .timeout_seconds = request->timeout_seconds,
        .data_limit = bound.rlimit_data,
        .witness = witnessed,
        .program_env = variables,
        .program_path = program,
        .argv = request->argv,
        .scratch_dir = scratch.path,
        .writable_paths = request->writable_paths,
    };
    g_auto(GStrv) argv = sandbox_argv(&command);
    g_auto(GStrv) env = run_environment();
    int null_fd = -1;
    if (request->quiet)
        null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    SpawnPlan plan = {
        .argv = argv,
        .envp = env,
        .inherit_fds = {region.fd, region.record_fd, proof_fd, status_pipe[1], info_pipe[1]},
        .status_fd = status_pipe[0],
        .info_fd = info_pipe[0],
        .stdout_fd = request->quiet ? null_fd : request->stdout_fd,
        .stderr_fd = request->quiet ? null_fd : request->stderr_fd,
        .region = region.map,
        .timeout_seconds = request->timeout_seconds,
        .witnessed = witnessed,
        /* A sandboxed run has a session of its own, and no terminal. */
        .take_terminal = request->take_terminal && !result->sandboxed,
        .cgroup_procs_fd = bound.procs_fd,
    };
    SpawnOutcome outcome;
    gboolean spawned = spawn_and_wait(&plan, &outcome, error);
    close_pipe(status_pipe);
    close_pipe(info_pipe);
    if (null_fd >= 0)
        close(null_fd);
    g_autofree char *memory_hit = NULL;
    if (spawned)
        memory_hit = memory_bound_finish(&bound, region.map, &result->memory_peak);
    memory_bound_destroy(&bound);
    *proof_text = read_proof(proof_fd);
    close(proof_fd);
    if (!spawned) {
        runner_region_close(&region);
        return FALSE;
    }
    int exec_errno = region.map->exec_errno != 0 ? region.map->exec_errno : outcome.exec_errno;
    if (exec_errno != 0) {
        const char *what = region.map->exec_errno != 0 ? argv[0] : program;
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "cannot run '%s': %s", what,
                    g_strerror(exec_errno));
        runner_region_close(&region);
        return FALSE;
    }
    result->wall_seconds = outcome.wall_seconds;
    result->cpu_seconds = outcome.cpu_seconds;
    classify(&region, &outcome, request, memory_hit, result);
    trust_note_witness(result, witnessed, &outcome);
    char line[MSTATS_PROOF_LINE_MAX];
    if (mstats_proof_last_line(*proof_text, line))
        result->proof_line = g_strdup(line);

    g_autoptr(GError) write_error = NULL;
    if (recording && !write_recording(request, &region, result, &write_error))
        result->output_error = g_strdup(write_error->message);
    runner_region_close(&region);
    return TRUE;
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
    g_autofree char *program = find_program(request->argv[0], error);
    if (program == NULL)
        return FALSE;
    /* Graded code on a workload that proves its completion: the reference
     * run on glibc first, whose challenge the measured run gets too. */
    const TrustReference *reference = NULL;
    gboolean proves = trust_program_proves(program);
    if (!result->allocator.trusted && proves) {
        reference = trust_reference(request, program, error);
        if (reference == NULL)
            return FALSE;
    }
    char challenge[MSTATS_PROOF_HEX_DIGITS + 1];
    if (reference != NULL)
        memcpy(challenge, reference->challenge, sizeof challenge);
    else
        trust_new_challenge(challenge);
    g_autofree char *proof_text = NULL;
    if (!run_program(request, program, challenge, result, &proof_text, error))
        return FALSE;
    trust_judge(result, proves, proof_text, reference);
    return TRUE;
}

gboolean mstats_run_reference(const MstatsRunRequest *request, const char *program,
                              const char *challenge, MstatsRunResult *result, GError **error)
{
    memset(result, 0, sizeof *result);
    MstatsRunRequest reference = *request;
    reference.allocator = "libc";
    reference.quiet = TRUE;
    reference.stdout_fd = reference.stderr_fd = -1;
    reference.record_path = reference.heap_map_path = NULL;
    reference.take_terminal = FALSE;
    reference.witness_policy = MSTATS_WITNESS_UNTRUSTED;
    if (!mstats_allocator_resolve(reference.allocator, &result->allocator, error))
        return FALSE;
    g_autofree char *proof_text = NULL;
    return run_program(&reference, program, challenge, result, &proof_text, error);
}
