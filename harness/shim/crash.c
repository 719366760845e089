/* A crash inside the allocator, named: a fatal signal that arrives while this
 * thread is inside a measured call records "SIGSEGV inside calloc(16, 64)
 * (the allocator crashed)" as the run's reason (code 11), then the signal
 * takes its default course, so the program still dies by it. A stack overflow
 * (the fault lies at the stack pointer; the handler runs on an alternate
 * stack) names the likely cause: the allocator calls itself. A signal outside
 * an allocator call is left alone. The program may install handlers of its
 * own; those win.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "shim.h"

#define ALTERNATE_STACK_BYTES (64u << 10)

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

/* True when the fault at `address` is the stack running out: it lies just
 * below (or at) the interrupted stack pointer. */
static bool stack_overflow(const siginfo_t *info, const ucontext_t *context)
{
    uintptr_t address = (uintptr_t)info->si_addr;
    uintptr_t sp = (uintptr_t)context->uc_mcontext.gregs[REG_RSP];
    return address <= sp + 4096 && address + (1u << 20) >= sp;
}

static void on_crash(int signal_number, siginfo_t *info, void *context)
{
    const Call *call = shim_call;
    if (call != NULL) {
        char words[MSTATS_REASON_MAX];
        struct text_buffer r;
        text_init(&r, words, sizeof words);
        const char *name = mstats_function_name(call->fn);
        if (signal_number == SIGSEGV && stack_overflow(info, context)) {
            text_add(&r, "stack overflow inside ");
            describe_call(&r, call);
            text_add(&r, ": ");
            text_add(&r, name);
            text_add(&r, " calls itself (");
            if (call->fn == MSTATS_FN_CALLOC)
                text_add(&r, "did the compiler turn malloc+memset into calloc? ");
            text_add(&r, "build the allocator with -fno-builtin, and call no printf or "
                         "other allocating function inside it)");
        } else {
            text_add(&r, "SIG");
            text_add(&r, sigabbrev_np(signal_number));
            text_add(&r, " inside ");
            describe_call(&r, call);
            text_add(&r, " (the allocator crashed)");
        }
        violation_record(MSTATS_CODE_SIGNAL, words);
    }
    /* SA_RESETHAND restored the default: raised again, the signal is
     * delivered as soon as this handler returns (a fault also recurs). */
    raise(signal_number);
}

void crash_reports_start(void)
{
    void *stack = mmap(NULL, ALTERNATE_STACK_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (stack != MAP_FAILED) {
        stack_t alternate = {.ss_sp = stack, .ss_size = ALTERNATE_STACK_BYTES};
        sigaltstack(&alternate, NULL);
    }
    struct sigaction action = {.sa_sigaction = on_crash,
                               .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND};
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        sigaction(crash_signals[i], &action, NULL);
}
