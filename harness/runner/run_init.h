/* The status line mstats-run-init (run_init.c) writes for the runner when the
 * run is over: one text line, written by the run's first process after every
 * other process of the run is gone. Both sides use these two functions. */
#ifndef MSTATS_RUNNER_RUN_INIT_H
#define MSTATS_RUNNER_RUN_INIT_H

#include <stdio.h>
#include <string.h>

#define RUN_INIT_TAG "mstats-run-init/1 "
#define RUN_INIT_LINE_MAX 256
#define RUN_INIT_NAME "mstats-run-init"

typedef struct {
    int wait_status;    /* the program's raw wait status */
    int exec_errno;     /* exec of the program failed with this (0: it ran) */
    int timed_out;      /* the timeout stopped it */
    int needed_sigkill; /* SIGTERM was not enough */
    long long wall_ns;  /* from the program's fork to its exit */
    long long cpu_us;   /* user + system of the program and what it waited for */
} RunInitReport;

/* Writes the line for `r` into `line`; returns its length (with the newline). */
static inline int run_init_format(const RunInitReport *r, char *line, size_t size)
{
    return snprintf(line, size,
                    RUN_INIT_TAG "status=%d errno=%d timeout=%d sigkill=%d wall_ns=%lld "
                                 "cpu_us=%lld\n",
                    r->wait_status, r->exec_errno, r->timed_out, r->needed_sigkill, r->wall_ns,
                    r->cpu_us);
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
                               "cpu_us=%lld",
                  &r->wait_status, &r->exec_errno, &r->timed_out, &r->needed_sigkill, &r->wall_ns,
                  &r->cpu_us) == 6;
}

#endif
