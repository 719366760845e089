#!/bin/sh
# ls, sort and python3 print the same output (and exit status) under mreplace
# with ALLOCATOR as they do without it.
# usage: check_mreplace.sh MREPLACE ALLOCATOR
set -u
mreplace=$1
allocator=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

# Input for sort: 20000 pseudo-random lines, the same every run.
awk 'BEGIN { x = 12345; for (i = 0; i < 20000; i++) { x = (x * 1103515245 + 12345) % 2147483648; printf "%d line %x\n", x % 1000, x } }' >"$scratch/input"
script='
import json, collections
words = collections.Counter(w for w in open("'"$scratch"'/input").read().split())
data = {k: [v] * (v % 7) for k, v in words.most_common(500)}
print(len(json.dumps(data)), sorted(words)[:5], sum(words.values()))
'

compare() {
    name=$1
    shift
    "$@" >"$scratch/plain.out" 2>&1
    plain_status=$?
    "$mreplace" -t 60 -a "$allocator" "$@" >"$scratch/replaced.out" 2>&1
    replaced_status=$?
    if [ "$plain_status" -ne "$replaced_status" ]; then
        echo "FAIL: $name under $allocator: exit status $replaced_status, plain $plain_status"
        head -5 "$scratch/replaced.out"
        failures=$((failures + 1))
    elif ! cmp -s "$scratch/plain.out" "$scratch/replaced.out"; then
        echo "FAIL: $name under $allocator: output differs"
        diff "$scratch/plain.out" "$scratch/replaced.out" | head -10
        failures=$((failures + 1))
    fi
}

compare "ls" ls -la /usr/include
compare "ls -R" ls -R /usr/share/doc/libc6
compare "sort" sort "$scratch/input"
compare "sort -n" sort -n -k 3 "$scratch/input"
compare "python3" /usr/bin/python3 -c "$script"
compare "sh pipeline" sh -c "sort '$scratch/input' | uniq -c | sort -rn | head -20"

if [ "$failures" -ne 0 ]; then
    exit 1
fi
echo PASS
