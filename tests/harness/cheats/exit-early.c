/* Tries: ends the program with _exit(0) inside its 50th call, before most of
 * the workload has allocated anything, so MAX stays small and STATUS reads OK.
 * Caught by: the completion proof; the tester never writes its proof line
 * -> 96 (the workload did not finish). */
#define CHEAT_ON_CALL()                                                                            \
    do {                                                                                           \
        if (cheat_calls == 50)                                                                     \
            _exit(0);                                                                              \
    } while (0)
#include "cheat_core.h"
