#!/bin/sh
# self_check.sh: can this machine grade? setup.sh runs it when the image is
# built. It builds the starter allocator (starter-alloc.c) with the course's
# Makefile, runs it on tester-1 under mstats and prints the STATUS, SANDBOX
# and WITNESS lines, then grades that run with the rubric's own [grading]
# requirements (sandbox, witness, verify, align). It exits 1 when tester-1
# earns nothing: every submission would then score 0 on this machine.
#
# MSTATS_BUILD: the mstats build (default: mstats/build in this folder).
set -u
bundle=$(cd "$(dirname "$0")" && pwd)
build=${MSTATS_BUILD:-$bundle/mstats/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$bundle/starter-alloc.c" "$work/alloc.c"
if ! make -s -C "$work" -f "$bundle/Makefile" alloc.so >"$work/build.log" 2>&1; then
    cat "$work/build.log"
    echo "[self-check]: FAILED: the starter allocator does not build"
    exit 1
fi

"$build/bin/mstats" -a "$work/alloc.so" "$build/bin/tester-1" >"$work/mstats.txt" 2>&1
status=$?
lines() { grep -E "^\[mstats\]: ($1):" "$work/mstats.txt"; }
lines STATUS
lines SANDBOX || echo "[self-check]: SANDBOX: no SANDBOX line: mstats contained the run"
lines 'WITNESS|COMPLETION|REASON'
if [ "$status" -ne 0 ]; then
    cat "$work/mstats.txt"
    echo "[self-check]: FAILED: mstats exited $status on tester-1"
    exit 1
fi

# The rubric's [grading] section, with tester-1 as its only workload.
awk '/^\[/ { keep = ($0 == "[grading]") } keep' "$bundle/course.ini" >"$work/check.ini"
printf '\n[tester-1]\npoints = 1\n' >>"$work/check.ini"
if ! "$build/bin/mcompare" -q --rubric "$work/check.ini" -a "$work/alloc.so" --pass 1 \
    -o /dev/null; then
    echo "[self-check]: FAILED: the rubric gives the starter allocator nothing on tester-1 here"
    exit 1
fi
echo "[self-check]: OK: this machine can grade with course.ini"
