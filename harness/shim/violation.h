/* The findings of the shim's checks (violation.c): the words of a failed
 * check, built without stdio (it could call the broken allocator), recorded
 * as the run's REASON, and the end of the program. */
#ifndef MSTATS_SHIM_VIOLATION_H
#define MSTATS_SHIM_VIOLATION_H

#include "shim.h"

/* Records `code` and `reason` in the region (reporter) or prints them on
 * stderr (any other process). Async-signal-safe. */
SHIM_HIDDEN void violation_record(int code, const char *reason);

/* Ends the process with `code` after recording `reason` (reporter) or printing
 * it on stderr (any other process). Never returns. */
SHIM_HIDDEN __attribute__((noreturn)) void violation_exit(int code, const char *reason);

/* Adds "calloc(16, 64)", the call as the program made it, to `text`. */
SHIM_HIDDEN void describe_call(struct text_buffer *text, const Call *call);

/* The words of a failed check, and the end of the program. */
SHIM_HIDDEN __attribute__((noreturn, cold)) void fail_limit(uint64_t heap, const char *where,
                                                            const Call *call);
SHIM_HIDDEN __attribute__((noreturn, cold)) void
fail_block(int code, const Call *call, uintptr_t pointer, uintptr_t brk, uintptr_t clash);
SHIM_HIDDEN __attribute__((noreturn, cold)) void fail_not_live(const Call *call);
SHIM_HIDDEN __attribute__((noreturn, cold)) void fail_missing(const char *function,
                                                              const Call *call);

#endif
