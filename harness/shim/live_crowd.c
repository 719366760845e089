/* The crowd's hash table (live_crowd.h). */
#include "live_crowd.h"

#include <stddef.h>
#include <sys/mman.h>

#define CROWD_FIRST_CAPACITY 256 /* one page of entries */

/* The home place of `start`: Fibonacci hashing, the product's top bits. */
static uint64_t home(const LiveCrowd *crowd, uintptr_t start)
{
    unsigned bits = (unsigned)__builtin_ctzll(crowd->capacity);
    return ((uint64_t)start * 0x9e3779b97f4a7c15ULL) >> (64 - bits);
}

/* The place holding `start`, or the empty place where it would go. */
static uint64_t place_of(const LiveCrowd *crowd, uintptr_t start)
{
    uint64_t mask = crowd->capacity - 1;
    uint64_t i = home(crowd, start);
    while (crowd->entries[i].start != 0 && crowd->entries[i].start != start)
        i = (i + 1) & mask;
    return i;
}

/* Moves every entry into a table of twice the places (the first one when
 * there is none). False, with nothing changed, when mmap fails. */
static bool grow(LiveCrowd *crowd)
{
    uint64_t capacity = crowd->capacity == 0 ? CROWD_FIRST_CAPACITY : 2 * crowd->capacity;
    size_t bytes = capacity * sizeof(LiveCrowdEntry);
    void *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return false;
    LiveCrowd grown = {map, capacity, crowd->count};
    for (uint64_t i = 0; i < crowd->capacity; i++)
        if (crowd->entries[i].start != 0)
            grown.entries[place_of(&grown, crowd->entries[i].start)] = crowd->entries[i];
    if (crowd->entries != NULL)
        munmap(crowd->entries, crowd->capacity * sizeof(LiveCrowdEntry));
    *crowd = grown;
    return true;
}

bool live_crowd_put(LiveCrowd *crowd, uintptr_t start, uint32_t size, uint32_t id)
{
    if (2 * (crowd->count + 1) > crowd->capacity && !grow(crowd))
        return false;
    crowd->entries[place_of(crowd, start)] = (LiveCrowdEntry){start, size, id};
    crowd->count++;
    return true;
}

LiveCrowdEntry live_crowd_get(const LiveCrowd *crowd, uintptr_t start)
{
    return crowd->entries[place_of(crowd, start)];
}

LiveCrowdEntry live_crowd_take(LiveCrowd *crowd, uintptr_t start)
{
    uint64_t mask = crowd->capacity - 1;
    uint64_t hole = place_of(crowd, start);
    LiveCrowdEntry taken = crowd->entries[hole];
    crowd->entries[hole].start = 0;
    crowd->count--;
    /* Every entry of the run after the hole whose home is not cyclically in
     * (hole, i] would no longer be found past the hole: it moves into it. */
    for (uint64_t i = (hole + 1) & mask; crowd->entries[i].start != 0; i = (i + 1) & mask) {
        uint64_t at = home(crowd, crowd->entries[i].start);
        bool reachable = hole < i ? (at > hole && at <= i) : (at > hole || at <= i);
        if (!reachable) {
            crowd->entries[hole] = crowd->entries[i];
            crowd->entries[i].start = 0;
            hole = i;
        }
    }
    return taken;
}
