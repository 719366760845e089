/* The reference run (docs/security.md): the same workload on glibc, whose
 * completion proof and figures (CALLS, REQUESTED, PEAK-LIVE) a graded
 * allocator's run must match. It differs from the measured run only in the
 * allocator: the same arguments, environment, directory, limits and sandbox,
 * and standard output and error of the same kind (a pseudo-terminal where
 * the measured run writes to a terminal, a pipe where it writes to a pipe,
 * a file on the same file system where it writes to a file), because glibc
 * sizes a stream's buffer by what it writes to (1 KiB on a terminal, 4 KiB
 * on a pipe), and that buffer is one of the program's own malloc calls.
 *
 * Made once per workload and kind of output in a process (mcompare's threads
 * share it) and kept for the life of the process. */
#ifndef MSTATS_RUNNER_REFERENCE_H
#define MSTATS_RUNNER_REFERENCE_H

#include <glib.h>

#include "proof.h"
#include "run_model.h"

typedef struct {
    char challenge[MSTATS_PROOF_HEX_DIGITS + 1];
    MstatsRunResult result;
} ReferenceRun;

/* Runs `request` (already turned into the reference run's: glibc, outputs
 * of the right kind) with `challenge`; the runner's own run, passed in so
 * that this file does not call back into run.c. */
typedef gboolean (*ReferenceRunner)(const MstatsRunRequest *request, const char *program,
                                    const char *challenge, MstatsRunResult *result, GError **error);

/* The reference run of `request`'s workload (`program` found already), made
 * with `run` on first use and shared by every later run of the same
 * workload and `challenge` in this process. `challenge` NULL: a fresh one,
 * the reference run made before the measured runs it serves, which take its
 * challenge; else the one a measured run already had (a wrapper that ran a
 * tester: only its proof said that a reference run was needed). NULL +
 * error when it could not be attempted. */
const ReferenceRun *reference_run(const MstatsRunRequest *request, const char *program,
                                  const char *challenge, ReferenceRunner run, GError **error);

#endif
