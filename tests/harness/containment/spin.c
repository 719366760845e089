/* spin SECONDS: burns CPU for SECONDS of its own CPU time, then exits 0. */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.3;
    volatile unsigned long counter = 0;
    while ((double)clock() / CLOCKS_PER_SEC < seconds)
        counter++;
    return 0;
}
