/* Shorthands for json-glib builders: one named member each. Shared by the
 * mstats report and mcompare's cells. */
#ifndef MSTATS_JSON_MEMBER_H
#define MSTATS_JSON_MEMBER_H

#include <json-glib/json-glib.h>

#include "region_layout.h"

static inline void json_member_int(JsonBuilder *b, const char *name, gint64 value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

static inline void json_member_double(JsonBuilder *b, const char *name, double value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_double_value(b, value);
}

static inline void json_member_bool(JsonBuilder *b, const char *name, gboolean value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, value);
}

/* A string member, or null for NULL. */
static inline void json_member_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value != NULL)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static inline void json_member_null(JsonBuilder *b, const char *name)
{
    json_builder_set_member_name(b, name);
    json_builder_add_null_value(b);
}

/* The header bound as {"8": N, "16": M}: one member per header size
 * (region_layout.h's mstats_header_size), or null for NULL. */
static inline void json_member_header_bound(JsonBuilder *b, const char *name, const guint64 *bounds)
{
    json_builder_set_member_name(b, name);
    if (bounds == NULL) {
        json_builder_add_null_value(b);
        return;
    }
    json_builder_begin_object(b);
    for (int h = 0; h < MSTATS_HEADER_BOUNDS; h++) {
        char key[8];
        g_snprintf(key, sizeof key, "%u", (unsigned)mstats_header_size(h));
        json_member_int(b, key, (gint64)bounds[h]);
    }
    json_builder_end_object(b);
}

/* `root` as pretty-printed text ending in a newline (freed by the caller). */
static inline char *json_node_to_text(JsonNode *root)
{
    g_autoptr(JsonGenerator) generator = json_generator_new();
    json_generator_set_root(generator, root);
    json_generator_set_pretty(generator, TRUE);
    g_autofree char *text = json_generator_to_data(generator, NULL);
    return g_strconcat(text, "\n", NULL);
}

/* The builder's value as json_node_to_text gives it. */
static inline char *json_builder_to_text(JsonBuilder *b)
{
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    return json_node_to_text(root);
}

#endif
