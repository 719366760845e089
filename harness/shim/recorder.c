/* Recording (mstats --record): every operation of the measured process, in
 * order, written as fixed-size records into a memfd the runner created and
 * sized. The mapping is shared, so what is written survives a crash or an
 * exec; the count in the region says how much is valid. Ids follow the .rep
 * rule: one per live block, the smallest free id is reused, so the number of
 * ids equals the peak number of live blocks.
 */
#include <sys/mman.h>

#include "shim.h"

/* At most this many blocks live at once while recording (a bitmap of 32 MiB
 * reserved, touched as ids are used). */
#define RECORDER_MAX_IDS (1u << 28)

void recorder_start(int fd)
{
    Recorder *r = &shim.recorder;
    void *ops = mmap(NULL, MSTATS_RECORD_CAPACITY, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *ids = mmap(NULL, RECORDER_MAX_IDS / 8, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ops == MAP_FAILED || ids == MAP_FAILED || !live_index_reserve_ids(&shim.live)) {
        shim.region->record_truncated = 1;
        return;
    }
    r->ops = ops;
    r->capacity = MSTATS_RECORD_CAPACITY / sizeof(MstatsRecordedOp);
    r->used_ids = ids;
    r->id_limit = RECORDER_MAX_IDS;
    r->lowest_free = 0;
    shim.recording = true;
}

uint32_t recorder_take_id(void)
{
    Recorder *r = &shim.recorder;
    /* Invariant: every id below lowest_free is in use; scan a word at a time. */
    for (uint32_t word = r->lowest_free / 64; word < r->id_limit / 64; word++) {
        uint64_t bits = r->used_ids[word];
        if (word == r->lowest_free / 64)
            bits |= (1ULL << (r->lowest_free % 64)) - 1;
        if (bits != ~0ULL) {
            uint32_t id = word * 64 + (uint32_t)__builtin_ctzll(~bits);
            r->used_ids[word] |= 1ULL << (id % 64);
            r->lowest_free = id + 1;
            if (id + 1 > shim.region->record_ids)
                shim.region->record_ids = id + 1;
            return id;
        }
    }
    shim.recording = false;
    shim.region->record_truncated = 1;
    return 0;
}

void recorder_release_id(uint32_t id)
{
    Recorder *r = &shim.recorder;
    r->used_ids[id / 64] &= ~(1ULL << (id % 64));
    if (id < r->lowest_free)
        r->lowest_free = id;
}

void recorder_log(MstatsOpKind kind, MstatsFunction fn, uint32_t id, uint64_t size,
                  uintptr_t pointer)
{
    Recorder *r = &shim.recorder;
    uint64_t n = shim.region->record_ops;
    if (n >= r->capacity) {
        shim.recording = false;
        shim.region->record_truncated = 1;
        return;
    }
    r->ops[n] = (MstatsRecordedOp){
        .kind = (uint16_t)kind,
        .function = (uint16_t)fn,
        .id = id,
        .size = size,
        .offset = pointer ? pointer - shim.heap_start : 0,
        .heap = shim.figures->heap_now, /* a free's is settled after it: recorder_settle_heap */
    };
    __atomic_store_n(&shim.region->record_ops, n + 1, __ATOMIC_RELEASE);
}

void recorder_settle_heap(void)
{
    uint64_t n = shim.region->record_ops;
    if (n > 0)
        shim.recorder.ops[n - 1].heap = shim.figures->heap_now;
}
