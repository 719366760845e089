#!/bin/sh
# same_as_glibc.sh MREPLACE PROGRAM ALLOCATOR...: PROGRAM prints the same
# lines under mreplace -a ALLOCATOR as it does on plain glibc, for each
# ALLOCATOR: the shim (and the allocator) keep glibc's answers.
set -u
mreplace=$1 program=$2
shift 2
expected=$("$program") || { echo "FAIL: $program failed on glibc"; exit 1; }
status=0
for allocator in "$@"; do
    actual=$("$mreplace" -a "$allocator" "$program") || {
        echo "FAIL: $program failed under $allocator (exit $?)"
        status=1
        continue
    }
    if [ "$actual" != "$expected" ]; then
        echo "FAIL: under $allocator, $program printed:"
        echo "$actual"
        echo "glibc printed:"
        echo "$expected"
        status=1
    fi
done
exit $status
