/* The trick of the two curbrk-arena cheats (issue 20): every block comes
 * from an anonymous mmap arena placed above the heap, inside the span the
 * shim checks, and glibc's cached break __curbrk is forged to the arena's
 * end, so that a shim taking the break from __curbrk finds every block
 * inside the heap. The real heap, grown through the shim's sbrk so that the
 * kernel's witness agrees with it, stays as small as the cheat likes, and
 * before every call and at exit the figures in mstats' region are put back
 * to it: MAX is the real heap's.
 *
 * A cheat defines CURBRK_ARENA_REAL_HEAP(peak_live), the bytes of real heap
 * it keeps for a live peak (in the region) of `peak_live`, and
 * CURBRK_ARENA_GAP, the room between the heap and the arena, then includes
 * this header. libc only, no malloc. */
#ifndef MSTATS_CHEAT_CURBRK_ARENA_H
#define MSTATS_CHEAT_CURBRK_ARENA_H

#include <stddef.h>
#include <stdint.h>

static void curbrk_arena_on_call(void);
static void *curbrk_arena_place(size_t size);
#define CHEAT_ON_CALL() curbrk_arena_on_call()
#define CHEAT_PLACE(size) curbrk_arena_place(size)
#include "cheat_core.h"

#define CURBRK_ARENA_PAGE ((uintptr_t)4096)
#define CURBRK_ARENA_BYTES ((size_t)1 << 30)

/* The arena: [arena_next, arena_end) not handed out yet (0: not mapped). */
static uintptr_t arena_next, arena_end;
/* The kernel's break as the shim's sbrk last left it (glibc sets __curbrk
 * there after each real growth, before the cheat forges it again). */
static uintptr_t real_break;
/* This process's entry in mstats' region; NULL: none found. */
static MstatsProcess *own_entry;

static uintptr_t page_round(uintptr_t address)
{
    return (address + CURBRK_ARENA_PAGE - 1) & ~(CURBRK_ARENA_PAGE - 1);
}

/* This process's entry in the region, found by its pid. */
static MstatsProcess *find_own_entry(void)
{
    MstatsRegion *region = cheat_map_region();
    if (region == NULL)
        return NULL;
    uint32_t count = region->process_count;
    for (uint32_t i = count < MSTATS_PROCESSES_MAX ? count : MSTATS_PROCESSES_MAX; i-- > 0;)
        if (region->processes[i].pid == getpid())
            return &region->processes[i];
    return NULL;
}

/* The region's heap figures put back to the real heap: MAX, the heap now
 * and AVG all as if the heap had always been that size. */
static void reset_figures(void)
{
    if (own_entry == NULL)
        own_entry = find_own_entry();
    if (own_entry == NULL || real_break == 0)
        return;
    MstatsFigures *f = &own_entry->figures;
    uint64_t heap = real_break - own_entry->heap_start;
    f->heap_now = heap;
    f->heap_max = heap;
    f->heap_sum = (unsigned __int128)heap * f->samples;
}

/* Grows the real heap (with the true break in __curbrk, so that the shim's
 * sbrk grows it where the kernel has it) to what the cheat keeps for the
 * live peak so far, then forges __curbrk to the arena's end again. */
static void grow_real_heap(void)
{
    __curbrk = (void *)real_break;
    uintptr_t start = own_entry != NULL ? own_entry->heap_start : real_break;
    uint64_t peak = own_entry != NULL ? own_entry->figures.peak_live : 0;
    uintptr_t wanted = start + page_round(CURBRK_ARENA_REAL_HEAP(peak));
    if (wanted > real_break && sbrk((intptr_t)(wanted - real_break)) != (void *)-1)
        real_break = (uintptr_t)__curbrk;
    __curbrk = (void *)arena_end;
}

/* Maps the arena CURBRK_ARENA_GAP above the heap (MAP_NORESERVE: only the
 * pages handed out are memory). */
static void map_arena(void)
{
    real_break = (uintptr_t)sbrk(0);
    uintptr_t at = page_round(real_break) + CURBRK_ARENA_GAP;
    void *map = mmap((void *)at, CURBRK_ARENA_BYTES, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (map != (void *)at)
        return;
    arena_next = at;
    arena_end = at + CURBRK_ARENA_BYTES;
}

static void curbrk_arena_on_call(void)
{
    if (arena_end == 0)
        map_arena();
    if (arena_end == 0)
        return;
    grow_real_heap();
    reset_figures();
}

/* A block from the arena, with the core's header (for realloc); NULL (the
 * honest heap) when the arena is full or missing. */
static void *curbrk_arena_place(size_t size)
{
    size_t need = sizeof(CheatHeader) + ((size + 15) & ~(size_t)15);
    if (arena_end == 0 || need < size || arena_end - arena_next < need)
        return NULL;
    CheatHeader *header = (CheatHeader *)arena_next;
    arena_next += need;
    header->size = size;
    return header + 1;
}

/* At exit, after the last call's sample: the figures put back once more. */
__attribute__((destructor)) static void curbrk_arena_at_exit(void)
{
    if (arena_end != 0)
        grow_real_heap();
    reset_figures();
}

#endif
