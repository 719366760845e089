/* The report mstats-run-init (run_init.c) writes for the runner when the
 * run is over, written by the run's first process after every other process
 * of the run is gone: a header line, then one line per process image the brk
 * witness saw (harness/witness/brk_witness.h), in the order they started:
 *   mstats-run-init/5 status=... images=N images_dropped=N confined=BITS confine_errno=E
 *   mstats-run-init/5 image pid=PID start=ADDRESS max=BYTES brks=N outside=BYTES
 * Both sides use the two functions below. libc only. */
#ifndef MSTATS_RUNNER_RUN_INIT_H
#define MSTATS_RUNNER_RUN_INIT_H

#include <stdio.h>
#include <string.h>

#define RUN_INIT_TAG "mstats-run-init/5 "
#define RUN_INIT_HEADER RUN_INIT_TAG "status="
#define RUN_INIT_IMAGE RUN_INIT_TAG "image "
/* The longest line, header or image line. */
#define RUN_INIT_LINE_MAX 512
/* Image lines in one report (BRK_WITNESS_IMAGES_MAX: run_init.c checks). */
#define RUN_INIT_IMAGES_MAX 1024
/* The longest report. */
#define RUN_INIT_REPORT_MAX (RUN_INIT_LINE_MAX * (1 + RUN_INIT_IMAGES_MAX))
#define RUN_INIT_NAME "mstats-run-init"

/* One process image's heap as the brk witness saw it. */
typedef struct {
    int pid;                  /* its process (thread group) id in the run's PID namespace */
    unsigned long long start; /* its heap start (the kernel's start_brk) */
    unsigned long long max;   /* its witnessed MAX: the peak break less the start */
    unsigned long long brks;  /* brk system calls made by the image */
    /* its memory outside the heap (brk_witness_image_outside): the peak of
     * its private writable memory less the heap, and the shared memory it
     * mapped, in bytes */
    unsigned long long outside;
} RunInitImage;

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
    unsigned long long witness_brks;  /* brk system calls of all images */
    unsigned long long witness_stops; /* trace stops they cost */
    int image_count;                  /* images witnessed: images[0..image_count) */
    int images_dropped;               /* images started past the witness's table */
    RunInitImage images[RUN_INIT_IMAGES_MAX];
    /* The program's confinement (confine.h): the layers in place when it
     * was started (0 when none was asked for), and the errno of the first
     * layer that failed. */
    int confined;
    int confine_errno;
} RunInitReport;

/* The witness's trace stops move the timeout and the CPU limit on by what
 * they earned: the time the program waits for the witness is not the
 * program's, but a stop made only to be given time must earn nothing
 * (brk_witness.h, "Stops that earn time"). Each stop of a brk that grew the
 * run's largest heap past a page (the shim's growths: one brk per page)
 * earns this much, more than a stop costs (about 8 us of wall time and 3 us
 * of the program's CPU time on this project's 2-core machine, tracer and
 * program on one CPU) and paid for in MAX (a second per 40 MiB of heap).
 * Each stop of any other brk that moved a break across a page earns the time
 * the witness took over it; any other stop (brk(0), a refused brk, one
 * within a page) earns nothing. */
#define RUN_INIT_STOP_ALLOWANCE_NS 100000LL
/* ... but never past this many times the timeout (the runner's watchdog
 * waits that long for a witnessed run). */
#define RUN_INIT_WITNESS_STRETCH 10

/* Writes the report for `r` into `text` (`size` bytes, RUN_INIT_REPORT_MAX
 * is enough); returns its length, or -1 when it does not fit. */
static inline int run_init_format(const RunInitReport *r, char *text, size_t size)
{
    if (r->image_count < 0 || r->image_count > RUN_INIT_IMAGES_MAX)
        return -1;
    int length =
        snprintf(text, size,
                 RUN_INIT_HEADER "%d errno=%d timeout=%d sigkill=%d wall_ns=%lld "
                                 "cpu_us=%lld witness=%d witness_errno=%d "
                                 "witness_brks=%llu witness_stops=%llu images=%d "
                                 "images_dropped=%d confined=%d confine_errno=%d\n",
                 r->wait_status, r->exec_errno, r->timed_out, r->needed_sigkill, r->wall_ns,
                 r->cpu_us, r->witness, r->witness_errno, r->witness_brks, r->witness_stops,
                 r->image_count, r->images_dropped, r->confined, r->confine_errno);
    for (int i = 0; i < r->image_count && length >= 0 && (size_t)length < size; i++) {
        const RunInitImage *image = &r->images[i];
        int line = snprintf(text + length, size - (size_t)length,
                            RUN_INIT_IMAGE "pid=%d start=%llu max=%llu brks=%llu outside=%llu\n",
                            image->pid, image->start, image->max, image->brks, image->outside);
        length = line < 0 ? -1 : length + line;
    }
    return length >= 0 && (size_t)length < size ? length : -1;
}

/* Reads the last report in `text` (NUL-terminated): its header is the last
 * header line, and its image lines follow it. The real report is always the
 * last write, so anything a program forged before it is skipped. Returns 1
 * when a complete report was found, else 0. */
static inline int run_init_parse(const char *text, RunInitReport *r)
{
    const char *at = NULL;
    for (const char *found = strstr(text, RUN_INIT_HEADER); found != NULL;
         found = strstr(found + 1, RUN_INIT_HEADER))
        at = found;
    if (at == NULL || strchr(at, '\n') == NULL)
        return 0;
    if (sscanf(at,
               RUN_INIT_HEADER
               "%d errno=%d timeout=%d sigkill=%d wall_ns=%lld cpu_us=%lld "
               "witness=%d witness_errno=%d witness_brks=%llu "
               "witness_stops=%llu images=%d images_dropped=%d confined=%d confine_errno=%d",
               &r->wait_status, &r->exec_errno, &r->timed_out, &r->needed_sigkill, &r->wall_ns,
               &r->cpu_us, &r->witness, &r->witness_errno, &r->witness_brks, &r->witness_stops,
               &r->image_count, &r->images_dropped, &r->confined, &r->confine_errno) != 14 ||
        r->image_count < 0 || r->image_count > RUN_INIT_IMAGES_MAX)
        return 0;
    for (int i = 0; i < r->image_count; i++) {
        at = strchr(at, '\n') + 1;
        RunInitImage *image = &r->images[i];
        if (strncmp(at, RUN_INIT_IMAGE, strlen(RUN_INIT_IMAGE)) != 0 || strchr(at, '\n') == NULL ||
            sscanf(at, RUN_INIT_IMAGE "pid=%d start=%llu max=%llu brks=%llu outside=%llu",
                   &image->pid, &image->start, &image->max, &image->brks, &image->outside) != 5)
            return 0;
    }
    return 1;
}

#endif
