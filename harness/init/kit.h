/* What `mstats-init` writes: a student's starter kit, or an instructor's
 * autograder bundle for Gradescope or PrairieLearn. The files are found
 * beside the running program (bin/../share/mstats/kit and .../grader in the
 * build tree and after install) and copied without overwriting anything; a
 * bundle also carries the mstats source it builds (mstats.tar.gz).
 */
#ifndef MSTATS_INIT_KIT_H
#define MSTATS_INIT_KIT_H

#include <glib.h>

typedef enum {
    KIT_STUDENT,      /* mstats-init DIR */
    KIT_GRADESCOPE,   /* mstats-init --gradescope DIR */
    KIT_PRAIRIELEARN, /* mstats-init --prairielearn DIR */
} KitKind;

/* One file written: where it comes from under share/mstats (NULL: the
 * source archive, made by kit_write), its name in the written folder (they
 * differ for .gitignore, which must not act inside the mstats tree, and for
 * the bundles' README and starter allocator), the kinds that hold it (bit
 * 1 << KitKind), and whether it is a script. */
typedef struct {
    const char *source;
    const char *target;
    unsigned kinds;
    gboolean executable;
} KitFile;

/* Every file of every kind, in the order they are reported; `count` gets
 * their number. kit_file_in picks a kind's. */
const KitFile *kit_files(gsize *count);
gboolean kit_file_in(const KitFile *file, KitKind kind);

/* The folder holding the kit's and the bundles' files (share/mstats), or
 * NULL + error naming where it looked. */
char *kit_data_dir(GError **error);

/* The mstats source a bundle archives: `given` (--source), else the tree
 * this program was built from. NULL + error when it is not an mstats
 * source tree. */
char *kit_source_dir(const char *given, GError **error);

/* Writes every file of `kind` from `data_dir` into `dir` (created if
 * missing), and for a bundle the archive of `source_dir`. Refuses, writing
 * nothing, when any target already exists: the error names it. */
gboolean kit_write(KitKind kind, const char *data_dir, const char *source_dir, const char *dir,
                   GError **error);

#endif
