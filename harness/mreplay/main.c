/*
 * main.c: mreplay, the trace tester.
 * `mreplay [--bounds] [--stats] [--strict] [--align BYTES] TRACE...`
 *
 * Loads and validates every trace first (a malformed one stops the run before any replay,
 * with `FILE:LINE: reason` and status 2), then replays each through malloc, realloc and free,
 * checking every block's pattern. --bounds alone prints the three bounds without
 * replaying; --stats adds operation counts, the parse and replay times, and what the checks
 * cost per operation. --strict refuses r and f of ids that hold no block, and lines after
 * the promised operations (trace.h).
 *
 * Nothing here may call malloc: under mstats the heap figures must be the trace's alone.
 * So no GLib and no stdio; arguments are parsed by hand, text is built in stack buffers
 * and written with write(2), and the trace table comes from mmap.
 */
#include "region_layout.h"
#include "replay.h"
#include "text_buffer.h"
#include "trace.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "Usage: mreplay [OPTION...] TRACE...\n"
    "Replay CS:APP .rep allocation traces through malloc, realloc and free, checking a\n"
    "pattern in every byte of every block before the allocator gets it back.\n"
    "\n"
    "As in CS:APP's mdriver, r of an id that holds no block is realloc(NULL, SIZE) and f of\n"
    "one is free(NULL), and lines after the operations the header promises are not read.\n"
    "\n"
    "  --bounds         print the three bounds of each trace: NO-REUSE (sum of all a and\n"
    "                   r sizes), OPTIMAL-REUSE (peak live bytes) and OPTIMAL-REUSE-16\n"
    "                   (peak with blocks rounded up to 16 bytes); without --stats, replay\n"
    "                   nothing\n"
    "  --stats          replay, then print operation counts, ids, the largest request, the\n"
    "                   parse and replay times, and the bytes checked per operation\n"
    "  --strict         reject r and f of an id that holds no block (never allocated or\n"
    "                   freed), and lines after the operations the header promises\n"
    "                   (mdriver ignores them: so does mreplay, with a warning), for\n"
    "                   traces written by hand\n"
    "  --align BYTES    the alignment every block needs: 8 or 16, or 1 for none; by\n"
    "                   default what mstats --align 8 or --align 1 checks\n"
    "                   ($MSTATS_SHIM_ALIGN), else (C17) 8 for blocks under 16 bytes\n"
    "                   and 16 for larger ones\n"
    "  -h, --help       print this help\n"
    "      --version    print the version\n"
    "\n"
    "Exit status: 0 every trace replayed and checked; 1 malloc or realloc returned NULL;\n"
    "2 usage error or malformed trace (FILE:LINE: reason); 3 a block's contents were\n"
    "corrupted; 4 a block was not aligned as --align requires.\n";

/* What the command line asked for. */
struct options {
    int bounds;
    int stats;
    enum trace_rules rules;
    enum replay_alignment alignment;
    int first_trace; /* index in argv of the first trace */
};

/* Write the NUL-terminated MESSAGE to FD. */
static void write_string(int fd, const char *message)
{
    struct text_buffer text = {(char *)message, strlen(message) + 1, strlen(message)};
    text_write(&text, fd);
}

/* A usage error: one line naming the problem, status 2. */
static int usage_error(const char *problem, const char *argument)
{
    char storage[512];
    struct text_buffer text;
    text_init(&text, storage, sizeof storage);
    text_add(&text, "mreplay: ");
    text_add(&text, problem);
    if (argument != NULL) {
        text_add(&text, " '");
        text_add(&text, argument);
        text_add(&text, "'");
    }
    text_add(&text, "; see 'mreplay --help'\n");
    text_write(&text, 2);
    return MREPLAY_EXIT_USAGE;
}

/* Parse ARGV into *OPTIONS. Returns -1 to go on, or an exit status. */
static int parse_arguments(int argc, char **argv, struct options *options)
{
    memset(options, 0, sizeof *options);
    /* Under mstats --align 8 or 1 a block needs only what the run checks. */
    unsigned run_alignment = mstats_run_alignment();
    if (run_alignment == 8)
        options->alignment = REPLAY_ALIGN_8;
    else if (run_alignment == 1)
        options->alignment = REPLAY_ALIGN_NONE;
    int index = 1;
    for (; index < argc; index++) {
        const char *argument = argv[index];
        if (strcmp(argument, "--") == 0) {
            index++;
            break;
        }
        if (argument[0] != '-' || argument[1] == '\0')
            break;
        if (strcmp(argument, "--bounds") == 0) {
            options->bounds = 1;
        } else if (strcmp(argument, "--stats") == 0) {
            options->stats = 1;
        } else if (strcmp(argument, "--strict") == 0) {
            options->rules = TRACE_RULES_STRICT;
        } else if (strcmp(argument, "--align") == 0 || strncmp(argument, "--align=", 8) == 0) {
            const char *value = argument[7] == '=' ? argument + 8 : argv[++index];
            if (value == NULL)
                return usage_error("--align needs a value: 1, 8 or 16", NULL);
            if (strcmp(value, "1") == 0)
                options->alignment = REPLAY_ALIGN_NONE;
            else if (strcmp(value, "8") == 0)
                options->alignment = REPLAY_ALIGN_8;
            else if (strcmp(value, "16") == 0)
                options->alignment = REPLAY_ALIGN_16;
            else
                return usage_error("--align must be 1, 8 or 16, not", value);
        } else if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) {
            write_string(1, usage_text);
            return 0;
        } else if (strcmp(argument, "--version") == 0) {
            write_string(1, "mreplay " MSTATS_VERSION "\n");
            return 0;
        } else {
            return usage_error("unknown option", argument);
        }
    }
    if (index >= argc)
        return usage_error("no trace given: name one or more .rep files", NULL);
    options->first_trace = index;
    return -1;
}

/* Seconds on the monotonic clock (a vDSO call: no allocation, no system call). */
static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* One trace of the run, with its timings. */
struct loaded_trace {
    const char *path;
    struct trace trace;
    double parse_seconds;
    double replay_seconds;
    struct replay_costs costs;
};

/* Append `[mreplay]: KEY: VALUE\n`. */
static void add_figure(struct text_buffer *text, const char *key, uint64_t value)
{
    text_add(text, "[mreplay]: ");
    text_add(text, key);
    text_add(text, ": ");
    text_add_u64(text, value);
    text_add_char(text, '\n');
}

/* Append `[mreplay]: KEY: VALUE\n` with DECIMALS digits after the point (6 for seconds:
 * microseconds). */
static void add_fixed(struct text_buffer *text, const char *key, double value, int decimals)
{
    text_add(text, "[mreplay]: ");
    text_add(text, key);
    text_add(text, ": ");
    text_add_fixed(text, value, decimals);
    text_add_char(text, '\n');
}

/* Append what replaying LOADED cost: the mdriver cases, the bytes mreplay filled and
 * checked, how the allocator handled each realloc, and the cost per operation. */
static void add_costs(struct text_buffer *text, const struct loaded_trace *loaded)
{
    const struct trace *trace = &loaded->trace;
    const struct replay_costs *costs = &loaded->costs;
    double ops = trace->op_count > 0 ? (double)trace->op_count : 1;
    add_figure(text, "REALLOCS-OF-EMPTY-IDS", trace->empty_realloc_count);
    add_figure(text, "FREES-OF-EMPTY-IDS", trace->empty_free_count);
    add_figure(text, "REALLOCS-IN-PLACE", costs->reallocs_in_place);
    add_figure(text, "REALLOCS-MOVED", costs->reallocs_moved);
    add_figure(text, "BYTES-MOVED", costs->bytes_moved);
    add_figure(text, "BYTES-FILLED", costs->bytes_filled);
    add_figure(text, "BYTES-CHECKED", costs->bytes_checked);
    add_fixed(text, "CHECKED-BYTES-PER-OP", (double)costs->bytes_checked / ops, 1);
    add_fixed(text, "REPLAY-NS-PER-OP", loaded->replay_seconds * 1e9 / ops, 1);
}

/* Print the figures --bounds and --stats ask for about LOADED. */
static void print_figures(const struct loaded_trace *loaded, const struct options *options)
{
    char storage[2048];
    struct text_buffer text;
    text_init(&text, storage, sizeof storage);
    const struct trace *trace = &loaded->trace;
    text_add(&text, "[mreplay]: TRACE: ");
    text_add(&text, loaded->path);
    text_add_char(&text, '\n');
    if (options->bounds) {
        add_figure(&text, "NO-REUSE", trace->bounds.no_reuse);
        add_figure(&text, "OPTIMAL-REUSE", trace->bounds.optimal_reuse);
        add_figure(&text, "OPTIMAL-REUSE-16", trace->bounds.optimal_reuse_16);
        add_figure(&text, "HEADER-8", trace->bounds.header_8);
        add_figure(&text, "HEADER-16", trace->bounds.header_16);
    }
    if (options->stats) {
        add_figure(&text, "OPERATIONS", trace->op_count);
        add_figure(&text, "MALLOCS", trace->alloc_count);
        add_figure(&text, "REALLOCS", trace->realloc_count);
        add_figure(&text, "FREES", trace->free_count);
        add_figure(&text, "IDS", trace->id_count);
        add_figure(&text, "IDS-USED", trace->ids_used);
        add_figure(&text, "LARGEST-REQUEST", trace->largest_request);
        add_figure(&text, "BLOCKS-LIVE-AT-END", trace->blocks_live_at_end);
        add_figure(&text, "TRACE-BYTES", trace->text_length);
        add_fixed(&text, "PARSE-TIME", loaded->parse_seconds, 6);
        text_add(&text, "[mreplay]: PARSE-RATE: ");
        double rate = loaded->parse_seconds > 0
                          ? (double)trace->text_length / loaded->parse_seconds / 1e6
                          : 0;
        text_add_fixed(&text, rate, 1);
        text_add(&text, " MB/s\n");
        add_fixed(&text, "REPLAY-TIME", loaded->replay_seconds, 6);
        add_costs(&text, loaded);
    }
    text_write(&text, 1);
}

/* Print the one line that says what went wrong in LOADED's replay. */
static void print_failure(const struct loaded_trace *loaded, const struct replay_failure *failure)
{
    char storage[1024];
    struct text_buffer text;
    text_init(&text, storage, sizeof storage);
    text_add(&text, loaded->path);
    unsigned long line = trace_line_of_op(&loaded->trace, failure->op_index);
    if (line > 0) {
        text_add_char(&text, ':');
        text_add_u64(&text, line);
    }
    text_add(&text, ": ");
    switch (failure->status) {
    case MREPLAY_EXIT_CORRUPTED:
        text_add(&text, "block id ");
        text_add_i64(&text, failure->id);
        text_add(&text, " corrupted (checked ");
        text_add(&text, failure->call);
        text_add(&text, "): offset ");
        text_add_u64(&text, failure->offset);
        text_add(&text, " of ");
        text_add_u64(&text, failure->size);
        text_add(&text, ", expected ");
        text_add_hex(&text, failure->expected, 2);
        text_add(&text, ", found ");
        text_add_hex(&text, failure->found, 2);
        break;
    case MREPLAY_EXIT_MISALIGNED:
        text_add(&text, failure->call);
        text_add_char(&text, '(');
        text_add_u64(&text, failure->size);
        text_add(&text, ") for id ");
        text_add_i64(&text, failure->id);
        text_add(&text, " returned ");
        text_add_hex(&text, failure->address, 1);
        text_add(&text, ", which is not ");
        text_add_u64(&text, failure->alignment);
        text_add(&text, "-byte aligned");
        if (failure->alignment == 16)
            text_add(&text, " (--align 8 accepts 8-byte aligned blocks)");
        break;
    default:
        text_add(&text, failure->call);
        text_add_char(&text, '(');
        text_add_u64(&text, failure->size);
        text_add(&text, ") for id ");
        text_add_i64(&text, failure->id);
        text_add(&text, " returned NULL");
        break;
    }
    text_add_char(&text, '\n');
    text_write(&text, 2);
}

/* Print the result line of a successful replay of LOADED. */
static void print_success(const struct loaded_trace *loaded)
{
    char storage[1024];
    struct text_buffer text;
    text_init(&text, storage, sizeof storage);
    text_add(&text, "mreplay: ");
    text_add(&text, loaded->path);
    text_add(&text, ": OK: ");
    text_add_u64(&text, loaded->trace.op_count);
    text_add(&text, " operations replayed, every block's pattern checked\n");
    text_write(&text, 1);
}

/* Write `PATH:LINE: reason` of ERROR to stderr. */
static void print_trace_message(const char *path, const struct trace_error *error)
{
    char storage[1024];
    size_t length = trace_error_format(path, error, storage, sizeof storage);
    struct text_buffer text = {storage, sizeof storage, length};
    text_write(&text, 2);
}

/* Load every trace named in ARGV; on the first malformed one print why and return 2. A
 * trace with lines after its promised operations gets its warning, once, before any
 * replay. */
static int load_traces(char **paths, int count, enum trace_rules rules, struct loaded_trace *loaded)
{
    for (int i = 0; i < count; i++) {
        struct trace_error error;
        loaded[i].path = paths[i];
        double start = now_seconds();
        if (trace_load_as(paths[i], rules, &loaded[i].trace, &error) != 0) {
            print_trace_message(paths[i], &error);
            return MREPLAY_EXIT_USAGE;
        }
        loaded[i].parse_seconds = now_seconds() - start;
        if (trace_ignored_warning(&loaded[i].trace, &error))
            print_trace_message(paths[i], &error);
    }
    return MREPLAY_EXIT_OK;
}

int main(int argc, char **argv)
{
    struct options options;
    int status = parse_arguments(argc, argv, &options);
    if (status >= 0)
        return status;

    int count = argc - options.first_trace;
    size_t table_size = (size_t)count * sizeof(struct loaded_trace);
    struct loaded_trace *loaded =
        mmap(NULL, table_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (loaded == MAP_FAILED) {
        write_string(2, "mreplay: out of memory for the trace table\n");
        return MREPLAY_EXIT_ALLOCATION_FAILED;
    }
    status = load_traces(argv + options.first_trace, count, options.rules, loaded);
    int replay = options.stats || !options.bounds;
    /* The completion proof, when the run asks for one and there is a replay to prove. */
    struct mstats_proof run_proof = {0};
    if (replay)
        mstats_proof_open(&run_proof);
    struct replay_proof proof = {&run_proof, {0, 0}};
    for (int i = 0; i < count && status == MREPLAY_EXIT_OK; i++) {
        if (replay) {
            struct replay_failure failure;
            double start = now_seconds();
            status = replay_trace(&loaded[i].trace, options.alignment, &failure, &loaded[i].costs,
                                  &proof);
            loaded[i].replay_seconds = now_seconds() - start;
            if (status != MREPLAY_EXIT_OK) {
                print_failure(&loaded[i], &failure);
                break;
            }
            print_success(&loaded[i]);
        }
        if (options.bounds || options.stats)
            print_figures(&loaded[i], &options);
    }
    for (int i = 0; i < count; i++)
        trace_release(&loaded[i].trace);
    munmap(loaded, table_size);
    /* Last of all, and only when every trace replayed with every check passed. */
    if (replay && status == MREPLAY_EXIT_OK)
        mstats_proof_write(&run_proof, &proof.sum, false);
    return status;
}
