#!/bin/sh
# run-under-mstats.sh MSTATS ALLOCATOR PROGRAM EXPECTATION [MSTATS_OPTION...]
#
# Runs PROGRAM under `mstats -a ALLOCATOR [MSTATS_OPTION...]` (without
# options: the default 30 s timeout and memory limit) and checks the verdict
# against EXPECTATION:
#   ok        mstats exits 0, its first report line is exactly
#             "[mstats]: STATUS: OK", and the program printed its one result
#             line ("<program>: ...") without FAILED;
#   segfault  mstats exits 1, reports "[mstats]: STATUS: FAILED=(11)" (core
#             dumps are switched off, so the raw wait status is the signal
#             number) and a REASON line with code 11;
#   memory-limit  mstats exits 1, reports a FAILED status and a REASON line
#             with code 68 (the heap grew past the memory limit), and the
#             program printed no success line.
# Prints what it saw when the check fails; exits 0 on success, 1 otherwise,
# 2 on a usage error.
set -u

if [ $# -lt 4 ]; then
    echo "usage: $0 MSTATS ALLOCATOR PROGRAM ok|segfault|memory-limit [MSTATS_OPTION...]" >&2
    exit 2
fi
mstats=$1 allocator=$2 program=$3 expectation=$4
shift 4
name=$(basename "$program")

# A core dump would turn the wait status 11 into 139. (dash and bash, the
# shells ctest meets as sh, both have ulimit -c.)
# shellcheck disable=SC3045
ulimit -c 0
output=$("$mstats" -a "$allocator" "$@" "$program" 2>&1)
status=$?

fail() {
    echo "FAIL: $name under $allocator: $1"
    echo "--- mstats exit status $status, output:"
    printf '%s\n' "$output"
    exit 1
}

first_report=$(printf '%s\n' "$output" | grep -m1 '^\[mstats\]: ')
case $expectation in
ok)
    [ "$status" -eq 0 ] || fail "mstats exited $status, not 0"
    [ "$first_report" = "[mstats]: STATUS: OK" ] || fail "first report line is '$first_report'"
    result=$(printf '%s\n' "$output" | grep "^$name: ")
    [ -n "$result" ] || fail "no result line starting with '$name: '"
    case $result in
    *FAILED*) fail "the program reported a failure" ;;
    esac
    ;;
segfault)
    [ "$status" -eq 1 ] || fail "mstats exited $status, not 1"
    [ "$first_report" = "[mstats]: STATUS: FAILED=(11)" ] ||
        fail "first report line is '$first_report', not STATUS: FAILED=(11)"
    printf '%s\n' "$output" | grep -q '^\[mstats\]: REASON: 11 ' ||
        fail "no '[mstats]: REASON: 11 ...' line"
    ;;
memory-limit)
    [ "$status" -eq 1 ] || fail "mstats exited $status, not 1"
    case $first_report in
    "[mstats]: STATUS: FAILED="*) ;;
    *) fail "first report line is '$first_report', not STATUS: FAILED=..." ;;
    esac
    printf '%s\n' "$output" | grep -q '^\[mstats\]: REASON: 68 ' ||
        fail "no '[mstats]: REASON: 68 ...' line (the memory limit)"
    result=$(printf '%s\n' "$output" | grep "^$name: ")
    case $result in
    "" | *FAILED*) ;;
    *) fail "the program printed a success line although it ran out of memory" ;;
    esac
    ;;
*)
    echo "$0: unknown expectation '$expectation' (use ok, segfault or memory-limit)" >&2
    exit 2
    ;;
esac
echo "PASS: $name under $allocator: $expectation"
