#!/bin/sh
# Real programs print the same output, and exit with the same status, run
# through WRAPPER as run plainly: ls -l, ls -R, sort of 50,000 lines, sort -n,
# a python3 script and a shell pipeline.
# usage: real_programs.sh WRAPPER...
#   e.g. real_programs.sh env LD_PRELOAD=build/lib/libmalloc-best-fit.so
#        real_programs.sh build/bin/mreplace -t 60 -a best-fit
set -u
[ $# -ge 1 ] || { echo "usage: $0 WRAPPER..." >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

# The wrapper as a script of its own, so that each program runs as
# "$wrapper" PROGRAM ARG... whatever words WRAPPER has.
quote() { printf "'%s' " "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
wrapper=$scratch/wrapper
{
    echo '#!/bin/sh'
    printf 'exec '
    for word in "$@"; do quote "$word"; done
    echo '"$@"'
} >"$wrapper"
chmod +x "$wrapper"

# Input for sort: 50,000 pseudo-random lines, the same every run.
awk 'BEGIN { x = 12345; for (i = 0; i < 50000; i++) { x = (x * 1103515245 + 12345) % 2147483648; printf "%d line %x\n", x % 1000, x } }' >"$scratch/input"
script='
import json, collections
words = collections.Counter(w for w in open("'"$scratch"'/input").read().split())
data = {k: [v] * (v % 7) for k, v in words.most_common(500)}
print(len(json.dumps(data)), sorted(words)[:5], sum(words.values()))
'

compare() { # NAME PROGRAM ARG...
    name=$1
    shift
    "$@" >"$scratch/plain.out" 2>&1
    plain_status=$?
    "$wrapper" "$@" >"$scratch/wrapped.out" 2>&1
    wrapped_status=$?
    if [ "$plain_status" -ne "$wrapped_status" ]; then
        echo "FAIL: $name: exit status $wrapped_status, plain $plain_status"
        head -5 "$scratch/wrapped.out"
        failures=$((failures + 1))
    elif ! cmp -s "$scratch/plain.out" "$scratch/wrapped.out"; then
        echo "FAIL: $name: output differs"
        diff "$scratch/plain.out" "$scratch/wrapped.out" | head -10
        failures=$((failures + 1))
    else
        echo "ok $name ($(wc -l <"$scratch/wrapped.out") lines)"
    fi
}

compare "ls -l" ls -l /usr/bin
compare "ls -R" ls -R /usr/share/doc/libc6
compare "sort" sort "$scratch/input"
compare "sort -n" sort -n -k 3 "$scratch/input"
compare "python3" /usr/bin/python3 -c "$script"
compare "sh pipeline" sh -c "sort '$scratch/input' | uniq -c | sort -rn | head -20"

[ "$failures" -eq 0 ]
