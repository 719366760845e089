/* The JSON of a comparison, both ways: written by --format json (and by the
 * jobs --emit-jobs prints), read back by --merge. A cell's figures carry the
 * names of `mstats --json`; each cell also names its `allocator` and
 * `workload`. */
#ifndef MCOMPARE_CELL_JSON_H
#define MCOMPARE_CELL_JSON_H

#include <json-glib/json-glib.h>

#include "comparison.h"
#include "score.h"

#define MCOMPARE_JSON_FORMAT "mcompare-1"

/* The whole document: options, allocators, workloads, cells, summary, score. */
JsonNode *comparison_to_json(const Comparison *comparison, const Score *score);

/* Reads one cell object into `cell` (state, result, output). Returns FALSE
 * with an error naming the missing or mistyped member. */
gboolean cell_from_json(JsonObject *object, Cell *cell, GError **error);

/* Reads a workload entry (name, kind, spec, command and a trace's bounds). */
Workload *workload_from_json(JsonObject *object, GError **error);

/* Reads an allocator entry (name, spec, path). */
AllocatorColumn *allocator_from_json(JsonObject *object, GError **error);

#endif
