/* The status line mstats-run-init (run_init.c) writes for the runner when the
 * run is over: one text line, written by the run's first process after every
 * other process of the run is gone. Both sides use these two functions. */
#ifndef MSTATS_RUNNER_RUN_INIT_H
#define MSTATS_RUNNER_RUN_INIT_H

#include <stdio.h>
#include <string.h>

#define RUN_INIT_TAG "mstats-run-init/2 "
#define RUN_INIT_LINE_MAX 512
#define RUN_INIT_NAME "mstats-run-init"

typedef struct {
    int wait_status;    /* the program's raw wait status */
    int exec_errno;     /* exec of the program failed with this (0: it ran) */
    int timed_out;      /* the timeout stopped it */
    int needed_sigkill; /* SIGTERM was not enough */
    long long wall_ns;  /* from the program's fork to its exit */
    long long cpu_us;   /* user + system of the program and what it waited for */
    /* The brk witness: 0 not asked for, 1 witnessed, -1 asked for but it
     * could not start or went wrong (witness_errno says why). */
    int witness;
    int witness_errno;
    unsigned long long witness_max;   /* the witnessed heap peak in bytes */
    unsigned long long witness_brks;  /* brk system calls of the program */
    unsigned long long witness_stops; /* trace stops they cost */
} RunInitReport;

/* Each trace stop of the witness moves the timeout (and the CPU limit) on by
 * this much: the time the program waits for the witness is not the
 * program's (a stop takes about 8 us of wall time and 3 us of the program's
 * CPU time on this project's 2-core machine, tracer and program on one CPU). */
#define RUN_INIT_STOP_ALLOWANCE_NS 100000LL
/* ... but never past this many times the timeout (the runner's watchdog
 * waits that long for a witnessed run). */
#define RUN_INIT_WITNESS_STRETCH 10

/* Writes the line for `r` into `line`; returns its length (with the newline). */
static inline int run_init_format(const RunInitReport *r, char *line, size_t size)
{
    return snprintf(line, size,
                    RUN_INIT_TAG "status=%d errno=%d timeout=%d sigkill=%d wall_ns=%lld "
                                 "cpu_us=%lld witness=%d witness_errno=%d witness_max=%llu "
                                 "witness_brks=%llu witness_stops=%llu\n",
                    r->wait_status, r->exec_errno, r->timed_out, r->needed_sigkill, r->wall_ns,
                    r->cpu_us, r->witness, r->witness_errno, r->witness_max, r->witness_brks,
                    r->witness_stops);
}

/* Reads the last status line in `text` (NUL-terminated): the real one is
 * always the last write, so anything a program forged before it is skipped.
 * Returns 1 when a complete line was found. */
static inline int run_init_parse(const char *text, RunInitReport *r)
{
    const char *last = NULL;
    for (const char *at = strstr(text, RUN_INIT_TAG); at != NULL; at = strstr(at + 1, RUN_INIT_TAG))
        last = at;
    if (last == NULL || strchr(last, '\n') == NULL)
        return 0;
    return sscanf(last,
                  RUN_INIT_TAG "status=%d errno=%d timeout=%d sigkill=%d wall_ns=%lld "
                               "cpu_us=%lld witness=%d witness_errno=%d witness_max=%llu "
                               "witness_brks=%llu witness_stops=%llu",
                  &r->wait_status, &r->exec_errno, &r->timed_out, &r->needed_sigkill, &r->wall_ns,
                  &r->cpu_us, &r->witness, &r->witness_errno, &r->witness_max, &r->witness_brks,
                  &r->witness_stops) == 11;
}

#endif
