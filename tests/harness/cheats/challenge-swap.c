/* Tries: a constructor overwrites the run's challenge (MSTATS_CHALLENGE, in
 * place in the environment) with zeros before the tester reads it, so that
 * the tester's proof is for a challenge the cheat knows, which a proof made
 * in advance could match. Here the workload then runs honestly.
 * Caught by: the completion proof; the runner checks the proof against the
 * reference run for its own challenge, not the program's -> 96. */
#include "cheat_core.h"

#include "proof.h"

/* Before main: the challenge, if any, becomes all zeros. */
__attribute__((constructor)) static void swap_the_challenge(void)
{
    char *challenge = getenv(MSTATS_ENV_CHALLENGE);
    if (challenge != NULL)
        memset(challenge, '0', strlen(challenge));
}
