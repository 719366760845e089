/* A program's standard output read on its way (output_capture.h). */
#define _GNU_SOURCE
#include "output_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

void output_digest_clear(OutputDigest *digest)
{
    if (digest->head != NULL)
        g_byte_array_unref(digest->head);
    memset(digest, 0, sizeof *digest);
}

char *output_digest_difference(const OutputDigest *measured, const OutputDigest *expected)
{
    if (measured->length == expected->length && strcmp(measured->sha256, expected->sha256) == 0)
        return NULL;
    guint64 kept = expected->head != NULL ? expected->head->len : 0;
    guint64 at = measured->matched;
    guint64 line = 1;
    for (guint64 i = 0; i < MIN(at, kept); i++)
        line += expected->head->data[i] == '\n';
    g_autofree char *sizes = g_strdup_printf("%" G_GUINT64_FORMAT " bytes against the reference "
                                             "run's %" G_GUINT64_FORMAT,
                                             measured->length, expected->length);
    if (at < kept && at < measured->length)
        return g_strdup_printf("stdout differs from the reference run's at byte offset "
                               "%" G_GUINT64_FORMAT " (line %" G_GUINT64_FORMAT "): %s",
                               at, line, sizes);
    if (at == measured->length && at < expected->length)
        return g_strdup_printf("stdout ends at byte offset %" G_GUINT64_FORMAT
                               " (line %" G_GUINT64_FORMAT "), where the reference run's goes "
                               "on: %s",
                               at, line, sizes);
    if (at == expected->length)
        return g_strdup_printf("stdout goes on past the reference run's end at byte offset "
                               "%" G_GUINT64_FORMAT " (line %" G_GUINT64_FORMAT "): %s",
                               at, line, sizes);
    return g_strdup_printf(
        "stdout differs from the reference run's after its first %" G_GUINT64_FORMAT
        " bytes, which are the same (only those are compared byte by byte; "
        "the SHA-256 of the rest differs): %s",
        at, sizes);
}

int output_destination(const MstatsRunRequest *request, int which)
{
    int chosen = which == STDOUT_FILENO ? request->stdout_fd : request->stderr_fd;
    if (chosen >= 0)
        return chosen;
    return request->quiet ? -1 : which;
}

OutputKind output_kind(int fd)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        return OUTPUT_DISCARDED;
    if (isatty(fd))
        return OUTPUT_TERMINAL;
    if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
        return OUTPUT_PIPE;
    if (S_ISREG(st.st_mode))
        return OUTPUT_FILE;
    return OUTPUT_DISCARDED;
}

/* A pseudo-terminal with the settings and window size of `like` (a program
 * may lay out its output, and allocate, by the terminal's width), which
 * passes the program's bytes unchanged (no output processing: the terminal
 * they go on to does its own). */
static gboolean open_terminal(int like, int *master, int *slave)
{
    *master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    char name[128];
    if (*master < 0 || grantpt(*master) != 0 || unlockpt(*master) != 0 ||
        ptsname_r(*master, name, sizeof name) != 0 ||
        (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
        if (*master >= 0)
            close(*master);
        return FALSE;
    }
    struct termios settings;
    if (tcgetattr(like, &settings) == 0 || tcgetattr(*slave, &settings) == 0) {
        settings.c_oflag &= ~(tcflag_t)OPOST;
        tcsetattr(*slave, TCSANOW, &settings);
    }
    struct winsize size;
    if (ioctl(like, TIOCGWINSZ, &size) == 0)
        ioctl(*slave, TIOCSWINSZ, &size);
    return TRUE;
}

/* An unnamed file beside `like`, on the same file system (the same
 * st_blksize), else a memfd (mcompare's output, or a directory that cannot
 * take one); -1 when neither can be made. */
static int file_beside(int like)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", like);
    ssize_t n = readlink(link, path, sizeof path - 1);
    int fd = -1;
    if (n > 0 && path[0] == '/' && !g_str_has_prefix(path, "/memfd:")) {
        path[n] = '\0';
        g_autofree char *directory = g_path_get_dirname(path);
        fd = open(directory, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    }
    return fd >= 0 ? fd : memfd_create("mstats-output", MFD_CLOEXEC);
}

/* Writes all of `bytes` to `fd`; FALSE on an error. */
static gboolean write_all(int fd, const guint8 *bytes, gsize length)
{
    while (length > 0) {
        ssize_t n = write(fd, bytes, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        bytes += n;
        length -= (gsize)n;
    }
    return TRUE;
}

/* Takes `length` bytes the program wrote: hashes them, keeps or compares
 * the head, and sends them on. FALSE when they could not be sent on (a
 * closed pipe, a full disk): nothing more is sent on then. */
static gboolean take(OutputCapture *capture, const guint8 *bytes, gsize length)
{
    OutputDigest *digest = &capture->digest;
    OutputRoute *route = &capture->route;
    if (route->digesting) {
        g_checksum_update(capture->checksum, bytes, (gssize)length);
        if (route->keep_head && digest->length < OUTPUT_HEAD_MAX)
            g_byte_array_append(digest->head, bytes,
                                (guint)MIN(length, OUTPUT_HEAD_MAX - digest->length));
        const GByteArray *head = route->expected != NULL ? route->expected->head : NULL;
        if (head != NULL && digest->matched == digest->length) {
            guint64 end = MIN(head->len, digest->length + length);
            while (digest->matched < end &&
                   bytes[digest->matched - digest->length] == head->data[digest->matched])
                digest->matched++;
        }
        digest->length += length;
    }
    if (!route->forward || write_all(route->like, bytes, length))
        return TRUE;
    route->forward = FALSE;
    return FALSE;
}

/* The reader of a terminal or a pipe, until every writer is gone (a
 * terminal's master then reads EIO, a pipe 0), or until the bytes cannot be
 * sent on: it then closes its end, and the program's next write fails as it
 * would have (SIGPIPE on a pipe whose reader left). */
static gpointer read_through(gpointer data)
{
    OutputCapture *capture = data;
    /* A write to a closed pipe is an error here, not the runner's death; one
     * to the terminal while the program is its foreground is allowed. */
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGPIPE);
    sigaddset(&blocked, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &blocked, NULL);
    guint8 buffer[64 * 1024];
    for (;;) {
        ssize_t n = read(capture->read_fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || !take(capture, buffer, (gsize)n))
            break;
    }
    close(capture->read_fd);
    capture->read_fd = -1;
    return NULL;
}

void output_capture_open(OutputCapture *capture, const OutputRoute *route)
{
    memset(capture, 0, sizeof *capture);
    capture->route = *route;
    capture->program_fd = capture->read_fd = -1;
    if (route->digesting)
        capture->checksum = g_checksum_new(G_CHECKSUM_SHA256);
    if (route->keep_head)
        capture->digest.head = g_byte_array_new();
    /* Something must read what the program writes, or keep it. */
    gboolean kept = route->digesting || route->forward;
    int ends[2];
    switch (output_kind(route->like)) {
    case OUTPUT_TERMINAL:
        if (open_terminal(route->like, &ends[0], &ends[1])) {
            capture->read_fd = ends[0];
            capture->program_fd = ends[1];
        }
        break;
    case OUTPUT_FILE:
        capture->program_fd = file_beside(route->like);
        capture->file = capture->program_fd >= 0;
        break;
    case OUTPUT_PIPE:
    case OUTPUT_DISCARDED:
        break;
    }
    if (capture->program_fd < 0 && (kept || output_kind(route->like) == OUTPUT_PIPE) &&
        pipe2(ends, O_CLOEXEC) == 0) {
        capture->read_fd = ends[0];
        capture->program_fd = ends[1];
    }
    if (capture->program_fd < 0)
        capture->program_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (capture->read_fd >= 0)
        capture->reader = g_thread_new("mstats-output", read_through, capture);
}

void output_capture_finish(OutputCapture *capture, OutputDigest *digest)
{
    if (capture->file && (capture->route.digesting || capture->route.forward)) {
        guint8 buffer[64 * 1024];
        off_t offset = 0;
        ssize_t n;
        while ((n = pread(capture->program_fd, buffer, sizeof buffer, offset)) > 0 ||
               (n < 0 && errno == EINTR))
            if (n > 0) {
                offset += n;
                take(capture, buffer, (gsize)n); /* hashed even where it cannot go on */
            }
    }
    if (capture->program_fd >= 0)
        close(capture->program_fd);
    if (capture->reader != NULL)
        g_thread_join(capture->reader);
    if (capture->read_fd >= 0)
        close(capture->read_fd);
    if (capture->checksum != NULL) {
        g_strlcpy(capture->digest.sha256, g_checksum_get_string(capture->checksum),
                  sizeof capture->digest.sha256);
        g_checksum_free(capture->checksum);
    }
    if (digest != NULL)
        *digest = capture->digest;
    else
        output_digest_clear(&capture->digest);
}
