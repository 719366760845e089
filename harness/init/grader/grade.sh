#!/bin/sh
# grade.sh --gradescope|--prairielearn SUBMISSION RESULTS
#
# Builds the student's allocator from SUBMISSION with the course's Makefile
# (alloc.c, at the top or the first one below it, and the .h files beside
# it), keeps the compiler's output, and grades alloc.so with the rubric,
# writing the platform's results.json to RESULTS. A submission that does not
# build still gets its results file: score 0, and the compiler's output.
# run_autograder (Gradescope) and run.sh (PrairieLearn) call it.
#
# MSTATS_BUILD: the mstats build (default: mstats/build in this folder).
set -u
platform=$1 submission=$2 results=$3
bundle=$(cd "$(dirname "$0")" && pwd)
build=${MSTATS_BUILD:-$bundle/mstats/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Readable by all: the graded program keeps none of root's privileges, so
# alloc.so must be readable without them (mktemp makes the folder 0700).
chmod 0755 "$work"
mkdir -p "$(dirname "$results")"
log=$work/build.log

# Runs a command as nobody when we are root (the platforms grade as root)
# and may change user: the student's code is compiled without reading what
# root alone may read. A container without CAP_SETUID builds as root.
as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups --"
if [ "$(id -u)" -ne 0 ] || ! $as_nobody true 2>/dev/null; then
    as_nobody=""
fi
as_student() {
    $as_nobody "$@"
}

if [ -f "$submission/alloc.c" ]; then
    source=$submission/alloc.c
else
    source=$(find "$submission" -name alloc.c -type f 2>/dev/null | sort | head -n 1)
fi
if [ -z "$source" ]; then
    {
        echo "There is no alloc.c in your submission. It holds:"
        (cd "$submission" 2>/dev/null && find . -type f | sort | head -n 20)
    } >"$log"
else
    cp "$source" "$work/alloc.c"
    cp "$bundle/Makefile" "$work/Makefile"
    for header in "$(dirname "$source")"/*.h; do
        if [ -f "$header" ]; then cp "$header" "$work/"; fi
    done
    chown -R 65534:65534 "$work" 2>/dev/null || true
    # Two minutes: a build that takes longer is stopped and says so.
    as_student timeout 120 make --no-print-directory -C "$work" alloc.so >"$log" 2>&1 ||
        echo "(the build failed with status $?)" >>"$log"
fi

"$build/bin/mcompare" -q --rubric "$bundle/course.ini" -a "$work/alloc.so" \
    --build-log "$log" "$platform" "$results"
status=$?
# The score is in the results file; a missing one is the grader's failure.
if [ -s "$results" ]; then exit 0; fi
exit "$status"
