/* Writing user-named files in place (see output_file.h). The rule that makes
 * it safe is to open the path itself, following links, without O_TRUNC, and
 * to empty it only once fstat says it is a regular file: a FIFO or a device
 * is written as it is, and nothing is ever renamed over the path (which is
 * how g_file_set_contents, as root, once turned /dev/full into a file). */
#define _GNU_SOURCE
#include "output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Sets `error` to "PATH: reason" for errno value `errsv`; a path whose
 * directory is missing says so, since nothing here creates one. */
static gboolean fail_errno(GError **error, const char *path, int errsv)
{
    if (errsv == ENOENT) {
        g_autofree char *dir = g_path_get_dirname(path);
        if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                        "%s: no directory %s: create it first", path, dir);
            return FALSE;
        }
    }
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s: %s", path,
                g_strerror(errsv));
    return FALSE;
}

int output_file_open(const char *path, GError **error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd < 0) {
        fail_errno(error, path, errno);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0)) {
        int errsv = errno;
        close(fd);
        fail_errno(error, path, errsv);
        return -1;
    }
    return fd;
}

int output_fd_write_all(int fd, const void *data, gsize length)
{
    const char *next = data;
    while (length > 0) {
        ssize_t written = write(fd, next, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return written < 0 ? errno : EIO;
        next += written;
        length -= (gsize)written;
    }
    return 0;
}

gboolean output_file_write(const char *path, const char *text, gssize length, GError **error)
{
    int fd = output_file_open(path, error);
    if (fd < 0)
        return FALSE;
    int errsv = output_fd_write_all(fd, text, length < 0 ? strlen(text) : (gsize)length);
    if (errsv != 0) {
        close(fd);
        return fail_errno(error, path, errsv);
    }
    /* A network file system may report a lost write only here. */
    if (close(fd) != 0)
        return fail_errno(error, path, errno);
    return TRUE;
}

gboolean output_file_check(const char *path, GError **error)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                        "%s: is a directory: give a file name", path);
            return FALSE;
        }
        if (S_ISREG(st.st_mode) && access(path, W_OK) != 0)
            return fail_errno(error, path, errno);
        return TRUE;
    }
    if (errno != ENOENT)
        return fail_errno(error, path, errno);
    g_autofree char *dir = g_path_get_dirname(path);
    if (access(dir, W_OK | X_OK) != 0)
        return fail_errno(error, path, errno);
    return TRUE;
}

gboolean output_stream_flush(FILE *stream, const char *name, GError **error)
{
    errno = 0;
    if (fflush(stream) == 0 && !ferror(stream))
        return TRUE;
    int errsv = errno != 0 ? errno : EIO;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s: %s", name,
                g_strerror(errsv));
    return FALSE;
}
