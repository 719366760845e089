/* --help and --version for the small benchmark programs (libc only). */
#ifndef MSTATS_BENCH_OPTIONS_H
#define MSTATS_BENCH_OPTIONS_H

#include <stdio.h>
#include <string.h>

/* Answers `NAME --help` (the usage on stdout) and `NAME --version`: returns
 * 1 when it did (the caller exits 0), 0 for any other command line. */
static inline int bench_answered(int argc, char **argv, const char *name, const char *usage)
{
    if (argc != 2)
        return 0;
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return 1;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("%s %s\n", name, MSTATS_VERSION);
        return 1;
    }
    return 0;
}

#endif
