#!/bin/sh
# check_witness.sh WITNESS_RUN EXERCISER: the brk witness sees exactly the
# heap peak the exerciser knows from the kernel (threads, a clone(CLONE_VM)
# child and raw brk calls counted, a refused growth not) in the program's
# image, and its forked child's in a second image, with and without
# RLIMIT_DATA, and nothing fails.
set -u
run=$1 exerciser=$2
status=0
for limit in "" "-d 1073741824"; do
    # shellcheck disable=SC2086
    out=$("$run" $limit "$exerciser")
    truth=$(echo "$out" | sed -n 's/^truth: max=\([0-9]*\)$/\1/p')
    child_truth=$(echo "$out" | sed -n 's/^truth: child pid=[0-9]* max=\([0-9]*\)$/\1/p')
    images=$(echo "$out" | sed -n 's/^witness: images=\([0-9]*\) .*/\1/p')
    failed=$(echo "$out" | sed -n 's/^witness: .* failed=\([0-9-]*\) .*/\1/p')
    seen=$(echo "$out" | sed -n 's/^image: .* max=\([0-9]*\) .*/\1/p' | sed -n 1p)
    child_seen=$(echo "$out" | sed -n 's/^image: .* max=\([0-9]*\) .*/\1/p' | sed -n 2p)
    calls=$(echo "$out" | sed -n 's/^image: .* brks=\([0-9]*\)$/\1/p' | sed -n 1p)
    if [ -z "$truth" ] || [ "$seen" != "$truth" ] || [ -z "$child_truth" ] ||
        [ "$child_seen" != "$child_truth" ] || [ "$images" != 2 ] || [ "$failed" != 0 ] ||
        [ "${calls:-0}" -lt 1000 ]; then
        echo "FAIL (${limit:-no data limit}): $out"
        status=1
    else
        echo "ok (${limit:-no data limit}): max $seen, $calls brk calls; child's max $child_seen"
    fi
done
exit $status
