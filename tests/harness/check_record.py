"""mstats --record writes a valid .rep trace: the header's counts match the
body, ids are live when freed or reallocated (an `r` of an id that holds no
block is realloc(NULL, n), as in CS:APP's mdriver, and takes a new id),
ids are reused smallest-first,
and replaying it gives the PEAK-LIVE of the live run (and of the workload).

usage: check_record.py MSTATS WORKLOAD ALLOCATOR [MREPLAY]
With MREPLAY, the recording of sort is also replayed under mstats, which must
report the live run's PEAK-LIVE and REQUESTED."""

import os
import tempfile

from harness_test import check, expected_figures, main, parse_report, run


def replay_bounds(path):
    """Checks the trace and returns (peak live bytes, ids, total requested)."""
    with open(path) as f:
        lines = f.read().splitlines()
    check(len(lines) >= 4, f"{path}: short header")
    heap, ids, count, weight = (int(x) for x in lines[:4])
    body = lines[4:]
    check(count == len(body), f"{path}: header says {count} operations, body has {len(body)}")
    check(weight == 1, f"{path}: weight {weight}")
    live, free_ids = {}, []
    live_now = peak = used_ids = requested = most_blocks = 0
    for number, line in enumerate(body, start=5):
        parts = line.split()
        where = f"{path}:{number}: {line!r}"
        if parts[0] == "a" or (parts[0] == "r" and int(parts[1]) not in live):
            block, size = int(parts[1]), int(parts[2])
            check(block not in live, f"{where}: id already live")
            expected_id = min(set(range(used_ids + 1)) - set(live))
            check(block == expected_id, f"{where}: id {block}, smallest free is {expected_id}")
            used_ids = max(used_ids, block + 1)
            live[block] = size
            live_now += size
            requested += size
        elif parts[0] == "r":
            block, size = int(parts[1]), int(parts[2])
            live_now += size - live[block]
            live[block] = size
            requested += size
        elif parts[0] == "f":
            block = int(parts[1])
            if block == -1:
                continue
            check(block in live, f"{where}: free of an id that is not live")
            live_now -= live.pop(block)
        else:
            check(False, f"{where}: unknown operation")
        peak = max(peak, live_now)
        most_blocks = max(most_blocks, len(live))
    check(used_ids == most_blocks, f"{path}: {used_ids} ids for at most {most_blocks} live blocks")
    check(ids == used_ids, f"{path}: header says {ids} ids, body uses {used_ids}")
    check(heap >= peak, f"{path}: suggested heap {heap} below peak live {peak}")
    return peak, ids, requested


def test(argv):
    mstats, workload, allocator, mreplay = argv[:4]
    ops = ["a0:100", "a1:200", "c2:4x25", "n", "f1", "a3:50", "r0:400", "r4:30", "m5:64:10",
           "r3:0", "f0", "f2", "f4", "f5"]
    with tempfile.TemporaryDirectory() as scratch:
        trace = os.path.join(scratch, "workload.rep")
        status, out, err, _ = run([mstats, "--record", trace, "-a", allocator, workload] + ops)
        check(status == 0, f"record: exit {status}, {err!r}")
        report = parse_report(out)
        peak, ids, requested = replay_bounds(trace)
        expected = expected_figures(ops)
        check(peak == int(report["PEAK-LIVE"]) == expected["PEAK-LIVE"],
              f"replayed peak {peak}, PEAK-LIVE {report['PEAK-LIVE']}, expected "
              f"{expected['PEAK-LIVE']}")
        check(requested == int(report["REQUESTED"]), f"replayed requested {requested}")
        with open(trace) as f:
            check("f -1" in f.read().splitlines(), "free(NULL) not recorded as f -1")

        # The heap map of the same run, beside a recording: both are written.
        picture = os.path.join(scratch, "heap.png")
        status, out, err, _ = run([mstats, "--record", trace, "--heap-map", picture,
                                   "-a", allocator, workload] + ops)
        check(status == 0, f"heap map: exit {status}, {err!r}")
        check(f"[mstats]: HEAP-MAP: {picture}" in out.splitlines(), f"no HEAP-MAP line: {out!r}")
        with open(picture, "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", f"{picture} is not a PNG")
        check(replay_bounds(trace)[0] == peak, "the recording changed beside a heap map")

        # A real program: the recording replays to the live run's PEAK-LIVE.
        trace = os.path.join(scratch, "sort.rep")
        data = os.path.join(scratch, "data")
        with open(data, "w") as f:
            f.writelines(f"{(i * 7919) % 1000} {i}\n" for i in range(3000))
        status, out, err, _ = run([mstats, "-q", "--record", trace, "-a", allocator, "sort", data])
        check(status == 0, f"record sort: exit {status}, {err!r}")
        report = parse_report(out)
        peak, _, requested = replay_bounds(trace)
        check(peak == int(report["PEAK-LIVE"]), f"sort: replayed peak {peak}, PEAK-LIVE "
                                                f"{report['PEAK-LIVE']}")
        check(requested == int(report["REQUESTED"]), f"sort: replayed requested {requested}")
        status, out, err, _ = run([mstats, "-q", "-a", allocator, mreplay, trace])
        replayed = parse_report(out)
        check(status == 0, f"mreplay of the recording: exit {status}, {err!r}, {replayed}")
        for field in ("PEAK-LIVE", "REQUESTED"):
            check(replayed[field] == report[field],
                  f"mreplay of the recording: {field} {replayed[field]}, live run "
                  f"{report[field]}")


main(test)
