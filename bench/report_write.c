/*
 * report_write.c - bench-report's outputs: the table (text or Markdown), the
 * JSON of every figure, and the PNG chart of the geometric means.
 */
#include <cairo.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

static const char *const kind_name[] = {"real trace", "synthetic trace", "tester"};

/* The summary rows: geometric means over a kind of workload and the worst. */
enum summary { SUMMARY_REAL_TRACES, SUMMARY_ALL_TRACES, SUMMARY_TESTERS, SUMMARIES };
static const char *const summary_name[SUMMARIES] = {"geomean, real-program traces",
                                                    "geomean, all traces", "geomean, testers"};

static bool in_summary(const struct workload *wl, enum summary summary)
{
    switch (summary) {
    case SUMMARY_REAL_TRACES:
        return wl->kind == WORKLOAD_REAL_TRACE;
    case SUMMARY_ALL_TRACES:
        return wl->kind != WORKLOAD_TESTER;
    default:
        return wl->kind == WORKLOAD_TESTER;
    }
}

/* The geometric mean of an allocator's time (or MAX) ratios over the
 * workloads of a summary, and their worst; 0 when there are none. */
static double summary_geomean(const struct bench *bench, guint allocator, enum summary summary,
                              bool max, double *worst)
{
    double log_sum = 0;
    int n = 0;
    *worst = 0;
    for (guint w = 0; w < bench->workloads->len; w++) {
        const struct cell *c = bench_cell(bench, w, allocator);
        double ratio = max ? c->max_ratio : c->time_ratio;
        if (!in_summary(g_ptr_array_index(bench->workloads, w), summary) || ratio <= 0)
            continue;
        log_sum += log(ratio);
        n++;
        *worst = MAX(*worst, ratio);
    }
    return n ? exp(log_sum / n) : 0;
}

/* A ratio as printed: two decimals, "FAIL" for a run that failed (< 0), or
 * "-" when not measured (0). */
static void format_ratio(char *buffer, size_t size, double ratio)
{
    if (ratio > 0)
        snprintf(buffer, size, "%.2f", ratio);
    else
        snprintf(buffer, size, ratio < 0 ? "FAIL" : "-");
}

/* One row: a label, then per allocator its time ratio and MAX ratio. */
static void write_row(const struct bench *bench, FILE *out, bool markdown, const char *label,
                      const char *bound, const double *time, const double *max)
{
    fprintf(out, markdown ? "| %s | %s |" : "%-38s %12s", label, bound);
    for (guint a = 0; a < bench->allocators->len; a++) {
        char t[16], m[16];
        format_ratio(t, sizeof t, time[a]);
        format_ratio(m, sizeof m, max[a]);
        fprintf(out, markdown ? " %s | %s |" : " %6s %5s", t, m);
    }
    fputc('\n', out);
}

void bench_write_table(const struct bench *bench, FILE *out, bool markdown)
{
    guint na = bench->allocators->len;
    if (markdown) {
        fprintf(
            out,
            "# Allocator benchmark\n\nCPU time as a ratio to glibc's (median of %d "
            "alternating rounds for traces, %d for testers) and MAX as a ratio to the "
            "header bound (docs/performance.md). `FAIL`: the run failed (the tester's own check, "
            "or a crash); `-`: not measured (MAX of an allocator that takes memory with "
            "mmap, which MAX does not see).\n\n"
            "![chart](bench.png)\n\n| workload | header bound |",
            bench->trace_rounds, bench->tester_rounds);
        for (guint a = 0; a < na; a++) {
            const struct allocator *al = g_ptr_array_index(bench->allocators, a);
            fprintf(out, " %s time | %s MAX |", al->name, al->name);
        }
        fprintf(out, "\n|---|---:|");
        for (guint a = 0; a < na; a++)
            fprintf(out, "---:|---:|");
        fputc('\n', out);
    } else {
        fprintf(out, "CPU time / glibc (time) and MAX / header bound (MAX)\n%-30s %12s", "workload",
                "bound");
        for (guint a = 0; a < na; a++) {
            const struct allocator *al = g_ptr_array_index(bench->allocators, a);
            fprintf(out, " %12.12s", al->name);
        }
        fprintf(out, "\n%-30s %12s", "", "");
        for (guint a = 0; a < na; a++)
            fprintf(out, " %6s %5s", "time", "MAX");
        fputc('\n', out);
    }
    double *time = g_new0(double, na), *max = g_new0(double, na);
    for (guint w = 0; w < bench->workloads->len; w++) {
        const struct workload *wl = g_ptr_array_index(bench->workloads, w);
        for (guint a = 0; a < na; a++) {
            const struct cell *c = bench_cell(bench, w, a);
            time[a] = c->median_ns < 0 ? -1 : c->time_ratio;
            max[a] = c->max_ratio;
        }
        char label[64], bound[32];
        snprintf(label, sizeof label, "%s (%s)", wl->name, kind_name[wl->kind]);
        snprintf(bound, sizeof bound, "%llu", (unsigned long long)wl->header_bound);
        write_row(bench, out, markdown, label, bound, time, max);
    }
    for (int s = 0; s < SUMMARIES; s++) {
        double *worst_time = g_new0(double, na), *worst_max = g_new0(double, na);
        for (guint a = 0; a < na; a++) {
            time[a] = summary_geomean(bench, a, s, false, &worst_time[a]);
            max[a] = summary_geomean(bench, a, s, true, &worst_max[a]);
        }
        char label[64];
        snprintf(label, sizeof label, markdown ? "**%s**" : "%s", summary_name[s]);
        write_row(bench, out, markdown, label, "", time, max);
        snprintf(label, sizeof label, "worst, %s", summary_name[s] + strlen("geomean, "));
        write_row(bench, out, markdown, label, "", worst_time, worst_max);
        g_free(worst_time);
        g_free(worst_max);
    }
    g_free(time);
    g_free(max);
}

bool bench_write_json(const struct bench *bench, const char *path)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "format");
    json_builder_add_string_value(b, "mstats-bench-1");
    json_builder_set_member_name(b, "trace_rounds");
    json_builder_add_int_value(b, bench->trace_rounds);
    json_builder_set_member_name(b, "tester_rounds");
    json_builder_add_int_value(b, bench->tester_rounds);
    json_builder_set_member_name(b, "allocators");
    json_builder_begin_array(b);
    for (guint a = 0; a < bench->allocators->len; a++) {
        const struct allocator *al = g_ptr_array_index(bench->allocators, a);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, al->name);
        json_builder_set_member_name(b, "preload");
        json_builder_add_string_value(b, al->preload);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "workloads");
    json_builder_begin_array(b);
    for (guint w = 0; w < bench->workloads->len; w++) {
        const struct workload *wl = g_ptr_array_index(bench->workloads, w);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, wl->name);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, kind_name[wl->kind]);
        json_builder_set_member_name(b, "header_bound");
        json_builder_add_int_value(b, (gint64)wl->header_bound);
        json_builder_set_member_name(b, "cells");
        json_builder_begin_array(b);
        for (guint a = 0; a < bench->allocators->len; a++) {
            const struct cell *c = bench_cell(bench, w, a);
            const struct allocator *al = g_ptr_array_index(bench->allocators, a);
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "allocator");
            json_builder_add_string_value(b, al->name);
            json_builder_set_member_name(b, "median_cpu_ns");
            json_builder_add_double_value(b, c->median_ns);
            json_builder_set_member_name(b, "time_ratio");
            json_builder_add_double_value(b, c->time_ratio);
            json_builder_set_member_name(b, "max");
            json_builder_add_int_value(b, (gint64)c->max);
            json_builder_set_member_name(b, "max_ratio");
            json_builder_add_double_value(b, c->max_ratio);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "summaries");
    json_builder_begin_array(b);
    for (int s = 0; s < SUMMARIES; s++)
        for (guint a = 0; a < bench->allocators->len; a++) {
            const struct allocator *al = g_ptr_array_index(bench->allocators, a);
            double worst_time, worst_max;
            double time = summary_geomean(bench, a, s, false, &worst_time);
            double max = summary_geomean(bench, a, s, true, &worst_max);
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "summary");
            json_builder_add_string_value(b, summary_name[s]);
            json_builder_set_member_name(b, "allocator");
            json_builder_add_string_value(b, al->name);
            json_builder_set_member_name(b, "time_geomean");
            json_builder_add_double_value(b, time);
            json_builder_set_member_name(b, "time_worst");
            json_builder_add_double_value(b, worst_time);
            json_builder_set_member_name(b, "max_geomean");
            json_builder_add_double_value(b, max);
            json_builder_set_member_name(b, "max_worst");
            json_builder_add_double_value(b, worst_max);
            json_builder_end_object(b);
        }
    json_builder_end_array(b);
    json_builder_end_object(b);
    JsonGenerator *generator = json_generator_new();
    JsonNode *root = json_builder_get_root(b);
    json_generator_set_root(generator, root);
    json_generator_set_pretty(generator, TRUE);
    GError *error = NULL;
    bool ok = json_generator_to_file(generator, path, &error);
    if (!ok) {
        fprintf(stderr, "bench-report: cannot write %s: %s\n", path, error->message);
        g_error_free(error);
    }
    json_node_unref(root);
    g_object_unref(generator);
    g_object_unref(b);
    return ok;
}

enum { CHART_W = 1100, CHART_H = 520, PANEL_TOP = 60, PANEL_BOTTOM = 440, PANEL_GAP = 60 };

/* The two summaries the chart draws, and their colours. */
static const enum summary chart_summaries[] = {SUMMARY_REAL_TRACES, SUMMARY_TESTERS};
static const double chart_colour[][3] = {{0.16, 0.38, 0.67}, {0.95, 0.60, 0.20}};

/* One panel: per allocator a bar per summary, of its time (or MAX) geomean,
 * labelled with its value; a dashed line at 1 (glibc, or the bound) and at
 * `goal` when > 0. The scale stops at `cap`: a taller bar is cut there, and
 * its label says how tall it is. */
static void draw_panel(cairo_t *cr, const struct bench *bench, double x0, double width, bool max,
                       const char *title, double goal, double cap)
{
    guint na = bench->allocators->len;
    double top = 0;
    for (guint a = 0; a < na; a++)
        for (size_t s = 0; s < G_N_ELEMENTS(chart_summaries); s++) {
            double worst;
            top = fmax(top, summary_geomean(bench, a, chart_summaries[s], max, &worst));
        }
    top = fmin(ceil(fmax(top, goal) * 2 + 0.5) / 2, cap); /* a round scale with room above */
    double height = PANEL_BOTTOM - PANEL_TOP;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 15);
    cairo_move_to(cr, x0, PANEL_TOP - 25);
    cairo_show_text(cr, title);
    cairo_set_font_size(cr, 11);
    for (double tick = 0; tick <= top + 1e-9; tick += top > 4 ? 1 : 0.5) {
        double y = PANEL_BOTTOM - tick / top * height;
        char label[16];
        snprintf(label, sizeof label, "%.1f", tick);
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, x0 + 30, y);
        cairo_line_to(cr, x0 + width, y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, x0, y + 4);
        cairo_show_text(cr, label);
    }
    double group = (width - 40) / na, bar = group * 0.35;
    for (guint a = 0; a < na; a++) {
        const struct allocator *al = g_ptr_array_index(bench->allocators, a);
        double gx = x0 + 40 + a * group;
        for (size_t s = 0; s < G_N_ELEMENTS(chart_summaries); s++) {
            double worst, value = summary_geomean(bench, a, chart_summaries[s], max, &worst);
            if (value <= 0)
                continue;
            double h = fmin(value, top) / top * height;
            cairo_set_source_rgb(cr, chart_colour[s][0], chart_colour[s][1], chart_colour[s][2]);
            cairo_rectangle(cr, gx + s * bar, PANEL_BOTTOM - h, bar - 2, h);
            cairo_fill(cr);
            char label[16];
            snprintf(label, sizeof label, value > top ? "%.1f^" : "%.2f", value);
            cairo_save(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_set_font_size(cr, 9);
            cairo_move_to(cr, gx + s * bar + bar * 0.7, PANEL_BOTTOM - h - 3);
            cairo_rotate(cr, -M_PI / 2);
            cairo_show_text(cr, label);
            cairo_restore(cr);
        }
        if (max && !al->ours && al->preload) { /* mmap allocators: MAX is not seen */
            cairo_save(cr);
            cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
            cairo_set_font_size(cr, 9);
            cairo_move_to(cr, gx + bar * 0.7, PANEL_BOTTOM - 5);
            cairo_rotate(cr, -M_PI / 2);
            cairo_show_text(cr, "not measured (mmap)");
            cairo_restore(cr);
        }
        cairo_save(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, gx + bar * 0.5, PANEL_BOTTOM + 10);
        cairo_rotate(cr, M_PI / 4);
        cairo_show_text(cr, al->name);
        cairo_restore(cr);
    }
    double lines[] = {1.0, goal};
    for (int i = 0; i < 2; i++) {
        if (lines[i] <= 0)
            continue;
        double y = PANEL_BOTTOM - lines[i] / top * height;
        double dash = 5;
        cairo_set_dash(cr, &dash, 1, 0);
        cairo_set_source_rgb(cr, i ? 0.8 : 0.2, 0.1, 0.1);
        cairo_move_to(cr, x0 + 30, y);
        cairo_line_to(cr, x0 + width, y);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
}

bool bench_write_chart(const struct bench *bench, const char *path)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, CHART_W, CHART_H);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    double panel = (CHART_W - 3 * PANEL_GAP) / 2.0;
    draw_panel(cr, bench, PANEL_GAP, panel, false, "CPU time / glibc (geometric mean; goal 1.5)",
               1.5, 4);
    draw_panel(cr, bench, 2 * PANEL_GAP + panel, panel, true, "MAX / header bound (geometric mean)",
               0, 2.5);
    cairo_set_font_size(cr, 12);
    for (size_t s = 0; s < G_N_ELEMENTS(chart_summaries); s++) {
        double x = PANEL_GAP + s * 260, y = CHART_H - 15;
        cairo_set_source_rgb(cr, chart_colour[s][0], chart_colour[s][1], chart_colour[s][2]);
        cairo_rectangle(cr, x, y - 10, 12, 12);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, x + 18, y);
        cairo_show_text(cr, summary_name[chart_summaries[s]] + strlen("geomean, "));
    }
    cairo_destroy(cr);
    cairo_status_t status = cairo_surface_write_to_png(surface, path);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "bench-report: cannot write %s: %s\n", path,
                cairo_status_to_string(status));
        return false;
    }
    return true;
}
