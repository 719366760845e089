/* A program's standard output as the runner reads it on its way, for
 * verification by output (docs/security.md): the program writes to a
 * descriptor of the same kind as the one it would have written to (a
 * pseudo-terminal for a terminal, a pipe for a pipe, an unnamed file on the
 * same file system for a file), because glibc sizes a stream's buffer by
 * what it writes to and that buffer is one of the program's own malloc
 * calls. The runner hashes every byte (SHA-256), keeps or compares the first
 * OUTPUT_HEAD_MAX of them, and sends them on where they were going:
 *
 *   terminal, pipe   a thread reads as the program writes and passes it on;
 *   file             read and copied to the file after the run;
 *   /dev/null        a pipe, read and thrown away (with `digesting`).
 *
 * Memory is bounded: a 64 KiB buffer, the hash and, for a reference run, the
 * head. The honest path pays one copy of its output and its hash. */
#ifndef MSTATS_RUNNER_OUTPUT_CAPTURE_H
#define MSTATS_RUNNER_OUTPUT_CAPTURE_H

#include <glib.h>

#include "run_model.h"

/* How many leading bytes of a reference run's output are kept, so that a
 * measured run's output can say where it first differs. */
#define OUTPUT_HEAD_MAX (64 * 1024)

/* What a program wrote: its length and SHA-256, and its start. */
typedef struct {
    guint64 length;
    char sha256[65];  /* hex; all of it */
    GByteArray *head; /* the first OUTPUT_HEAD_MAX bytes (keep_head), else NULL */
    /* Read against an expected digest: how many leading bytes equal its
     * head (at most the head's length, and this output's). */
    guint64 matched;
} OutputDigest;

void output_digest_clear(OutputDigest *digest);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(OutputDigest, output_digest_clear)

/* Where `measured` and `expected` first differ, in words ("stdout differs
 * from the reference run's at byte 12 (line 2): 40 bytes against 41");
 * NULL when they are the same. `measured` was read against `expected`. */
char *output_digest_difference(const OutputDigest *measured, const OutputDigest *expected);

/* The descriptor a run's program writes `which` (1 or 2) to: the request's
 * descriptor, else /dev/null (-1) for a quiet request, else the runner's own. */
int output_destination(const MstatsRunRequest *request, int which);

/* What a descriptor is, as far as a program's allocations can tell (glibc's
 * stdio reads isatty and st_blksize). */
typedef enum {
    OUTPUT_DISCARDED, /* /dev/null, or anything else without a better match */
    OUTPUT_TERMINAL,
    OUTPUT_PIPE, /* a pipe or a socket */
    OUTPUT_FILE, /* a regular file */
} OutputKind;

OutputKind output_kind(int fd);

/* What a capture does with the bytes. */
typedef struct {
    int like;                     /* the descriptor to match in kind (-1: /dev/null) */
    gboolean digesting;           /* hash them (else only drain them) */
    gboolean keep_head;           /* keep the first OUTPUT_HEAD_MAX (a reference run) */
    gboolean forward;             /* send them on to `like` (a measured run) */
    const OutputDigest *expected; /* compare with its head as they pass (NULL: none) */
} OutputRoute;

typedef struct {
    int program_fd; /* the program's end: give it as its descriptor */
    int read_fd;    /* the runner's end: a terminal's master, a pipe's read end */
    gboolean file;  /* program_fd is a file, read after the run */
    OutputRoute route;
    GChecksum *checksum;
    OutputDigest digest;
    GThread *reader;
} OutputCapture;

/* Opens a capture for `route`. Never fails: where no descriptor of the kind
 * can be made, the program gets a memfd (a file) or /dev/null. */
void output_capture_open(OutputCapture *capture, const OutputRoute *route);

/* After the run (every writer of program_fd gone but the runner): reads the
 * rest, sends it on, and fills *digest (taken by the caller; may be NULL). */
void output_capture_finish(OutputCapture *capture, OutputDigest *digest);

#endif
