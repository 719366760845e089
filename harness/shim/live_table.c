/* The live table's memory: mmap'd slot arrays, grown by doubling. */
#include "live_table.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim.h"

#define LIVE_TABLE_FIRST_CAPACITY (1u << 16)

static LiveBlock *map_slots(uint64_t capacity)
{
    void *slots = mmap(NULL, capacity * sizeof(LiveBlock), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return slots == MAP_FAILED ? NULL : slots;
}

bool live_table_init(LiveTable *table)
{
    table->slots = map_slots(LIVE_TABLE_FIRST_CAPACITY);
    table->mask = LIVE_TABLE_FIRST_CAPACITY - 1;
    table->count = 0;
    return table->slots != NULL;
}

void live_table_grow(LiveTable *table)
{
    uint64_t old_capacity = table->mask + 1;
    LiveBlock *old_slots = table->slots;
    LiveBlock *slots = map_slots(old_capacity * 2);
    if (slots == NULL)
        violation_exit(67, "statistics could not be collected: out of memory for the live table");
    table->slots = slots;
    table->mask = old_capacity * 2 - 1;
    table->count = 0;
    for (uint64_t i = 0; i < old_capacity; i++)
        if (old_slots[i].pointer != 0)
            live_table_insert(table, old_slots[i].pointer, old_slots[i].size, old_slots[i].id);
    munmap(old_slots, old_capacity * sizeof(LiveBlock));
}
