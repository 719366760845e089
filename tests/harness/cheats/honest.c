/* The control: the honest bump core alone (cheat_core.h). No cheat's graded
 * figures may be better than this allocator's on the same workload. */
#include "cheat_core.h"
