/* The status-code table and the words for signals. */
#define _GNU_SOURCE
#include "status.h"

#include <signal.h>
#include <string.h>

static const MstatsCodeInfo code_table[] = {
    {0, "OK", "the program exited with status 0 and no check fired"},
    {11, "killed by a signal",
     "the program died of a signal (SIGSEGV, SIGABRT, SIGBUS...); REASON names it, and when it "
     "came inside an allocator call it names the call (\"SIGSEGV inside calloc(16, 64)\"), and "
     "a stack overflow there its likely cause (the allocator calls itself)"},
    {15, "timed out",
     "the program ran longer than --timeout: every process of the run got SIGTERM, then SIGKILL "
     "one second later"},
    {65, "allocator cannot be loaded",
     "dlopen failed on the allocator file (not a shared object, wrong architecture, an undefined "
     "symbol); REASON quotes the loader"},
    {66, "allocator lacks a required function",
     "the allocator does not define malloc, free, calloc or realloc itself, or lacks an aligned "
     "allocation function the program needed; REASON names the function"},
    {67, "statistics could not be collected",
     "the shim never started in the program (statically linked, setuid, or LD_PRELOAD removed), "
     "the shared statistics region was found corrupt, (outside the sandbox) the program killed "
     "the run's first process, mstats-run-init, or the heap the shim reported is not the heap "
     "the kernel saw (MAX differs from the witnessed MAX: the allocator moved the break behind "
     "the shim's back or rewrote the figures)"},
    {68, "memory limit exceeded",
     "the break rose more than --memory-limit bytes above its start, or all memory of the run "
     "(heap, mmap, stacks, the shim's bookkeeping; twice the limit plus 256 MiB) passed the "
     "bound of its cgroup and the kernel killed it"},
    {91, "pointer outside the heap",
     "the allocator returned a pointer that is not inside [heap start, break); REASON says where "
     "it lies (memory from mmap, the stack, a static array): blocks must come from sbrk"},
    {92, "block runs past the heap end",
     "the allocator returned a block whose requested bytes end beyond the break"},
    {93, "misaligned pointer",
     "the allocator returned a pointer not aligned to 16 bytes (8 with --align 8), or not to the "
     "alignment asked of posix_memalign, aligned_alloc, memalign, valloc"},
    {94, "block overlaps a live block",
     "the allocator returned a block sharing bytes with a block still allocated"},
    {95, "invalid or double free",
     "free or realloc of a pointer the allocator never returned, of one already freed, or of a "
     "pointer inside a block"},
    {96, "the workload did not finish",
     "the program (a tester or mreplay) exited without the completion proof a run of it on "
     "glibc gives: it stopped before its last check (an exit or a caught crash inside the "
     "allocator), or the proof was forged"},
    {97, "figures differ from the reference run",
     "CALLS, REQUESTED or PEAK-LIVE, which the workload decides and not the allocator, differ "
     "from a run of the same workload on glibc: the figures were rewritten, or the allocator "
     "made calls on the program's behalf"},
};

/* The testers' own exit codes (testers/tester.h): a check of the tester's
 * failed, and the tester printed "tester-N: FAILED: ..." as its last line. */
static const MstatsCodeInfo tester_code_table[] = {
    {20, "out of memory", "a request that must succeed returned NULL"},
    {21, "block contents changed", "a block's contents changed while it was live"},
    {22, "blocks overlap", "two live blocks overlap (the tester's own check)"},
    {23, "misaligned pointer", "a pointer is not aligned as the call promised"},
    {24, "memory not zeroed", "calloc (or a zeroing path) returned memory that is not all zero"},
    {25, "wrong refusal",
     "an invalid request was not refused the documented way (wrong return "
     "value or errno)"},
    {26, "tester set-up failed",
     "the tester could not set itself up (thread creation, a bad "
     "argument)"},
    {27, "no fault past the heap",
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
