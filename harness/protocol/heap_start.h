/* Where a process image's heap starts, as the kernel says: start_brk, field
 * 47 of /proc/PID/stat. The shim (in the program) and the brk witness (its
 * tracer) both count a heap from there, so that their two accounts of MAX
 * meet, whatever ran before the shim started. libc only, no allocation. */
#ifndef MSTATS_HEAP_START_H
#define MSTATS_HEAP_START_H

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* start_brk from the stat file at `stat_path` ("/proc/self/stat",
 * "/proc/PID/stat"); 0 when it cannot be read. */
static inline uintptr_t mstats_heap_start(const char *stat_path)
{
    char text[2048];
    int fd = open(stat_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    /* Fields after the command, which may hold spaces, start at its last ')'. */
    char *cursor = strrchr(text, ')');
    for (int field = 2; cursor != NULL && field < 47; field++)
        cursor = strchr(cursor + 1, ' ');
    return cursor != NULL ? (uintptr_t)strtoull(cursor + 1, NULL, 10) : 0;
}

#endif
