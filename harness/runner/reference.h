/* The reference run (docs/security.md): the same workload on glibc, whose
 * completion proof, or exit status and standard output, and figures (CALLS,
 * REQUESTED, PEAK-LIVE) a graded allocator's run must match. It differs from
 * the measured run only in the allocator: the same arguments, environment,
 * directory, limits and sandbox, and standard output and error of the same
 * kind (output_capture.h: a pseudo-terminal where the measured run writes to
 * a terminal, a pipe where it writes to a pipe, a file on the same file
 * system where it writes to a file), because glibc sizes a stream's buffer
 * by what it writes to (1 KiB on a terminal, 4 KiB on a pipe), and that
 * buffer is one of the program's own malloc calls. Its standard input is
 * the measured run's where reading it takes nothing from the measured run (a
 * file, opened again at the same offset; /dev/null), else /dev/null.
 *
 * Made once per workload and kind of output in a process (mcompare's threads
 * share it) and kept for the life of the process. */
#ifndef MSTATS_RUNNER_REFERENCE_H
#define MSTATS_RUNNER_REFERENCE_H

#include <glib.h>

#include "output_capture.h"
#include "proof.h"
#include "run_model.h"

typedef struct {
    char challenge[MSTATS_PROOF_HEX_DIGITS + 1];
    MstatsRunResult result;
    OutputDigest output; /* its stdout, read when asked for (by_output) */
    /* What the measured run's stdin is when the reference run could not read
     * the same ("a terminal", "a pipe"); NULL when it read the same. */
    const char *other_input;
} ReferenceRun;

/* Runs `request` (already turned into the reference run's: glibc, outputs
 * of the right kind) with `challenge`; the runner's own run, passed in so
 * that this file does not call back into run.c. */
typedef gboolean (*ReferenceRunner)(const MstatsRunRequest *request, const char *program,
                                    const char *challenge, MstatsRunResult *result, GError **error);

/* The reference run of `request`'s workload (`program` found already), made
 * with `run` on first use, with a fresh challenge that the measured runs it
 * serves take, and shared by every later run of the same workload in this
 * process. `by_output`: its stdout is read (the measured run's will be
 * compared with it). NULL + error when it could not be attempted. */
const ReferenceRun *reference_run(const MstatsRunRequest *request, const char *program,
                                  gboolean by_output, ReferenceRunner run, GError **error);

#endif
