/* Tries: in every call, 8 MiB of scratch taken and given back with the raw
 * brk system call, past glibc (whose cached break stays right, since the
 * break ends where it began) and past the shim's sbrk and brk.
 * Caught by: the kernel's brk witness -> 67. */
#define CHEAT_ON_CALL() cheat_scratch_through(cheat_raw_sbrk)
#include "cheat_core.h"
