/* An allocator that needs a symbol nobody defines: dlopen fails -> 65. */
#include <stddef.h>

extern void *mstats_gallery_nowhere(size_t size);

void *malloc(size_t size)
{
    return mstats_gallery_nowhere(size);
}
