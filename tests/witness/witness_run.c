/* witness-run [-d BYTES] PROGRAM [ARG...]: runs PROGRAM under the brk witness,
 * the way mstats-run-init does, and prints what the witness saw:
 *   witness: images=N dropped=N brk_stops=N exit_stops=N failed=0|ERRNO status=RAW
 *   image: pid=PID start=ADDRESS max=BYTES brks=N     (one per image, in order)
 * -d sets RLIMIT_DATA in the program (growths are then never certain).
 * A test tool: it lets the witness be checked against programs that know
 * their own heap. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "brk_witness.h"

int main(int argc, char **argv)
{
    int first = 1;
    long long data_limit = -1;
    if (argc > 2 && strcmp(argv[1], "-d") == 0) {
        data_limit = atoll(argv[2]);
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: witness-run [-d BYTES] PROGRAM [ARG...]\n");
        return 2;
    }
    pid_t program = fork();
    if (program < 0)
        return 1;
    if (program == 0) {
        if (data_limit >= 0) {
            struct rlimit limit = {(rlim_t)data_limit, (rlim_t)data_limit};
            setrlimit(RLIMIT_DATA, &limit);
        }
        if (brk_witness_prepare_child() != 0) {
            fprintf(stderr, "witness-run: cannot trace: %s\n", strerror(errno));
            _exit(125);
        }
        execvp(argv[first], argv + first);
        _exit(127);
    }
    BrkWitness witness;
    brk_witness_start(&witness, program);
    int program_status = -1;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0)
            break; /* ECHILD: every traced process is gone */
        if (brk_witness_event(&witness, pid, status, brk_witness_clock_ns()))
            continue;
        if (pid == program)
            program_status = status;
    }
    printf("witness: images=%d dropped=%d brk_stops=%llu exit_stops=%llu failed=%d status=%d\n",
           witness.image_count, witness.images_dropped, (unsigned long long)witness.brk_stops,
           (unsigned long long)witness.exit_stops, witness.failed ? witness.error : 0,
           program_status);
    for (int i = 0; i < witness.image_count; i++)
        printf("image: pid=%d start=%llu max=%llu brks=%llu\n", (int)witness.images[i].pid,
               (unsigned long long)witness.images[i].start,
               (unsigned long long)brk_witness_image_max(&witness.images[i]),
               (unsigned long long)witness.images[i].calls);
    return 0;
}
