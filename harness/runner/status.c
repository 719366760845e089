/* The status-code table and the words for signals. */
#define _GNU_SOURCE
#include "status.h"

#include <signal.h>
#include <string.h>

static const MstatsCodeInfo code_table[] = {
    {MSTATS_CODE_OK, "OK", "the program exited with status 0 and no check fired"},
    {MSTATS_CODE_SIGNAL, "killed by a signal",
     "the program died of a signal (SIGSEGV, SIGABRT, SIGBUS...); REASON names it, and when it "
     "came inside an allocator call it names the call (\"SIGSEGV inside calloc(16, 64)\"), and "
     "a stack overflow there its likely cause (the allocator calls itself). An allocator "
     "function that calls itself through the family (calloc calling calloc: often the tail "
     "call GCC makes of malloc + memset, so the stack never overflows) is stopped at once with "
     "SIGABRT: \"calloc(16, 64) called calloc again from inside the allocator's calloc\""},
    {MSTATS_CODE_TIMEOUT, "timed out",
     "the program ran longer than --timeout: every process of the run got SIGTERM, then SIGKILL "
     "one second later"},
    {MSTATS_CODE_LOAD, "allocator cannot be loaded",
     "dlopen failed on the allocator file (not a shared object, wrong architecture, an undefined "
     "symbol); REASON quotes the loader"},
    {MSTATS_CODE_MISSING_FUNCTION, "allocator lacks a required function",
     "the allocator does not define malloc, free, calloc or realloc itself, or lacks an aligned "
     "allocation function the program needed; REASON names the function"},
    {MSTATS_CODE_NO_STATS, "statistics could not be collected",
     "the shim never started in the program (statically linked, setuid, or LD_PRELOAD removed), "
     "the shared statistics region was found corrupt, (outside the sandbox) the program killed "
     "the run's first process, mstats-run-init, or the heap the shim reported is not the heap "
     "the kernel saw (MAX differs from the witnessed MAX: the allocator moved the break behind "
     "the shim's back or rewrote the figures)"},
    {MSTATS_CODE_MEMORY_LIMIT, "memory limit exceeded",
     "the break rose more than --memory-limit bytes above its start, or all memory of the run "
     "(heap, mmap, stacks, the shim's bookkeeping; twice the limit plus 256 MiB) passed the "
     "bound of its cgroup and the kernel killed it"},
    {MSTATS_CODE_OUTSIDE_HEAP, "pointer or memory outside the heap",
     "the allocator returned a pointer that is not inside [heap start, break); REASON says where "
     "it lies (memory from mmap, the stack, a static array): blocks must come from sbrk. Or, "
     "witnessed by the kernel, the program kept more than 64 KiB of memory outside the heap "
     "(mmap, mremap, shared memory, a memfd, large static data) beyond what the same workload "
     "keeps on glibc: bookkeeping must live in the heap too"},
    {MSTATS_CODE_PAST_HEAP_END, "block runs past the heap end",
     "the allocator returned a block whose requested bytes end beyond the break"},
    {MSTATS_CODE_MISALIGNED, "misaligned pointer",
     "the allocator returned a pointer not aligned to 16 bytes (8 with --align 8), or not to the "
     "alignment asked of posix_memalign, aligned_alloc, memalign, valloc"},
    {MSTATS_CODE_OVERLAP, "block overlaps a live block",
     "the allocator returned a block sharing bytes with a block still allocated"},
    {MSTATS_CODE_INVALID_FREE, "invalid or double free",
     "free or realloc of a pointer the allocator never returned, of one already freed, or of a "
     "pointer inside a block"},
    {MSTATS_CODE_UNFINISHED, "the workload did not finish",
     "the program (a tester or mreplay) exited without the completion proof a run of it on "
     "glibc gives: it stopped before its last check (an exit or a caught crash inside the "
     "allocator), or the proof was forged"},
    {MSTATS_CODE_FIGURES_DIFFER, "differs from the reference run",
     "CALLS, REQUESTED or PEAK-LIVE, which the workload decides and not the allocator, differ "
     "from a run of the same workload on glibc: the figures were rewritten, or the allocator "
     "made calls on the program's behalf; or a program that gives no completion proof wrote "
     "another standard output than on glibc, both exiting 0 (REASON says where it first "
     "differs): it was stopped early, or its output varies (a rubric's verify = none)"},
};

/* The testers' own exit codes (testers/tester.h): a check of the tester's
 * failed, and the tester printed "tester-N: FAILED: ..." as its last line. */
static const MstatsCodeInfo tester_code_table[] = {
    {TESTER_EXIT_OUT_OF_MEMORY, "out of memory", "a request that must succeed returned NULL"},
    {TESTER_EXIT_CORRUPTED, "block contents changed",
     "a block's contents changed while it was live"},
    {TESTER_EXIT_OVERLAP, "blocks overlap", "two live blocks overlap (the tester's own check)"},
    {TESTER_EXIT_MISALIGNED, "misaligned pointer", "a pointer is not aligned as the call promised"},
    {TESTER_EXIT_NOT_ZEROED, "memory not zeroed",
     "calloc (or a zeroing path) returned memory that is not all zero"},
    {TESTER_EXIT_WRONG_ERROR, "wrong refusal",
     "an invalid request was not refused the documented way (wrong return "
     "value or errno)"},
    {TESTER_EXIT_SETUP, "tester set-up failed",
     "the tester could not set itself up (thread creation, a bad "
     "argument)"},
    {TESTER_EXIT_NO_FAULT, "no fault past the heap",
     "beyond-heap only: touching memory past the heap end did not "
     "fault"},
};

const MstatsCodeInfo *mstats_tester_code_lookup(int code)
{
    for (gsize i = 0; i < G_N_ELEMENTS(tester_code_table); i++)
        if (tester_code_table[i].code == code)
            return &tester_code_table[i];
    return NULL;
}

const MstatsCodeInfo *mstats_tester_code_table(gsize *count)
{
    *count = G_N_ELEMENTS(tester_code_table);
    return tester_code_table;
}

const MstatsCodeInfo *mstats_code_table(gsize *count)
{
    *count = G_N_ELEMENTS(code_table);
    return code_table;
}

const MstatsCodeInfo *mstats_code_lookup(int code)
{
    for (gsize i = 0; i < G_N_ELEMENTS(code_table); i++)
        if (code_table[i].code == code)
            return &code_table[i];
    return NULL;
}

char *mstats_describe_signal(int signal_number)
{
    const char *abbreviation = sigabbrev_np(signal_number);
    return g_strdup_printf("killed by signal %d (SIG%s: %s)", signal_number,
                           abbreviation != NULL ? abbreviation : "?", strsignal(signal_number));
}
