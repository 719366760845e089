/* The words for the status codes (harness/protocol/status_codes.h) that
 * --explain prints and REASON lines use. */
#ifndef MSTATS_STATUS_H
#define MSTATS_STATUS_H

#include <glib.h>

#include "status_codes.h" /* the codes themselves, shared with the shim and the testers */

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
