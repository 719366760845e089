/* The honest core of every cheat in the gallery: the bump allocator of the
 * broken-allocator gallery (tests/harness/gallery, DEFECT_NONE), growing in
 * 64 KiB steps. Each block gets a 16-byte header (its size, for realloc) and
 * nothing is ever reused. honest.c is this core alone, the control that no
 * cheat may beat.
 *
 * A cheat includes this header after defining the hooks it needs:
 *   CHEAT_ON_CALL()     run at the start of every malloc/calloc/realloc/free
 *                       (the cheat's trick; default: nothing)
 *   CHEAT_GROW(bytes)   how the heap grows by a step, returning the old end as
 *                       sbrk does (default: sbrk, the shim's, which sees it)
 *   CHEAT_PLACE(size)   where a block comes from instead of the heap, or NULL
 *                       for the honest way (default: always the heap)
 *   CHEAT_HANDED_OUT(p) run with every block handed out (default: nothing)
 *   CHEAT_HEADER_BYTES  the bytes before each block in the heap, 0 or a
 *                       multiple of 16 (default: 16, the size header)
 *   CHEAT_KEEP_SIZE(p, size)  keeps a new heap block's size for realloc,
 *                       returning whether it could (default: in its header)
 *   CHEAT_SIZE_OF(p)    a heap block's size, as kept (default: its header's)
 * and the helpers below (the region, the raw break) are there for the cheats
 * that need them. libc only; the cheats that look at the shared region read
 * its layout from the public protocol header, harness/protocol/region_layout.h.
 */
#ifndef MSTATS_CHEAT_CORE_H
#define MSTATS_CHEAT_CORE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "region_layout.h"

#ifndef CHEAT_ON_CALL
#define CHEAT_ON_CALL() ((void)0)
#endif
#ifndef CHEAT_GROW
#define CHEAT_GROW(bytes) sbrk(bytes)
#endif
#ifndef CHEAT_PLACE
#define CHEAT_PLACE(size) ((void *)0)
#endif
#ifndef CHEAT_HANDED_OUT
#define CHEAT_HANDED_OUT(block) ((void)0)
#endif

/* ---- Helpers for the cheats ------------------------------------------- */

/* glibc's own sbrk and cached break, which the shim's sbrk does not wrap. */
extern void *__sbrk(intptr_t increment);
extern void *__curbrk;

/* The break as the kernel has it, by the brk system call (brk(0) fails and
 * returns the current break). */
static inline uintptr_t cheat_kernel_break(void)
{
    return (uintptr_t)syscall(SYS_brk, 0);
}

/* Sets the break with the raw system call, out of glibc's and the shim's
 * sight; returns whether the kernel moved it there. */
static inline int cheat_set_break(uintptr_t end)
{
    return (uintptr_t)syscall(SYS_brk, end) == end;
}

/* Writes to the first and last page of [start, start + bytes), so that the
 * scratch is memory in use, not only address space. */
static inline void cheat_touch(void *start, size_t bytes)
{
    ((volatile unsigned char *)start)[0] = 1;
    ((volatile unsigned char *)start)[bytes - 1] = 1;
}

/* The scratch the heap-hiding cheats take and give back inside each call. */
#define CHEAT_SCRATCH_BYTES ((size_t)8 << 20)

/* sbrk on the raw brk system call, which leaves glibc's __curbrk alone: the
 * old break, or (void *)-1. */
static inline void *cheat_raw_sbrk(intptr_t increment)
{
    uintptr_t old = cheat_kernel_break();
    if (increment != 0 && !cheat_set_break(old + (uintptr_t)increment))
        return (void *)-1;
    return (void *)old;
}

/* Takes CHEAT_SCRATCH_BYTES above the break through `grow` (an sbrk), uses
 * them and gives them back: the heap-hiding cheats' transient growth. */
static inline void cheat_scratch_through(void *(*grow)(intptr_t))
{
    unsigned char *scratch = grow((intptr_t)CHEAT_SCRATCH_BYTES);
    if (scratch == (void *)-1)
        return;
    cheat_touch(scratch, CHEAT_SCRATCH_BYTES);
    grow(-(intptr_t)CHEAT_SCRATCH_BYTES);
}

/* The descriptor of mstats' shared region, found the way any program can
 * find it: the one whose link reads "/memfd:mstats-region". -1 when there is
 * none. No malloc: the cheats that use it run outside a measured call, where
 * a malloc would be counted as the program's. */
static inline int cheat_region_fd(void)
{
    for (int fd = 3; fd < 1024; fd++) {
        char path[64], target[256];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t length = readlink(path, target, sizeof target - 1);
        if (length <= 0)
            continue;
        target[length] = '\0';
        if (strstr(target, "memfd:mstats-region") != NULL)
            return fd;
    }
    return -1;
}

/* The shared region mapped read-write, or NULL. */
static inline MstatsRegion *cheat_map_region(void)
{
    int fd = cheat_region_fd();
    if (fd < 0)
        return NULL;
    void *map = mmap(NULL, sizeof(MstatsRegion), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return map == MAP_FAILED ? NULL : map;
}

/* The forgery of the region cheats: MAX lowered to PEAK-LIVE (UTILIZATION
 * 1.0), AVG scaled down with it, keeping every relation the runner checks
 * (heap_now <= MAX, AVG <= MAX, calls = samples). */
static inline void cheat_forge_max(MstatsFigures *f)
{
    uint64_t forged = f->peak_live;
    if (forged >= f->heap_max || f->heap_max == 0)
        return;
    f->heap_sum = f->heap_sum / f->heap_max * forged;
    f->heap_max = forged;
    if (f->heap_now > forged)
        f->heap_now = forged;
}

/* The folder of the program's file (a tester's: bin/) into `folder`;
 * returns its file name, or NULL when /proc/self/exe cannot be read. */
static inline const char *cheat_program_folder(char *folder, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", folder, size - 1);
    if (n <= 0)
        return NULL;
    folder[n] = '\0';
    char *slash = strrchr(folder, '/');
    if (slash == NULL)
        return NULL;
    *slash = '\0';
    return slash + 1;
}

/* The CPU time the time-stretching cheats burn: 2.5 s, more than -t 1. */
#define CHEAT_BURN_NS 2500000000LL

static inline long long cheat_cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Burns CHEAT_BURN_NS of CPU time, calling `stop` (a trace stop of the
 * witness) every few microseconds, unless MSTATS_CHEAT_NO_BRK=1 is in the
 * environment: then the same CPU time without the stops. */
static inline void cheat_burn_with(void (*stop)(void))
{
    const char *off = getenv("MSTATS_CHEAT_NO_BRK");
    int stopping = off == NULL || strcmp(off, "1") != 0;
    long long end = cheat_cpu_ns() + CHEAT_BURN_NS;
    while (cheat_cpu_ns() < end) {
        for (volatile unsigned i = 0; i < 2000; i++) {
        }
        if (stopping)
            stop();
    }
}

/* ---- The honest bump allocator ----------------------------------------- */

/* The size of a block, kept before it for realloc. */
typedef struct {
    size_t size;
    size_t pad;
} CheatHeader;

#ifndef CHEAT_HEADER_BYTES
#define CHEAT_HEADER_BYTES sizeof(CheatHeader)
#endif
#ifndef CHEAT_KEEP_SIZE
#define CHEAT_KEEP_SIZE(block, bytes) (((CheatHeader *)(block))[-1].size = (bytes), 1)
#endif
#ifndef CHEAT_SIZE_OF
#define CHEAT_SIZE_OF(block) (((CheatHeader *)(block))[-1].size)
#endif

/* Calls to malloc/calloc/realloc/free so far (the program's and nested ones). */
static unsigned cheat_calls;

/* The heap grows in steps of this many bytes (or the block's size, rounded
 * up to it): one brk per 64 KiB rather than one per call, so that witnessing
 * every brk from outside the process stays cheap even on tester-16's 10
 * million calls. */
#define CHEAT_STEP_BYTES ((uintptr_t)64 << 10)

/* [cheat_top, cheat_end): heap obtained through CHEAT_GROW, not handed out. */
static uintptr_t cheat_top, cheat_end;

/* A fresh block of `size` bytes at the top of the heap, 16-aligned (the
 * break starts 16-aligned under the shim and every step keeps it so). */
static void *cheat_bump(size_t size)
{
    cheat_calls++;
    CHEAT_ON_CALL();
    void *placed = CHEAT_PLACE(size);
    if (placed != NULL) {
        CHEAT_HANDED_OUT(placed);
        return placed;
    }
    /* malloc(0) gets a granule too: its pointer must lie inside the heap. */
    size_t rounded = size == 0 ? 16 : (size + 15) & ~(size_t)15;
    size_t need = CHEAT_HEADER_BYTES + rounded;
    if (rounded < size || need < rounded)
        return NULL; /* size near SIZE_MAX */
    if (cheat_end - cheat_top < need) {
        uintptr_t step = (need + CHEAT_STEP_BYTES - 1) & ~(CHEAT_STEP_BYTES - 1);
        unsigned char *old = CHEAT_GROW((intptr_t)step);
        if (old == (void *)-1)
            return NULL;
        if ((uintptr_t)old != cheat_end) /* the first step, or the break moved: start there */
            cheat_top = (uintptr_t)old;
        cheat_end = (uintptr_t)old + step;
    }
    void *block = (void *)(cheat_top + CHEAT_HEADER_BYTES);
    cheat_top += need;
    if (!CHEAT_KEEP_SIZE(block, size))
        return NULL;
    CHEAT_HANDED_OUT(block);
    return block;
}

/* A fresh block of `size` bytes, or NULL. */
void *malloc(size_t size)
{
    return cheat_bump(size);
}

/* Nothing is reused: free only counts the call. */
void free(void *p)
{
    (void)p;
    cheat_calls++;
    CHEAT_ON_CALL();
}

/* A fresh zeroed block of `count` x `size` bytes, or NULL (overflow too). */
void *calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = cheat_bump(count * size);
    if (p != NULL)
        memset(p, 0, count * size); /* a heap shrunk and regrown may be dirty */
    return p;
}

/* A fresh block holding `p`'s bytes (as many as fit); realloc(p, 0)
 * frees p and gives NULL. */
void *realloc(void *p, size_t size)
{
    if (p == NULL)
        return cheat_bump(size);
    if (size == 0) {
        free(p);
        return NULL;
    }
    void *moved = cheat_bump(size);
    if (moved != NULL) {
        size_t old = CHEAT_SIZE_OF(p);
        memcpy(moved, p, old < size ? old : size);
    }
    return moved;
}

#endif
