#!/bin/sh
# check-options.sh MSTATS PROGRAM VERSION
#
# Checks the command line every tester shares (tester_options in
# testers/tester.c), for one tester:
#   --help     exits 0, prints "usage: NAME [--help | --version]" and a line
#              saying what it exercises, runs no workload (no result line),
#              and under mstats takes at most 64 KiB of heap;
#   --version  exits 0 and prints exactly "NAME (mstats) VERSION";
#   --bogus    exits 26 (TESTER_EXIT_SETUP) with one line on stderr naming
#              the argument, and nothing on stdout.
# Exits 0 when all hold, 1 otherwise, 2 on a usage error.
set -u

if [ $# -ne 3 ]; then
    echo "usage: $0 MSTATS PROGRAM VERSION" >&2
    exit 2
fi
mstats=$1 program=$2 version=$3
name=$(basename "$program")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mstats-tester-options.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

fail() {
    echo "FAIL: $name: $1"
    for file in "$scratch"/*; do
        [ -s "$file" ] && { echo "--- ${file##*/}:"; cat "$file"; }
    done
    exit 1
}

"$program" --help >"$scratch/help.out" 2>"$scratch/help.err"
status=$?
[ "$status" -eq 0 ] || fail "--help exited $status, not 0"
[ "$(sed -n 1p "$scratch/help.out")" = "usage: $name [--help | --version]" ] ||
    fail "--help's first line is not 'usage: $name [--help | --version]'"
grep -q '^Exercises the preloaded malloc: ..*\.$' "$scratch/help.out" ||
    fail "--help does not say what the tester exercises"
grep -q "^$name: " "$scratch/help.out" && fail "--help ran the workload (a result line)"
[ -s "$scratch/help.err" ] && fail "--help wrote to stderr"

"$mstats" -a first-fit "$program" --help >"$scratch/mstats.out" 2>&1
status=$?
[ "$status" -eq 0 ] || fail "mstats -a first-fit $name --help exited $status"
max=$(sed -n 's/^\[mstats\]: MAX: //p' "$scratch/mstats.out")
[ -n "$max" ] && [ "$max" -le 65536 ] ||
    fail "--help under mstats took a heap of '$max' bytes, more than 64 KiB"

"$program" --version >"$scratch/version.out" 2>"$scratch/version.err"
status=$?
[ "$status" -eq 0 ] || fail "--version exited $status, not 0"
[ "$(cat "$scratch/version.out")" = "$name (mstats) $version" ] ||
    fail "--version did not print exactly '$name (mstats) $version'"

"$program" --bogus >"$scratch/bogus.out" 2>"$scratch/bogus.err"
status=$?
[ "$status" -eq 26 ] || fail "--bogus exited $status, not 26"
[ -s "$scratch/bogus.out" ] && fail "--bogus wrote to stdout"
[ "$(wc -l <"$scratch/bogus.err")" -eq 1 ] && grep -q "'--bogus'" "$scratch/bogus.err" ||
    fail "--bogus did not give one line on stderr naming '--bogus'"
echo "PASS: $name answers --help, --version and rejects --bogus"
