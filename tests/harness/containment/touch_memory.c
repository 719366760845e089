/* touch_memory MIB: maps MIB mebibytes with mmap (not the heap) and writes
 * every page. Exits 0 when all were touched, 3 when mmap failed (a memory
 * bound refused it). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: touch_memory MIB\n");
        return 2;
    }
    size_t bytes = (size_t)strtoul(argv[1], NULL, 10) << 20;
    unsigned char *memory =
        mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        perror("touch_memory: mmap");
        return 3;
    }
    for (size_t at = 0; at < bytes; at += 4096)
        memory[at] = 1;
    printf("touched %zu bytes\n", bytes);
    return 0;
}
