/* The JSON report, built with json-glib. Names are the text report's, lower
 * case with underscores; numbers are numbers; absent things are null. */
#include <json-glib/json-glib.h>

#include "report.h"
#include "region_layout.h"

static const char *const call_names[MSTATS_FN_COUNT] = {
    "malloc",         "calloc",        "realloc",  "free",   "reallocarray",
    "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc",
};

static void add_calls(JsonBuilder *b, const MstatsRunResult *result)
{
    json_builder_set_member_name(b, "calls");
    json_builder_begin_object(b);
    for (int i = 0; i < MSTATS_FN_COUNT; i++) {
        json_builder_set_member_name(b, call_names[i]);
        json_builder_add_int_value(b, (gint64)result->calls[i]);
    }
    json_builder_set_member_name(b, "failed");
    json_builder_add_int_value(b, (gint64)result->failed_calls);
    json_builder_end_object(b);
}

static void add_int(JsonBuilder *b, const char *name, gint64 value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

static void add_double(JsonBuilder *b, const char *name, double value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_double_value(b, value);
}

static void add_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value != NULL)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

char *mstats_report_json(const MstatsRunResult *result, const MstatsRunRequest *request)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_string(b, "status", result->code == MSTATS_CODE_OK ? "OK" : "FAILED");
    add_int(b, "code", result->code);
    add_int(b, "wait_status", result->wait_status);
    json_builder_set_member_name(b, "exit_status");
    if (result->exit_status >= 0)
        json_builder_add_int_value(b, result->exit_status);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "signal");
    if (result->signal != 0)
        json_builder_add_int_value(b, result->signal);
    else
        json_builder_add_null_value(b);
    add_string(b, "reason", result->reason);
    json_builder_set_member_name(b, "timed_out");
    json_builder_add_boolean_value(b, result->timed_out);
    json_builder_set_member_name(b, "figures_valid");
    json_builder_add_boolean_value(b, result->figures_valid);
    add_int(b, "max", (gint64)result->heap_max);
    add_double(b, "avg", result->heap_avg);
    add_double(b, "time", result->wall_seconds);
    add_double(b, "cpu_time", result->cpu_seconds);
    add_int(b, "requested", (gint64)result->requested);
    add_int(b, "peak_live", (gint64)result->peak_live);
    add_double(b, "utilization", result->utilization);
    add_int(b, "live_at_exit", (gint64)result->live_at_exit);
    add_int(b, "live_blocks_at_exit", (gint64)result->live_blocks_at_exit);
    add_calls(b, result);
    json_builder_set_member_name(b, "allocator");
    json_builder_begin_object(b);
    add_string(b, "name", result->allocator.name);
    add_string(b, "path", result->allocator.path);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "program");
    json_builder_begin_array(b);
    for (char **arg = request->argv; arg != NULL && *arg != NULL; arg++)
        json_builder_add_string_value(b, *arg);
    json_builder_end_array(b);
    add_double(b, "timeout", request->timeout_seconds);
    add_int(b, "memory_limit", (gint64)request->memory_limit);
    json_builder_end_object(b);

    g_autoptr(JsonGenerator) generator = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    json_generator_set_root(generator, root);
    json_generator_set_pretty(generator, TRUE);
    char *text = json_generator_to_data(generator, NULL);
    char *line = g_strconcat(text, "\n", NULL);
    g_free(text);
    return line;
}
