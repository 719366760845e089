/* The reference run (reference.h): its outputs, its cache. */
#define _GNU_SOURCE
#include "reference.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "trust.h"

/* What a measured run's output descriptor is, as far as a program's
 * allocations can tell (glibc's stdio reads isatty and st_blksize). */
typedef enum {
    OUTPUT_DISCARDED, /* /dev/null, or anything else without a better match */
    OUTPUT_TERMINAL,
    OUTPUT_PIPE, /* a pipe or a socket */
    OUTPUT_FILE, /* a regular file */
} OutputKind;

static OutputKind output_kind(int fd)
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

/* The descriptor the measured run's program writes `which` (1 or 2) to. */
static int measured_output(const MstatsRunRequest *request, int which)
{
    if (request->quiet)
        return -1; /* /dev/null */
    int chosen = which == STDOUT_FILENO ? request->stdout_fd : request->stderr_fd;
    return chosen >= 0 ? chosen : which;
}

/* One output of the reference run: the descriptor its program writes to,
 * and what the harness reads and throws away (a terminal or a pipe must be
 * read, or the program would block once it is full). */
typedef struct {
    int program_fd;
    int drained_fd; /* -1: nothing to drain */
    GThread *drainer;
} ReferenceOutput;

static gpointer drain(gpointer data)
{
    int fd = GPOINTER_TO_INT(data);
    char buffer[4096];
    /* A terminal's master reads EIO, a pipe 0, once every writer is gone. */
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0 && !(n < 0 && errno == EINTR))
            return NULL;
    }
}

/* A pseudo-terminal with the window size of `like` (a program may lay out
 * its output, and allocate, by the terminal's width). */
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
    struct winsize size;
    if (ioctl(like, TIOCGWINSZ, &size) == 0)
        ioctl(*slave, TIOCSWINSZ, &size);
    return TRUE;
}

/* An unnamed file beside the measured run's file, on the same file system
 * (the same st_blksize); -1 when that directory cannot take one. */
static int file_beside(int like)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", like);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return -1;
    path[n] = '\0';
    g_autofree char *directory = g_path_get_dirname(path);
    return open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
}

/* Opens the reference run's output for the measured run's `like`. */
static void output_open(ReferenceOutput *output, int like)
{
    output->program_fd = output->drained_fd = -1;
    output->drainer = NULL;
    int ends[2];
    switch (output_kind(like)) {
    case OUTPUT_TERMINAL:
        if (open_terminal(like, &ends[0], &ends[1])) {
            output->drained_fd = ends[0];
            output->program_fd = ends[1];
        }
        break;
    case OUTPUT_PIPE:
        if (pipe2(ends, O_CLOEXEC) == 0) {
            output->drained_fd = ends[0];
            output->program_fd = ends[1];
        }
        break;
    case OUTPUT_FILE:
        output->program_fd = file_beside(like);
        break;
    case OUTPUT_DISCARDED:
        break;
    }
    if (output->program_fd < 0)
        output->program_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (output->drained_fd >= 0)
        output->drainer =
            g_thread_new("mstats-reference-output", drain, GINT_TO_POINTER(output->drained_fd));
}

/* After the run: no writer is left but ours, so the drainer ends. */
static void output_close(ReferenceOutput *output)
{
    if (output->program_fd >= 0)
        close(output->program_fd);
    if (output->drainer != NULL)
        g_thread_join(output->drainer);
    if (output->drained_fd >= 0)
        close(output->drained_fd);
}

/* One workload's reference run, made once (its lock held meanwhile). */
typedef struct {
    GMutex lock;
    gboolean done;
    gboolean attempted; /* the run could be started (else `error` says why) */
    char *error;
    ReferenceRun reference;
} ReferenceEntry;

/* Everything that makes two runs the same workload for the reference. */
static char *workload_key(const MstatsRunRequest *request, const char *program,
                          const char *challenge)
{
    GString *key = g_string_new(challenge != NULL ? challenge : "");
    g_string_append_printf(key, "\x1d%s", program);
    for (char **arg = request->argv + 1; *arg != NULL; arg++)
        g_string_append_printf(key, "\x1f%s", *arg);
    g_string_append_printf(key, "\x1e%u\x1e%" G_GUINT64_FORMAT "\x1e%g\x1e%d\x1e%d%d",
                           request->alignment, request->memory_limit, request->timeout_seconds,
                           request->no_sandbox,
                           output_kind(measured_output(request, STDOUT_FILENO)),
                           output_kind(measured_output(request, STDERR_FILENO)));
    for (const char *const *path = request->writable_paths; path != NULL && *path != NULL; path++)
        g_string_append_printf(key, "\x1d%s", *path);
    return g_string_free(key, FALSE);
}

/* Makes the reference run of `request` into `entry`. */
static void make_reference(ReferenceEntry *entry, const MstatsRunRequest *request,
                           const char *program, const char *challenge, ReferenceRunner run)
{
    ReferenceOutput out, err;
    output_open(&out, measured_output(request, STDOUT_FILENO));
    output_open(&err, measured_output(request, STDERR_FILENO));
    MstatsRunRequest reference = *request;
    reference.allocator = "libc";
    reference.quiet = FALSE;
    reference.stdout_fd = out.program_fd;
    reference.stderr_fd = err.program_fd;
    reference.record_path = reference.heap_map_path = NULL;
    reference.take_terminal = FALSE;
    reference.witness_policy = MSTATS_WITNESS_UNTRUSTED;
    g_autoptr(GError) run_error = NULL;
    if (challenge != NULL)
        g_strlcpy(entry->reference.challenge, challenge, sizeof entry->reference.challenge);
    else
        trust_new_challenge(entry->reference.challenge);
    entry->attempted =
        run(&reference, program, entry->reference.challenge, &entry->reference.result, &run_error);
    if (!entry->attempted)
        entry->error = g_strdup(run_error->message);
    output_close(&out);
    output_close(&err);
}

const ReferenceRun *reference_run(const MstatsRunRequest *request, const char *program,
                                  const char *challenge, ReferenceRunner run, GError **error)
{
    static GMutex table_lock;
    static GHashTable *table;
    g_autofree char *key = workload_key(request, program, challenge);
    g_mutex_lock(&table_lock);
    if (table == NULL)
        table = g_hash_table_new(g_str_hash, g_str_equal);
    ReferenceEntry *entry = g_hash_table_lookup(table, key);
    if (entry == NULL) {
        entry = g_new0(ReferenceEntry, 1);
        g_mutex_init(&entry->lock);
        g_hash_table_insert(table, g_steal_pointer(&key), entry);
    }
    g_mutex_unlock(&table_lock);

    g_mutex_lock(&entry->lock);
    if (!entry->done) {
        make_reference(entry, request, program, challenge, run);
        entry->done = TRUE;
    }
    g_mutex_unlock(&entry->lock);
    if (!entry->attempted) {
        g_set_error(error, MSTATS_ERROR, MSTATS_ERROR_SYSTEM,
                    "the reference run on glibc could not start: %s", entry->error);
        return NULL;
    }
    return &entry->reference;
}
