/* helper_cpu SECONDS: hands its work to a helper process it never waits for.
 * The helper burns SECONDS of its own CPU time and then writes a byte on a
 * pipe; the program reads that byte (it does not wait(2) for the helper)
 * and exits 0 at once. Its own CPU time is next to nothing, and the
 * helper's is in no rusage the program's parent reads: only a cgroup that
 * holds every process of the run counts it. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double own_cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.5;
    int done[2];
    if (pipe(done) != 0)
        return 1;
    pid_t helper = fork();
    if (helper < 0)
        return 1;
    if (helper == 0) {
        volatile unsigned long counter = 0;
        while (own_cpu_seconds() < seconds)
            for (int i = 0; i < 100000; i++)
                counter++;
        _exit(write(done[1], "x", 1) == 1 ? 0 : 1);
    }
    close(done[1]);
    char byte;
    return read(done[0], &byte, 1) == 1 ? 0 : 1;
}
