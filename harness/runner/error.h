/* The runner's error domain: a GError of MSTATS_ERROR is a usage error (a
 * bad option, an unknown allocator, a missing file: exit 2) or a system one.
 * Header only, so that every file of the runner can use it without
 * depending on the runner itself. */
#ifndef MSTATS_RUNNER_ERROR_H
#define MSTATS_RUNNER_ERROR_H

#include <glib.h>

#define MSTATS_ERROR (mstats_error_quark())
static inline GQuark mstats_error_quark(void)
{
    return g_quark_from_static_string("mstats-error-quark");
}

typedef enum {
    MSTATS_ERROR_USAGE,  /* bad option value, unknown allocator, missing file */
    MSTATS_ERROR_SYSTEM, /* fork, memfd, exec failed */
} MstatsError;

#endif
