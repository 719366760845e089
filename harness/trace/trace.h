/*
 * trace.h: the one reader of CS:APP-style .rep allocation traces, shared by every tool
 * (mreplay, mcompare, the tests, the generator).
 *
 * A trace is four header lines (suggested heap size, number of ids, number of operations,
 * weight), then one operation per line: `a ID SIZE` (malloc), `r ID SIZE` (realloc),
 * `f ID` (free; `f -1` frees NULL). Blank lines and `#` comments are allowed anywhere.
 *
 * What r and f mean for an id that holds no block (never allocated, or freed) depends on the
 * rules (enum trace_rules). By default they follow CS:APP's mdriver, which keeps a zeroed
 * pointer per id: `r ID SIZE` is realloc(NULL, SIZE) and `f ID` is free(NULL). Recorded
 * real-program traces rely on this. The strict rules refuse both, for traces written by
 * hand. `a` of a live id is refused under both rules (mdriver would lose the block).
 *
 * mdriver also reads exactly the operations the header promises: lines after them are
 * never read, and some public traces have such lines. mdriver's rules ignore them too
 * (trace_ignored_warning() says how many, from which line); the strict rules refuse the
 * first as an operation the header does not promise. Fewer operations than promised is an
 * error under both.
 *
 * The library is libc-only and never calls malloc: the file is mmap'd and parsed in place,
 * the operations and the liveness table live in anonymous mappings. That lets mreplay, run
 * under the mstats shim, show the heap of the trace alone.
 *
 * Loading validates the whole trace before anyone replays a byte of it: header, every
 * operation line, id ranges, the rules for r and f, and the operation count against the
 * header.
 * The bounds (struct trace_bounds) are computed in the same pass.
 *
 * Files, each depending only on those after it: trace_load.c (files, release, messages),
 * trace_parse.c (header and operation lines), trace_model.c (ids, rules, bounds),
 * trace_scan.c (lines, fields, numbers), trace_memory.c (mappings). trace_write.c writes.
 */
#ifndef MSTATS_TRACE_H
#define MSTATS_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* Limits that keep every table small enough to map, and every sum inside 64 bits. */
#define TRACE_MAX_IDS (1u << 26)
#define TRACE_MAX_SIZE (UINT64_C(1) << 48)

/* The operation kinds, spelled as in the file. */
enum trace_op_kind {
    TRACE_OP_ALLOC = 'a',
    TRACE_OP_REALLOC = 'r',
    TRACE_OP_FREE = 'f',
};

/* One operation. 16 bytes, so a trace of N operations costs 16 N bytes of mapping. */
struct trace_op {
    uint64_t size; /* bytes requested by a and r; 0 for f */
    int32_t id;    /* 0 .. id_count-1; -1 only for `f -1` (free(NULL)) */
    uint32_t kind; /* enum trace_op_kind */
};

/* Which operations a trace may make on an id that holds no block (see the top). */
enum trace_rules {
    /* r is realloc(NULL, SIZE), f is free(NULL), lines after the promised operations are
     * ignored: the default */
    TRACE_RULES_MDRIVER = 0,
    TRACE_RULES_STRICT = 1, /* all three are errors */
};

/*
 * The three bounds (docs/traces.md defines them):
 * - no_reuse: every a and r size summed, the heap if no byte were ever used twice;
 * - optimal_reuse: the most requested bytes live at once (an r replaces the block's old
 *   size by the new one at the moment of the call; an r of an id holding no block adds a
 *   block, an f of one changes nothing), which is what mstats reports as PEAK-LIVE;
 * - optimal_reuse_16: the same peak with each live block rounded up to a multiple of 16
 *   bytes, at least 16 (a 16-byte-aligned allocator handing out unique pointers);
 * - header_8, header_16: the header bound (docs/mcompare.md), the same peak with each live
 *   block counted as trace_header_block(size, H) for an H-byte header, H = 8 and 16: the
 *   figure the shim measures for a run (PEAK-LIVE's sibling).
 */
struct trace_bounds {
    uint64_t no_reuse;
    uint64_t optimal_reuse;
    uint64_t optimal_reuse_16;
    uint64_t header_8;
    uint64_t header_16;
};

/* A parsed, validated trace. Fields are read-only for users. */
struct trace {
    /* Header, as written in the file. */
    uint64_t heap_size_hint;
    uint32_t id_count;
    uint64_t op_count;
    uint64_t weight;

    struct trace_op *ops; /* op_count operations, in file order */

    /* Figures computed while parsing. */
    uint64_t alloc_count, realloc_count, free_count; /* free_count includes f -1 */
    uint64_t empty_realloc_count; /* r of an id holding no block: realloc(NULL, SIZE) */
    uint64_t empty_free_count;    /* f of an id holding no block (not -1): free(NULL) */
    uint32_t ids_used;            /* distinct ids that were ever allocated */
    uint64_t largest_request;     /* largest a or r size */
    uint64_t live_at_end;         /* requested bytes still live after the last operation */
    uint64_t blocks_live_at_end;  /* blocks (ids) still live after the last operation */
    struct trace_bounds bounds;

    /* Under mdriver's rules, the lines after the promised operations that hold anything
     * (not blank, not a comment), none of them read, and the line of the first; 0 and 0
     * when there are none. */
    uint64_t ignored_lines;
    unsigned long ignored_from_line;

    /* The text, kept mapped so that an operation can be traced back to its line. */
    const char *text;
    size_t text_length;

    /* Mappings owned by the trace, released by trace_release(). */
    void *file_mapping;
    size_t file_mapping_size;
    size_t ops_mapping_size;
};

/* Why a trace was rejected: the 1-based line (0 when no line is to blame) and the reason. */
struct trace_error {
    unsigned long line;
    char reason[240];
};

/*
 * Parse and validate LENGTH bytes of TEXT (not necessarily NUL-terminated) into TRACE under
 * RULES. Returns 0 on success; on failure returns -1, fills ERROR and leaves TRACE empty.
 * TEXT must stay valid as long as TRACE is used. Release with trace_release().
 */
int trace_parse_as(const char *text, size_t length, enum trace_rules rules, struct trace *trace,
                   struct trace_error *error);

/* trace_parse_as() under mdriver's rules. */
int trace_parse(const char *text, size_t length, struct trace *trace, struct trace_error *error);

/*
 * Map the file at PATH and parse it as trace_parse_as() does. Returns 0 or -1 with ERROR
 * filled (line 0 for a file that cannot be opened or mapped).
 */
int trace_load_as(const char *path, enum trace_rules rules, struct trace *trace,
                  struct trace_error *error);

/* trace_load_as() under mdriver's rules. */
int trace_load(const char *path, struct trace *trace, struct trace_error *error);

/* Unmap everything TRACE owns and reset it to empty. Safe on an empty trace. */
void trace_release(struct trace *trace);

/* The 1-based line of operation INDEX (0-based) of a parsed TRACE, or 0 if out of range. */
unsigned long trace_line_of_op(const struct trace *trace, uint64_t index);

/*
 * Write the one-line message `PATH:LINE: reason\n` (or `PATH: reason\n` for line 0) into
 * BUFFER of CAPACITY bytes, NUL-terminated and truncated if need be. Returns its length.
 */
size_t trace_error_format(const char *path, const struct trace_error *error, char *buffer,
                          size_t capacity);

/*
 * When TRACE ignored lines (mdriver's rules), fill WARNING with the first ignored line and
 * `warning: ignoring N lines after the M operations the header promises, ...`, for
 * trace_error_format(), and return 1; else return 0.
 */
int trace_ignored_warning(const struct trace *trace, struct trace_error *warning);

/* Bytes a block of SIZE counts for in the header bound with a HEADER-byte header: SIZE +
 * HEADER rounded up to a multiple of 16 (the shim's mstats_header_block). */
static inline uint64_t trace_header_block(uint64_t size, uint64_t header)
{
    return (size + header + 15) & ~(uint64_t)15;
}

/* Bytes a block of SIZE occupies in the rounded optimal bound: a multiple of 16, at least 16. */
static inline uint64_t trace_block_size_16(uint64_t size)
{
    return size == 0 ? 16 : (size + 15) & ~(uint64_t)15;
}

#endif
