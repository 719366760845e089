#!/bin/sh
# check_witness.sh WITNESS_RUN EXERCISER: the brk witness sees exactly the
# heap peak the exerciser knows from the kernel (threads, a clone(CLONE_VM)
# child and raw brk calls counted, a refused growth and a forked child's heap
# not), with and without RLIMIT_DATA, and nothing fails.
set -u
run=$1 exerciser=$2
status=0
for limit in "" "-d 1073741824"; do
    # shellcheck disable=SC2086
    out=$("$run" $limit "$exerciser")
    truth=$(echo "$out" | sed -n 's/^truth: max=\([0-9]*\)$/\1/p')
    seen=$(echo "$out" | sed -n 's/^witness: max=\([0-9]*\) .*/\1/p')
    failed=$(echo "$out" | sed -n 's/.* failed=\([0-9-]*\) .*/\1/p')
    calls=$(echo "$out" | sed -n 's/.* calls=\([0-9]*\) .*/\1/p')
    if [ -z "$truth" ] || [ "$seen" != "$truth" ] || [ "$failed" != 0 ] || [ "${calls:-0}" -lt 1000 ]; then
        echo "FAIL (${limit:-no data limit}): $out"
        status=1
    else
        echo "ok (${limit:-no data limit}): max $seen, $calls brk calls"
    fi
done
exit $status
