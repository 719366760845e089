#!/bin/sh
# check_traces.sh: integration tests of mreplay and the shipped traces, one scenario per
# ctest entry:
#   check_traces.sh replay      MREPLAY TRACES_DIR            every shipped trace replays OK
#   check_traces.sh bounds      MREPLAY TRACES_DIR            --bounds equal an awk model
#   check_traces.sh malformed   MREPLAY                       bad input: one line, status 2
#   check_traces.sh faults      MREPLAY FAULTY_SO             each fault gets its status
#   check_traces.sh calls       MREPLAY TRACES_DIR FAULTY_SO  mreplay calls malloc only for the trace
#   check_traces.sh generator   GENERATOR TRACES_DIR          the generator rebuilds the shipped traces
#   check_traces.sh catalog     GENERATOR TRACES_DIR          catalog.tsv lists exactly the traces
#   check_traces.sh readme      BIN_DIR TRACES_DIR            README.md is what update-readme writes
#   check_traces.sh preload     MREPLAY TRACES_DIR ALLOC_SO   every trace OK on a strategy
#   check_traces.sh mstats      MREPLAY TRACES_DIR MSTATS STRATEGY
#                                           STATUS OK and PEAK-LIVE == OPTIMAL-REUSE
#   check_traces.sh record      MREPLAY TRACES_DIR MSTATS     record, replay: same bounds
#   check_traces.sh mdriver     MREPLAY TRACE MSTATS ALLOCATOR [ALLOC_SO]
#                                           r/f of empty ids replay (ALLOCATOR: a strategy and
#                                           its .so, or libc), PEAK-LIVE == OPTIMAL-REUSE;
#                                           --strict rejects
#   check_traces.sh extra       MREPLAY MSTATS                lines after the promised
#                                           operations: ignored with one warning, as by
#                                           mdriver; --strict refuses them
#   check_traces.sh linear      MREPLAY GENERATOR [ALLOC_SO]  verifying costs linear bytes
#   check_traces.sh align       MREPLAY FAULTY_SO             --align 8, 16 and the C17 default
#   check_traces.sh realloc-zero MREPLAY MSTATS KEEPS_SO      realloc(p, 0) keeping its block
#                                           changes no call: CALLS are glibc's, STATUS OK
# Exits 0 on success, 1 on failure.
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mstats-traces-test.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# The figure KEY from mreplay's or mstats' report lines "[tool]: KEY: VALUE".
figure() {
    awk -v key="$1" '$2 == key ":" { print $3; exit }' "$2"
}

shipped_traces() {
    ls "$1"/*.rep 2>/dev/null || fail "no .rep files in $1"
}

mode=$1
shift
case "$mode" in
replay)
    mreplay=$1 traces=$2
    for trace in $(shipped_traces "$traces"); do
        "$mreplay" "$trace" >"$scratch/out" 2>"$scratch/err" ||
            fail "$trace: status $?: $(cat "$scratch/err")"
        grep -q ": OK: " "$scratch/out" || fail "$trace: no OK line"
    done
    # All of them in one run: one OK line each, in order, and --stats figures for each.
    # shellcheck disable=SC2046 # one argument per trace
    "$mreplay" --stats $(shipped_traces "$traces") >"$scratch/out" 2>"$scratch/err" ||
        fail "all traces in one run: status $?: $(cat "$scratch/err")"
    [ "$(grep -c ": OK: " "$scratch/out")" -eq "$(shipped_traces "$traces" | wc -l)" ] ||
        fail "all traces in one run: not one OK line per trace"
    [ "$(grep -c "^\[mreplay\]: REPLAY-TIME: [0-9]*\.[0-9]*$" "$scratch/out")" -eq \
        "$(shipped_traces "$traces" | wc -l)" ] || fail "all traces in one run: not one REPLAY-TIME per trace"
    [ "$(grep -c "^\[mreplay\]: REPLAY-NS-PER-OP: [0-9]*\.[0-9]$" "$scratch/out")" -eq \
        "$(shipped_traces "$traces" | wc -l)" ] || fail "all traces in one run: not one REPLAY-NS-PER-OP per trace"
    ;;

bounds)
    # The bounds computed here, independently of the C parser, from the definitions in
    # docs/traces.md: no-reuse sums every a and r size; optimal reuse is the peak of live
    # bytes where r replaces the old size; the -16 variant rounds each block up to 16 (min 16).
    # An id that holds no block has no size: r of it adds a block, f of it changes nothing.
    mreplay=$1 traces=$2
    for trace in $(shipped_traces "$traces") "$(dirname "$0")/mdriver-style.rep"; do
        expected=$(awk '
            function round16(s) { return s == 0 ? 16 : int((s + 15) / 16) * 16 }
            function drop(id) {
                if (id in size) { live -= size[id]; live16 -= round16(size[id]); delete size[id] }
            }
            /^[ \t]*(#|$)/ { next }
            header < 4 { header++; next }
            $1 == "a" || $1 == "r" {
                drop($2)
                size[$2] = $3; live += $3; live16 += round16($3); total += $3
                if (live > peak) peak = live
                if (live16 > peak16) peak16 = live16
            }
            $1 == "f" { drop($2) }
            END { printf "%d %d %d\n", total, peak, peak16 }' "$trace")
        "$mreplay" --bounds "$trace" >"$scratch/out" || fail "$trace: --bounds status $?"
        found="$(figure NO-REUSE "$scratch/out") $(figure OPTIMAL-REUSE "$scratch/out")"
        found="$found $(figure OPTIMAL-REUSE-16 "$scratch/out")"
        [ "$found" = "$expected" ] || fail "$trace: bounds '$found', awk model '$expected'"
        # --bounds alone replays nothing.
        ! grep -q ": OK: " "$scratch/out" || fail "$trace: --bounds replayed the trace"
    done
    ;;

malformed)
    mreplay=$1
    printf '0\n2\n2\n1\na 0 10\nf 0\n' >"$scratch/good.rep"
    printf '0\n2\n3\n1\na 0 10\nf 0\n' >"$scratch/short.rep"
    printf '0\n2\n2\n1\na 0 10\nf 1\n' >"$scratch/dead.rep"
    printf '0\n2\n1\n1\nq 0 10\n' >"$scratch/unknown.rep"
    printf '0\n2\n' >"$scratch/header.rep"
    printf '0\n2\n2\n1\na 0\nf 0\n' >"$scratch/nosize.rep"
    # Malformed by mdriver's own rules: rejected with or without --strict. A free of an id
    # that holds no block (dead.rep) only with --strict: without, it is free(NULL).
    for case in "short.rep:6" "unknown.rep:5" "header.rep:2" "nosize.rep:5" \
        "short.rep:6:--strict" "dead.rep:6:--strict" "nosize.rep:5:--strict"; do
        file=$scratch/${case%%:*} rest=${case#*:}
        line=${rest%%:*} strict=${rest#"$line"}
        strict=${strict#:}
        # The good trace comes first: nothing may be replayed before the bad one is found.
        # shellcheck disable=SC2086 # $strict is empty or one option
        "$mreplay" $strict "$scratch/good.rep" "$file" >"$scratch/out" 2>"$scratch/err"
        status=$?
        [ "$status" -eq 2 ] || fail "$file: status $status, expected 2"
        [ "$(wc -l <"$scratch/err")" -eq 1 ] || fail "$file: not one line: $(cat "$scratch/err")"
        grep -q "^$file:$line: ." "$scratch/err" || fail "$file: not '$file:$line: reason': $(cat "$scratch/err")"
        [ ! -s "$scratch/out" ] || fail "$file: something was replayed: $(cat "$scratch/out")"
    done
    "$mreplay" "$scratch/missing.rep" 2>"$scratch/err"
    status=$?
    if [ "$status" -ne 2 ] || ! grep -q "^$scratch/missing.rep: cannot open" "$scratch/err"; then
        fail "missing file: status $status: $(cat "$scratch/err")"
    fi
    "$mreplay" "$scratch/dead.rep" >"$scratch/out" 2>"$scratch/err" ||
        fail "dead.rep without --strict: status $?: $(cat "$scratch/err")"
    for arguments in "" "--frobnicate $scratch/good.rep" "--align 3 $scratch/good.rep" \
        "--align=32 $scratch/good.rep" "--align" "--align 16"; do
        # shellcheck disable=SC2086 # the arguments are split on purpose
        "$mreplay" $arguments >"$scratch/out" 2>"$scratch/err"
        status=$?
        if [ "$status" -ne 2 ] || [ "$(wc -l <"$scratch/err")" -ne 1 ]; then
            fail "usage error '$arguments': status $status: $(cat "$scratch/err")"
        fi
        [ ! -s "$scratch/out" ] || fail "usage error '$arguments' replayed something"
        case "$arguments" in
        "--align 16") ;; # a good value: the problem is the missing trace
        --align*) grep -q "^mreplay: --align" "$scratch/err" ||
            fail "'$arguments' does not name --align: $(cat "$scratch/err")" ;;
        esac
    done
    "$mreplay" --help | grep -q "^Usage: mreplay" || fail "--help"
    ;;

faults)
    mreplay=$1 faulty=$2
    # Two large blocks live together, one grown by realloc: enough for every fault. A block
    # grown in place is checked only at its edges after the realloc, so in-place-corrupt's
    # damage in the middle is caught by the full check before free.
    printf '0\n2\n5\n1\na 0 2000\na 1 2000\nr 1 4000\nf 0\nf 1\n' >"$scratch/two.rep"
    "$mreplay" "$scratch/two.rep" >/dev/null 2>&1 ||
        fail "the trace fails without faults"
    LD_PRELOAD=$faulty "$mreplay" "$scratch/two.rep" >/dev/null 2>"$scratch/err" ||
        fail "the faulty allocator without a fault fails: $(cat "$scratch/err")"
    for case in overlap:3:"two.rep:8: block id 0 corrupted (checked before free): offset 0 of 2000, expected 0x" \
        no-copy:3:"two.rep:7: block id 1 corrupted (checked after realloc): offset 0 of 2000, expected 0x" \
        misalign:4:"two.rep:5: malloc(2000) for id 0 returned 0x[0-9a-f]*8, which is not 16-byte aligned" \
        null:1:"two.rep:5: malloc(2000) for id 0 returned NULL" \
        in-place-corrupt:3:"two.rep:9: block id 1 corrupted (checked before free): offset 1000 of 4000, expected 0x"; do
        fault=${case%%:*} rest=${case#*:}
        expected_status=${rest%%:*} message=${rest#*:}
        MREPLAY_TEST_FAULT=$fault LD_PRELOAD=$faulty "$mreplay" "$scratch/two.rep" \
            >/dev/null 2>"$scratch/err"
        status=$?
        [ "$status" -eq "$expected_status" ] || fail "$fault: status $status, expected $expected_status"
        [ "$(wc -l <"$scratch/err")" -eq 1 ] || fail "$fault: not one line: $(cat "$scratch/err")"
        grep -q "$message" "$scratch/err" || fail "$fault: '$(cat "$scratch/err")' lacks '$message'"
        if [ "$expected_status" -eq 3 ]; then
            grep -q "found 0x[0-9a-f][0-9a-f]$" "$scratch/err" || fail "$fault: no found byte"
        fi
    done
    ;;

calls)
    # Counted by the test allocator: exactly the trace's calls, plus one free per block the
    # trace leaves live (mreplay frees them at the end). Nothing for mreplay's own use.
    mreplay=$1 traces=$2 counting=$3
    for trace in $(shipped_traces "$traces"); do
        MREPLAY_TEST_COUNT=1 LD_PRELOAD=$counting "$mreplay" --stats "$trace" \
            >"$scratch/out" 2>"$scratch/err" || fail "$trace: status $?"
        frees=$(($(figure FREES "$scratch/out") + $(figure BLOCKS-LIVE-AT-END "$scratch/out")))
        expected="calls: malloc=$(figure MALLOCS "$scratch/out") realloc=$(figure REALLOCS "$scratch/out") free=$frees calloc=0"
        [ "$(cat "$scratch/err")" = "$expected" ] ||
            fail "$trace: allocator saw '$(cat "$scratch/err")', the trace makes '$expected'"
    done
    ;;

generator)
    generator=$1 traces=$2
    "$generator" --all "$scratch" || fail "generator status $?"
    for name in $("$generator" --list); do
        cmp -s "$scratch/$name.rep" "$traces/$name.rep" ||
            fail "$name.rep differs from the generator's output: regenerate with traces/update"
    done
    ;;

catalog)
    generator=$1 traces=$2
    names=$(grep -v '^#' "$traces/catalog.tsv" | cut -f1)
    for trace in $(shipped_traces "$traces"); do
        name=$(basename "$trace" .rep)
        echo "$names" | grep -qx "$name" || fail "$name.rep is not in catalog.tsv"
    done
    synthetic=$(grep -v '^#' "$traces/catalog.tsv" | awk -F '\t' '$2 == "synthetic" { print $1 }')
    [ "$synthetic" = "$("$generator" --list)" ] ||
        fail "catalog.tsv's synthetic traces are not the generator's patterns"
    grep -v '^#' "$traces/catalog.tsv" | awk -F '\t' 'NF != 4 || ($2 != "synthetic" && $2 != "recorded") { exit 1 }' ||
        fail "catalog.tsv: every line needs 4 tab-separated columns, source synthetic or recorded"
    ;;

readme)
    bin=$1 traces=$2
    sh "$traces/update-readme" "$bin" "$scratch/README.md" || fail "update-readme failed"
    diff -u "$traces/README.md" "$scratch/README.md" >&2 ||
        fail "traces/README.md is stale: run traces/update-readme BUILD/bin"
    ;;

preload)
    mreplay=$1 traces=$2 allocator=$3
    for trace in $(shipped_traces "$traces"); do
        LD_PRELOAD=$allocator "$mreplay" "$trace" >/dev/null 2>"$scratch/err" ||
            fail "$trace on $allocator: status $?: $(cat "$scratch/err")"
    done
    ;;

mstats)
    mreplay=$1 traces=$2 mstats=$3 strategy=$4
    for trace in $(shipped_traces "$traces"); do
        "$mreplay" --bounds "$trace" >"$scratch/bounds" || fail "$trace: --bounds failed"
        optimal=$(figure OPTIMAL-REUSE "$scratch/bounds")
        "$mstats" -a "$strategy" "$mreplay" "$trace" >"$scratch/report" 2>&1
        status=$(figure STATUS "$scratch/report")
        peak=$(figure PEAK-LIVE "$scratch/report")
        [ "$status" = OK ] || fail "$trace on $strategy: STATUS $status: $(grep REASON "$scratch/report")"
        [ "$peak" = "$optimal" ] ||
            fail "$trace on $strategy: PEAK-LIVE $peak but the optimal bound is $optimal"
    done
    ;;

record)
    mreplay=$1 traces=$2 mstats=$3
    # Record mreplay replaying TRACE under mstats; the recording must parse and have TRACE's
    # bounds.
    record_keeps_bounds() {
        "$mstats" --record "$scratch/recorded.rep" "$mreplay" "$1" >"$scratch/live" 2>&1 ||
            fail "recording $1: $(cat "$scratch/live")"
        "$mreplay" --bounds "$1" >"$scratch/original" || fail "--bounds $1"
        "$mreplay" --bounds "$scratch/recorded.rep" >"$scratch/recorded" 2>&1 ||
            fail "the recording of $1 does not parse: $(cat "$scratch/recorded")"
        for key in NO-REUSE OPTIMAL-REUSE; do
            [ "$(figure $key "$scratch/original")" = "$(figure $key "$scratch/recorded")" ] ||
                fail "$1: $key differs: original $(figure $key "$scratch/original"), recorded $(figure $key "$scratch/recorded")"
        done
    }
    # Record a replay of a shipped trace and a real program; replaying the recording must
    # give the same bounds (for the trace) and the live run's PEAK-LIVE (for both).
    record_keeps_bounds "$traces/random.rep"
    # A replay that calls realloc(NULL, n) and free(NULL): however the shim records them, the
    # recording reads back (mdriver's rules) with the same bounds.
    record_keeps_bounds "$(dirname "$0")/mdriver-style.rep"
    printf 'b\na\nc\n' >"$scratch/words"
    "$mstats" --record "$scratch/sort.rep" sort "$scratch/words" >"$scratch/live" 2>&1 ||
        fail "recording sort: $(cat "$scratch/live")"
    "$mreplay" --bounds "$scratch/sort.rep" >"$scratch/recorded" 2>&1 ||
        fail "the sort recording does not parse: $(cat "$scratch/recorded")"
    [ "$(figure PEAK-LIVE "$scratch/live")" = "$(figure OPTIMAL-REUSE "$scratch/recorded")" ] ||
        fail "sort: live PEAK-LIVE $(figure PEAK-LIVE "$scratch/live"), replayed bound $(figure OPTIMAL-REUSE "$scratch/recorded")"
    "$mstats" "$mreplay" "$scratch/sort.rep" >"$scratch/replayed" 2>&1 ||
        fail "replaying the sort recording: $(cat "$scratch/replayed")"
    for key in PEAK-LIVE REQUESTED; do
        [ "$(figure $key "$scratch/live")" = "$(figure $key "$scratch/replayed")" ] ||
            fail "sort: live $key $(figure $key "$scratch/live"), replayed $(figure $key "$scratch/replayed")"
    done
    ;;

mdriver)
    # A trace with r and f of ids that hold no block, as recorded from real programs: it
    # replays (realloc(NULL, n), free(NULL)) directly and under mstats, where PEAK-LIVE is the
    # optimal bound and REQUESTED the no-reuse bound; --strict rejects it on its line.
    mreplay=$1 trace=$2 mstats=$3 allocator=$4 preload=${5:-}
    LD_PRELOAD=$preload "$mreplay" --stats --bounds "$trace" >"$scratch/out" 2>"$scratch/err" ||
        fail "$trace on $allocator: status $?: $(cat "$scratch/err")"
    [ "$(figure REALLOCS-OF-EMPTY-IDS "$scratch/out") $(figure FREES-OF-EMPTY-IDS "$scratch/out")" = "2 2" ] ||
        fail "$trace: not 2 reallocs and 2 frees of empty ids: $(cat "$scratch/out")"
    "$mstats" -a "$allocator" "$mreplay" "$trace" >"$scratch/report" 2>&1
    [ "$(figure STATUS "$scratch/report")" = OK ] ||
        fail "$trace under mstats -a $allocator: $(cat "$scratch/report")"
    for pair in PEAK-LIVE:OPTIMAL-REUSE REQUESTED:NO-REUSE; do
        live=$(figure "${pair%%:*}" "$scratch/report") bound=$(figure "${pair#*:}" "$scratch/out")
        [ "$live" = "$bound" ] || fail "$trace on $allocator: ${pair%%:*} $live, ${pair#*:} $bound"
    done
    # Each r is a realloc call, realloc(NULL, n) included: 3 of them, and 2 mallocs (a).
    calls=$(grep "CALLS:" "$scratch/report")
    case "$calls" in
    *"malloc=2 "*"realloc=3 "*) ;;
    *) fail "$trace on $allocator: $calls, expected malloc=2 and realloc=3" ;;
    esac
    "$mreplay" --strict "$trace" >"$scratch/out" 2>"$scratch/err"
    status=$?
    [ "$status" -eq 2 ] || fail "--strict $trace: status $status, expected 2"
    grep -q "^$trace:8: r (realloc) of id 0, which was never allocated" "$scratch/err" ||
        fail "--strict $trace: not '$trace:8: ...': $(cat "$scratch/err")"
    [ ! -s "$scratch/out" ] || fail "--strict $trace: something was replayed"
    ;;

extra)
    # mdriver replays the operations the header promises and never reads a line after them:
    # mreplay neither, with one warning line on stderr naming the file, the first ignored line
    # (11: blank lines and comments are not counted) and how many (3, the last one not even
    # an operation). Under mstats only the promised calls are made. --strict refuses the
    # trace on line 11 in one line; fewer operations than promised is an error either way.
    mreplay=$1 mstats=$2
    extra=$scratch/extra.rep
    printf '0\n3\n4\n1\na 0 10\na 1 20\nf 0\nf 1\n\n# after the count\na 2 30\nr 0 40\nx junk\n' \
        >"$extra"
    warning="$extra:11: warning: ignoring 3 lines after the 4 operations the header promises, as mdriver does (--strict refuses the trace)"
    "$mreplay" --stats "$extra" >"$scratch/out" 2>"$scratch/err" ||
        fail "$extra: status $?: $(cat "$scratch/err")"
    [ "$(cat "$scratch/err")" = "$warning" ] || fail "$extra: warning: $(cat "$scratch/err")"
    grep -q "^mreplay: $extra: OK: 4 operations replayed" "$scratch/out" ||
        fail "$extra: not 4 operations replayed: $(cat "$scratch/out")"
    [ "$(figure MALLOCS "$scratch/out") $(figure REALLOCS "$scratch/out") $(figure FREES "$scratch/out")" = "2 0 2" ] ||
        fail "$extra: figures of ignored lines counted: $(cat "$scratch/out")"
    "$mstats" -a first-fit "$mreplay" "$extra" >"$scratch/report" 2>"$scratch/err"
    [ "$(figure STATUS "$scratch/report")" = OK ] || fail "$extra under mstats: $(cat "$scratch/report")"
    grep -q "CALLS: malloc=2 calloc=0 realloc=0 free=2$" "$scratch/report" ||
        fail "$extra under mstats: calls of ignored lines made: $(grep CALLS "$scratch/report")"
    grep -qxF "$warning" "$scratch/err" || fail "$extra under mstats: no warning: $(cat "$scratch/err")"
    "$mreplay" --strict "$extra" >"$scratch/out" 2>"$scratch/err"
    status=$?
    if [ "$status" -ne 2 ] || [ "$(wc -l <"$scratch/err")" -ne 1 ] || [ -s "$scratch/out" ]; then
        fail "--strict $extra: status $status: $(cat "$scratch/out" "$scratch/err")"
    fi
    grep -q "^$extra:11: more operations than the header (line 3) promises" "$scratch/err" ||
        fail "--strict $extra: $(cat "$scratch/err")"
    printf '0\n3\n5\n1\na 0 10\na 1 20\nf 0\nf 1\n' >"$scratch/fewer.rep"
    for strict in "" --strict; do
        # shellcheck disable=SC2086 # $strict is empty or one option
        "$mreplay" $strict "$scratch/fewer.rep" >"$scratch/out" 2>"$scratch/err"
        status=$?
        if [ "$status" -ne 2 ] || [ "$(wc -l <"$scratch/err")" -ne 1 ]; then
            fail "fewer.rep $strict: status $status: $(cat "$scratch/err")"
        fi
        grep -q "^$scratch/fewer.rep:8: truncated trace: the header (line 3) promises 5 operations but the file ends after 4" "$scratch/err" ||
            fail "fewer.rep $strict: $(cat "$scratch/err")"
    done
    ;;

realloc-zero)
    # C lets realloc(p, 0) return a block (KEEPS_SO's does, as the starter kit's) or free p and
    # return NULL (glibc). mreplay's calls must not depend on it: under mstats the run is OK
    # (the reference run on glibc makes the same calls) and CALLS are those on glibc, whether
    # the trace ends with the id live, frees it, or grows it.
    mreplay=$1 mstats=$2 keeps=$3
    for tail in "" "f 0" "r 0 8"; do
        ops="a 0 24
r 0 0
$tail"
        printf '0\n1\n%s\n1\n%s\n' "$(echo "$ops" | grep -c .)" "$ops" >"$scratch/zero.rep"
        what="a 0 24, r 0 0${tail:+, $tail}"
        for allocator in libc "$keeps"; do
            "$mstats" -a "$allocator" "$mreplay" "$scratch/zero.rep" >"$scratch/report" 2>&1
            [ "$(figure STATUS "$scratch/report")" = OK ] ||
                fail "$what on $allocator: $(cat "$scratch/report")"
            grep "CALLS:" "$scratch/report" >"$scratch/calls-$(basename "$allocator")"
        done
        cmp -s "$scratch/calls-libc" "$scratch/calls-$(basename "$keeps")" ||
            fail "$what: $(cat "$scratch/calls-$(basename "$keeps")") on $keeps, $(cat "$scratch/calls-libc") on glibc"
    done
    ;;

linear)
    # Verifying a replay costs bytes linear in what the trace requests, however it reallocs:
    # realloc-growth grows its buffers 10 times longer at scale 10, so its no-reuse bound
    # grows about 100 times, but the bytes mreplay fills and checks only about 10 times.
    # Every filled byte is checked before it is freed (checked >= filled), and at most the
    # full checks of moved blocks come on top (checked <= 4 filled + 16 per operation).
    mreplay=$1 generator=$2 allocator=${3:-}
    for scale in 1 10; do
        "$generator" --scale $scale realloc-growth "$scratch/growth$scale.rep" ||
            fail "generator status $?"
        LD_PRELOAD=$allocator "$mreplay" --stats --bounds "$scratch/growth$scale.rep" \
            >"$scratch/stats$scale" 2>"$scratch/err" || fail "scale $scale: $(cat "$scratch/err")"
        filled=$(figure BYTES-FILLED "$scratch/stats$scale")
        checked=$(figure BYTES-CHECKED "$scratch/stats$scale")
        ops=$(figure OPERATIONS "$scratch/stats$scale")
        [ "$checked" -ge "$filled" ] || fail "scale $scale: checked $checked < filled $filled"
        [ "$checked" -le $((4 * filled + 16 * ops)) ] ||
            fail "scale $scale: checked $checked > 4 x filled $filled + 16 x $ops operations"
    done
    for key in BYTES-FILLED BYTES-CHECKED; do
        small=$(figure $key "$scratch/stats1") large=$(figure $key "$scratch/stats10")
        [ "$large" -le $((20 * small)) ] || fail "$key: scale 10 $large > 20 x scale 1 $small"
    done
    bound1=$(figure NO-REUSE "$scratch/stats1") bound10=$(figure NO-REUSE "$scratch/stats10")
    [ "$bound10" -ge $((50 * bound1)) ] || fail "realloc-growth no longer grows quadratically"
    ;;

align)
    # The faulty allocator's misalign fault returns blocks of 1000 bytes or more 8 bytes past
    # a 16-byte boundary: the C17 default and --align 16 reject them, --align 8 accepts them.
    mreplay=$1 faulty=$2
    printf '0\n2\n4\n1\na 0 2000\na 1 8\nf 0\nf 1\n' >"$scratch/t.rep"
    for align in "" "--align 16" "--align=16"; do
        # shellcheck disable=SC2086 # $align is empty or one option
        MREPLAY_TEST_FAULT=misalign LD_PRELOAD=$faulty "$mreplay" $align "$scratch/t.rep" \
            >/dev/null 2>"$scratch/err"
        status=$?
        [ "$status" -eq 4 ] || fail "'$align': status $status, expected 4"
        grep -q "t.rep:5: malloc(2000) for id 0 returned 0x[0-9a-f]*8, which is not 16-byte aligned (--align 8 accepts" \
            "$scratch/err" || fail "'$align': $(cat "$scratch/err")"
    done
    MREPLAY_TEST_FAULT=misalign LD_PRELOAD=$faulty "$mreplay" --align 8 "$scratch/t.rep" \
        >/dev/null 2>"$scratch/err" || fail "--align 8: status $?: $(cat "$scratch/err")"
    # align8 makes every block 8-aligned: fine for blocks under 16 bytes by default (C17),
    # for every block with --align 8, for none with --align 16.
    printf '0\n2\n5\n1\na 0 8\na 1 15\nr 0 12\nf 0\nf 1\n' >"$scratch/small.rep"
    MREPLAY_TEST_FAULT=align8 LD_PRELOAD=$faulty "$mreplay" "$scratch/small.rep" \
        >/dev/null 2>"$scratch/err" || fail "C17 default, small blocks: $(cat "$scratch/err")"
    MREPLAY_TEST_FAULT=align8 LD_PRELOAD=$faulty "$mreplay" --align 8 "$scratch/t.rep" \
        "$scratch/small.rep" >/dev/null 2>"$scratch/err" || fail "--align 8: $(cat "$scratch/err")"
    MREPLAY_TEST_FAULT=align8 LD_PRELOAD=$faulty "$mreplay" --align 16 "$scratch/small.rep" \
        >/dev/null 2>"$scratch/err"
    status=$?
    [ "$status" -eq 4 ] || fail "--align 16, small blocks: status $status: $(cat "$scratch/err")"
    grep -q "small.rep:5: malloc(8) for id 0 returned 0x[0-9a-f]*8, which is not 16-byte aligned" \
        "$scratch/err" || fail "--align 16, small blocks: $(cat "$scratch/err")"
    ;;

*)
    fail "unknown mode '$mode'"
    ;;
esac
exit 0
