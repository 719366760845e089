/* A workload whose calls differ from run to run: 16 blocks of random sizes
 * (from /dev/urandom), for mstats --diff to refuse (check_diff.py). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    unsigned char sizes[16];
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, sizes, sizeof sizes) != (ssize_t)sizeof sizes)
        return 1;
    close(fd);
    void *blocks[16];
    for (int i = 0; i < 16; i++)
        blocks[i] = malloc(1 + sizes[i]);
    for (int i = 0; i < 16; i++)
        free(blocks[i]);
    return 0;
}
