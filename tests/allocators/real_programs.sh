#!/bin/sh
# real_programs.sh LIBRARY: real programs print the same output with the
# strategy preloaded as without it (ls -l, sort of 50,000 lines, python3).
set -eu
library=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk 'BEGIN { for (i = 1; i <= 50000; i++) printf "%d line %d\n", (i * 7919) % 50021, i }' \
    > "$work/lines.txt"
script='import json, collections
table = {str(i): [i] * 5 for i in range(20000)}
words = collections.Counter(str(i % 97) for i in range(100000))
print(len(json.dumps(table)), sorted(words.items())[:3])'

check() { # NAME COMMAND...: runs COMMAND both ways and compares
    name=$1
    shift
    "$@" > "$work/expected" 2>&1
    LD_PRELOAD=$library "$@" > "$work/actual" 2>&1 || {
        echo "FAIL $name: exit status $? under $library"
        exit 1
    }
    cmp -s "$work/expected" "$work/actual" || {
        echo "FAIL $name: output differs under $library"
        diff "$work/expected" "$work/actual" | head -5
        exit 1
    }
    echo "ok $name ($(wc -l < "$work/actual") lines)"
}

check "ls -l /usr/bin" ls -l /usr/bin
check "sort" sort "$work/lines.txt"
check "python3" /usr/bin/python3 -c "$script"
