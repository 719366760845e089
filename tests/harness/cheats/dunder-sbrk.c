/* Tries: in every call, 8 MiB of scratch taken and given back through glibc's
 * internal __sbrk, which the shim's sbrk does not wrap, so the shim samples
 * the heap only before and after: MAX is as if the scratch never existed.
 * Caught by: the kernel's brk witness sees both brk calls -> 67. */
#define CHEAT_ON_CALL() cheat_scratch_through(__sbrk)
#include "cheat_core.h"
