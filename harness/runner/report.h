/* Reports of one run, as strings: the course's text lines and JSON. */
#ifndef MSTATS_REPORT_H
#define MSTATS_REPORT_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "run_model.h"

/* What a reference allocator's heap figures say (MstatsAllocator.heap_unmeasured). */
#define MSTATS_NOT_MEASURED "not measured (mmap allocator)"

/* The [mstats]: lines, each ending in a newline:
 * STATUS, MAX, AVG, TIME, REQUESTED, PEAK-LIVE, UTILIZATION, CALLS, ALLOCATOR,
 * CPU-TIME (user + system seconds of the program and what it started),
 * CPU-SOURCE (where CPU-TIME comes from), SANDBOX when the run was
 * not sandboxed (and why), WITNESS (how MAX was witnessed; none for an mmap
 * allocator), COMPLETION (whether the workload provably finished), and
 * REASON when the run failed. */
char *mstats_report_text(const MstatsRunResult *result);

/* The words after "WITNESS: " (NULL: no line, an mmap allocator), after
 * "CPU-SOURCE: " (NULL: no source known) and after "COMPLETION: ", for the
 * text report and mcompare. */
char *mstats_witness_words(const MstatsRunResult *result);
char *mstats_cpu_source_words(const MstatsRunResult *result);
char *mstats_completion_words(const MstatsRunResult *result);

/* The names the JSON report gives a witness and a completion, and back:
 * FALSE when `name` (may be NULL) is none of them. */
const char *mstats_witness_name(MstatsWitness witness);
const char *mstats_completion_name(MstatsCompletion completion);
gboolean mstats_witness_from_name(const char *name, MstatsWitness *witness);
gboolean mstats_completion_from_name(const char *name, MstatsCompletion *completion);

/* One JSON object with every figure of the text report plus code, signal,
 * reason, exit status, CPU time, per-function calls and the request. */
char *mstats_report_json(const MstatsRunResult *result, const MstatsRunRequest *request);

/* Adds the members of one result to the object `b` is building: status,
 * code, wait_status, exit_status, signal, reason, timed_out, figures_valid,
 * max, avg, time, cpu_time, cpu_source, cpu_source_why, requested, peak_live, utilization,
 * live_at_exit, live_blocks_at_exit, calls (per function, and failed),
 * sandboxed, not_sandboxed_why, memory_bound, memory_peak, witness,
 * witness_why, witness_brks, witness_max, completion and
 * completion_why.
 * The mstats report and mcompare's cells share it. */
void mstats_json_add_result(JsonBuilder *b, const MstatsRunResult *result);

#endif
