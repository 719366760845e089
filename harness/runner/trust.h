/* What a grade may believe when the allocator is graded code (docs/security.md):
 * the kernel's account of the heap, the program's completion proof (or, for
 * a program that gives none, its exit status and standard output) checked
 * against a reference run on glibc, and the workload's own figures (CALLS,
 * REQUESTED, PEAK-LIVE) checked against the same reference run. Verdicts
 * only: the runs themselves are made by run.c and reference.c. The runner's
 * side; the program's side is harness/protocol/proof.h. */
#ifndef MSTATS_RUNNER_TRUST_H
#define MSTATS_RUNNER_TRUST_H

#include <glib.h>

#include "output_capture.h"
#include "proof.h"
#include "run_model.h"
#include "spawn.h"

/* Whether `program` (a path) can give a completion proof: it holds the
 * proof's tag, as the testers and mreplay do. */
gboolean trust_program_proves(const char *program);

/* A fresh random challenge: MSTATS_PROOF_HEX_DIGITS hex digits. */
void trust_new_challenge(char challenge[MSTATS_PROOF_HEX_DIGITS + 1]);

/* Records how the run's heap was witnessed (`witnessed`: the run asked
 * mstats-run-init to): the witnessed MAX and brk calls, or why there are
 * none. An untrusted allocator not witnessed (--no-witness) is "figures not
 * witnessed". The trace stops' CPU time stays in the program's CPU-TIME
 * (docs/security.md). */
void trust_note_witness(MstatsRunResult *result, gboolean witnessed, const SpawnOutcome *outcome);

/* What a run is judged on besides its own result. */
typedef struct {
    gboolean proves;        /* the program gives a completion proof */
    const char *proof_text; /* all it wrote on its proof descriptor */
    /* The reference run's result (reference.h); NULL: no reference run, a
     * trusted allocator. */
    const MstatsRunResult *reference;
    /* Without a proof: the reference run's stdout and the measured run's
     * (read against it); `other_input` what the measured run's stdin was
     * when the reference run could not read the same (NULL: it did). */
    const OutputDigest *reference_output;
    const OutputDigest *output;
    const char *other_input;
    /* The reported process is a tester or mreplay, whose requests do not
     * vary from run to run. */
    gboolean deterministic;
} TrustEvidence;

/* The verdicts of trust, on a run that classify() found OK: 67 when the
 * kernel's MAX does not bear out the shim's; 96 without the completion
 * proof; 97 when a program that gives no proof writes another stdout than
 * its reference run, which exited 0 too and read the same stdin (else it is
 * not verified, with no verdict), or when the reported process has no twin
 * in the reference run, or, for a deterministic one, when its CALLS,
 * REQUESTED or PEAK-LIVE differ from its twin's; 91 when it kept more
 * memory outside the heap than its twin. Sets completion; when it
 * is verified (by proof or by output), the run's CALLS, REQUESTED and
 * PEAK-LIVE become the twin's, the workload's own. */
void trust_judge(MstatsRunResult *result, const TrustEvidence *evidence);

#endif
