/*
 * test_trace_parse.c: Check unit tests of the trace library: every malformed case the issue
 * lists (each with its line and reason) under the strict rules and, apart from the ids that
 * hold no block, under mdriver's; mdriver's realloc(NULL, n) and free(NULL) and their
 * bounds; the accepted syntax, the bounds against a model computed here, the write/parse
 * round trip through a file, loading files, and the text builder.
 */
#include "text_buffer.h"
#include "trace.h"
#include "trace_write.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parse the NUL-terminated TEXT; the result stays in the statics below. */
static struct trace parsed;
static struct trace_error error;

static int parse_as(const char *text, enum trace_rules rules)
{
    trace_release(&parsed);
    memset(&error, 0, sizeof error);
    return trace_parse_as(text, strlen(text), rules, &parsed, &error);
}

/* Parse under the default rules, mdriver's. */
static int parse(const char *text)
{
    trace_release(&parsed);
    memset(&error, 0, sizeof error);
    return trace_parse(text, strlen(text), &parsed, &error);
}

static void teardown(void)
{
    trace_release(&parsed);
}

/* A malformed trace, the line that must be blamed and a phrase the reason must hold. */
struct malformed_case {
    const char *name;
    const char *text;
    unsigned long line;
    const char *reason;
};

static const struct malformed_case malformed_cases[] = {
    {"empty file", "", 1, "short header: the file ends after 0 of the 4"},
    {"short header", "100\n2\n", 2, "short header: the file ends after 2 of the 4"},
    {"short header, comments only", "# nothing\n\n", 2, "short header"},
    {"header not a number", "100\nmany\n1\n1\na 0 1\n", 2, "line 2 of 4 (number of ids)"},
    {"header negative", "100\n2\n-1\n1\n", 3, "must be one non-negative integer"},
    {"header two numbers", "100 5\n2\n1\n1\na 0 1\n", 1, "found '5'"},
    {"unknown operation", "0\n1\n1\n1\nx 0 5\n", 5, "unknown operation 'x'"},
    {"operation word", "0\n1\n1\n1\nalloc 0 5\n", 5, "unknown operation 'alloc'"},
    {"missing id", "0\n1\n1\n1\nf\n", 5, "missing id after 'f'"},
    {"missing size", "0\n1\n1\n1\na 0\n", 5, "missing size after 'a 0'"},
    {"missing size of r", "0\n1\n2\n1\na 0 4\nr 0\n", 6, "missing size after 'r 0'"},
    {"negative size", "0\n1\n1\n1\na 0 -5\n", 5, "negative size '-5'"},
    {"size not integer", "0\n1\n1\n1\na 0 12kb\n", 5, "size '12kb' is not an integer"},
    {"size too large", "0\n1\n1\n1\na 0 281474976710657\n", 5, "larger than the limit"},
    {"size overflowing 64 bits", "0\n1\n1\n1\na 0 99999999999999999999999\n", 5,
     "larger than the limit"},
    {"id not integer", "0\n1\n1\n1\na x1 5\n", 5, "id 'x1' is not an integer"},
    {"id equal to id count", "0\n2\n1\n1\na 2 5\n", 5, "id 2 out of range"},
    {"id negative", "0\n2\n1\n1\nf -2\n", 5, "id -2 out of range"},
    {"a with id -1", "0\n2\n1\n1\na -1 5\n", 5, "-1 only in 'f -1'"},
    {"r with id -1", "0\n2\n1\n1\nr -1 5\n", 5, "-1 only in 'f -1'"},
    {"id overflowing 64 bits", "0\n2\n1\n1\nf 123456789012345678901234\n", 5, "out of range"},
    {"alloc of live id", "0\n2\n2\n1\na 0 8\na 0 9\n", 6, "which is still live"},
    {"fewer operations than header", "0\n2\n3\n1\na 0 8\nf 0\n", 6,
     "promises 3 operations but the file ends after 2"},
    {"header promising millions", "0\n2\n9000000\n1\na 0 8\n", 5, "promises 9000000"},
    {"truncated mid-line", "0\n2\n2\n1\na 0 8\nr 0", 6, "missing size after 'r 0'"},
    {"trailing garbage after size", "0\n2\n1\n1\na 0 8 9\n", 5, "unexpected '9' after the size"},
    {"trailing garbage after free", "0\n2\n2\n1\na 0 8\nf 0 8\n", 6, "after 'f ID'"},
    {"too many ids", "0\n99999999999\n0\n1\n", 2, "ids is more than this tool handles"},
};

enum { MALFORMED_CASE_COUNT = sizeof malformed_cases / sizeof malformed_cases[0] };

/* Malformed under the strict rules only: mdriver's read them as realloc(NULL, n) and
 * free(NULL), and never read the lines after the promised operations. */
static const struct malformed_case strict_only_cases[] = {
    {"realloc of never allocated", "0\n2\n1\n1\nr 1 8\n", 5,
     "r (realloc) of id 1, which was never allocated: the strict rules refuse it (mdriver's "
     "call realloc(NULL, n))"},
    {"free of never allocated", "0\n2\n1\n1\nf 0\n", 5,
     "f (free) of id 0, which was never allocated: the strict rules refuse it (mdriver's call "
     "free(NULL))"},
    {"double free", "0\n2\n3\n1\na 0 8\nf 0\nf 0\n", 7, "not live (already freed)"},
    {"realloc after free", "0\n2\n3\n1\na 0 8\nf 0\nr 0 9\n", 7, "r (realloc) of id 0"},
    {"spaced double free", "0\n2\n3\n1\na 1 100\n  f 1\nf\t1\n", 7, "already freed"},
    {"more operations than header", "0\n2\n1\n1\na 0 8\nf 0\n", 6,
     "more operations than the header (line 3)"},
    {"zero operations promised", "0\n2\n0\n1\na 0 8\n", 5, "more operations"},
};

enum { STRICT_ONLY_CASE_COUNT = sizeof strict_only_cases / sizeof strict_only_cases[0] };

/* C's text is rejected under RULES on C's line, with C's reason, and leaves no trace. */
static void assert_rejected(const struct malformed_case *c, enum trace_rules rules)
{
    ck_assert_msg(parse_as(c->text, rules) == -1, "case '%s' was accepted", c->name);
    ck_assert_msg(error.line == c->line, "case '%s': line %lu, expected %lu (%s)", c->name,
                  error.line, c->line, error.reason);
    ck_assert_msg(strstr(error.reason, c->reason) != NULL, "case '%s': reason '%s' lacks '%s'",
                  c->name, error.reason, c->reason);
    ck_assert_ptr_null(parsed.ops);
    ck_assert_uint_eq(parsed.op_count, 0);
}

START_TEST(rejects_malformed)
{
    assert_rejected(&malformed_cases[_i], TRACE_RULES_MDRIVER);
    assert_rejected(&malformed_cases[_i], TRACE_RULES_STRICT);
}
END_TEST

START_TEST(strict_rules_reject_what_mdriver_gives_a_meaning)
{
    const struct malformed_case *c = &strict_only_cases[_i];
    assert_rejected(c, TRACE_RULES_STRICT);
    ck_assert_msg(parse(c->text) == 0, "case '%s' rejected by mdriver's rules: %s", c->name,
                  error.reason);
}
END_TEST

/* mdriver keeps a zeroed pointer per id: r of an id holding no block (never allocated, or
 * freed) is realloc(NULL, n), a new block; f of one is free(NULL), no change. */
START_TEST(mdriver_rules_give_empty_ids_null_pointers)
{
    /* live: r 0 (new) 100 | f 1 (empty) 100 | a 1 110 | f 1 100 | f 1 (empty) 100 |
     * r 1 (new, after free) 120 | r 0 (live) 50 + 20 = 70 */
    const char *text = "0\n3\n7\n1\nr 0 100\nf 1\na 1 10\nf 1\nf 1\nr 1 20\nr 0 50\n";
    ck_assert_msg(parse(text) == 0, "%lu: %s", error.line, error.reason);
    ck_assert_uint_eq(parsed.bounds.no_reuse, 100 + 10 + 20 + 50);
    ck_assert_uint_eq(parsed.bounds.optimal_reuse, 120);
    /* rounded: 112 + 16 = 128 with the a; 112 + 32 = 144 after r 1 20 */
    ck_assert_uint_eq(parsed.bounds.optimal_reuse_16, 144);
    ck_assert_uint_eq(parsed.alloc_count, 1);
    ck_assert_uint_eq(parsed.realloc_count, 3);
    ck_assert_uint_eq(parsed.free_count, 3);
    ck_assert_uint_eq(parsed.empty_realloc_count, 2);
    ck_assert_uint_eq(parsed.empty_free_count, 2);
    ck_assert_uint_eq(parsed.ids_used, 2);
    ck_assert_uint_eq(parsed.live_at_end, 70);
    ck_assert_uint_eq(parsed.blocks_live_at_end, 2);
    ck_assert_uint_eq(parsed.largest_request, 100);
    /* The strict rules refuse the first r, on its line. */
    ck_assert_int_eq(parse_as(text, TRACE_RULES_STRICT), -1);
    ck_assert_uint_eq(error.line, 5);
    /* An `a` of a live id stays an error: mdriver would lose the block. */
    ck_assert_int_eq(parse("0\n1\n2\n1\nr 0 8\na 0 8\n"), -1);
    ck_assert_uint_eq(error.line, 6);
}
END_TEST

/* mdriver reads the operations the header promises and not a line more: what follows is
 * counted (blank lines and comments aside) from its first line, never parsed, never in the
 * figures or the bounds; the warning names the line and the count. */
START_TEST(mdriver_rules_ignore_lines_after_the_promised_operations)
{
    const char *text = "0\n3\n2\n1\na 0 10\nf 0\n\n# more\na 1 500\nr 0 40\nx junk 7\n";
    ck_assert_msg(parse(text) == 0, "%lu: %s", error.line, error.reason);
    ck_assert_uint_eq(parsed.op_count, 2);
    ck_assert_uint_eq(parsed.alloc_count, 1);
    ck_assert_uint_eq(parsed.realloc_count, 0);
    ck_assert_uint_eq(parsed.free_count, 1);
    ck_assert_uint_eq(parsed.largest_request, 10);
    ck_assert_uint_eq(parsed.bounds.no_reuse, 10);
    ck_assert_uint_eq(parsed.ignored_lines, 3);
    ck_assert_uint_eq(parsed.ignored_from_line, 9);
    struct trace_error warning;
    ck_assert_int_eq(trace_ignored_warning(&parsed, &warning), 1);
    char line[256];
    trace_error_format("t.rep", &warning, line, sizeof line);
    ck_assert_str_eq(line, "t.rep:9: warning: ignoring 3 lines after the 2 operations the header "
                           "promises, as mdriver does (--strict refuses the trace)\n");
    /* The strict rules refuse the first line after them. */
    ck_assert_int_eq(parse_as(text, TRACE_RULES_STRICT), -1);
    ck_assert_uint_eq(error.line, 9);
    /* Zero promised: everything after the header is ignored. */
    ck_assert_int_eq(parse("0\n3\n0\n1\na 0 10\n"), 0);
    ck_assert_uint_eq(parsed.op_count, 0);
    ck_assert_uint_eq(parsed.ignored_lines, 1);
    ck_assert_uint_eq(parsed.ignored_from_line, 5);
    /* Only blank lines and comments after them: nothing ignored, no warning, either rules. */
    const char *tidy = "0\n3\n1\n1\na 0 10\n\n# end\n";
    ck_assert_int_eq(parse(tidy), 0);
    ck_assert_uint_eq(parsed.ignored_lines, 0);
    ck_assert_int_eq(trace_ignored_warning(&parsed, &warning), 0);
    ck_assert_int_eq(parse_as(tidy, TRACE_RULES_STRICT), 0);
    /* Fewer than promised stays an error under mdriver's rules. */
    ck_assert_int_eq(parse("0\n3\n3\n1\na 0 10\nf 0\n"), -1);
    ck_assert_uint_eq(error.line, 6);
    ck_assert_ptr_nonnull(strstr(error.reason, "promises 3 operations but the file ends after 2"));
}
END_TEST

START_TEST(rejects_nul_byte)
{
    static const char text[] = "0\n1\n1\n1\na 0 1\0\n";
    ck_assert_int_eq(trace_parse(text, sizeof text - 1, &parsed, &error), -1);
    ck_assert_uint_eq(error.line, 5);
    ck_assert_ptr_nonnull(strstr(error.reason, "is not an integer"));
}
END_TEST

START_TEST(accepts_comments_blank_lines_crlf_and_no_final_newline)
{
    const char *text = "# a trace\n\n  1000 # heap\r\n3\n4\r\n1\n"
                       "\n# ops follow\n"
                       "a 0 10\n\t r 0 20 # grow\n"
                       "f -1\n"
                       "a 2 0";
    ck_assert_msg(parse(text) == 0, "rejected: %lu %s", error.line, error.reason);
    ck_assert_uint_eq(parsed.heap_size_hint, 1000);
    ck_assert_uint_eq(parsed.id_count, 3);
    ck_assert_uint_eq(parsed.op_count, 4);
    ck_assert_uint_eq(parsed.weight, 1);
    ck_assert_int_eq(parsed.ops[0].kind, TRACE_OP_ALLOC);
    ck_assert_int_eq(parsed.ops[1].kind, TRACE_OP_REALLOC);
    ck_assert_uint_eq(parsed.ops[1].size, 20);
    ck_assert_int_eq(parsed.ops[2].kind, TRACE_OP_FREE);
    ck_assert_int_eq(parsed.ops[2].id, -1);
    ck_assert_int_eq(parsed.ops[3].id, 2);
    ck_assert_uint_eq(parsed.ops[3].size, 0);
    ck_assert_uint_eq(parsed.alloc_count, 2);
    ck_assert_uint_eq(parsed.realloc_count, 1);
    ck_assert_uint_eq(parsed.free_count, 1);
    ck_assert_uint_eq(parsed.ids_used, 2);
    ck_assert_uint_eq(parsed.largest_request, 20);
    /* Operation lines map back to file lines, comments and blanks counted. */
    ck_assert_uint_eq(trace_line_of_op(&parsed, 0), 9);
    ck_assert_uint_eq(trace_line_of_op(&parsed, 1), 10);
    ck_assert_uint_eq(trace_line_of_op(&parsed, 3), 12);
    ck_assert_uint_eq(trace_line_of_op(&parsed, 4), 0);
}
END_TEST

/* The parser's fast path (plain single-space lines) and its general path agree. */
START_TEST(plain_and_spaced_lines_parse_alike)
{
    static struct trace_op plain_ops[3];
    ck_assert_int_eq(parse("0\n2\n3\n1\na 1 100\nr 1 200\nf 1\n"), 0);
    memcpy(plain_ops, parsed.ops, sizeof plain_ops);
    ck_assert_int_eq(parse("0\n2\n3\n1\na\t1  100\r\n r 1\t200 \nf  1 # gone\n"), 0);
    ck_assert_int_eq(memcmp(parsed.ops, plain_ops, sizeof plain_ops), 0);
    ck_assert_uint_eq(parsed.bounds.optimal_reuse, 200);
    /* Errors on fast-path lines name their line too. */
    ck_assert_int_eq(parse_as("0\n2\n3\n1\na 1 100\nf 1\nf 1\n", TRACE_RULES_STRICT), -1);
    ck_assert_uint_eq(error.line, 7);
    ck_assert_int_eq(parse("0\n2\n1\n1\na 2 100\n"), -1);
    ck_assert_uint_eq(error.line, 5);
    ck_assert_ptr_nonnull(strstr(error.reason, "out of range"));
}
END_TEST

START_TEST(accepts_reuse_of_freed_id_and_empty_trace)
{
    ck_assert_int_eq(parse("0\n1\n4\n1\na 0 5\nf 0\na 0 7\nf 0\n"), 0);
    ck_assert_uint_eq(parsed.ids_used, 1);
    ck_assert_uint_eq(parsed.bounds.optimal_reuse, 7);
    ck_assert_uint_eq(parsed.bounds.no_reuse, 12);
    ck_assert_int_eq(parse("0\n0\n0\n0\n"), 0);
    ck_assert_uint_eq(parsed.op_count, 0);
    ck_assert_uint_eq(parsed.bounds.no_reuse, 0);
}
END_TEST

/* Bounds of a hand-checked trace: realloc replaces the old size; 16-byte rounding. */
START_TEST(bounds_follow_the_definitions)
{
    /* live: 100 | 100+1 | 100+1+0 | r 0 -> 300+1+0 | f 1 -> 300+0 | a 1 -> 300+50 */
    ck_assert_int_eq(parse("0\n3\n6\n1\na 0 100\na 1 1\na 2 0\nr 0 300\nf 1\na 1 50\n"), 0);
    ck_assert_uint_eq(parsed.bounds.no_reuse, 100 + 1 + 0 + 300 + 50);
    ck_assert_uint_eq(parsed.bounds.optimal_reuse, 350);
    /* rounded: 304 + 16 + 16 = 336, then 304 + 16 + 64 (after a 1 50) = 384 */
    ck_assert_uint_eq(parsed.bounds.optimal_reuse_16, 384);
    ck_assert_uint_eq(parsed.live_at_end, 350);
    ck_assert_uint_eq(parsed.blocks_live_at_end, 3);
    ck_assert_uint_eq(trace_block_size_16(0), 16);
    ck_assert_uint_eq(trace_block_size_16(16), 16);
    ck_assert_uint_eq(trace_block_size_16(17), 32);
}
END_TEST

/* Create a private temporary file (mkstemp, never a fixed name); its path goes to PATH. */
static int temporary_file(char *path, size_t capacity)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, capacity, "%s/mstats-trace-test-XXXXXX",
             dir != NULL && *dir != '\0' ? dir : "/tmp");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    return fd;
}

/* A write error reaches the caller of trace_file_finish() as its errno. */
START_TEST(file_writer_reports_write_errors)
{
    int fd = open("/dev/full", O_WRONLY);
    ck_assert_int_ge(fd, 0);
    static struct trace_file_writer writer;
    trace_file_start(&writer, fd, 0, 1, 1, 1);
    struct trace_op op = {8, 0, TRACE_OP_ALLOC};
    trace_file_add(&writer, &op);
    ck_assert_int_eq(trace_file_finish(&writer), ENOSPC);
    close(fd);
}
END_TEST

/* Fixed-seed numbers for the round trip (the test's own, independent of the generator). */
static uint64_t next_random(uint64_t *state)
{
    *state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *state >> 33;
}

/* Round trip: random operations, written to a file with the file writer, loaded back; ops
 * and bounds must equal the ones this test computes from its own model of the heap. Loops
 * 2 and 3 also make r and f of ids that hold no block (mdriver's realloc(NULL, n) and
 * free(NULL)), which the strict rules then refuse. */
START_TEST(round_trip_write_then_parse)
{
    enum { IDS = 64, OPS = 5000 };
    static struct trace_op ops[OPS];
    uint64_t live[IDS] = {0};
    int is_live[IDS] = {0};
    int empty_ids_used = _i >= 2;
    uint64_t state = 42 + (uint64_t)_i, live_now = 0, peak = 0, no_reuse = 0, largest = 0;
    uint64_t empty_reallocs = 0, empty_frees = 0;
    for (int i = 0; i < OPS; i++) {
        int32_t id = (int32_t)(next_random(&state) % IDS);
        uint64_t size = next_random(&state) % 5000;
        uint64_t choice = next_random(&state) % 4;
        if (!is_live[id] && empty_ids_used && choice == 0) {
            ops[i] = (struct trace_op){0, id, TRACE_OP_FREE}; /* free(NULL) */
            empty_frees++;
            continue;
        }
        if (!is_live[id]) {
            int by_realloc = empty_ids_used && choice == 1;
            ops[i] = (struct trace_op){size, id, by_realloc ? TRACE_OP_REALLOC : TRACE_OP_ALLOC};
            empty_reallocs += (uint64_t)by_realloc;
            is_live[id] = 1;
        } else if (next_random(&state) % 2) {
            ops[i] = (struct trace_op){size, id, TRACE_OP_REALLOC};
            live_now -= live[id];
        } else {
            ops[i] = (struct trace_op){0, next_random(&state) % 10 ? id : -1, TRACE_OP_FREE};
            if (ops[i].id >= 0) {
                is_live[id] = 0;
                live_now -= live[id];
            }
            continue;
        }
        live[id] = size;
        live_now += size;
        no_reuse += size;
        largest = size > largest ? size : largest;
        peak = live_now > peak ? live_now : peak;
    }
    /* The file writer's output is the text the line writer makes (more than its buffer). */
    size_t capacity = 64 + (size_t)OPS * 32;
    char *text_storage = malloc(capacity);
    struct text_buffer text;
    text_init(&text, text_storage, capacity);
    trace_write_header(&text, peak, IDS, OPS, 1);
    for (int i = 0; i < OPS; i++)
        trace_write_op(&text, &ops[i]);
    ck_assert_uint_lt(text.length + 1, capacity);
    ck_assert_uint_gt(text.length, sizeof((struct trace_file_writer *)0)->storage);
    char path[4096];
    int fd = temporary_file(path, sizeof path);
    static struct trace_file_writer writer;
    trace_file_start(&writer, fd, peak, IDS, OPS, 1);
    for (int i = 0; i < OPS; i++)
        trace_file_add(&writer, &ops[i]);
    ck_assert_int_eq(trace_file_finish(&writer), 0);
    ck_assert_int_eq(lseek(fd, 0, SEEK_END), (off_t)text.length);
    char *written = malloc(text.length);
    ck_assert_int_eq(pread(fd, written, text.length, 0), (ssize_t)text.length);
    ck_assert_int_eq(memcmp(written, text.chars, text.length), 0);
    free(written);
    close(fd);

    ck_assert_int_eq(trace_load_as(path, TRACE_RULES_STRICT, &parsed, &error),
                     empty_ids_used ? -1 : 0);
    ck_assert_msg(trace_load(path, &parsed, &error) == 0, "%lu: %s", error.line, error.reason);
    unlink(path);
    ck_assert_uint_eq(parsed.op_count, OPS);
    ck_assert_uint_eq(parsed.empty_realloc_count, empty_reallocs);
    ck_assert_uint_eq(parsed.empty_free_count, empty_frees);
    if (empty_ids_used)
        ck_assert_uint_gt(empty_reallocs * empty_frees, 0);
    ck_assert_int_eq(memcmp(parsed.ops, ops, sizeof ops), 0);
    ck_assert_uint_eq(parsed.bounds.no_reuse, no_reuse);
    ck_assert_uint_eq(parsed.bounds.optimal_reuse, peak);
    ck_assert_uint_eq(parsed.largest_request, largest);
    ck_assert_uint_eq(parsed.heap_size_hint, peak);
    ck_assert_uint_eq(parsed.live_at_end, live_now);
    uint64_t live_blocks = 0;
    for (int id = 0; id < IDS; id++)
        live_blocks += (uint64_t)is_live[id];
    ck_assert_uint_eq(parsed.blocks_live_at_end, live_blocks);
    trace_release(&parsed);
    free(text_storage);
}
END_TEST

START_TEST(load_reads_a_file_and_reports_missing_ones)
{
    char path_in_tmpdir[4096];
    int fd = temporary_file(path_in_tmpdir, sizeof path_in_tmpdir);
    const char text[] = "10\n1\n2\n1\na 0 10\nf 0\n";
    ck_assert_int_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    ck_assert_int_eq(trace_load(path_in_tmpdir, &parsed, &error), 0);
    ck_assert_uint_eq(parsed.op_count, 2);
    ck_assert_uint_eq(parsed.bounds.optimal_reuse, 10);
    trace_release(&parsed);

    /* An empty file is a short header, not an I/O error. */
    fd = open(path_in_tmpdir, O_WRONLY | O_TRUNC);
    close(fd);
    ck_assert_int_eq(trace_load(path_in_tmpdir, &parsed, &error), -1);
    ck_assert_ptr_nonnull(strstr(error.reason, "short header"));
    unlink(path_in_tmpdir);

    ck_assert_int_eq(trace_load(path_in_tmpdir, &parsed, &error), -1);
    ck_assert_uint_eq(error.line, 0);
    ck_assert_ptr_nonnull(strstr(error.reason, "cannot open the trace"));
    ck_assert_int_eq(trace_load("/", &parsed, &error), -1);
    ck_assert_ptr_nonnull(strstr(error.reason, "cannot read the trace"));
}
END_TEST

START_TEST(error_lines_have_the_file_line_reason_form)
{
    char line[128];
    struct trace_error e = {7, "unknown operation 'x'"};
    size_t length = trace_error_format("t.rep", &e, line, sizeof line);
    ck_assert_str_eq(line, "t.rep:7: unknown operation 'x'\n");
    ck_assert_uint_eq(length, strlen(line));
    e.line = 0;
    trace_error_format("t.rep", &e, line, sizeof line);
    ck_assert_str_eq(line, "t.rep: unknown operation 'x'\n");
    /* Truncated, it still ends the line. */
    length = trace_error_format("t.rep", &e, line, 10);
    ck_assert_uint_eq(length, 9);
    ck_assert_int_eq(line[8], '\n');
}
END_TEST

START_TEST(text_buffer_formats_numbers_and_truncates)
{
    char storage[64];
    struct text_buffer text;
    text_init(&text, storage, sizeof storage);
    text_add_u64(&text, 0);
    text_add_char(&text, ' ');
    text_add_u64(&text, UINT64_MAX);
    text_add_char(&text, ' ');
    text_add_i64(&text, INT64_MIN);
    text_add_char(&text, ' ');
    text_add_hex(&text, 0xab, 4);
    text_add_char(&text, ' ');
    text_add_fixed(&text, 2.0005, 3);
    text_add_char(&text, ' ');
    text_add_fixed(&text, 0.25, 1);
    ck_assert_str_eq(storage, "0 18446744073709551615 -9223372036854775808 0x00ab 2.001 0.3");
    char small[5];
    text_init(&text, small, sizeof small);
    text_add(&text, "abcdefgh");
    ck_assert_str_eq(small, "abcd");
    ck_assert_uint_eq(text.length, 4);
}
END_TEST

/* Random edits of a valid trace (characters changed, inserted, the text cut short) are
 * either accepted or rejected with a line and a reason; never a crash or an over-read (the
 * text sits in an exact-size heap block, so the sanitizers see any byte read past it). */
START_TEST(mutated_traces_are_accepted_or_explained)
{
    static const char valid[] = "# mutated\n100\n4\n8\n1\na 0 10\na 1 20\nr 0 30\nf -1\n"
                                "f 1\na 3 0\nr 3 5\nf 0\n";
    static const char alphabet[] = "arf 0123456789-#\n\r\tx";
    char text[sizeof valid + 8];
    uint64_t state = 7;
    for (int round = 0; round < 20000; round++) {
        size_t length = sizeof valid - 1;
        memcpy(text, valid, length);
        for (int edit = 0; edit < 3 && length > 0; edit++) {
            size_t position = (size_t)(next_random(&state) % length);
            char c = alphabet[next_random(&state) % (sizeof alphabet - 1)];
            switch (next_random(&state) % 3) {
            case 0:
                text[position] = c;
                break;
            case 1:
                length = position;
                break;
            default:
                if (length < sizeof text) {
                    memmove(text + position + 1, text + position, length - position);
                    text[position] = c;
                    length++;
                }
            }
        }
        char *copy = malloc(length > 0 ? length : 1);
        memcpy(copy, text, length);
        if (trace_parse(copy, length, &parsed, &error) == 0) {
            ck_assert_uint_eq(trace_line_of_op(&parsed, parsed.op_count), 0);
            trace_release(&parsed);
        } else {
            ck_assert_uint_gt(error.line, 0);
            ck_assert_uint_gt(strlen(error.reason), 10);
        }
        free(copy);
    }
}
END_TEST

static Suite *trace_suite(void)
{
    Suite *suite = suite_create("trace");
    TCase *malformed = tcase_create("malformed");
    /* 20,000 mutated traces take under a second idle; Check's default of 4 s
     * is too tight on a machine shared with busy jobs. */
    tcase_set_timeout(malformed, 60);
    tcase_add_checked_fixture(malformed, NULL, teardown);
    tcase_add_loop_test(malformed, rejects_malformed, 0, MALFORMED_CASE_COUNT);
    tcase_add_loop_test(malformed, strict_rules_reject_what_mdriver_gives_a_meaning, 0,
                        STRICT_ONLY_CASE_COUNT);
    tcase_add_test(malformed, rejects_nul_byte);
    tcase_add_test(malformed, mutated_traces_are_accepted_or_explained);
    suite_add_tcase(suite, malformed);

    TCase *accepted = tcase_create("accepted");
    tcase_add_checked_fixture(accepted, NULL, teardown);
    tcase_add_test(accepted, accepts_comments_blank_lines_crlf_and_no_final_newline);
    tcase_add_test(accepted, plain_and_spaced_lines_parse_alike);
    tcase_add_test(accepted, accepts_reuse_of_freed_id_and_empty_trace);
    tcase_add_test(accepted, bounds_follow_the_definitions);
    tcase_add_test(accepted, mdriver_rules_give_empty_ids_null_pointers);
    tcase_add_test(accepted, mdriver_rules_ignore_lines_after_the_promised_operations);
    tcase_add_test(accepted, file_writer_reports_write_errors);
    tcase_add_loop_test(accepted, round_trip_write_then_parse, 0, 4);
    tcase_add_test(accepted, load_reads_a_file_and_reports_missing_ones);
    tcase_add_test(accepted, error_lines_have_the_file_line_reason_form);
    tcase_add_test(accepted, text_buffer_formats_numbers_and_truncates);
    suite_add_tcase(suite, accepted);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(trace_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
