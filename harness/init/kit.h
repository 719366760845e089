/* The starter kit: the files `mstats-init DIR` writes for a student, found
 * beside the running program (bin/../share/mstats/kit in the build tree and
 * after install) and copied without overwriting anything.
 */
#ifndef MSTATS_INIT_KIT_H
#define MSTATS_INIT_KIT_H

#include <glib.h>

/* One kit file: its name in the kit folder and in the student's folder
 * (they differ for .gitignore, which must not act inside the mstats tree). */
typedef struct {
    const char *source;
    const char *target;
} KitFile;

/* The kit's files, in the order they are reported; `count` gets their number. */
const KitFile *kit_files(gsize *count);

/* The folder holding the kit's files, or NULL + error naming where it looked. */
char *kit_dir(GError **error);

/* Copies every kit file from `kit` into `dir` (created if missing). Refuses,
 * writing nothing, when any target already exists: the error names it. */
gboolean kit_write(const char *kit, const char *dir, GError **error);

#endif
