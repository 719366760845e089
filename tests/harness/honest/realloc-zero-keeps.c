/* Honest: realloc(p, 0) keeps the block and returns p, a valid pointer that
 * free accepts later. C allows it (the result of realloc(p, 0) is
 * implementation-defined; glibc frees p and returns NULL). The harness must
 * not take the block as freed. */
#define HONEST_REALLOC_ZERO_KEEPS
#include "honest_core.h"
