/* What mstats and mreplace share: the options that shape a run, and running
 * one program on the terminal with them. */
#ifndef MSTATS_SINGLE_RUN_H
#define MSTATS_SINGLE_RUN_H

#include "run.h"

/* Values of the shared options, filled by GOption (single_run_entries). */
typedef struct {
    char *allocator;
    double timeout;
    char *memory_limit;
    gboolean no_sandbox;
    gboolean witness_all;  /* --witness-all */
    gboolean no_witness;   /* --no-witness */
    int alignment;         /* --align: 0 (not given), else 8 or 16 */
    char **writable;       /* --writable PATH, repeatable */
    gboolean writable_cwd; /* the working directory is writable too (mreplace) */
    gboolean version;
} SingleRunOptions;

/* The -a, -t, -m, --align, --no-sandbox, --witness-all, --no-witness,
 * --writable and --version entries over `options`; `timeout_help` and
 * `writable_help` describe the program's default timeout and what it lets a
 * run write. Returns a static array ending with G_OPTION_ENTRY_NULL, for one
 * `options` per program. */
const GOptionEntry *single_run_entries(SingleRunOptions *options, const char *timeout_help,
                                       const char *writable_help);

/* PROGRAM and its arguments after parsing: skips a leading "--". */
char **single_run_program(int argc, char **argv);

/* Runs `program` as the options say, on the terminal, stopped by SIGTERM,
 * SIGINT and SIGHUP sent to the harness; prints "NAME: warning: ..." when the
 * run is not sandboxed. `request` comes from mstats_run_request_init with the
 * program's own fields set; this sets the shared ones. Returns -1 with
 * `result` filled when the program ran, else the exit status the harness
 * must exit with (2 usage error, 1 other failure) after printing
 * "NAME: message". */
int single_run(const char *name, const SingleRunOptions *options, char **program,
               MstatsRunRequest *request, MstatsRunResult *result);

#endif
