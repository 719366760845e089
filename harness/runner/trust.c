/* The runner's side of trust (trust.h). */
#define _GNU_SOURCE
#include "trust.h"

#include <string.h>
#include <sys/random.h>

gboolean trust_program_proves(const char *program)
{
    g_autoptr(GMappedFile) file = g_mapped_file_new(program, FALSE, NULL);
    if (file == NULL)
        return FALSE;
    return memmem(g_mapped_file_get_contents(file), g_mapped_file_get_length(file),
                  MSTATS_PROOF_TAG, strlen(MSTATS_PROOF_TAG)) != NULL;
}

void trust_new_challenge(char challenge[MSTATS_PROOF_HEX_DIGITS + 1])
{
    guint8 bytes[MSTATS_PROOF_HEX_DIGITS / 2];
    gsize got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n > 0)
            got += (gsize)n;
        else /* no getrandom: GLib's generator, seeded from /dev/urandom */
            for (; got < sizeof bytes; got++)
                bytes[got] = (guint8)g_random_int();
    }
    for (gsize i = 0; i < sizeof bytes; i++)
        g_snprintf(challenge + 2 * i, 3, "%02x", bytes[i]);
}

/* Gives every measured process image the witness's account of it: the
 * image of the same pid whose heap starts where the shim says it does (each
 * taken once, in order). The reported process is then the one with the
 * largest witnessed heap. */
static void attach_images(MstatsRunResult *result, const SpawnOutcome *outcome)
{
    gboolean taken[RUN_INIT_IMAGES_MAX] = {FALSE};
    for (guint i = 0; i < result->process_count; i++) {
        MstatsProcessFigures *p = &result->processes[i];
        for (guint k = 0; k < outcome->witness_image_count; k++) {
            const RunInitImage *image = &outcome->witness_images[k];
            if (!taken[k] && image->pid == p->pid && image->start == p->heap_start) {
                taken[k] = TRUE;
                p->witnessed = TRUE;
                p->witness_max = image->max;
                p->witness_brks = image->brks;
                p->witness_outside = image->outside;
                break;
            }
        }
    }
    /* An image no shim measured that moved its break itself (a child that
     * never ran, killed at the run's end, holds only its parent's heap). */
    for (guint k = 0; k < outcome->witness_image_count; k++) {
        const RunInitImage *image = &outcome->witness_images[k];
        if (!taken[k] && image->brks > 0 && image->max > result->unmeasured_heap) {
            result->unmeasured_heap = image->max;
            result->unmeasured_pid = image->pid;
        }
    }
    int largest = mstats_result_largest_process(result);
    if (largest >= 0)
        mstats_result_report_process(result, (guint)largest);
    const MstatsProcessFigures *shown = mstats_result_reported(result);
    result->witness_max = shown != NULL ? shown->witness_max : 0;
    result->witness_outside = shown != NULL ? shown->witness_outside : 0;
}

void trust_note_witness(MstatsRunResult *result, gboolean witnessed, const SpawnOutcome *outcome)
{
    if (result->allocator.heap_unmeasured) {
        result->witness = MSTATS_WITNESS_UNMEASURED;
    } else if (!witnessed && result->allocator.trusted) {
        result->witness = MSTATS_WITNESS_TRUSTED;
    } else if (!witnessed) {
        /* only --no-witness leaves an untrusted allocator unwitnessed */
        result->witness = MSTATS_WITNESS_UNAVAILABLE;
        result->witness_why = g_strdup("--no-witness was given");
    } else if (outcome->witness == 1) {
        result->witness = MSTATS_WITNESS_KERNEL;
        result->witness_brks = outcome->witness_brks;
        attach_images(result, outcome);
    } else {
        result->witness = MSTATS_WITNESS_UNAVAILABLE;
        result->witness_why =
            outcome->witness == 0
                ? g_strdup("the run's first process did not report what it witnessed")
                : g_strdup_printf("the brk witness could not start (ptrace with seccomp: %s)",
                                  g_strerror(outcome->witness_errno));
    }
}

/* Whether the kernel's MAX bears out the shim's for process image `p`: the
 * shim moves the kernel's break to the granule boundary at or above its own
 * (a heap that starts on a page boundary, as the kernel's does), or, after
 * glibc's __sbrk, to the byte. So the kernel's peak lies between the shim's
 * MAX and that MAX rounded up. An image the witness has no account of
 * (its heap start rewritten, say) is not borne out. */
static gboolean witness_agrees(const MstatsProcessFigures *p)
{
    return p->witnessed && p->witness_max >= p->heap_max &&
           p->witness_max <= MSTATS_BREAK_ROUND(p->heap_max);
}

/* The first measured process image whose MAX the kernel does not bear
 * out; NULL when every one agrees. */
static const MstatsProcessFigures *unwitnessed_process(const MstatsRunResult *result)
{
    for (guint i = 0; i < result->process_count; i++)
        if (!witness_agrees(&result->processes[i]))
            return &result->processes[i];
    return NULL;
}

/* Turns an OK run into a failed one with `code` and `reason` (taken). */
static void fail(MstatsRunResult *result, int code, char *reason)
{
    result->code = code;
    result->code_is_exit_status = FALSE;
    g_free(result->reason);
    result->reason = reason;
}

/* The reference run's process that is the same as the measured run's
 * reported one: the same program, started as the same one of its name (the
 * second `tester-1` of a script is the second one of the reference run). */
static const MstatsProcessFigures *same_process(const MstatsRunResult *result,
                                                const MstatsRunResult *reference)
{
    const MstatsProcessFigures *reported = mstats_result_reported(result);
    if (reported == NULL)
        return NULL;
    const char *program = reported->program;
    int occurrence = 0;
    for (int i = 0; i < result->reported_process; i++)
        occurrence += strcmp(result->processes[i].program, program) == 0;
    for (guint i = 0; i < reference->process_count; i++)
        if (strcmp(reference->processes[i].program, program) == 0 && occurrence-- == 0)
            return &reference->processes[i];
    return NULL;
}

/* The first of CALLS, REQUESTED and PEAK-LIVE of the reported process that
 * differs from the same process's in the reference run, in words; NULL
 * when none does. */
static char *differing_figure(const MstatsRunResult *result, const MstatsRunResult *reference,
                              const MstatsProcessFigures *expected)
{
    const char *program = mstats_result_reported(result)->program;
    if (expected == NULL)
        return g_strdup_printf("the measured figures are those of %s, and the reference run on "
                               "glibc ran no such process",
                               program);
    for (int i = 0; i < MSTATS_FN_COUNT; i++)
        if (result->calls[i] != expected->calls[i])
            return g_strdup_printf("CALLS %s=%" G_GUINT64_FORMAT " of %s differ from the reference "
                                   "run's %s=%" G_GUINT64_FORMAT,
                                   mstats_function_name(i), result->calls[i], program,
                                   mstats_function_name(i), expected->calls[i]);
    if (result->requested != expected->requested)
        return g_strdup_printf("REQUESTED %" G_GUINT64_FORMAT " of %s differs from the reference "
                               "run's %" G_GUINT64_FORMAT,
                               result->requested, program, expected->requested);
    gboolean varies =
        reference->proof_line != NULL && mstats_proof_peak_varies(reference->proof_line);
    if (!varies && result->peak_live != expected->peak_live)
        return g_strdup_printf("PEAK-LIVE %" G_GUINT64_FORMAT " of %s differs from the reference "
                               "run's %" G_GUINT64_FORMAT,
                               result->peak_live, program, expected->peak_live);
    return NULL;
}

/* Sets result->completion (and its words) for a graded run of a program
 * that gives no proof: its exit status and stdout against the reference
 * run's. `ok`: the run has not failed so far (it exited 0; else it is not
 * compared). */
static void judge_output(MstatsRunResult *result, const TrustEvidence *evidence, gboolean ok)
{
    const MstatsRunResult *expected = evidence->reference;
    result->completion = MSTATS_COMPLETION_NOT_VERIFIED;
    if (!ok) {
        result->completion_why = g_strdup("the program gives no completion proof, and its run "
                                          "failed before its output could be compared");
        return;
    }
    /* A program that fails on glibc (or depends on its allocator, as one
     * that checks the break does) shows nothing by its output: no verdict. */
    if (expected->code != MSTATS_CODE_OK) {
        result->completion_why = g_strdup_printf(
            "the program gives no completion proof, and its reference run on glibc failed, so "
            "its output shows nothing (%d %s)",
            expected->code, expected->reason != NULL ? expected->reason : "");
        return;
    }
    /* Both runs exited 0 (the measured run is OK): their stdout decides. */
    char *differs = output_digest_difference(evidence->output, evidence->reference_output);
    if (differs == NULL) {
        result->completion = MSTATS_COMPLETION_OUTPUT;
        result->completion_why = g_strdup_printf("exit %d, stdout %" G_GUINT64_FORMAT
                                                 " bytes equal to the reference run's on glibc",
                                                 result->exit_status, evidence->output->length);
    } else if (evidence->other_input != NULL) {
        /* Its input may be what made the difference: no verdict. */
        result->completion_why = g_strdup_printf(
            "%s; but its standard input is %s, which the reference run could not read as well "
            "(it read /dev/null): give the program < FILE or < /dev/null to verify it",
            differs, evidence->other_input);
        g_free(differs);
    } else {
        result->completion = MSTATS_COMPLETION_OUTPUT_DIFFERS;
        result->completion_why = differs;
    }
}

/* Sets result->completion (and its words) from what the program wrote. */
static void judge_completion(MstatsRunResult *result, const TrustEvidence *evidence, gboolean ok)
{
    const MstatsRunResult *expected = evidence->reference;
    const char *proof_text = evidence->proof_text;
    if (expected == NULL) {
        /* A trusted allocator: no reference run, and no verdict on a missing
         * proof (a tester's --help proves nothing, and fails nothing). */
        result->completion =
            result->proof_line != NULL ? MSTATS_COMPLETION_PROVED : MSTATS_COMPLETION_TRUSTED;
        if (result->proof_line == NULL)
            result->completion_why =
                g_strdup_printf("%s is trusted code: its run needs no proof and no reference run",
                                result->allocator.name);
    } else if (!evidence->proves) {
        judge_output(result, evidence, ok);
    } else if (expected->code != MSTATS_CODE_OK || expected->proof_line == NULL) {
        result->completion = MSTATS_COMPLETION_NOT_VERIFIED;
        result->completion_why =
            expected->code != MSTATS_CODE_OK
                ? g_strdup_printf("the reference run on glibc failed (%d %s)", expected->code,
                                  expected->reason != NULL ? expected->reason : "")
                : g_strdup("the reference run on glibc gave no completion proof");
    } else {
        result->completion = mstats_proof_holds(proof_text, expected->proof_line)
                                 ? MSTATS_COMPLETION_VERIFIED
                                 : MSTATS_COMPLETION_MISSING;
    }
    if (result->completion == MSTATS_COMPLETION_MISSING)
        result->completion_why =
            strstr(proof_text, MSTATS_PROOF_TAG) != NULL
                ? g_strdup("its completion proof differs from the one the same workload gives "
                           "on glibc with the same challenge: its checks read other data than "
                           "on glibc (a workload that depends on its surroundings), or the "
                           "proof was not written by its last check (forged, or checks "
                           "skipped)")
                : g_strdup("it ended without its completion proof: it stopped before its last "
                           "check (an exit or a caught crash inside the allocator?)");
}

/* Memory outside the heap (brk_witness.h): what the reported process kept
 * outside its heap beyond its twin `same` in the reference run on glibc,
 * which maps the same program, libraries, thread stacks and shim tables but
 * no graded allocator. Past MSTATS_OUTSIDE_ALLOWANCE (the allocator's own
 * static data) it is a violation, 91: the course's heap is
 * memory from sbrk, and bookkeeping kept elsewhere would shrink it. */
static void judge_outside(MstatsRunResult *result, const MstatsProcessFigures *same, gboolean ok)
{
    const MstatsProcessFigures *reported = mstats_result_reported(result);
    if (same == NULL || !same->witnessed || reported == NULL || !reported->witnessed)
        return;
    result->outside_compared = TRUE;
    result->reference_outside = same->witness_outside;
    guint64 excess = reported->witness_outside > same->witness_outside
                         ? reported->witness_outside - same->witness_outside
                         : 0;
    if (ok && excess > MSTATS_OUTSIDE_ALLOWANCE)
        fail(result, MSTATS_CODE_OUTSIDE_HEAP,
             g_strdup_printf(
                 "%s (pid %d) kept %" G_GUINT64_FORMAT " bytes of memory outside the heap "
                 "beyond what the same workload keeps on glibc (%" G_GUINT64_FORMAT
                 " bytes against %" G_GUINT64_FORMAT ", as the kernel counted them: writable "
                 "memory from mmap, mremap or mprotect, shared memory, a memfd, the "
                 "allocator's own static data). Allocators take memory from sbrk only; "
                 "bookkeeping kept elsewhere would not count in MAX",
                 reported->program, reported->pid, excess, reported->witness_outside,
                 same->witness_outside));
}

void trust_judge(MstatsRunResult *result, const TrustEvidence *evidence)
{
    const MstatsRunResult *expected = evidence->reference;
    gboolean ok = result->code == MSTATS_CODE_OK;
    const MstatsProcessFigures *unborne =
        result->witness == MSTATS_WITNESS_KERNEL && result->figures_valid
            ? unwitnessed_process(result)
            : NULL;
    if (unborne != NULL) {
        if (ok)
            fail(result, MSTATS_CODE_NO_STATS,
                 unborne->witnessed
                     ? g_strdup_printf(
                           "the heap the shim measured through sbrk and brk in %s (pid %d: MAX "
                           "%" G_GUINT64_FORMAT
                           ") is not the heap the kernel saw (MAX %" G_GUINT64_FORMAT
                           " over %" G_GUINT64_FORMAT " brk calls). An allocator causes this by "
                           "moving the break without the sbrk and brk functions (glibc's __sbrk, "
                           "or the brk system call made directly), which mstats cannot measure; "
                           "failing that, the figures in the shim's memory were rewritten",
                           unborne->program, unborne->pid, unborne->heap_max, unborne->witness_max,
                           unborne->witness_brks)
                     : g_strdup_printf(
                           "the kernel's witness has no account of the heap of %s (pid %d, heap "
                           "start %#" G_GINT64_MODIFIER "x), which the shim measured: more than "
                           "%d process images ran, or the figures in the shim's memory were "
                           "rewritten",
                           unborne->program, unborne->pid, unborne->heap_start,
                           RUN_INIT_IMAGES_MAX));
        ok = FALSE;
        /* What the report shows, and no grade uses: the kernel's figure. */
        if (mstats_result_reported(result) != NULL) {
            result->heap_max = result->witness_max;
            mstats_result_set_utilization(result);
        }
    }
    if (ok && result->witness == MSTATS_WITNESS_KERNEL && result->unmeasured_heap > 0) {
        fail(result, MSTATS_CODE_NO_STATS,
             g_strdup_printf("the kernel's witness saw a process of the run (pid %d) grow a "
                             "heap of %" G_GUINT64_FORMAT " bytes that no shim measured: it ran "
                             "without the shim (a statically linked or setuid program, or one "
                             "started with LD_PRELOAD removed), so the figures reported may not "
                             "be the workload's",
                             result->unmeasured_pid, result->unmeasured_heap));
        ok = FALSE;
    }
    judge_completion(result, evidence, ok);
    if (ok && result->completion == MSTATS_COMPLETION_MISSING) {
        fail(result, MSTATS_CODE_UNFINISHED,
             g_strdup_printf("the workload did not finish: %s", result->completion_why));
        ok = FALSE;
    }
    /* A stdout that differs from the reference run's is no verdict: an
     * honest program prints the time, its pid or a pointer as readily as a
     * cheat ends it early. The run is not verified, and never graded so
     * (a rubric's verify = output); the COMPLETION line says where. */
    if (expected == NULL || expected->code != MSTATS_CODE_OK || !expected->figures_valid ||
        mstats_result_reported(result) == NULL)
        return;
    const MstatsProcessFigures *same = same_process(result, expected);
    /* A program whose requests vary from run to run (a shell, Python with
     * its random hash seed) is compared only for having a twin; its figures
     * are the twin's below all the same. */
    g_autofree char *differs = ok && (evidence->deterministic || same == NULL)
                                   ? differing_figure(result, expected, same)
                                   : NULL;
    if (differs != NULL)
        fail(result, MSTATS_CODE_FIGURES_DIFFER,
             g_strdup_printf(
                 "%s (the same workload on glibc). These figures are the "
                 "program's requests, which the allocator does not choose. An allocator changes "
                 "them by calling malloc, free or another function of the family itself through "
                 "the program's symbols (directly, or through printf or another library "
                 "function); a workload whose requests depend on its surroundings (the time, "
                 "random numbers) changes them too. Failing those, the figures in the shim's "
                 "memory were rewritten",
                 differs));
    judge_outside(result, same, result->code == MSTATS_CODE_OK);
    /* A workload that provably finished (its proof, or its output): its own
     * figures are the reference run's, whatever the region says (REASON
     * named any difference). The figures of one that did not finish stay as
     * measured: partial. */
    if ((result->completion != MSTATS_COMPLETION_VERIFIED &&
         result->completion != MSTATS_COMPLETION_OUTPUT) ||
        same == NULL)
        return;
    result->requested = same->requested;
    result->peak_live = same->peak_live;
    memcpy(result->header_bound, same->header_bound, sizeof result->header_bound);
    memcpy(result->calls, same->calls, sizeof result->calls);
    mstats_result_set_utilization(result);
}
