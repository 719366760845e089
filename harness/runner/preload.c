/* The program's LD_PRELOAD (preload.h). */
#include "preload.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "error.h"

/* The characters at which the dynamic loader splits LD_PRELOAD. */
#define PRELOAD_SEPARATORS " :"

/* Where the links go: a directory whose path holds no separator. */
static const char *const link_parents[] = {"/tmp", "/dev/shm", "/var/tmp"};

static gboolean make_link_dir(PreloadLinks *links)
{
    for (gsize i = 0; i < G_N_ELEMENTS(link_parents) && links->link_dir == NULL; i++) {
        char *dir = g_build_filename(link_parents[i], "mstats-preload-XXXXXX", NULL);
        if (g_mkdtemp(dir) != NULL)
            links->link_dir = dir;
        else
            g_free(dir);
    }
    return links->link_dir != NULL;
}

char *preload_variable(const char *const *paths, const char *caller, PreloadLinks *links,
                       GError **error)
{
    GString *value = g_string_new("LD_PRELOAD=");
    for (gsize i = 0; paths[i] != NULL; i++) {
        const char *path = paths[i];
        g_autofree char *link = NULL;
        gsize clean = strcspn(path, PRELOAD_SEPARATORS);
        if (path[clean] != '\0') {
            g_autofree char *base = g_path_get_basename(path);
            g_strdelimit(base, PRELOAD_SEPARATORS, '_');
            if (make_link_dir(links))
                link = g_strdup_printf("%s/%zu-%s", links->link_dir, i, base);
            if (link == NULL || symlink(path, link) != 0) {
                g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM,
                            "'%s' holds a %s, which LD_PRELOAD cannot carry, and no link to it "
                            "could be made in /tmp, /dev/shm or /var/tmp (%s): move it to a "
                            "folder whose path has no spaces or colons",
                            path, path[clean] == ' ' ? "space" : "colon", g_strerror(errno));
                g_string_free(value, TRUE);
                return NULL;
            }
            path = link;
        }
        g_string_append_printf(value, "%s%s", i > 0 ? ":" : "", path);
    }
    if (caller != NULL && *caller != '\0')
        g_string_append_printf(value, ":%s", caller);
    return g_string_free(value, FALSE);
}

void preload_links_remove(PreloadLinks *links)
{
    if (links->link_dir == NULL)
        return;
    g_autoptr(GDir) dir = g_dir_open(links->link_dir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *link = g_build_filename(links->link_dir, name, NULL);
        g_unlink(link);
    }
    g_rmdir(links->link_dir);
    g_clear_pointer(&links->link_dir, g_free);
}
