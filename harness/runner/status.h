/* The status codes mstats reports, with the words --explain prints. The
 * course's codes keep their meanings (11, 15, 65-68, 91, 92); 93-97 are ours.
 * Any other non-zero code is the program's own exit status. */
#ifndef MSTATS_STATUS_H
#define MSTATS_STATUS_H

#include <glib.h>

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
    MSTATS_CODE_FIGURES_DIFFER = 97,
} MstatsCode;

typedef struct {
    int code;
    const char *title;       /* a few words, e.g. "pointer outside the heap" */
    const char *explanation; /* what triggers it, for --explain */
} MstatsCodeInfo;

/* The table, in code order; *count receives its length. */
const MstatsCodeInfo *mstats_code_table(gsize *count);

/* The entry for `code`, or NULL for a code that is not the harness's. */
const MstatsCodeInfo *mstats_code_lookup(int code);

/* The numbered testers' own exit codes (20-27, testers/tester.h): the
 * table, and the entry for `code` or NULL. */
const MstatsCodeInfo *mstats_tester_code_table(gsize *count);
const MstatsCodeInfo *mstats_tester_code_lookup(int code);

/* Words for a death by signal: "killed by signal 11 (SIGSEGV: Segmentation fault)". */
char *mstats_describe_signal(int signal_number);

#endif
