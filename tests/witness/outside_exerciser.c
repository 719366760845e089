/* outside-exerciser PAGES MODE [MODE...]: adds memory outside the heap the
 * ways a program can, for the witness's account of it (brk_witness.h,
 * "Memory outside the heap"), and prints what each added:
 *   truth: added=BYTES
 * Modes (each adds PAGES pages but `none`, `readonly` and `growsdown`):
 *   none       nothing (the baseline)
 *   private    mmap, private, anonymous, writable; touched
 *   reserve    mmap PROT_NONE, then mprotect to writable
 *   pkey       mmap PROT_NONE, then pkey_mprotect to writable (pkey -1)
 *   file       a private writable mapping of a file (/dev/zero)
 *   shared     mmap MAP_SHARED, anonymous
 *   memfd      a memfd, mapped MAP_SHARED
 *   shm        a SysV segment, attached with shmat
 *   mremap     a private page grown by mremap to 65 pages
 *   readonly   mmap PROT_READ, never made writable: adds nothing
 *   unmapped   64 pages mapped and unmapped again: the peak still holds them
 *   growsdown  mmap MAP_GROWSDOWN: refused (prints "refused: ERRNO")
 * Nothing is unmapped before exit but in `unmapped`. The witness keeps a
 * peak, and the loader's own peak comes first; so what a mode adds shows
 * exactly as the difference between two counts of pages. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

static size_t BYTES; /* PAGES pages */

static void *must(void *map, const char *what)
{
    if (map == MAP_FAILED || map == NULL) {
        fprintf(stderr, "outside-exerciser: %s: %s\n", what, strerror(errno));
        _exit(2);
    }
    return map;
}

static void *anonymous(int prot, int flags)
{
    return must(mmap(NULL, BYTES, prot, flags | MAP_ANONYMOUS, -1, 0), "mmap");
}

static void touch(char *memory, size_t bytes)
{
    for (size_t i = 0; i < bytes; i += 4096)
        memory[i] = 1;
}

/* Adds memory the way `mode` says; returns the bytes added, -1 if unknown. */
static long add(const char *mode)
{
    if (strcmp(mode, "none") == 0)
        return 0;
    if (strcmp(mode, "private") == 0) {
        touch(anonymous(PROT_READ | PROT_WRITE, MAP_PRIVATE), BYTES);
        return BYTES;
    }
    if (strcmp(mode, "reserve") == 0 || strcmp(mode, "pkey") == 0) {
        char *memory = anonymous(PROT_NONE, MAP_PRIVATE);
        int done = strcmp(mode, "reserve") == 0
                       ? mprotect(memory, BYTES, PROT_READ | PROT_WRITE)
                       : (int)syscall(SYS_pkey_mprotect, memory, BYTES, PROT_READ | PROT_WRITE, -1);
        must(done == 0 ? memory : NULL, "mprotect");
        touch(memory, BYTES);
        return BYTES;
    }
    if (strcmp(mode, "file") == 0) {
        int fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
        touch(must(mmap(NULL, BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), "mmap file"),
              BYTES);
        return BYTES;
    }
    if (strcmp(mode, "shared") == 0) {
        touch(anonymous(PROT_READ | PROT_WRITE, MAP_SHARED), BYTES);
        return BYTES;
    }
    if (strcmp(mode, "memfd") == 0) {
        int fd = memfd_create("outside", MFD_CLOEXEC);
        must(fd >= 0 && ftruncate(fd, BYTES) == 0 ? &fd : NULL, "memfd");
        touch(must(mmap(NULL, BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), "mmap memfd"),
              BYTES);
        return BYTES;
    }
    if (strcmp(mode, "shm") == 0) {
        int id = shmget(IPC_PRIVATE, BYTES, IPC_CREAT | 0600);
        must(id >= 0 ? &id : NULL, "shmget");
        char *memory = must(shmat(id, NULL, 0), "shmat");
        shmctl(id, IPC_RMID, NULL); /* gone when detached */
        touch(memory, BYTES);
        return BYTES;
    }
    if (strcmp(mode, "mremap") == 0) {
        char *page = must(
            mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), "mmap");
        touch(must(mremap(page, 4096, BYTES + 4096, MREMAP_MAYMOVE), "mremap"), BYTES + 4096);
        return BYTES + 4096;
    }
    if (strcmp(mode, "readonly") == 0) {
        anonymous(PROT_READ, MAP_PRIVATE);
        return 0;
    }
    if (strcmp(mode, "unmapped") == 0) {
        char *memory = anonymous(PROT_READ | PROT_WRITE, MAP_PRIVATE);
        touch(memory, BYTES);
        munmap(memory, BYTES);
        return BYTES;
    }
    if (strcmp(mode, "growsdown") == 0) {
        void *map = mmap(NULL, BYTES, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
        printf("refused: %d\n", map == MAP_FAILED ? errno : 0);
        return 0;
    }
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    BYTES = (size_t)strtoul(argv[1], NULL, 10) * 4096;
    long total = 0;
    for (int i = 2; i < argc; i++) {
        long added = add(argv[i]);
        if (added < 0) {
            fprintf(stderr, "outside-exerciser: unknown mode %s\n", argv[i]);
            return 2;
        }
        total += added;
    }
    printf("truth: added=%ld\n", total);
    return 0;
}
