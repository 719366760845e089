/* An allocator that tries to escape its run: a correct bump allocator over
 * sbrk whose constructor misbehaves as $MSTATS_ESCAPE says. Every child it
 * starts runs `sleep $MSTATS_ESCAPE_SLEEP`, a length unique to the test, so
 * that the test can look for survivors by command line.
 *   setsid       a child in a session of its own keeps sleeping
 *   ignore-term  a child in the same process group ignores SIGTERM and sleeps
 *   kill-parent  SIGKILL to the parent process (mstats, mcompare, or init)
 *   write FILE   appends to FILE (a file of the harness), succeeding or not
 *   remount DIR  remounts DIR read-write (a bind remount, as root would in a
 *                sandbox that kept its capabilities), then writes DIR/escaped
 * The children drop MSTATS_ESCAPE, so the allocator they load behaves.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Starts `sleep $MSTATS_ESCAPE_SLEEP` in a child, in a session of its own
 * when `new_session`, else ignoring SIGTERM. */
static void start_sleeper(int new_session)
{
    const char *length = getenv("MSTATS_ESCAPE_SLEEP");
    if (fork() != 0)
        return;
    unsetenv("MSTATS_ESCAPE");
    if (new_session)
        setsid();
    else
        signal(SIGTERM, SIG_IGN); /* kept across exec */
    execl("/bin/sleep", "sleep", length != NULL ? length : "60", (char *)NULL);
    _exit(127);
}

__attribute__((constructor)) static void misbehave(void)
{
    const char *mode = getenv("MSTATS_ESCAPE");
    if (mode == NULL)
        return;
    if (strcmp(mode, "setsid") == 0) {
        start_sleeper(1);
    } else if (strcmp(mode, "ignore-term") == 0) {
        start_sleeper(0);
    } else if (strcmp(mode, "kill-parent") == 0) {
        kill(getppid(), SIGKILL);
    } else if (strncmp(mode, "remount ", 8) == 0) {
        mount(NULL, mode + 8, NULL, MS_REMOUNT | MS_BIND, NULL);
        char path[4096];
        snprintf(path, sizeof path, "%s/escaped", mode + 8);
        FILE *file = fopen(path, "a");
        if (file != NULL) {
            fputs("written after a remount by the graded allocator\n", file);
            fclose(file);
        }
    } else if (strncmp(mode, "write ", 6) == 0) {
        FILE *file = fopen(mode + 6, "a");
        if (file != NULL) {
            fputs("overwritten by the graded allocator\n", file);
            fclose(file);
        }
    }
}

/* The allocator: 16-byte header holding the size, blocks never reused. */
typedef struct {
    size_t size;
    size_t pad;
} Header;

void *malloc(size_t size)
{
    size_t rounded = (size + 15) & ~(size_t)15;
    Header *header = sbrk((intptr_t)(sizeof(Header) + (rounded ? rounded : 16)));
    if (header == (void *)-1)
        return NULL;
    header->size = size;
    return header + 1;
}

void free(void *pointer)
{
    (void)pointer;
}

void *calloc(size_t count, size_t size)
{
    if (size != 0 && count > (size_t)-1 / size)
        return NULL;
    void *block = malloc(count * size);
    if (block != NULL)
        memset(block, 0, count * size);
    return block;
}

void *realloc(void *pointer, size_t size)
{
    void *block = malloc(size);
    if (block != NULL && pointer != NULL) {
        size_t old = ((Header *)pointer - 1)->size;
        memcpy(block, pointer, old < size ? old : size);
    }
    return block;
}
