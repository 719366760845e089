/* A program of nobody's harness, as a course's own tester is: it gives no
 * completion proof, so mstats verifies it by its exit status and stdout
 * (check_output_verify.py). It allocates, fills and frees blocks of many
 * sizes and prints a checksum of what it read back, a line every 40 rounds.
 *
 *   foreign-checksum          the same output on every run
 *   foreign-checksum varies   also the clock's nanoseconds, on line 2
 *   foreign-checksum stdin    its standard input folded into the checksum */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    unsigned long sum = 0;
    if (strcmp(mode, "stdin") == 0)
        for (int c; (c = getchar()) != EOF;)
            sum = sum * 31 + (unsigned long)c;
    printf("foreign-checksum: start %lu\n", sum);
    if (strcmp(mode, "varies") == 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        printf("foreign-checksum: time %ld\n", now.tv_nsec);
    }
    void *kept[200] = {NULL};
    for (int round = 0; round < 200; round++) {
        size_t size = 16 + (size_t)round * 37 % 900;
        unsigned char *block = malloc(size);
        if (block == NULL)
            return 2;
        for (size_t i = 0; i < size; i++)
            block[i] = (unsigned char)(i * 7 + (size_t)round);
        for (size_t i = 0; i < size; i++)
            sum = sum * 31 + block[i];
        if (round % 3 == 0)
            kept[round] = block;
        else
            free(block);
        if (round % 40 == 39)
            printf("foreign-checksum: round %d checksum %lu\n", round + 1, sum);
    }
    for (int round = 0; round < 200; round++)
        free(kept[round]);
    printf("foreign-checksum: done %lu\n", sum);
    return 0;
}
