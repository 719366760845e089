/* break-semantics virtual|plain: the break as a program sees it through sbrk
 * and brk. Under mstats with an allocator of its own ("virtual") the shim
 * keeps the break exact and moves the kernel's a page at a time; without
 * the shim ("plain") the kernel's break is the break. Either way sbrk and
 * brk must behave as glibc documents them; glibc's internal __sbrk moves the
 * shim's break only without the shim. Exits 0, or 1 naming the first
 * broken promise. No malloc: write(2) only. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__sbrk(intptr_t increment);

#define PAGE_ROUND(a) (((a) + 4095) & ~(uintptr_t)4095)

static int failed(const char *what)
{
    const char *prefix = "break-semantics: ";
    if (write(2, prefix, strlen(prefix)) < 0 || write(2, what, strlen(what)) < 0 ||
        write(2, "\n", 1) < 0)
        return 1;
    return 1;
}

static uintptr_t here(void)
{
    return (uintptr_t)sbrk(0);
}

static uintptr_t kernel_break(void)
{
    return (uintptr_t)syscall(SYS_brk, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "virtual") != 0 && strcmp(argv[1], "plain") != 0))
        return failed("usage: break-semantics virtual|plain");
    int virtual = strcmp(argv[1], "virtual") == 0;
    /* Start on a page boundary plus 8, so that growths cross pages. */
    uintptr_t a = PAGE_ROUND(here()) + 8;
    if (brk((void *)a) != 0 || here() != a)
        return failed("brk to a page boundary + 8 did not set the break there");
    if ((uintptr_t)sbrk(16) != a || here() != a + 16)
        return failed("sbrk(16) did not return the old break and move it by 16");
    if (kernel_break() != (virtual ? PAGE_ROUND(a + 16) : a + 16))
        return failed("the kernel's break is not where it should be after sbrk(16)");
    if ((uintptr_t)sbrk(5000) != a + 16 || here() != a + 5016)
        return failed("sbrk(5000) across a page did not move the break by 5000");
    if (kernel_break() != (virtual ? PAGE_ROUND(a + 5016) : a + 5016))
        return failed("the kernel's break is not where it should be after crossing a page");
    if ((uintptr_t)sbrk(-5000) != a + 5016 || here() != a + 16)
        return failed("sbrk(-5000) did not give the 5000 bytes back");
    if (kernel_break() != (virtual ? PAGE_ROUND(a + 16) : a + 16))
        return failed("the kernel's break did not come down with the shrink");
    errno = 0;
    if (sbrk((intptr_t)1 << 46) != (void *)-1 || errno != ENOMEM || here() != a + 16)
        return failed("a growth the kernel refuses did not fail with ENOMEM, break unchanged");
    /* glibc's own __sbrk moves the kernel's break, and glibc's cache of it,
     * past the shim: the shim's break, which sbrk and its checks use, stays
     * the one its sbrk and brk set (no variable of the program's moves it). */
    uintptr_t kernel = kernel_break();
    uintptr_t own = virtual ? a + 16 : kernel + 100;
    if ((uintptr_t)__sbrk(100) != kernel)
        return failed("glibc's __sbrk(100) did not start from the kernel's break");
    if (here() != own)
        return failed(virtual ? "after glibc's __sbrk(100), sbrk(0) is not the shim's own break"
                              : "after glibc's __sbrk(100), sbrk(0) is not the kernel's break");
    if ((uintptr_t)sbrk(24) != own || here() != own + 24)
        return failed("sbrk(24) after __sbrk did not continue from sbrk(0)");
    return 0;
}
