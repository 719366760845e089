/* The status codes of a run, in one plain-C header that every side uses: the
 * shim, which ends a program with them; the runner, which reports them and
 * explains them (harness/runner/status.c holds the words); and the testers,
 * whose own exit codes must not collide with the harness's.
 *
 * The course's codes keep their meanings (11, 15, 65-68, 91, 92); 93-97 are
 * ours. Any other non-zero code of a run is the program's own exit status.
 * libc only: the shim and the testers run under the allocator measured. */
#ifndef MSTATS_STATUS_CODES_H
#define MSTATS_STATUS_CODES_H

typedef enum {
    MSTATS_CODE_OK = 0,
    MSTATS_CODE_SIGNAL = 11,
    MSTATS_CODE_TIMEOUT = 15,
    MSTATS_CODE_LOAD = 65,
    MSTATS_CODE_MISSING_FUNCTION = 66,
    MSTATS_CODE_NO_STATS = 67,
    MSTATS_CODE_MEMORY_LIMIT = 68,
    MSTATS_CODE_OUTSIDE_HEAP = 91,
    MSTATS_CODE_PAST_HEAP_END = 92,
    MSTATS_CODE_MISALIGNED = 93,
    MSTATS_CODE_OVERLAP = 94,
    MSTATS_CODE_INVALID_FREE = 95,
    MSTATS_CODE_UNFINISHED = 96,
    MSTATS_CODE_FIGURES_DIFFER = 97, /* figures, or stdout, differ from glibc's */
} MstatsCode;

/* The numbered testers' own exit codes (testers/tester.h): one per kind of
 * failed check, clear of the codes above. */
enum tester_exit {
    TESTER_OK = 0,
    TESTER_EXIT_OUT_OF_MEMORY = 20, /* a request that must succeed returned NULL */
    TESTER_EXIT_CORRUPTED = 21,     /* a block's contents changed while it was live */
    TESTER_EXIT_OVERLAP = 22,       /* two live blocks overlap */
    TESTER_EXIT_MISALIGNED = 23,    /* a pointer is not aligned as the call promised */
    TESTER_EXIT_NOT_ZEROED = 24,    /* calloc returned memory that is not all zero */
    TESTER_EXIT_WRONG_ERROR = 25,   /* an invalid request was not refused as documented */
    TESTER_EXIT_SETUP = 26,         /* the tester could not set itself up */
    TESTER_EXIT_NO_FAULT = 27,      /* beyond-heap: touching past the heap did not fault */
};

#endif
