/* A workload with exactly known requests, for the harness tests. Each
 * argument is one operation; the test computes the expected REQUESTED,
 * PEAK-LIVE and CALLS from the same list. No stdio (it would allocate
 * buffers of its own): output only through write(2).
 *
 *   aID:SIZE        malloc(SIZE) into slot ID (0..255)
 *   cID:NxS         calloc(N, S)
 *   rID:SIZE        realloc(slot, SIZE) (realloc(NULL, SIZE) if the slot is empty)
 *   mID:ALIGN:SIZE  posix_memalign(ALIGN, SIZE)
 *   AID:ALIGN:SIZE  aligned_alloc(ALIGN, SIZE)
 *   fID             free(slot)
 *   n               free(NULL)
 *   IID             free(slot + 16): a pointer inside a block (invalid free)
 *   DID             free(slot) again after fID (double free)
 *   X               free(a pointer to the stack) (never returned)
 *   F               fork a child that allocates and frees 1000 blocks, wait for it
 *   T:N             4 threads, each N times malloc(32) + free
 * Every block is filled and checked before it is freed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOTS 256

static unsigned char *slot[SLOTS];
static size_t slot_size[SLOTS];
static unsigned char *freed[SLOTS];
/* The deliberate bad frees go through this, out of the compiler's sight. */
static void (*volatile release)(void *) = free;

static void die(const char *message)
{
    ssize_t ignored = write(STDERR_FILENO, message, strlen(message));
    (void)ignored;
    _exit(3);
}

static unsigned long number(const char **text)
{
    char *end;
    unsigned long value = strtoul(*text, &end, 10);
    if (end == *text)
        die("workload: bad number\n");
    *text = end;
    return value;
}

static void expect(const char **text, char c)
{
    if (**text != c)
        die("workload: bad operation\n");
    (*text)++;
}

static void fill(int id)
{
    if (slot[id] != NULL)
        memset(slot[id], id, slot_size[id]);
}

static void check(int id)
{
    for (size_t i = 0; i < slot_size[id]; i++)
        if (slot[id][i] != (unsigned char)id)
            die("workload: block contents changed\n");
}

static void *thread_loop(void *arg)
{
    unsigned long rounds = *(unsigned long *)arg;
    for (unsigned long i = 0; i < rounds; i++) {
        volatile char *p = malloc(32);
        if (p == NULL)
            die("workload: malloc failed in a thread\n");
        p[0] = 1;
        free((void *)p);
    }
    return NULL;
}

static void run_threads(unsigned long rounds)
{
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        if (pthread_create(&threads[i], NULL, thread_loop, &rounds) != 0)
            die("workload: pthread_create failed\n");
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
}

static void fork_child(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        void *blocks[1000];
        for (int i = 0; i < 1000; i++)
            blocks[i] = malloc(100 + i);
        for (int i = 0; i < 1000; i++)
            free(blocks[i]);
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
        die("workload: the forked child failed\n");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *op = argv[i];
        char kind = *op++;
        if (kind == 'n') {
            release(NULL); /* a plain free(NULL) is optimised away */
            continue;
        }
        if (kind == 'X') {
            int on_stack[4];
            release(on_stack); /* never returned by malloc */
            continue;
        }
        if (kind == 'F') {
            fork_child();
            continue;
        }
        if (kind == 'T') {
            expect(&op, ':');
            run_threads(number(&op));
            continue;
        }
        int id = (int)number(&op);
        if (id >= SLOTS)
            die("workload: slot out of range\n");
        if (kind == 'a' || kind == 'r' || kind == 'c' || kind == 'm' || kind == 'A')
            expect(&op, ':');
        switch (kind) {
        case 'a':
            slot_size[id] = number(&op);
            slot[id] = malloc(slot_size[id]);
            break;
        case 'c': {
            size_t count = number(&op);
            expect(&op, 'x');
            size_t size = number(&op);
            slot[id] = calloc(count, size);
            slot_size[id] = count * size;
            for (size_t k = 0; slot[id] != NULL && k < slot_size[id]; k++)
                if (slot[id][k] != 0)
                    die("workload: calloc memory not zero\n");
            break;
        }
        case 'r': {
            size_t size = number(&op);
            if (slot[id] != NULL)
                check(id);
            size_t kept = slot_size[id] < size ? slot_size[id] : size;
            slot[id] = realloc(slot[id], size);
            for (size_t k = 0; k < kept; k++)
                if (slot[id][k] != (unsigned char)id)
                    die("workload: realloc lost contents\n");
            slot_size[id] = size;
            break;
        }
        case 'm':
        case 'A': {
            size_t alignment = number(&op);
            expect(&op, ':');
            slot_size[id] = number(&op);
            if (kind == 'A') {
                slot[id] = aligned_alloc(alignment, slot_size[id]);
            } else {
                void *p = NULL;
                if (posix_memalign(&p, alignment, slot_size[id]) != 0)
                    p = NULL;
                slot[id] = p;
            }
            if (slot[id] != NULL && (uintptr_t)slot[id] % alignment != 0)
                die("workload: misaligned block\n");
            break;
        }
        case 'f':
            check(id);
            freed[id] = slot[id];
            free(slot[id]);
            slot[id] = NULL;
            slot_size[id] = 0;
            continue;
        case 'I':
            release(slot[id] + 16);
            continue;
        case 'D':
            release(freed[id]);
            continue;
        default:
            die("workload: unknown operation\n");
        }
        if (slot[id] == NULL && slot_size[id] != 0)
            die("workload: allocation failed\n");
        fill(id);
    }
    static const char done[] = "workload: done\n";
    ssize_t ignored = write(STDOUT_FILENO, done, sizeof done - 1);
    (void)ignored;
    return 0;
}
