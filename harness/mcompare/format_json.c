/* --format json: the comparison document of cell_json.c, pretty-printed. */
#include "cell_json.h"
#include "format.h"
#include "json_member.h"

char *format_json(const Comparison *comparison, const Score *score)
{
    g_autoptr(JsonNode) root = comparison_to_json(comparison, score);
    return json_node_to_text(root);
}
