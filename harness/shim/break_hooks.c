/* sbrk and brk, interposed so that the heap is sampled the moment the break
 * moves (MAX is the peak of the break, not only its value between calls) and
 * a heap past the memory limit stops the program at once (68).
 *
 * For an allocator of its own (not glibc's malloc, which moves the break with
 * __sbrk), the shim keeps the break itself, exact to the byte, and moves the
 * kernel's only when it crosses a page boundary: the kernel maps whole pages
 * anyway, so the memory is the same, MAX is the same, and an allocator that
 * grows by the exact shortfall makes one brk system call per page, not one
 * per growth. That is what keeps mstats' brk witness (which stops the program
 * at every brk system call) cheap, and the strategies fast.
 *
 * The break it keeps moves only here: no variable of the program's (glibc's
 * __curbrk, which the program can write) ever sets it. So a block past it is
 * outside the heap (91), and a break moved by other means (glibc's __sbrk, a
 * raw system call) is the witness's to see, not the shim's to follow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "measure.h"
#include "start.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* After the break moved: MAX, and the limit. `cause` says where. */
static void heap_moved(const char *cause)
{
    if (shim.figures != NULL)
        check_limit(heap_note(), cause, NULL);
}

/* Moves the kernel's break to the page boundary at or above `address` with
 * the brk system call; FALSE when the kernel refused (no memory,
 * RLIMIT_DATA, a mapping in the way). glibc's cache is set to the outcome
 * for whatever asks glibc, and never read. */
static bool kernel_break_to(uintptr_t address)
{
    uintptr_t target = MSTATS_BREAK_ROUND(address);
    if (target == shim.kernel_break)
        return true;
    shim.kernel_break = (uintptr_t)syscall(SYS_brk, target);
    __curbrk = (void *)shim.kernel_break;
    return shim.kernel_break == target;
}

/* Sets the allocator's break to `address` (shim_break): exact for the
 * allocator and its figures, a page at a time for the kernel. FALSE with
 * errno ENOMEM when the kernel cannot give the memory. */
static bool move_break(uintptr_t address, const char *cause)
{
    if (address < shim.heap_start || !kernel_break_to(address)) {
        errno = ENOMEM;
        return false;
    }
    shim.heap_break = address;
    heap_moved(cause);
    return true;
}

/* Tells the built-in strategies (allocators/core/heap.c) that sbrk is ours:
 * it moves the kernel's break a page at a time, so they need not. */
SHIM_EXPORT const char mstats_shim_keeps_break = 1;

SHIM_EXPORT void *sbrk(intptr_t increment)
{
    if (!shim.virtual_breaks) {
        void *old = __sbrk(increment);
        if (old != (void *)-1 && increment != 0 && shim.phase != SHIM_UNLOADED)
            heap_moved("in sbrk");
        return old;
    }
    uintptr_t old = shim.heap_break;
    uintptr_t address = old + (uintptr_t)increment;
    if (increment == 0)
        return (void *)old;
    if ((increment > 0) != (address > old)) { /* wrapped around */
        errno = ENOMEM;
        return (void *)-1;
    }
    return move_break(address, "in sbrk") ? (void *)old : (void *)-1;
}

SHIM_EXPORT int brk(void *address)
{
    if (shim.real_brk == NULL)
        shim_start();
    if (shim.real_brk == NULL) {
        errno = ENOSYS;
        return -1;
    }
    if (shim.virtual_breaks)
        return move_break((uintptr_t)address, "in brk") ? 0 : -1;
    int result = shim.real_brk(address);
    if (result == 0 && shim.phase != SHIM_UNLOADED)
        heap_moved("in brk");
    return result;
}
