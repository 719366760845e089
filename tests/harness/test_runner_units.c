/* Unit tests (Check) of the runner's pure parts: sizes, the code table,
 * signal words, allocator resolution errors, the text report's lines,
 * where two outputs first differ, and a process's cgroup paths. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cgroup.h"
#include "confine.h"
#include "output_capture.h"
#include "report.h"
#include "run.h"
#include "sandbox.h"

START_TEST(sizes_parse_with_binary_units)
{
    guint64 bytes;
    ck_assert(mstats_parse_size("4096", &bytes, NULL));
    ck_assert_uint_eq(bytes, 4096);
    ck_assert(mstats_parse_size("64K", &bytes, NULL));
    ck_assert_uint_eq(bytes, 64 * 1024);
    ck_assert(mstats_parse_size("1.5M", &bytes, NULL));
    ck_assert_uint_eq(bytes, 3 * 512 * 1024);
    ck_assert(mstats_parse_size("2.5G", &bytes, NULL));
    ck_assert_uint_eq(bytes, MSTATS_DEFAULT_MEMORY_LIMIT);
    ck_assert(mstats_parse_size("1GiB", &bytes, NULL));
    ck_assert_uint_eq(bytes, 1u << 30);
    const char *bad[] = {"", "lots", "12Q", "-5M", "0", "1M2", "nan"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        ck_assert_msg(!mstats_parse_size(bad[i], &bytes, &error), "accepted '%s'", bad[i]);
        ck_assert_ptr_nonnull(strstr(error->message, bad[i]));
    }
}
END_TEST

START_TEST(code_table_holds_every_code)
{
    const int codes[] = {0, 11, 15, 65, 66, 67, 68, 91, 92, 93, 94, 95, 96, 97};
    gsize count;
    const MstatsCodeInfo *table = mstats_code_table(&count);
    ck_assert_uint_eq(count, G_N_ELEMENTS(codes));
    for (gsize i = 0; i < G_N_ELEMENTS(codes); i++) {
        const MstatsCodeInfo *info = mstats_code_lookup(codes[i]);
        ck_assert_ptr_nonnull(info);
        ck_assert_int_eq(info->code, codes[i]);
        ck_assert_uint_gt(strlen(info->explanation), 20);
        ck_assert_int_eq(table[i].code, codes[i]); /* in code order */
    }
    ck_assert_ptr_null(mstats_code_lookup(3));
    g_autofree char *words = mstats_describe_signal(SIGSEGV);
    ck_assert_str_eq(words, "killed by signal 11 (SIGSEGV: Segmentation fault)");
}
END_TEST

START_TEST(unknown_allocators_are_usage_errors)
{
    MstatsAllocator allocator;
    g_autoptr(GError) error = NULL;
    ck_assert(!mstats_allocator_resolve("no-such-strategy", &allocator, &error));
    ck_assert_int_eq(error->code, MSTATS_ERROR_USAGE);
    ck_assert_ptr_nonnull(strstr(error->message, "first-fit"));
    g_clear_error(&error);
    ck_assert(!mstats_allocator_resolve("./missing/alloc.so", &allocator, &error));
    ck_assert_ptr_nonnull(strstr(error->message, "./missing/alloc.so"));
    ck_assert(mstats_allocator_resolve("libc", &allocator, NULL));
    ck_assert(allocator.is_libc);
    ck_assert_ptr_nonnull(strstr(allocator.path, "libc"));
    mstats_allocator_clear(&allocator);
}
END_TEST

START_TEST(text_report_has_the_course_lines)
{
    MstatsRunResult result = {0};
    result.code = 91;
    result.wait_status = 91 << 8;
    result.reason = g_strdup("pointer 0x10 outside the heap [0x20, 0x30) returned by malloc(24)");
    result.heap_max = 1104;
    result.heap_avg = 850.331234;
    result.wall_seconds = 0.012;
    result.cpu_seconds = 0.009;
    result.cpu_source = "cgroup";
    result.sandboxed = TRUE;
    result.requested = 24;
    result.peak_live = 24;
    result.utilization = 24.0 / 1104;
    result.calls[MSTATS_FN_MALLOC] = 1;
    result.calls[MSTATS_FN_MEMALIGN] = 2;
    result.calls[MSTATS_FN_REALLOCARRAY] = 3;
    result.allocator.name = g_strdup("first-fit");
    result.allocator.path = g_strdup("/lib/libmalloc-first-fit.so");
    result.alignment = 16;
    result.witness = MSTATS_WITNESS_TRUSTED;
    result.completion = MSTATS_COMPLETION_PROVED;
    g_autofree char *text = mstats_report_text(&result);
    ck_assert_str_eq(text, "[mstats]: STATUS: FAILED=(23296)\n"
                           "[mstats]: MAX: 1104\n"
                           "[mstats]: AVG: 850.331234\n"
                           "[mstats]: TIME: 0.012000\n"
                           "[mstats]: REQUESTED: 24\n"
                           "[mstats]: PEAK-LIVE: 24\n"
                           "[mstats]: UTILIZATION: 0.021739\n"
                           "[mstats]: CALLS: malloc=3 calloc=0 realloc=3 free=0\n"
                           "[mstats]: ALLOCATOR: first-fit (/lib/libmalloc-first-fit.so)\n"
                           "[mstats]: ALIGNMENT: 16\n"
                           "[mstats]: CPU-TIME: 0.009000\n"
                           "[mstats]: CPU-SOURCE: cgroup (every process of the run)\n"
                           "[mstats]: WITNESS: none (first-fit is trusted code: its MAX is the "
                           "shim's, not witnessed)\n"
                           "[mstats]: COMPLETION: proved (the program gave its proof; a trusted "
                           "allocator is not checked against a reference run)\n"
                           "[mstats]: REASON: 91 pointer 0x10 outside the heap [0x20, 0x30) "
                           "returned by malloc(24)\n");
    mstats_run_result_clear(&result);
}
END_TEST

/* A run outside the sandbox says so, and why, before REASON. */
START_TEST(text_report_says_when_not_sandboxed)
{
    MstatsRunResult result = {0};
    result.code = MSTATS_CODE_OK;
    result.not_sandboxed_why = g_strdup("--no-sandbox was given");
    result.allocator.name = g_strdup("libc");
    result.allocator.path = g_strdup("/lib/libc.so.6");
    g_autofree char *text = mstats_report_text(&result);
    ck_assert_ptr_nonnull(strstr(text, "[mstats]: CPU-TIME: 0.000000\n"
                                       "[mstats]: SANDBOX: none: --no-sandbox was given\n"));
    mstats_run_result_clear(&result);
}
END_TEST

/* Container mode says so when it held; a mode whose layers did not all
 * hold says which failed. */
START_TEST(text_report_names_the_sandbox_mode)
{
    MstatsRunResult result = {0};
    result.code = MSTATS_CODE_OK;
    result.allocator.name = g_strdup("libc");
    result.allocator.path = g_strdup("/lib/libc.so.6");
    result.sandbox = "container";
    result.sandboxed = TRUE;
    g_autofree char *contained = mstats_report_text(&result);
    ck_assert_ptr_nonnull(strstr(contained, "[mstats]: SANDBOX: container (no namespaces here; "
                                            "the program ran without privileges, under Landlock "
                                            "and seccomp)\n"));
    result.sandbox = "bwrap";
    result.sandboxed = FALSE;
    ck_assert(!sandbox_confined_enough(SANDBOX_BWRAP, CONFINE_NO_NEW_PRIVS | CONFINE_SECCOMP, EPERM,
                                       &result.not_sandboxed_why));
    g_autofree char *uncontained = mstats_report_text(&result);
    ck_assert_ptr_nonnull(strstr(uncontained, "[mstats]: SANDBOX: bwrap, not contained: dropping "
                                              "every capability failed (Operation not "
                                              "permitted)\n"));
    mstats_run_result_clear(&result);
}
END_TEST

/* What each mode needs: bwrap's namespaces and read-only mounts hold the
 * file system, container mode needs Landlock for it; none is never enough. */
START_TEST(each_mode_needs_its_layers)
{
    char *why = NULL;
    ck_assert(sandbox_confined_enough(SANDBOX_BWRAP, CONFINE_NEEDED_BWRAP, 0, &why));
    ck_assert(!sandbox_confined_enough(SANDBOX_CONTAINER, CONFINE_NEEDED_BWRAP, ENOSYS, &why));
    ck_assert_str_eq(why, "Landlock (file system writes) failed (Function not implemented)");
    g_free(why);
    ck_assert(sandbox_confined_enough(SANDBOX_CONTAINER, CONFINE_NEEDED_CONTAINER, 0, &why));
    ck_assert(!sandbox_confined_enough(SANDBOX_NONE, CONFINE_NEEDED_CONTAINER, 0, &why));
    ck_assert_str_eq(sandbox_mode_name(SANDBOX_CONTAINER), "container");
}
END_TEST

/* -t values that are not a time, or that overflow a millisecond count,
 * are usage errors naming the option. */
START_TEST(timeouts_out_of_range_are_rejected)
{
    const double bad[] = {-1, 9e15, 1e20, INFINITY, NAN, 86400.5};
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        guint64 bytes = 0;
        ck_assert(!mstats_parse_limits(bad[i], NULL, &bytes, &error));
        ck_assert_int_eq(error->code, MSTATS_ERROR_USAGE);
        ck_assert_ptr_nonnull(strstr(error->message, "--timeout"));
    }
    guint64 bytes = 0;
    ck_assert(mstats_parse_limits(0, NULL, &bytes, NULL));
    ck_assert(mstats_parse_limits(86400, "1M", &bytes, NULL));
    ck_assert_uint_eq(bytes, 1 << 20);
}
END_TEST

/* `bytes` written through a capture like `like` (a file or a pipe), read
 * against `expected` (NULL: kept as a reference run's). */
static void capture_bytes(const GString *bytes, int like, const OutputDigest *expected,
                          OutputDigest *digest)
{
    OutputCapture capture;
    output_capture_open(&capture, &(OutputRoute){.like = like,
                                                 .digesting = TRUE,
                                                 .keep_head = expected == NULL,
                                                 .expected = expected});
    for (gsize done = 0; done < bytes->len;) {
        ssize_t n = write(capture.program_fd, bytes->str + done, bytes->len - done);
        ck_assert_int_gt(n, 0);
        done += (gsize)n;
    }
    output_capture_finish(&capture, digest);
}

/* A text of `length` bytes, lines of 37, with byte `at` changed (none: -1). */
static GString *text_of(gsize length, gssize at)
{
    GString *text = g_string_sized_new(length);
    for (gsize i = 0; i < length; i++)
        g_string_append_c(text, i % 37 == 36 ? '\n' : (char)('a' + i % 26));
    if (at >= 0)
        text->str[at] = '#';
    return text;
}

/* The capture's running comparison against the reference's kept head finds
 * the first difference that a byte-by-byte loop over the two finds, on files
 * and pipes, within and past the head. */
START_TEST(outputs_differ_where_a_plain_loop_says)
{
    const struct {
        gsize expected, measured;
        gssize changed;
    } cases[] = {{500, 500, -1},       {500, 500, 0},           {500, 500, 123},
                 {500, 300, -1},       {300, 500, -1},          {0, 10, -1},
                 {10, 0, -1},          {200000, 200000, 70000}, {200000, 200000, 65535},
                 {200000, 100000, -1}, {65536, 70000, -1}};
    int file = memfd_create("like", MFD_CLOEXEC), pipe_ends[2];
    ck_assert(file >= 0 && pipe2(pipe_ends, O_CLOEXEC) == 0);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        for (int like = 0; like < 2; like++) {
            int fd = like == 0 ? file : pipe_ends[1];
            g_autoptr(GString) expected = text_of(cases[i].expected, -1);
            g_autoptr(GString) measured = text_of(cases[i].measured, cases[i].changed);
            g_auto(OutputDigest) reference = {0};
            g_auto(OutputDigest) output = {0};
            capture_bytes(expected, fd, NULL, &reference);
            capture_bytes(measured, fd, &reference, &output);
            ck_assert_uint_eq(output.length, measured->len);
            gsize at = 0, line = 1;
            while (at < expected->len && at < measured->len &&
                   expected->str[at] == measured->str[at])
                line += expected->str[at++] == '\n';
            g_autofree char *words = output_digest_difference(&output, &reference);
            if (at == expected->len && at == measured->len) {
                ck_assert_msg(words == NULL, "case %zu: %s", i, words);
                continue;
            }
            g_autofree char *where =
                at < OUTPUT_HEAD_MAX || at == expected->len
                    ? g_strdup_printf("byte offset %zu (line %zu)", at, line)
                    : g_strdup_printf("after its first %d bytes", OUTPUT_HEAD_MAX);
            ck_assert_msg(words != NULL && strstr(words, where) != NULL, "case %zu: '%s' for %s", i,
                          words, where);
        }
    close(file);
    close(pipe_ends[0]);
    close(pipe_ends[1]);
}
END_TEST

/* Without a cgroup, CPU-SOURCE names the rusage and why, after CPU-TIME;
 * a result with no source (an old mcompare cell) has no line. */
START_TEST(text_report_says_where_cpu_time_comes_from)
{
    MstatsRunResult result = {0};
    result.code = MSTATS_CODE_OK;
    result.sandboxed = TRUE;
    result.allocator.name = g_strdup("libc");
    result.allocator.path = g_strdup("/lib/libc.so.6");
    result.cpu_seconds = 0.25;
    result.cpu_source = "rusage";
    result.cpu_source_why =
        g_strdup("cannot make one under /sys/fs/cgroup (Read-only file system)");
    g_autofree char *text = mstats_report_text(&result);
    ck_assert_ptr_nonnull(strstr(text, "[mstats]: CPU-TIME: 0.250000\n"
                                       "[mstats]: CPU-SOURCE: rusage (the program and the "
                                       "children it waited for; no cgroup: cannot make one under "
                                       "/sys/fs/cgroup (Read-only file system))\n"));
    result.cpu_source = NULL;
    g_autofree char *old = mstats_report_text(&result);
    ck_assert_ptr_null(strstr(old, "CPU-SOURCE"));
    mstats_run_result_clear(&result);
}
END_TEST

/* /proc/self/cgroup's lines: v2's "0::PATH", a v1 hierarchy by any of its
 * controllers, paths without their trailing slash, none outside the
 * process's cgroup namespace. */
START_TEST(cgroup_paths_parse_from_proc_self_cgroup)
{
    const char *hybrid = "9:name=systemd:/\n"
                         "4:memory:/process_api/25f3\n"
                         "3:cpu,cpuacct:/user.slice/\n"
                         "0::/\n";
    g_autofree char *v2 = cgroup_path_in(hybrid, NULL);
    g_autofree char *memory = cgroup_path_in(hybrid, "memory");
    g_autofree char *cpuacct = cgroup_path_in(hybrid, "cpuacct");
    g_autofree char *cpu = cgroup_path_in(hybrid, "cpu");
    ck_assert_str_eq(v2, "");
    ck_assert_str_eq(memory, "/process_api/25f3");
    ck_assert_str_eq(cpuacct, "/user.slice");
    ck_assert_str_eq(cpu, "/user.slice");
    ck_assert_ptr_null(cgroup_path_in(hybrid, "pids"));
    ck_assert_ptr_null(cgroup_path_in(hybrid, "systemd"));
    g_autofree char *unified =
        cgroup_path_in("0::/user.slice/user-1000.slice/session-2.scope\n", NULL);
    ck_assert_str_eq(unified, "/user.slice/user-1000.slice/session-2.scope");
    ck_assert_ptr_null(cgroup_path_in("0::/user.slice\n", "memory"));
    ck_assert_ptr_null(cgroup_path_in("4:memory:/a\n", NULL));
    ck_assert_ptr_null(cgroup_path_in("0::/../outside\n", NULL));
    ck_assert_ptr_null(cgroup_path_in("", NULL));
    ck_assert_ptr_null(cgroup_path_in("garbage\n0:x\n", NULL));
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("runner");
    TCase *tests = tcase_create("core");
    tcase_add_test(tests, sizes_parse_with_binary_units);
    tcase_add_test(tests, code_table_holds_every_code);
    tcase_add_test(tests, unknown_allocators_are_usage_errors);
    tcase_add_test(tests, text_report_has_the_course_lines);
    tcase_add_test(tests, text_report_says_when_not_sandboxed);
    tcase_add_test(tests, text_report_names_the_sandbox_mode);
    tcase_add_test(tests, each_mode_needs_its_layers);
    tcase_add_test(tests, timeouts_out_of_range_are_rejected);
    tcase_add_test(tests, outputs_differ_where_a_plain_loop_says);
    tcase_add_test(tests, text_report_says_where_cpu_time_comes_from);
    tcase_add_test(tests, cgroup_paths_parse_from_proc_self_cgroup);
    suite_add_tcase(suite, tests);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
