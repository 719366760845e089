/* One run: resolve, prepare the region and environment, spawn, wait, then
 * turn the wait status and the region into a code, a reason and figures. */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu_count.h"
#include "heap_map.h"
#include "proof.h"
#include "output_file.h"
#include "preload.h"
#include "record.h"
#include "reference.h"
#include "memory_bound.h"
#include "output_capture.h"
#include "region.h"
#include "run_init.h"
#include "sandbox.h"
#include "spawn.h"
#include "trust.h"

/* PROGRAM as given: a path if it has a slash, else looked up on PATH. A
 * missing program, a directory or a file that cannot be executed is a usage
 * error naming it; so is a working directory that no longer exists. */
static char *find_program(const char *program, GError **error)
{
    g_autofree char *cwd = sandbox_working_dir(error);
    if (cwd == NULL)
        return NULL;
    char *found =
        strchr(program, '/') != NULL ? g_strdup(program) : g_find_program_in_path(program);
    const char *problem = NULL;
    if (found == NULL || !g_file_test(found, G_FILE_TEST_EXISTS))
        problem = "not found: give a path to an executable or a command on PATH";
    else if (g_file_test(found, G_FILE_TEST_IS_DIR))
        problem = "is a directory: give the program inside it";
    else if (!g_file_test(found, G_FILE_TEST_IS_EXECUTABLE))
        problem = "is not executable: make it so (chmod +x) or run it through its interpreter";
    if (problem == NULL)
        return found;
    g_free(found);
    g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "program '%s' %s", program, problem);
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

/* NAME=VALUE pairs mstats-run-init adds for the program alone: `preload`
 * (LD_PRELOAD=, preload.h), the shim's configuration, and the completion
 * proof's challenge and descriptor (proof.h). */
static char **program_variables(const char *preload, const MstatsRunRequest *request,
                                const MstatsAllocator *allocator, const RunnerRegion *region,
                                const char *scratch_dir, const char *challenge, int proof_fd)
{
    GPtrArray *pairs = g_ptr_array_new();
    g_ptr_array_add(pairs, g_strdup(preload));
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

/* Takes every process image's figures out of the region, and reports the
 * one with the largest heap. */
static void collect_figures(const MstatsRegion *map, MstatsRunResult *result)
{
    guint count = MIN(map->process_count, MSTATS_PROCESSES_MAX);
    result->processes = g_new0(MstatsProcessFigures, MAX(count, 1));
    for (guint i = 0; i < count; i++) {
        const MstatsProcess *entry = &map->processes[i];
        if (!__atomic_load_n(&entry->started, __ATOMIC_ACQUIRE))
            continue; /* it died while its shim was starting */
        const MstatsFigures *f = &entry->figures;
        MstatsProcessFigures *p = &result->processes[result->process_count++];
        p->pid = entry->pid;
        p->program = g_strndup(entry->program, MSTATS_PROGRAM_MAX);
        p->heap_start = entry->heap_start;
        p->heap_max = f->heap_max;
        p->heap_avg = f->samples ? (double)f->heap_sum / (double)f->samples : 0.0;
        p->requested = f->requested;
        p->peak_live = f->peak_live;
        memcpy(p->header_bound, f->peak_header, sizeof p->header_bound);
        p->live_at_exit = f->live;
        p->live_blocks_at_exit = f->live_blocks;
        memcpy(p->calls, f->calls, sizeof p->calls);
        p->failed_calls = f->failed_calls;
    }
    result->processes_unmeasured = map->process_count - count;
    int largest = mstats_result_largest_process(result);
    if (largest >= 0)
        mstats_result_report_process(result, (guint)largest);
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
    gboolean started = problem == NULL && map->process_count > 0;
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
    } else if (map->process_count == 0) {
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
    if (request->recording_sink != NULL)
        request->recording_sink(region->record_fd, count, ids, request->recording_sink_data);
    return written;
}

/* The descriptors one run hands over besides the region: the completion
 * proof's memfd, mstats-run-init's status pipe, and bwrap's info pipe. */
typedef struct {
    int proof_fd;
    int status[2];
    int info[2]; /* a sandboxed run only */
} RunPipes;

static void run_pipes_close(RunPipes *pipes)
{
    int *fds[] = {&pipes->proof_fd, &pipes->status[0], &pipes->status[1], &pipes->info[0],
                  &pipes->info[1]};
    for (gsize i = 0; i < G_N_ELEMENTS(fds); i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RunPipes, run_pipes_close)

static gboolean run_pipes_open(RunPipes *pipes, gboolean sandboxed, GError **error)
{
    pipes->proof_fd = memfd_create("mstats-proof", MFD_CLOEXEC);
    if (pipes->proof_fd < 0 || pipe2(pipes->status, O_CLOEXEC) != 0 ||
        (sandboxed && pipe2(pipes->info, O_CLOEXEC) != 0)) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM, "cannot create a pipe: %s",
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

/* The sandbox mode of this run; when none, *why says why. */
static SandboxMode choose_sandbox(const MstatsRunRequest *request, const char *init, char **why)
{
    /* The harness is not dumpable: a program of the same user can neither
     * trace it nor open its memory (Landlock and the seccomp filter refuse
     * that too; this holds without them). */
    prctl(PR_SET_DUMPABLE, 0);
    const SandboxProbe *probe = sandbox_probe(init);
    if (request->no_sandbox)
        *why = g_strdup("--no-sandbox was given");
    else if (probe->mode == SANDBOX_NONE)
        *why = g_strdup(probe->none_why);
    return request->no_sandbox ? SANDBOX_NONE : probe->mode;
}

/* An allocator root's harness could read and its confined program could
 * not (it drops root's privileges): say what to do. */
static void explain_unreadable(SandboxMode mode, MstatsRunResult *result)
{
    if (mode == SANDBOX_NONE || geteuid() != 0 || result->code != MSTATS_CODE_LOAD ||
        result->reason == NULL || strstr(result->reason, "Permission denied") == NULL)
        return;
    char *reason = g_strconcat(result->reason,
                               " (the program runs without root's privileges: make the file "
                               "readable to every user, and its folders searchable)",
                               NULL);
    g_free(result->reason);
    result->reason = reason;
}

/* After the run: whether the program held every layer its mode needs. */
static void note_confinement(SandboxMode mode, const SpawnOutcome *outcome, MstatsRunResult *result)
{
    if (mode == SANDBOX_NONE || !outcome->reported)
        return;
    g_autofree char *missing = NULL;
    result->sandboxed =
        sandbox_confined_enough(mode, outcome->confined, outcome->confine_errno, &missing);
    if (!result->sandboxed)
        result->not_sandboxed_why = g_strdup_printf(
            "%s mode, but %s: the program may have kept a privilege", result->sandbox, missing);
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

/* Everything one run starts from, made ready by run_program. */
typedef struct {
    const char *init;      /* mstats-run-init */
    const char *program;   /* found already */
    const char *preload;   /* LD_PRELOAD=... (preload.h) */
    const char *challenge; /* the completion proof's */
    const char *scratch;   /* the sandbox's scratch directory (NULL: none) */
    SandboxMode mode;
    gboolean witnessed; /* mstats-run-init witnesses brk */
} RunStart;

/* Starts the run of `request` and waits until every process of it is gone:
 * the command line (sandbox.h), its environment and descriptors, its memory
 * bound (*memory_hit: why the bound killed it, or NULL), and the cgroup that
 * counts its CPU time (result->cpu_seconds and cpu_source). */
static gboolean start_and_wait(const MstatsRunRequest *request, const RunStart *start,
                               const RunnerRegion *region, const RunPipes *pipes,
                               MstatsRunResult *result, SpawnOutcome *outcome, char **memory_hit,
                               GError **error)
{
    MemoryBound bound;
    memory_bound_create(&bound, MSTATS_RUN_MEMORY(request->memory_limit));
    result->memory_bound = bound.kind;
    CpuCount cpu;
    cpu_count_create(&cpu, &bound);
    g_auto(GStrv) variables = program_variables(start->preload, request, &result->allocator, region,
                                                start->scratch, start->challenge, pipes->proof_fd);
    SandboxCommand command = {
        .mode = start->mode,
        .init_path = start->init,
        .status_fd = pipes->status[1],
        .info_fd = pipes->info[1],
        .timeout_seconds = request->timeout_seconds,
        .data_limit = bound.rlimit_data,
        .witness = start->witnessed,
        .cgroup_fds = {bound.procs_fd, cpu.procs_fd},
        .program_env = variables,
        .program_path = start->program,
        .argv = request->argv,
        .scratch_dir = start->scratch,
        .writable_paths = request->writable_paths,
    };
    g_auto(GStrv) argv = sandbox_argv(&command);
    g_auto(GStrv) env = run_environment();
    int null_fd = request->quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
    SpawnPlan plan = {
        .argv = argv,
        .envp = env,
        .inherit_fds = {region->fd, region->record_fd, pipes->proof_fd, pipes->status[1],
                        pipes->info[1], bound.procs_fd, cpu.procs_fd},
        .status_fd = pipes->status[0],
        .info_fd = pipes->info[0],
        .stdin_fd = request->stdin_fd,
        .stdout_fd = request->stdout_fd >= 0 ? request->stdout_fd : null_fd,
        .stderr_fd = request->stderr_fd >= 0 ? request->stderr_fd : null_fd,
        .region = region->map,
        .timeout_seconds = request->timeout_seconds,
        .witnessed = start->witnessed,
        /* A confined program has a session of its own, and no terminal. */
        .take_terminal = request->take_terminal && start->mode == SANDBOX_NONE,
    };
    gboolean spawned = spawn_and_wait(&plan, outcome, error);
    if (null_fd >= 0)
        close(null_fd);
    if (spawned) {
        *memory_hit = memory_bound_finish(&bound, region->map, &result->memory_peak);
        cpu_count_finish(&cpu, outcome->cpu_seconds, result);
    }
    cpu_count_destroy(&cpu);
    memory_bound_destroy(&bound);
    /* argv[0] (bwrap, or mstats-run-init) itself could not be started. */
    int exec_errno = region->map->exec_errno != 0 ? region->map->exec_errno : outcome->exec_errno;
    if (spawned && exec_errno != 0) {
        const char *what = region->map->exec_errno != 0 ? argv[0] : start->program;
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "cannot run '%s': %s", what,
                    g_strerror(exec_errno));
        return FALSE;
    }
    return spawned;
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
    /* The shim first, then an allocator with static TLS, then the caller's. */
    g_auto(PreloadLinks) links = {NULL}; /* each of these is undone on every return */
    const char *preloaded[] = {shim, result->allocator.preload ? result->allocator.path : NULL,
                               NULL};
    g_autofree char *preload = preload_variable(preloaded, g_getenv("LD_PRELOAD"), &links, error);
    if (preload == NULL)
        return FALSE;
    g_auto(RunnerRegion) region = {.fd = -1, .record_fd = -1};
    gboolean recording = mstats_run_request_records(request);
    if (!runner_region_create(&region, request->memory_limit, recording, error))
        return FALSE;
    SandboxMode mode = choose_sandbox(request, init, &result->not_sandboxed_why);
    result->sandbox = sandbox_mode_name(mode);
    g_auto(SandboxScratch) scratch = {NULL, mode == SANDBOX_CONTAINER};
    if (mode != SANDBOX_NONE && !sandbox_scratch_create(&scratch, error))
        return FALSE;
    g_auto(RunPipes) pipes = {-1, {-1, -1}, {-1, -1}};
    if (!run_pipes_open(&pipes, mode == SANDBOX_BWRAP, error))
        return FALSE;

    result->alignment = request->alignment;
    const MstatsAllocator *allocator = &result->allocator;
    gboolean wanted = request->witness_policy == MSTATS_WITNESS_ALL ||
                      (request->witness_policy == MSTATS_WITNESS_UNTRUSTED && !allocator->trusted);
    RunStart start = {.init = init,
                      .program = program,
                      .preload = preload,
                      .challenge = challenge,
                      .scratch = scratch.path,
                      .mode = mode,
                      .witnessed = wanted && !allocator->heap_unmeasured};
    SpawnOutcome outcome;
    g_autofree char *memory_hit = NULL;
    gboolean ran =
        start_and_wait(request, &start, &region, &pipes, result, &outcome, &memory_hit, error);
    *proof_text = read_proof(pipes.proof_fd);
    if (!ran)
        return FALSE;

    note_confinement(mode, &outcome, result);
    result->wall_seconds = outcome.wall_seconds;
    classify(&region, &outcome, request, memory_hit, result);
    explain_unreadable(mode, result);
    trust_note_witness(result, start.witnessed, &outcome);
    char line[MSTATS_PROOF_LINE_MAX];
    if (mstats_proof_last_line(*proof_text, line))
        result->proof_line = g_strdup(line);
    g_autoptr(GError) write_error = NULL;
    if (recording && !write_recording(request, &region, result, &write_error))
        result->output_error = g_strdup(write_error->message);
    return TRUE;
}

/* Whether the reported process is a workload of ours that proves its
 * completion (a tester or mreplay: the run's program, or one of that name
 * beside mstats), whose requests are the same in every run. */
static gboolean reported_is_prover(const MstatsRunResult *result, const char *program)
{
    const MstatsProcessFigures *shown = mstats_result_reported(result);
    if (shown == NULL)
        return FALSE;
    g_autofree char *base = g_path_get_basename(program);
    if (strcmp(base, shown->program) == 0)
        return trust_program_proves(program);
    g_autofree char *bin_dir = mstats_bin_dir(NULL);
    g_autofree char *ours =
        bin_dir != NULL ? g_build_filename(bin_dir, shown->program, NULL) : NULL;
    return ours != NULL && trust_program_proves(ours);
}

/* The reference run's body (reference.h): `request` on glibc. */
static gboolean run_reference(const MstatsRunRequest *request, const char *program,
                              const char *challenge, MstatsRunResult *result, GError **error)
{
    memset(result, 0, sizeof *result);
    result->reported_process = -1;
    if (!mstats_allocator_resolve(request->allocator, &result->allocator, error))
        return FALSE;
    g_autofree char *proof_text = NULL;
    return run_program(request, program, challenge, result, &proof_text, error);
}

/* The measured run of `request` with its stdout read on its way into
 * *output, against the reference run's (verification by output). */
static gboolean run_read_output(const MstatsRunRequest *request, const char *program,
                                const ReferenceRun *reference, MstatsRunResult *result,
                                char **proof_text, OutputDigest *output, GError **error)
{
    int destination = output_destination(request, STDOUT_FILENO);
    OutputCapture capture;
    output_capture_open(&capture, &(OutputRoute){.like = destination,
                                                 .digesting = TRUE,
                                                 .forward = destination >= 0,
                                                 .expected = &reference->output});
    MstatsRunRequest measured = *request;
    measured.stdout_fd = capture.program_fd;
    gboolean ran = run_program(&measured, program, reference->challenge, result, proof_text, error);
    output_capture_finish(&capture, output);
    result->stdout_bytes = output->length;
    g_strlcpy(result->stdout_sha256, output->sha256, sizeof result->stdout_sha256);
    return ran;
}

gboolean mstats_run(const MstatsRunRequest *request, MstatsRunResult *result, GError **error)
{
    memset(result, 0, sizeof *result);
    result->reported_process = -1;
    if (request->argv == NULL || request->argv[0] == NULL) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_USAGE, "no PROGRAM given");
        return FALSE;
    }
    if (!mstats_allocator_resolve(request->allocator, &result->allocator, error))
        return FALSE;
    g_autofree char *program = find_program(request->argv[0], error);
    if (program == NULL)
        return FALSE;
    /* Graded code: the reference run on glibc first, whose challenge the
     * measured run gets too. A program that gives no proof is verified by
     * its output, read on its way in both runs. */
    const ReferenceRun *reference = NULL;
    gboolean graded = !result->allocator.trusted;
    gboolean proves = trust_program_proves(program);
    if (graded) {
        reference = reference_run(request, program, !proves, run_reference, error);
        if (reference == NULL)
            return FALSE;
    }
    g_autofree char *proof_text = NULL;
    g_auto(OutputDigest) output = {0};
    gboolean ran;
    if (graded && !proves) {
        ran = run_read_output(request, program, reference, result, &proof_text, &output, error);
    } else {
        char challenge[MSTATS_PROOF_HEX_DIGITS + 1];
        if (reference != NULL)
            memcpy(challenge, reference->challenge, sizeof challenge);
        else
            trust_new_challenge(challenge);
        ran = run_program(request, program, challenge, result, &proof_text, error);
    }
    if (!ran)
        return FALSE;
    TrustEvidence evidence = {
        /* A wrapper (env, sh -c, make) that ran a tester proves by the
         * tester's proof, for the reference run's challenge. */
        .proves = proves || strstr(proof_text, MSTATS_PROOF_TAG) != NULL,
        .proof_text = proof_text,
        .reference = reference != NULL ? &reference->result : NULL,
        .reference_output = reference != NULL ? &reference->output : NULL,
        .output = &output,
        .other_input = reference != NULL ? reference->other_input : NULL,
        .deterministic = reported_is_prover(result, program),
    };
    trust_judge(result, &evidence);
    return TRUE;
}
