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

/* One workload's reference run, made once (its lock held meanwhile). */
typedef struct {
    GMutex lock;
    gboolean done;
    gboolean attempted; /* the run could be started (else `error` says why) */
    char *error;
    TrustReference reference;
} ReferenceEntry;

/* Everything that makes two runs the same workload for the reference. */
static char *workload_key(const MstatsRunRequest *request, const char *program)
{
    GString *key = g_string_new(program);
    for (char **arg = request->argv + 1; *arg != NULL; arg++)
        g_string_append_printf(key, "\x1f%s", *arg);
    g_string_append_printf(key, "\x1e%u\x1e%" G_GUINT64_FORMAT "\x1e%g\x1e%d", request->alignment,
                           request->memory_limit, request->timeout_seconds, request->no_sandbox);
    for (const char *const *path = request->writable_paths; path != NULL && *path != NULL; path++)
        g_string_append_printf(key, "\x1d%s", *path);
    return g_string_free(key, FALSE);
}

const TrustReference *trust_reference(const MstatsRunRequest *request, const char *program,
                                      GError **error)
{
    static GMutex table_lock;
    static GHashTable *table;
    g_autofree char *key = workload_key(request, program);
    g_mutex_lock(&table_lock);
    if (table == NULL)
        table = g_hash_table_new(g_str_hash, g_str_equal);
    ReferenceEntry *entry = g_hash_table_lookup(table, key);
    if (entry == NULL) {
        entry = g_new0(ReferenceEntry, 1);
        g_mutex_init(&entry->lock);
        g_hash_table_insert(table, g_steal_pointer(&key), entry);
    }
    g_mutex_unlock(&table_lock);

    g_mutex_lock(&entry->lock);
    if (!entry->done) {
        g_autoptr(GError) run_error = NULL;
        trust_new_challenge(entry->reference.challenge);
        entry->attempted = mstats_run_reference(request, program, entry->reference.challenge,
                                                &entry->reference.result, &run_error);
        if (!entry->attempted)
            entry->error = g_strdup(run_error->message);
        entry->done = TRUE;
    }
    g_mutex_unlock(&entry->lock);
    if (!entry->attempted) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM,
                    "the reference run on glibc could not start: %s", entry->error);
        return NULL;
    }
    return &entry->reference;
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
        result->witness_max = outcome->witness_max;
    } else {
        result->witness = MSTATS_WITNESS_UNAVAILABLE;
        result->witness_why =
            outcome->witness == 0
                ? g_strdup("the run's first process did not report what it witnessed")
                : g_strdup_printf("the brk witness could not start (ptrace with seccomp: %s)",
                                  g_strerror(outcome->witness_errno));
    }
}

/* Whether the kernel's MAX bears out the shim's: the shim moves the kernel's
 * break to the granule boundary at or above its own (a heap that starts on a
 * page boundary, as the kernel's does), or, after glibc's __sbrk, to the byte.
 * So the kernel's peak lies between the shim's MAX and that MAX rounded up. */
static gboolean witness_agrees(const MstatsRunResult *result)
{
    return result->figures_valid && result->witness_max >= result->heap_max &&
           result->witness_max <= MSTATS_BREAK_ROUND(result->heap_max);
}

/* Turns an OK run into a failed one with `code` and `reason` (taken). */
static void fail(MstatsRunResult *result, int code, char *reason)
{
    result->code = code;
    result->code_is_exit_status = FALSE;
    g_free(result->reason);
    result->reason = reason;
}

/* The first of CALLS, REQUESTED and PEAK-LIVE that differs from the
 * reference run's, in words; NULL when none does. */
static char *differing_figure(const MstatsRunResult *result, const MstatsRunResult *reference)
{
    for (int i = 0; i < MSTATS_FN_COUNT; i++)
        if (result->calls[i] != reference->calls[i])
            return g_strdup_printf("CALLS %s=%" G_GUINT64_FORMAT " differs from the reference "
                                   "run's %s=%" G_GUINT64_FORMAT,
                                   mstats_function_name(i), result->calls[i],
                                   mstats_function_name(i), reference->calls[i]);
    if (result->requested != reference->requested)
        return g_strdup_printf("REQUESTED %" G_GUINT64_FORMAT " differs from the reference run's "
                               "%" G_GUINT64_FORMAT,
                               result->requested, reference->requested);
    gboolean varies =
        reference->proof_line != NULL && mstats_proof_peak_varies(reference->proof_line);
    if (!varies && result->peak_live != reference->peak_live)
        return g_strdup_printf("PEAK-LIVE %" G_GUINT64_FORMAT " differs from the reference run's "
                               "%" G_GUINT64_FORMAT,
                               result->peak_live, reference->peak_live);
    return NULL;
}

/* Sets result->completion (and its words) from what the program wrote. */
static void judge_completion(MstatsRunResult *result, gboolean proves, const char *proof_text,
                             const TrustReference *reference)
{
    const MstatsRunResult *expected = reference != NULL ? &reference->result : NULL;
    if (!proves) {
        result->completion = MSTATS_COMPLETION_NOT_VERIFIED;
        result->completion_why = g_strdup("the program gives no completion proof (the testers "
                                          "and mreplay do)");
    } else if (expected == NULL) {
        /* A trusted allocator: no reference run, and no verdict on a missing
         * proof (a tester's --help proves nothing, and fails nothing). */
        result->completion =
            result->proof_line != NULL ? MSTATS_COMPLETION_PROVED : MSTATS_COMPLETION_NOT_VERIFIED;
        if (result->proof_line == NULL)
            result->completion_why = g_strdup("the program gave no completion proof");
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
                ? g_strdup("its completion proof is not the one a run of the same workload on "
                           "glibc gives (forged, or checks were skipped)")
                : g_strdup("it ended without its completion proof: it stopped before its last "
                           "check (an exit or a caught crash inside the allocator?)");
}

void trust_judge(MstatsRunResult *result, gboolean proves, const char *proof_text,
                 const TrustReference *reference)
{
    gboolean ok = result->code == MSTATS_CODE_OK;
    if (result->witness == MSTATS_WITNESS_KERNEL && !witness_agrees(result)) {
        if (ok)
            fail(result, MSTATS_CODE_NO_STATS,
                 g_strdup_printf(
                     "the heap the shim reported (MAX %" G_GUINT64_FORMAT ") is not the heap the "
                     "kernel saw (MAX %" G_GUINT64_FORMAT " over %" G_GUINT64_FORMAT " brk calls): "
                     "the allocator moved the break behind the shim's back or rewrote the figures",
                     result->heap_max, result->witness_max, result->witness_brks));
        ok = FALSE;
        /* What the report shows, and no grade uses: the kernel's figure. */
        result->heap_max = result->witness_max;
        mstats_result_set_utilization(result);
    }
    judge_completion(result, proves, proof_text, reference);
    if (ok && result->completion == MSTATS_COMPLETION_MISSING) {
        fail(result, MSTATS_CODE_UNFINISHED,
             g_strdup_printf("the workload did not finish: %s", result->completion_why));
        ok = FALSE;
    }
    const MstatsRunResult *expected = reference != NULL ? &reference->result : NULL;
    if (expected == NULL || expected->code != MSTATS_CODE_OK || !expected->figures_valid)
        return;
    g_autofree char *differs = ok ? differing_figure(result, expected) : NULL;
    if (differs != NULL)
        fail(result, MSTATS_CODE_FIGURES_DIFFER,
             g_strdup_printf("%s on glibc: the workload decides it, not the allocator (the figures "
                             "were rewritten, or the allocator made calls of its own through the "
                             "shim)",
                             differs));
    /* A workload that provably finished: its own figures are the reference
     * run's, whatever the region says (REASON named any difference). The
     * figures of one that did not finish stay as measured: partial. */
    if (result->completion != MSTATS_COMPLETION_VERIFIED)
        return;
    result->requested = expected->requested;
    result->peak_live = expected->peak_live;
    memcpy(result->calls, expected->calls, sizeof result->calls);
    mstats_result_set_utilization(result);
}
