/*
 * beyond-heap: the lecture's question "what if we access memory beyond the
 * end of our heap?", answered by doing it. Not a numbered tester: graders
 * must never count it.
 *
 * It allocates one block so the heap exists, prints the first address past
 * the heap end (sbrk(0) rounded up to a page: the kernel maps the heap in
 * whole pages, so nothing there belongs to the heap), and writes to it. The
 * kernel must stop the program with SIGSEGV, and `mstats` must report it
 * (STATUS: FAILED=(11), a segmentation fault). Writing there is undefined
 * behaviour in C on purpose: the point is to show what the machine does.
 * If the write survives, the program exits 27 (no fault).
 */
#include "tester.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    tester_options(argc, argv,
                   "writing one byte to the first page past the heap's end, which must fault");
    /* Unbuffered: printing must not malloc a stdout buffer, which could grow
     * the heap over the page this program means to touch. */
    setvbuf(stdout, NULL, _IONBF, 0);
    unsigned char *block = require_block(malloc(64), 16, "malloc(64)");
    pattern_fill(block, 64, 1);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t heap_end = (uintptr_t)sbrk(0);
    uintptr_t beyond = (heap_end + page - 1) / page * page;
    printf("beyond-heap: heap ends at %#jx; writing to %#jx, the first page past it\n",
           (uintmax_t)heap_end, (uintmax_t)beyond);
    *(volatile unsigned char *)beyond = 1;
    tester_fail(TESTER_EXIT_NO_FAULT, "writing to %#jx past the heap end did not fault",
                (uintmax_t)beyond);
}
