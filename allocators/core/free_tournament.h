/*
 * free_tournament.h - a tournament (a winner tree) over 64 leaves: which leaf
 * holds the lowest address, among all leaves or those from a given one on.
 *
 * First-fit's index (free_index.h) gives each of its bins a leaf, holding the
 * bin's lowest address, and its main tree one. Every block in the bins of a
 * small request's size or more, and in the tree, fits the request, so the
 * lowest address among the leaves from that size's bin on is the first fit.
 * The tournament is a complete binary tree in an array: node i's children are
 * 2i and 2i+1, leaf j is node FREE_TOURNAMENT_LEAVES + j, and every node
 * holds the lower of its children. Setting a leaf replays the six matches
 * above it, O(log leaves) = 6; a query reads at most two nodes a level.
 * Addresses are refs (free_bin.h: 0 is none, and a lower ref is a lower
 * address).
 */
#ifndef MSTATS_FREE_TOURNAMENT_H
#define MSTATS_FREE_TOURNAMENT_H

#include <stdint.h>

enum { FREE_TOURNAMENT_LEAVES = 64 };

struct free_tournament {
    /* Node i's lowest ref minus one: an empty leaf (ref 0) holds UINT32_MAX,
     * so the plain minimum of two nodes is the lower address. Node 0 is not
     * used. */
    uint32_t key[2 * FREE_TOURNAMENT_LEAVES];
};

/* A tournament whose every leaf is empty. */
void free_tournament_init(struct free_tournament *t);

/* Sets leaf `leaf` (0 to FREE_TOURNAMENT_LEAVES - 1) to `ref` (0: empty) and
 * replays the matches above it. */
void free_tournament_set(struct free_tournament *t, int leaf, uint32_t ref);

/* The ref at leaf `leaf` (0: empty). */
static inline uint32_t free_tournament_leaf(const struct free_tournament *t, int leaf)
{
    return t->key[FREE_TOURNAMENT_LEAVES + leaf] + 1;
}

/* The lowest ref among the leaves from `leaf` on, 0 when they are all
 * empty. O(log leaves). */
uint32_t free_tournament_lowest_from(const struct free_tournament *t, int leaf);

#endif
