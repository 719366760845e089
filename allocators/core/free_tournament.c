/*
 * free_tournament.c - the tournament of first-fit's index (free_tournament.h).
 */
#include "free_tournament.h"

#include <string.h>

void free_tournament_init(struct free_tournament *t)
{
    memset(t->key, 0xff, sizeof t->key);
}

/* All six matches are replayed, without a branch: a first fit takes the
 * lowest block, which wins every match, so most changes reach the top
 * anyway. */
void free_tournament_set(struct free_tournament *t, int leaf, uint32_t ref)
{
    uint32_t *key = t->key, low = ref - 1;
    size_t i = FREE_TOURNAMENT_LEAVES + (size_t)leaf;
    key[i] = low;
    for (; i > 1; i /= 2) {
        uint32_t sibling = key[i ^ 1];
        low = low < sibling ? low : sibling;
        key[i / 2] = low;
    }
}

/* Narrows the range of nodes [i, end) a level at a time, from the leaves
 * up: a right child (odd i) at its left edge is read, since its parent also
 * covers a leaf before the range; every other node's parent lies inside. */
uint32_t free_tournament_lowest_from(const struct free_tournament *t, int leaf)
{
    const uint32_t *key = t->key;
    uint32_t low = UINT32_MAX;
    for (size_t i = FREE_TOURNAMENT_LEAVES + (size_t)leaf, end = 2 * FREE_TOURNAMENT_LEAVES;
         i < end; i /= 2, end /= 2)
        if (i & 1) {
            if (key[i] < low)
                low = key[i];
            i++;
        }
    return low + 1;
}
