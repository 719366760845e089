/*
 * test_placement_check.c - shows MSTATS_VERIFY's placement check firing.
 *
 *   test-placement-check abort   the preloaded allocator must abort with the
 *                                placement message (run on wrong-fit)
 *   test-placement-check ok      it must not (run on best-fit: the same
 *                                workload is then placed correctly)
 *
 * A child process makes two holes of different sizes, then asks for a block
 * that fits both: a best fit takes the smaller hole. The parent reads the
 * child's stderr into a static buffer and never allocates, since it runs on
 * the same allocator.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void make_holes_then_place(void)
{
    char *small = malloc(100), *fence1 = malloc(24);
    char *large = malloc(1000), *fence2 = malloc(24);
    free(small);
    free(large);
    char *placed = malloc(50);
    /* Keep every block reachable so that the compiler keeps every call. */
    _exit(placed && fence1 && fence2 ? 0 : 1);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "abort") && strcmp(argv[1], "ok"))) {
        fputs("usage: test-placement-check abort|ok\n", stderr);
        return 2;
    }
    bool want_abort = strcmp(argv[1], "abort") == 0;
    int channel[2];
    if (pipe(channel))
        return 2;
    pid_t child = fork();
    if (child == 0) {
        dup2(channel[1], STDERR_FILENO);
        make_holes_then_place();
    }
    close(channel[1]);
    static char said[4096];
    size_t used = 0;
    for (ssize_t n;
         used < sizeof said - 1 && (n = read(channel[0], said + used, sizeof said - 1 - used)) > 0;)
        used += (size_t)n;
    int status;
    waitpid(child, &status, 0);
    bool aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    bool named = strstr(said, ": placement: for a 64-byte block the index chose") != NULL;
    if (want_abort && !(aborted && named)) {
        fprintf(stderr, "expected an abort with the placement message; got status %d and: %s\n",
                status, said);
        return 1;
    }
    if (!want_abort && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        fprintf(stderr, "expected a clean exit; got status %d and: %s\n", status, said);
        return 1;
    }
    return 0;
}
