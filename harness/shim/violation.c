/* Ending the program when a check fires, and the words that say why. The
 * reason is built in a fixed buffer because stdio may call malloc, which is
 * exactly what must not happen while the shim is reporting a broken malloc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "violation.h"

void violation_record(int code, const char *reason)
{
    uint32_t unclaimed = 0;
    MstatsRegion *region = shim.region;
    if (shim.process != NULL &&
        __atomic_compare_exchange_n(&region->code_claimed, &unclaimed, 1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        /* The run's first finding, in whichever measured process it was. */
        size_t n = strlen(reason);
        if (n >= MSTATS_REASON_MAX)
            n = MSTATS_REASON_MAX - 1;
        memcpy(region->reason, reason, n);
        region->reason[n] = '\0';
        region->code_process = (int32_t)(shim.process - region->processes);
        __atomic_store_n(&region->code, code, __ATOMIC_RELEASE);
    } else {
        /* A process mstats does not measure, or a later finding: say it on
         * stderr, where the user can see it. */
        char words[MSTATS_REASON_MAX];
        struct text_buffer line;
        text_init(&line, words, sizeof words);
        text_add(&line, "[mstats-shim]: ");
        text_add_u64(&line, (uint64_t)code);
        text_add(&line, " ");
        text_add(&line, reason);
        text_add(&line, "\n");
        ssize_t ignored = write(STDERR_FILENO, words, line.length);
        (void)ignored;
    }
}

void violation_exit(int code, const char *reason)
{
    violation_record(code, reason);
    _exit(code);
}

/* "calloc(16, 64)": the call as the program made it. */
void describe_call(struct text_buffer *r, const Call *call)
{
    text_add(r, mstats_function_name(call->fn));
    text_add(r, "(");
    switch (call->fn) {
    case MSTATS_FN_CALLOC:
        text_add_u64(r, call->count);
        text_add(r, ", ");
        text_add_u64(r, call->count ? call->size / call->count : 0);
        break;
    case MSTATS_FN_REALLOC:
        text_add_hex(r, call->old, 1);
        text_add(r, ", ");
        text_add_u64(r, call->size);
        break;
    case MSTATS_FN_REALLOCARRAY:
        text_add_hex(r, call->old, 1);
        text_add(r, ", ");
        text_add_u64(r, call->count);
        text_add(r, ", ");
        text_add_u64(r, call->count ? call->size / call->count : 0);
        break;
    case MSTATS_FN_POSIX_MEMALIGN:
    case MSTATS_FN_ALIGNED_ALLOC:
    case MSTATS_FN_MEMALIGN:
        text_add_u64(r, call->alignment);
        text_add(r, ", ");
        text_add_u64(r, call->size);
        break;
    case MSTATS_FN_FREE:
        text_add_hex(r, call->old, 1);
        break;
    default:
        text_add_u64(r, call->size);
        break;
    }
    text_add(r, ")");
}

static void add_range(struct text_buffer *r, uintptr_t from, uintptr_t to)
{
    text_add(r, "[");
    text_add_hex(r, from, 1);
    text_add(r, ", ");
    text_add_hex(r, to, 1);
    text_add(r, ")");
}

/* Parses a hexadecimal number at *text, advancing past it. */
static uintptr_t parse_hex(const char **text)
{
    uintptr_t value = 0;
    for (;; (*text)++) {
        char c = **text;
        unsigned digit = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                         : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                                                : 16;
        if (digit == 16)
            return value;
        value = value * 16 + digit;
    }
}

/* One line of /proc/self/maps: the range and the path (empty: anonymous). */
typedef struct {
    uintptr_t from, to;
    char path[256];
} Mapping;

static void parse_mapping(const char *line, Mapping *m)
{
    const char *cursor = line;
    m->from = parse_hex(&cursor);
    if (*cursor == '-')
        cursor++;
    m->to = parse_hex(&cursor);
    /* The path follows four fields after the range: perms, offset, dev, inode. */
    for (int field = 1; field <= 4 && *cursor != '\0'; field++) {
        while (*cursor == ' ')
            cursor++;
        while (*cursor != ' ' && *cursor != '\0')
            cursor++;
    }
    while (*cursor == ' ')
        cursor++;
    size_t n = strlen(cursor);
    if (n >= sizeof m->path)
        n = sizeof m->path - 1;
    memcpy(m->path, cursor, n);
    m->path[n] = '\0';
}

/* Says what mapping `m` (not a loaded file's segment) is. */
static void describe_mapping(struct text_buffer *r, const Mapping *m)
{
    const char *path = m->path;
    if (*path == '\0') {
        text_add(r, "in memory from mmap");
    } else if (strcmp(path, "[stack]") == 0) {
        text_add(r, "on the stack");
    } else if (strcmp(path, "[heap]") == 0) {
        /* Above the shim's break, since the kernel's heap starts at its start. */
        text_add(r, "in the kernel's heap above the break that sbrk and brk set, moved there "
                    "some other way (glibc's __sbrk, the brk system call)");
    } else if (*path == '[') {
        text_add(r, "in ");
        text_add(r, path);
    } else {
        const char *name = strrchr(path, '/');
        text_add(r, "in the static data of ");
        text_add(r, name != NULL ? name + 1 : path);
    }
}

/* The loaded file (program or library) one of whose segments, .bss
 * included, holds an address. */
typedef struct {
    uintptr_t address;
    const char *name; /* NULL: none does */
} ObjectSearch;

static int find_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    ObjectSearch *search = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        uintptr_t from = info->dlpi_addr + segment->p_vaddr;
        if (segment->p_type == PT_LOAD && search->address >= from &&
            search->address - from < segment->p_memsz) {
            const char *name = info->dlpi_name;
            search->name = name != NULL && *name != '\0' ? name : program_invocation_name;
            return 1;
        }
    }
    return 0;
}

/* Says where `address` lies (a static array of a loaded file, found from its
 * program headers; else the stack or an mmap region, from /proc/self/maps),
 * with no allocation. */
static void describe_where(struct text_buffer *r, uintptr_t address)
{
    ObjectSearch search = {address, NULL};
    dl_iterate_phdr(find_object, &search);
    if (search.name != NULL) {
        const char *name = strrchr(search.name, '/');
        text_add(r, "in the static data of ");
        text_add(r, name != NULL ? name + 1 : search.name);
        return;
    }
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    char chunk[4096], line[512];
    size_t used = 0;
    Mapping current = {0};
    bool found = false;
    ssize_t n;
    while (fd >= 0 && !found && (n = read(fd, chunk, sizeof chunk)) > 0) {
        for (ssize_t i = 0; i < n && !found; i++) {
            if (chunk[i] != '\n') {
                if (used < sizeof line - 1)
                    line[used++] = chunk[i];
                continue;
            }
            line[used] = '\0';
            used = 0;
            parse_mapping(line, &current);
            found = address >= current.from && address < current.to;
        }
    }
    if (fd >= 0)
        close(fd);
    if (found)
        describe_mapping(r, &current);
    else
        text_add(r, "in no mapping at all");
}

void fail_limit(uint64_t heap, const char *where, const Call *call)
{
    char words[MSTATS_REASON_MAX];
    struct text_buffer r;
    text_init(&r, words, sizeof words);
    text_add(&r, "heap grew to ");
    text_add_u64(&r, heap);
    text_add(&r, " bytes, past the memory limit of ");
    text_add_u64(&r, shim.memory_limit);
    text_add(&r, " bytes ");
    text_add(&r, where);
    if (call != NULL)
        describe_call(&r, call);
    violation_exit(MSTATS_CODE_MEMORY_LIMIT, words);
}

void fail_block(int code, const Call *call, uintptr_t p, uintptr_t brk, uintptr_t clash)
{
    char words[MSTATS_REASON_MAX];
    struct text_buffer r;
    text_init(&r, words, sizeof words);
    uint64_t extent = call->size;
    if (code == MSTATS_CODE_OUTSIDE_HEAP) {
        text_add(&r, "pointer ");
        text_add_hex(&r, p, 1);
        text_add(&r, " outside the heap ");
        add_range(&r, shim.heap_start, brk);
        text_add(&r, " returned by ");
        describe_call(&r, call);
        text_add(&r, ": it lies ");
        describe_where(&r, p);
        text_add(&r,
                 brk == shim.heap_start ? " and the heap is empty (sbrk was never called)" : "");
        text_add(&r, "; blocks must come from the heap that sbrk grows");
        violation_exit(code, words);
    } else if (code == MSTATS_CODE_PAST_HEAP_END) {
        text_add(&r, "block ");
        add_range(&r, p, p + extent);
        text_add(&r, " runs past the heap end ");
        text_add_hex(&r, brk, 1);
    } else if (code == MSTATS_CODE_MISALIGNED) {
        text_add(&r, "pointer ");
        text_add_hex(&r, p, 1);
        text_add(&r, " not aligned to ");
        text_add_u64(&r, call->alignment);
        text_add(&r, " bytes");
    } else {
        text_add(&r, "block ");
        add_range(&r, p, p + extent);
        text_add(&r, " overlaps live block");
        LiveBlock other;
        if (live_index_find(&shim.live, clash, &other)) {
            text_add(&r, " ");
            add_range(&r, other.start, other.start + other.size);
        } else {
            text_add(&r, " at ");
            text_add_hex(&r, clash, 1);
        }
    }
    text_add(&r, " returned by ");
    describe_call(&r, call);
    violation_exit(code, words);
}

void fail_not_live(const Call *call)
{
    char words[MSTATS_REASON_MAX];
    struct text_buffer r;
    text_init(&r, words, sizeof words);
    describe_call(&r, call);
    uintptr_t p = call->old;
    LiveBlock inside;
    if (live_index_containing(&shim.live, p, &inside)) {
        text_add(&r, " of a pointer inside live block ");
        add_range(&r, inside.start, inside.start + inside.size);
    } else if (live_index_covers(&shim.live, p) && p % (1u << shim.live.shift) == 0 &&
               live_index_was_start(&shim.live, p)) {
        text_add(&r, " of a block already freed");
    } else {
        text_add(&r, " of a pointer the allocator never returned");
    }
    violation_exit(MSTATS_CODE_INVALID_FREE, words);
}

void fail_missing(const char *function, const Call *call)
{
    char words[MSTATS_REASON_MAX];
    struct text_buffer r;
    text_init(&r, words, sizeof words);
    text_add(&r, "allocator lacks ");
    text_add(&r, function);
    text_add(&r, ", needed for ");
    describe_call(&r, call);
    violation_exit(MSTATS_CODE_MISSING_FUNCTION, words);
}
