#!/bin/sh
# expect-tester-failure.sh FAULTY_MALLOC FAULT PROGRAM CODE
#
# Runs PROGRAM directly with FAULTY_MALLOC preloaded and TESTER_FAULT=FAULT,
# and checks that the tester caught the fault: it exits with exactly CODE
# (see testers/tester.h) and its one result line says FAILED. Exits 0 when
# so, 1 otherwise, 2 on a usage error.
set -u

if [ $# -ne 4 ]; then
    echo "usage: $0 FAULTY_MALLOC FAULT PROGRAM CODE" >&2
    exit 2
fi
library=$1 fault=$2 program=$3 expected=$4
name=$(basename "$program")

output=$(TESTER_FAULT=$fault LD_PRELOAD=$library "$program" 2>&1)
status=$?
if [ "$status" -ne "$expected" ]; then
    echo "FAIL: $name with fault $fault exited $status, not $expected; output:"
    printf '%s\n' "$output"
    exit 1
fi
case $output in
"$name: FAILED: "*) ;;
*)
    echo "FAIL: $name with fault $fault printed no '$name: FAILED: ...' line; output:"
    printf '%s\n' "$output"
    exit 1
    ;;
esac
echo "PASS: $name caught $fault with exit $status: $output"
