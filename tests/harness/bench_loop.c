/* Benchmark workload: N (default 10 million) malloc/free pairs of varying
 * small sizes, a few blocks live at a time. Prints nothing. */
#include <stdlib.h>

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 10000000L;
    void *live[8] = {0};
    for (long i = 0; i < rounds; i++) {
        int slot = (int)(i & 7);
        free(live[slot]);
        live[slot] = malloc((size_t)(16 + (i * 37) % 240));
        if (live[slot] == NULL)
            return 1;
        *(volatile char *)live[slot] = 1;
    }
    for (int slot = 0; slot < 8; slot++)
        free(live[slot]);
    return 0;
}
