/* Ending the program when a check fires, and the words that say why. The
 * reason is built in a fixed buffer because stdio may call malloc, which is
 * exactly what must not happen while the shim is reporting a broken malloc.
 */
#include <string.h>
#include <unistd.h>

#include "shim.h"

void violation_exit(int code, const char *reason)
{
    if (shim.reporter && shim.region != NULL) {
        size_t n = strlen(reason);
        if (n >= MSTATS_REASON_MAX)
            n = MSTATS_REASON_MAX - 1;
        memcpy(shim.region->reason, reason, n);
        shim.region->reason[n] = '\0';
        __atomic_store_n(&shim.region->code, code, __ATOMIC_RELEASE);
    } else {
        /* A process mstats does not report on (a child of the program): say it
         * on stderr, where its parent's user can see it. */
        char words[MSTATS_REASON_MAX];
        struct text_buffer line;
        text_init(&line, words, sizeof words);
        text_add(&line, "[mstats-shim]: ");
        text_add_u64(&line, (uint64_t)code);
        text_add(&line, " ");
        text_add(&line, reason);
        text_add(&line, "\n");
        ssize_t ignored = write(STDERR_FILENO, words, line.length);
        (void)ignored;
    }
    _exit(code);
}
