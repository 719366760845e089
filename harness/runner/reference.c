/* The reference run (reference.h): its input and outputs, its cache. */
#define _GNU_SOURCE
#include "reference.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "trust.h"

/* The reference run's standard input, made from the measured run's
 * (`measured`): a regular file opened again at the same offset, so that the
 * reference run reads what the measured run will and takes nothing from it;
 * /dev/null otherwise. *other says what the measured run's is when that is
 * not the same input (NULL when it is). -1 when /dev/null cannot be opened. */
static int reference_input(int measured, const char **other)
{
    struct stat st, null_device;
    *other = NULL;
    if (fstat(measured, &st) != 0)
        *other = "closed";
    else if (isatty(measured))
        *other = "a terminal";
    else if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
        *other = "a pipe";
    else if (S_ISREG(st.st_mode)) {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", measured);
        int again = open(link, O_RDONLY | O_CLOEXEC);
        off_t offset = lseek(measured, 0, SEEK_CUR);
        if (again >= 0 && offset >= 0 && lseek(again, offset, SEEK_SET) == offset)
            return again;
        if (again >= 0)
            close(again);
        *other = "a file that mstats cannot open again";
    } else if (stat("/dev/null", &null_device) != 0 || !S_ISCHR(st.st_mode) ||
               st.st_rdev != null_device.st_rdev)
        *other = "a device";
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* What identifies the measured run's stdin for the reference: its kind, and
 * for a file which file and where. */
static char *input_key(int measured)
{
    struct stat st;
    if (fstat(measured, &st) != 0)
        return g_strdup("-");
    off_t offset = S_ISREG(st.st_mode) ? lseek(measured, 0, SEEK_CUR) : 0;
    return g_strdup_printf("%o:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT,
                           st.st_mode & S_IFMT, (guint64)st.st_dev, (guint64)st.st_ino,
                           (gint64)offset);
}

/* The descriptor the measured run's program reads its stdin from. */
static int measured_input(const MstatsRunRequest *request)
{
    return request->stdin_fd >= 0 ? request->stdin_fd : STDIN_FILENO;
}

/* One workload's reference run, made once (its lock held meanwhile). */
typedef struct {
    GMutex lock;
    gboolean done;
    gboolean attempted; /* the run could be started (else `error` says why) */
    char *error;
    ReferenceRun reference;
} ReferenceEntry;

/* The sink of a reference run whose measured run records (--record,
 * --heap-map, --diff): the shim then maps the recording (a 4 GiB sparse
 * memfd) and its table of ids, which the witness counts as memory outside
 * the heap; the reference run maps them too, so that the two figures compare
 * like with like, and throws its recording away. */
static void discard_recording(int record_fd, guint64 count, guint32 ids, void *data)
{
    (void)record_fd, (void)count, (void)ids, (void)data;
}

/* Everything that makes two runs the same workload for the reference. */
static char *workload_key(const MstatsRunRequest *request, const char *program, gboolean by_output)
{
    g_autofree char *input = input_key(measured_input(request));
    GString *key = g_string_new(by_output ? "output" : "proof");
    g_string_append_printf(key, "\x1d%s\x1d%s", input, program);
    for (char **arg = request->argv + 1; *arg != NULL; arg++)
        g_string_append_printf(key, "\x1f%s", *arg);
    g_string_append_printf(key, "\x1e%u\x1e%" G_GUINT64_FORMAT "\x1e%g\x1e%d\x1e%d%d",
                           request->alignment, request->memory_limit, request->timeout_seconds,
                           request->no_sandbox,
                           output_kind(output_destination(request, STDOUT_FILENO)),
                           output_kind(output_destination(request, STDERR_FILENO)));
    g_string_append_printf(key, "\x1e%d", mstats_run_request_records(request));
    for (const char *const *path = request->writable_paths; path != NULL && *path != NULL; path++)
        g_string_append_printf(key, "\x1d%s", *path);
    return g_string_free(key, FALSE);
}

/* Makes the reference run of `request` into `entry`. */
static void make_reference(ReferenceEntry *entry, const MstatsRunRequest *request,
                           const char *program, gboolean by_output, ReferenceRunner run)
{
    OutputCapture out, err;
    output_capture_open(&out, &(OutputRoute){.like = output_destination(request, STDOUT_FILENO),
                                             .digesting = by_output,
                                             .keep_head = by_output});
    output_capture_open(&err, &(OutputRoute){.like = output_destination(request, STDERR_FILENO)});
    int input = reference_input(measured_input(request), &entry->reference.other_input);
    MstatsRunRequest reference = *request;
    reference.allocator = "libc";
    reference.quiet = FALSE;
    reference.stdin_fd = input;
    reference.stdout_fd = out.program_fd;
    reference.stderr_fd = err.program_fd;
    reference.record_path = reference.heap_map_path = NULL;
    reference.recording_sink = mstats_run_request_records(request) ? discard_recording : NULL;
    reference.take_terminal = FALSE;
    /* Witnessed, glibc too, for its memory outside the heap (trust.c). */
    if (reference.witness_policy != MSTATS_WITNESS_NONE)
        reference.witness_policy = MSTATS_WITNESS_ALL;
    g_autoptr(GError) run_error = NULL;
    trust_new_challenge(entry->reference.challenge);
    entry->attempted =
        run(&reference, program, entry->reference.challenge, &entry->reference.result, &run_error);
    if (!entry->attempted)
        entry->error = g_strdup(run_error->message);
    output_capture_finish(&out, &entry->reference.output);
    output_capture_finish(&err, NULL);
    if (input >= 0)
        close(input);
}

const ReferenceRun *reference_run(const MstatsRunRequest *request, const char *program,
                                  gboolean by_output, ReferenceRunner run, GError **error)
{
    static GMutex table_lock;
    static GHashTable *table;
    g_autofree char *key = workload_key(request, program, by_output);
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
        make_reference(entry, request, program, by_output, run);
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
