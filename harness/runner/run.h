/* Running one program under one allocator and collecting its figures: the
 * library behind mstats, mreplace and mcompare. Nothing here prints or exits;
 * every function is safe to call from several threads at once (each run has
 * its own region, descriptors and process group), so mcompare can run cells
 * in parallel. The data model is run_model.h; the options, size.h; stopping
 * runs from a signal handler, spawn.h.
 */
#ifndef MSTATS_RUN_H
#define MSTATS_RUN_H

#include <glib.h>

#include "error.h"
#include "run_model.h"
#include "size.h"
#include "spawn.h"

/* Runs request->argv to completion (or timeout) and fills `result`.
 * With an untrusted allocator (MstatsAllocator.trusted) the run is checked
 * (docs/security.md): the kernel witnesses its heap (code 67 when the shim's
 * MAX differs); a program that gives a completion proof is first run on
 * glibc with the same challenge (the reference run, run once per workload
 * in this process), and the measured run must give the same proof (code
 * 96) and the same CALLS, REQUESTED and PEAK-LIVE (code 97).
 * Returns FALSE with `error` set only when the run could not be attempted:
 * unknown allocator, missing program, missing shim, exec failure, recording
 * file not writable. Every outcome of the program itself, crash or timeout
 * included, is a result with TRUE; so is a recording or heap map that could
 * not be written after the run (result->output_error says why). */
gboolean mstats_run(const MstatsRunRequest *request, MstatsRunResult *result, GError **error);

#endif
