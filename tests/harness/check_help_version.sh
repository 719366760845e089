#!/bin/sh
# check_help_version.sh VERSION PROGRAM...: every program answers --help
# (exit 0, something on stdout) and --version (exit 0, "NAME VERSION").
set -u
version=$1
shift
status=0
for program in "$@"; do
    name=$(basename "$program")
    if ! out=$("$program" --help 2>/dev/null) || [ -z "$out" ]; then
        echo "FAIL: $name --help did not exit 0 with a text"
        status=1
    fi
    out=$("$program" --version 2>&1)
    if [ $? -ne 0 ] || [ "$out" != "$name $version" ]; then
        echo "FAIL: $name --version printed '$out', expected '$name $version'"
        status=1
    fi
done
exit $status
