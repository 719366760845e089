/* --format json: the comparison document of cell_json.c, pretty-printed. */
#include "cell_json.h"
#include "format.h"

char *format_json(const Comparison *comparison, const Score *score)
{
    g_autoptr(JsonNode) root = comparison_to_json(comparison, score);
    g_autoptr(JsonGenerator) generator = json_generator_new();
    json_generator_set_root(generator, root);
    json_generator_set_pretty(generator, TRUE);
    g_autofree char *text = json_generator_to_data(generator, NULL);
    return g_strconcat(text, "\n", NULL);
}
