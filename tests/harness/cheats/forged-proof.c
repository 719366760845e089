/* Tries: on its 50th call, writes a completion proof line of its own making
 * (the challenge as the digest) to the descriptor named by MSTATS_PROOF_FD,
 * then _exit(0): a run that "proves" it finished.
 * Caught by: the completion proof; the digest is not the reference run's
 * -> 96. */
static void prove_and_leave(void);
#define CHEAT_ON_CALL() prove_and_leave()
#include "cheat_core.h"

#include "proof.h"

/* In the 50th call: the forged proof line, then exit 0. */
static void prove_and_leave(void)
{
    if (cheat_calls != 50)
        return;
    const char *fd = getenv(MSTATS_ENV_PROOF_FD);
    const char *challenge = getenv(MSTATS_ENV_CHALLENGE);
    if (fd != NULL) {
        char line[MSTATS_PROOF_LINE_MAX];
        int length = snprintf(line, sizeof line, "%sdigest=%.32s checks=1 peak-live=exact\n",
                              MSTATS_PROOF_TAG, challenge != NULL ? challenge : "0");
        ssize_t ignored = write(atoi(fd), line, (size_t)length);
        (void)ignored;
    }
    _exit(0);
}
