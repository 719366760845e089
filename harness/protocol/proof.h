/* The completion proof: how a workload of ours (a numbered tester, mreplay)
 * shows the runner that it ran to its end, in a way the allocator it runs
 * on cannot fake by exiting early.
 *
 * The runner hands the program a fresh random challenge and a descriptor:
 *   MSTATS_CHALLENGE  32 hexadecimal digits (128 bits)
 *   MSTATS_PROOF_FD   a descriptor open for writing (a memfd the runner
 *                     reads after the run)
 * The program folds the challenge and every data check it makes into a
 * digest. Only when every check passed, last of all, it writes one line:
 *
 *   mstats-proof/1 digest=<32 hex digits> checks=<count> peak-live=exact\n
 *
 * ("peak-live=varies" instead when PEAK-LIVE depends on thread scheduling,
 * as in tester-15). The digest depends only on the challenge and on what the
 * checks read back, never on addresses or on the allocator, so a run of the
 * same workload with the same challenge on glibc (the reference run) writes
 * the same line. The runner requires the measured run's line to equal the
 * reference run's: a run that stopped early has no line, and a line made up
 * without the checks has the wrong digest.
 *
 * This header holds what both sides need: the names, the line's tag and
 * length, and the runner's reading of it. libc only.
 */
#ifndef MSTATS_PROOF_H
#define MSTATS_PROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define MSTATS_ENV_CHALLENGE "MSTATS_CHALLENGE"
#define MSTATS_ENV_PROOF_FD "MSTATS_PROOF_FD"
#define MSTATS_PROOF_TAG "mstats-proof/1 "
/* Hexadecimal digits of the challenge and of the digest. */
#define MSTATS_PROOF_HEX_DIGITS 32
/* Longest proof line, newline and NUL included. */
#define MSTATS_PROOF_LINE_MAX 128
/* The runner reads at most this much of what the program wrote. */
#define MSTATS_PROOF_READ_MAX 65536

/* Whether `text` (what the program wrote on MSTATS_PROOF_FD, NUL-terminated)
 * holds the line `expected` (as written, newline included): the runner's
 * test of a measured run against its reference run. */
static inline bool mstats_proof_holds(const char *text, const char *expected)
{
    size_t length = strlen(expected);
    for (const char *at = strstr(text, MSTATS_PROOF_TAG); at != NULL;
         at = strstr(at + 1, MSTATS_PROOF_TAG))
        if (strncmp(at, expected, length) == 0 && (at == text || at[-1] == '\n'))
            return true;
    return false;
}

/* Copies the last complete proof line of `text` (newline included) into
 * `line`; returns false when there is none. For the reference run, whose
 * allocator (glibc) is trusted. */
static inline bool mstats_proof_last_line(const char *text, char line[MSTATS_PROOF_LINE_MAX])
{
    const char *last = NULL;
    for (const char *at = strstr(text, MSTATS_PROOF_TAG); at != NULL;
         at = strstr(at + 1, MSTATS_PROOF_TAG))
        if (at == text || at[-1] == '\n')
            last = at;
    const char *end = last != NULL ? strchr(last, '\n') : NULL;
    if (end == NULL || (size_t)(end - last) + 2 > MSTATS_PROOF_LINE_MAX)
        return false;
    memcpy(line, last, (size_t)(end - last) + 1);
    line[end - last + 1] = '\0';
    return true;
}

/* Whether a proof line says PEAK-LIVE varies from run to run. */
static inline bool mstats_proof_peak_varies(const char *line)
{
    return strstr(line, " peak-live=varies") != NULL;
}

#endif
