/* test-run-init-report: run_init_format and run_init_parse (run_init.h)
 * agree on a full report of RUN_INIT_IMAGES_MAX images, take the last report
 * after forged ones, and refuse an incomplete one. Exits 0 when all hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_init.h"

static int failures;

static void check(int holds, const char *what)
{
    if (!holds) {
        fprintf(stderr, "FAIL: %s\n", what);
        failures++;
    }
}

static RunInitReport full_report(void)
{
    RunInitReport r = {.wait_status = 256,
                       .exec_errno = 0,
                       .timed_out = 1,
                       .needed_sigkill = 0,
                       .wall_ns = 123456789012LL,
                       .cpu_us = 98765,
                       .witness = 1,
                       .witness_errno = 0,
                       .witness_stops = 70001,
                       .images_dropped = 3,
                       .confined = 63,
                       .confine_errno = 38};
    r.image_count = RUN_INIT_IMAGES_MAX;
    for (int i = 0; i < RUN_INIT_IMAGES_MAX; i++) {
        /* The widest numbers, to find a line or report that does not fit. */
        r.images[i] = (RunInitImage){.pid = 2147483647 - i,
                                     .start = 18446744073709551615ULL - (unsigned)i,
                                     .max = 18446744073709551615ULL - 7 * (unsigned)i,
                                     .brks = 18446744073709551615ULL - 1,
                                     .outside = 18446744073709551615ULL - 3};
        r.witness_brks += 1000 + (unsigned)i;
    }
    return r;
}

int main(void)
{
    static char text[2 * RUN_INIT_REPORT_MAX];
    RunInitReport written = full_report(), read;

    /* A forged report first (a program may write anything before), then the real one. */
    RunInitReport forged = written;
    forged.image_count = 1;
    forged.images[0].max = 1;
    int forged_length = run_init_format(&forged, text, RUN_INIT_REPORT_MAX);
    check(forged_length > 0, "the forged report is written");
    int length = run_init_format(&written, text + forged_length, RUN_INIT_REPORT_MAX);
    check(length > 0, "a report of RUN_INIT_IMAGES_MAX widest images fits RUN_INIT_REPORT_MAX");
    memset(&read, 0, sizeof read);
    check(run_init_parse(text, &read) == 1, "the full report is read");
    check(read.image_count == RUN_INIT_IMAGES_MAX && read.images_dropped == 3,
          "images and images_dropped");
    check(read.wait_status == 256 && read.timed_out == 1 && read.wall_ns == 123456789012LL &&
              read.cpu_us == 98765 && read.witness == 1 && read.witness_stops == 70001 &&
              read.witness_brks == written.witness_brks && read.confined == 63 &&
              read.confine_errno == 38,
          "the header's fields");
    check(memcmp(read.images, written.images, sizeof read.images) == 0,
          "every image line, in order (the last report's, not the forged one's)");

    /* The report cut short: its last line has no newline, or is missing. */
    int end = forged_length + length;
    text[end - 1] = '\0';
    check(run_init_parse(text, &read) == 0, "a report whose last line is cut is refused");
    char *last_line = strrchr(text, '\n');
    last_line[1] = '\0';
    check(run_init_parse(text, &read) == 0, "a report missing an image line is refused");

    /* No images: the header alone. */
    RunInitReport none = {.witness = 0};
    length = run_init_format(&none, text, sizeof text);
    check(length > 0 && strchr(text, '\n') == text + length - 1, "an unwitnessed run: one line");
    check(run_init_parse(text, &read) == 1 && read.image_count == 0, "and it is read");

    /* Too small a buffer, too many images. */
    check(run_init_format(&written, text, RUN_INIT_LINE_MAX) == -1, "a report that does not fit");
    written.image_count = RUN_INIT_IMAGES_MAX + 1;
    check(run_init_format(&written, text, sizeof text) == -1, "more images than a report holds");
    if (failures == 0)
        printf("ok: run_init_format and run_init_parse agree\n");
    return failures == 0 ? 0 : 1;
}
