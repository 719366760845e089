/* The heap map: a picture of where every block lived in the heap and when.
 *
 * x is time (operations of the run, left to right), y is the offset in the
 * heap (bottom = heap start). Live requested bytes are blue; heap the
 * allocator had obtained but the program was not using (free blocks,
 * headers, padding) is grey; above the break the heap did not exist yet.
 * So fragmentation shows as grey below the break line.
 */
#ifndef MSTATS_RUNNER_HEAP_MAP_H
#define MSTATS_RUNNER_HEAP_MAP_H

#include <glib.h>

#include "region_layout.h"

/* The plot area inside the picture, in pixels from the top left. */
enum {
    HEAP_MAP_WIDTH = 1100,
    HEAP_MAP_HEIGHT = 640,
    HEAP_MAP_PLOT_LEFT = 90,
    HEAP_MAP_PLOT_TOP = 50,
    HEAP_MAP_PLOT_WIDTH = 960,
    HEAP_MAP_PLOT_HEIGHT = 500,
};

/* Pixel colours, 0xRRGGBB. */
#define HEAP_MAP_LIVE 0x2f6fb5u
#define HEAP_MAP_UNUSED 0xc8c8c8u
#define HEAP_MAP_ABSENT 0xffffffu

/* Draws `count` recorded operations (ids below `ids`) as a PNG at `path`;
 * `heap_max` scales the y axis, `title` heads the picture. */
gboolean heap_map_write(const char *path, const MstatsRecordedOp *ops, guint64 count, guint32 ids,
                        guint64 heap_max, const char *title, GError **error);

#endif
