/* Writing the files a user names (mstats --json FILE, --record FILE,
 * --heap-map FILE; every report file of mcompare) the way a shell's `>` does:
 * through a symbolic link to its target, into a FIFO or a device as it is,
 * and into a regular file truncated in place. What the path names is never
 * replaced by a new file (no temporary file renamed over it, so /dev/full
 * stays a device and a link stays a link), and no directory is ever created:
 * a missing one is an error that says so.
 *
 * Errors are in G_FILE_ERROR and read `PATH: reason`; a write error (a full
 * disk, /dev/full) is reported, never lost. */
#ifndef MSTATS_OUTPUT_FILE_H
#define MSTATS_OUTPUT_FILE_H

#include <glib.h>
#include <stdio.h>

/* Opens `path` for writing as described above: a descriptor (close-on-exec)
 * positioned at the start of the emptied regular file, or of the FIFO or
 * device. A FIFO blocks until it has a reader, as with `>`. -1 + error. */
int output_file_open(const char *path, GError **error);

/* Writes all `length` bytes of `data` to `fd`, again after a short write
 * or EINTR: 0, or the errno value of the failure. */
int output_fd_write_all(int fd, const void *data, gsize length);

/* Writes `length` bytes of `text` (length < 0: up to its NUL) to `path` and
 * closes it; FALSE + error on any failure, a short write included. */
gboolean output_file_write(const char *path, const char *text, gssize length, GError **error);

/* Checks, before a long run, that `path` can be written later, without
 * writing or creating anything: its directory exists, it is not a
 * directory, and a regular file there is writable. A FIFO or a device is
 * not opened (a FIFO's reader would see the end of its input). */
gboolean output_file_check(const char *path, GError **error);

/* Flushes `stream` (stdout, say) and reports whether anything written to it
 * was lost: FALSE + error "`name`: reason" on a write error. */
gboolean output_stream_flush(FILE *stream, const char *name, GError **error);

#endif
