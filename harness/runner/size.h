/* The options every harness program takes for sizes, alignment and limits
 * (size.c): each parsed, or a usage error that names the option. */
#ifndef MSTATS_RUNNER_SIZE_H
#define MSTATS_RUNNER_SIZE_H

#include <glib.h>

/* Parses a size such as 4096, 64K, 1.5M or 2.5G (binary units). */
gboolean mstats_parse_size(const char *text, guint64 *bytes, GError **error);

/* The --align option: 1 (no alignment checked), 8 or 16 (0, not given: 16)
 * into *alignment. FALSE with a usage error naming the option otherwise. */
gboolean mstats_parse_alignment(int value, unsigned *alignment, GError **error);

/* The -t/--timeout and -m/--memory-limit options every harness program
 * takes: checks that `timeout` is a number from 0 to MSTATS_TIMEOUT_MAX and
 * parses `memory_limit` (NULL: leaves *bytes as it is). FALSE with a usage
 * error naming the option. */
gboolean mstats_parse_limits(double timeout, const char *memory_limit, guint64 *bytes,
                             GError **error);

#endif
