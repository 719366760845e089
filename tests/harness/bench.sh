#!/bin/sh
# The shim's overhead: a 10-million malloc/free loop under mstats (all checks)
# against the same allocator under plain LD_PRELOAD, measured with hyperfine.
# usage: bench.sh BIN_DIR BENCH_LOOP ALLOCATOR
set -eu
bin=$1
loop=$2
allocator=${3:-first-fit}
lib=$bin/../lib/libmalloc-$allocator.so
if ! command -v hyperfine >/dev/null; then
    echo "bench.sh: hyperfine not found: install it with 'apt-get install hyperfine'" >&2
    exit 2
fi
hyperfine --warmup 1 --runs 5 \
    -n "plain LD_PRELOAD ($allocator)" "LD_PRELOAD=$lib $loop" \
    -n "mstats -a $allocator" "$bin/mstats -q -a $allocator $loop"
