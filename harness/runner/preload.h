/* The program's LD_PRELOAD. The dynamic loader splits it at every space and
 * colon, with no way to quote one, so a shim or an allocator under a folder
 * such as "My Projects" would never load. Such a path is preloaded through
 * a symbolic link to it in a directory of the run's own, under /tmp, whose
 * name holds neither; the link is removed after the run. */
#ifndef MSTATS_RUNNER_PRELOAD_H
#define MSTATS_RUNNER_PRELOAD_H

#include <glib.h>

typedef struct {
    char *link_dir; /* the run's directory of links; NULL until one is needed */
} PreloadLinks;

/* "LD_PRELOAD=A:B..." for `paths` (NULL-terminated), each preloaded as it
 * is or through a link in links->link_dir; `caller` (the caller's own
 * LD_PRELOAD, may be NULL) is appended as given. NULL + a one-line error
 * naming the path and its character when no link could be made. */
char *preload_variable(const char *const *paths, const char *caller, PreloadLinks *links,
                       GError **error);

/* Removes the links and their directory (nothing when none was made). */
void preload_links_remove(PreloadLinks *links);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PreloadLinks, preload_links_remove)

#endif
