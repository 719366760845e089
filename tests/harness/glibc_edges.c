/* The malloc family's edge cases where glibc's answer is defined but unusual:
 * memalign and aligned_alloc round an alignment that is not a power of two up
 * (0 means malloc's), refuse one past SIZE_MAX / 2 + 1 with EINVAL, and
 * pvalloc and valloc of a size whose page rounding overflows return NULL with
 * ENOMEM. Prints one line per case; run plainly (glibc) and under the shim,
 * the output must be the same. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void show(const char *name, void *p, size_t alignment)
{
    printf("%s: %s errno=%d aligned=%d\n", name, p != NULL ? "block" : "NULL",
           p != NULL ? 0 : errno, p != NULL && (uintptr_t)p % alignment == 0);
    free(p);
}

/* Sizes the compiler cannot see through, so it neither warns nor folds. */
static volatile size_t huge_size = SIZE_MAX - 10;
static volatile size_t too_aligned = SIZE_MAX / 2 + 2;

int main(void)
{
    errno = 0;
    show("memalign(0, 10)", memalign(0, 10), 16);
    errno = 0;
    show("memalign(24, 10)", memalign(24, 10), 32);
    errno = 0;
    show("memalign(100, 1000)", memalign(100, 1000), 128);
    errno = 0;
    show("memalign(SIZE_MAX/2+2, 10)", memalign(too_aligned, 10), 1);
    errno = 0;
    show("aligned_alloc(24, 10)", aligned_alloc(24, 10), 32);
    errno = 0;
    show("pvalloc(SIZE_MAX-10)", pvalloc(huge_size), 1);
    errno = 0;
    show("valloc(SIZE_MAX-10)", valloc(huge_size), 1);
    errno = 0;
    show("pvalloc(1)", pvalloc(1), 4096);
    void *p = NULL;
    printf("posix_memalign(24, 10): %d\n", posix_memalign(&p, 24, 10));
    printf("posix_memalign(0, 10): %d\n", posix_memalign(&p, 0, 10));
    return 0;
}
