/* A crash inside the allocator, named: a fatal signal that arrives while this
 * thread is inside a measured call records "SIGSEGV inside calloc(16, 64)
 * (the allocator crashed)" as the run's reason (code 11), then the signal
 * takes its default course, so the program still dies by it. A stack overflow
 * (the fault lies at the stack pointer; the handler runs on an alternate
 * stack) names the likely cause: the allocator calls itself. A signal outside
 * an allocator call is left alone. The program may install handlers of its
 * own; those win.
 *
 * An allocator that calls itself through a tail call loops without growing
 * the stack; bypass.c catches it and ends the program here the same way
 * (11, then SIGABRT, which no handler of the program's can stop).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "violation.h"

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

/* "calloc calls itself (did the compiler ...)": the likely cause, and the
 * fix, of `running` calling itself without end. */
static void add_calls_itself(struct text_buffer *r, MstatsFunction running)
{
    text_add(r, mstats_function_name(running));
    text_add(r, " calls itself (");
    if (running == MSTATS_FN_CALLOC)
        text_add(r, "did the compiler turn malloc+memset into calloc? ");
    text_add(r, "build the allocator with -fno-builtin, and call no printf or other allocating "
                "function inside it)");
}

static void on_crash(int signal_number, siginfo_t *info, void *context)
{
    const Call *call = shim_call;
    if (call != NULL) {
        char words[MSTATS_REASON_MAX];
        struct text_buffer r;
        text_init(&r, words, sizeof words);
        if (signal_number == SIGSEGV && stack_overflow(info, context)) {
            text_add(&r, "stack overflow inside ");
            describe_call(&r, call);
            text_add(&r, ": ");
            add_calls_itself(&r, call->fn);
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

void crash_self_call(MstatsFunction called, unsigned depth)
{
    const Call *call = shim_call;
    MstatsFunction running = shim.serving[call->fn].name;
    const char *running_name = mstats_function_name(running);
    char words[MSTATS_REASON_MAX];
    struct text_buffer r;
    text_init(&r, words, sizeof words);
    describe_call(&r, call);
    text_add(&r, " called ");
    text_add(&r, mstats_function_name(called));
    text_add(&r, called == running ? " again" : "");
    text_add(&r, " from inside the allocator's ");
    text_add(&r, running_name);
    if (called != running) {
        text_add(&r, ", which the shim serves with that same ");
        text_add(&r, running_name);
    }
    text_add(&r, ", ");
    text_add_u64(&r, depth);
    text_add(&r, " deep with none returning: ");
    add_calls_itself(&r, running);
    violation_record(MSTATS_CODE_SIGNAL, words);

    /* Dies by SIGABRT whatever the program did with it: default action,
     * unblocked. */
    struct sigaction action = {.sa_handler = SIG_DFL};
    sigemptyset(&action.sa_mask);
    sigaction(SIGABRT, &action, NULL);
    sigset_t abort_only;
    sigemptyset(&abort_only);
    sigaddset(&abort_only, SIGABRT);
    pthread_sigmask(SIG_UNBLOCK, &abort_only, NULL);
    raise(SIGABRT);
    _exit(MSTATS_CODE_SIGNAL); /* not reached */
}
