"""For one allocator: workloads with exactly known requests give exactly the
REQUESTED, PEAK-LIVE and CALLS computed here, and MAX, AVG and UTILIZATION
agree with each other. For the gallery's control allocator, whose use of sbrk
is known per call (a bump of 16 + the size rounded up to 16, 16 for size 0;
free gives nothing back), MAX and AVG are also checked exactly against a model
of the heap after every call.

usage: check_figures.py MSTATS WORKLOAD ALLOCATOR"""

import json
import os
import random
import tempfile

from harness_test import check, expected_figures, main, parse_calls, parse_report, run


def scenarios():
    yield ["a0:100", "f0"]
    yield ["a0:1", "a1:0", "a2:4096", "f1", "a3:24", "f0", "f2", "f3", "n"]
    yield ["c0:10x25", "r0:500", "r0:10", "a1:300", "r1:0", "r2:64", "f0", "f2"]
    yield ["m0:64:100", "A1:256:512", "m2:16:1", "f0", "f1", "f2"]
    rng = random.Random(1234)
    ops, live = [], set()
    for _ in range(400):
        slot = rng.randrange(40)
        if slot in live and rng.random() < 0.5:
            ops.append(f"f{slot}")
            live.discard(slot)
        elif slot in live:
            ops.append(f"r{slot}:{rng.randrange(1, 3000)}")
        else:
            op = rng.choice("aac")
            if op == "a":
                ops.append(f"a{slot}:{rng.randrange(0, 5000)}")
            else:
                ops.append(f"c{slot}:{rng.randrange(1, 20)}x{rng.randrange(1, 100)}")
            live.add(slot)
    yield ops + [f"f{slot}" for slot in sorted(live)]


def bump_heap(ops):
    """(MAX, AVG) of the gallery's control allocator for `ops`: the heap
    after each counted call, its peak and its mean over the calls."""
    def block(size):
        return 16 + (16 if size == 0 else (size + 15) // 16 * 16)

    heap, samples, live = 0, [], set()
    for op in ops:
        kind, rest = op[0], op[1:]
        if kind == "F":
            continue  # the child's calls and heap are its own
        if kind == "a":
            slot, size = rest.split(":")
            heap += block(int(size))
            live.add(slot)
        elif kind == "c":
            slot, dims = rest.split(":")
            count, size = dims.split("x")
            heap += block(int(count) * int(size))
            live.add(slot)
        elif kind == "r":
            slot, size = rest.split(":")
            if slot in live and int(size) == 0:
                live.discard(slot)  # realloc(p, 0) frees: no growth
            else:
                heap += block(int(size))
                live.add(slot)
        elif kind == "f":
            live.discard(rest)
        samples.append(heap)
    return heap, sum(samples) / len(samples)


def test(argv):
    mstats, workload, allocator = argv
    # The gallery's control allocator has only malloc, free, calloc, realloc.
    only_four = "libgallery-" in allocator
    for ops in scenarios():
        status, out, err, _ = run([mstats, "-a", allocator, workload] + ops)
        report = parse_report(out)
        shown = " ".join(ops[:6]) + (" ..." if len(ops) > 6 else "")
        if only_four and any(op[0] in "mA" and op.split(":")[1] != "16" for op in ops):
            check(status == 1 and report.get("REASON", "").startswith("66 allocator lacks "),
                  f"[{shown}] an aligned request to an allocator without memalign: {report}")
            continue
        check(status == 0, f"[{shown}] exit {status}, stderr {err!r}, report {report}")
        check(report.get("STATUS") == "OK", f"[{shown}] STATUS {report.get('STATUS')}")
        expected = expected_figures(ops)
        for field in ("REQUESTED", "PEAK-LIVE"):
            check(int(report[field]) == expected[field],
                  f"[{shown}] {field} {report[field]}, expected {expected[field]}")
        calls = parse_calls(report["CALLS"])
        check(calls == expected["CALLS"], f"[{shown}] CALLS {calls}, expected {expected['CALLS']}")
        heap_max, avg = int(report["MAX"]), float(report["AVG"])
        check(heap_max >= expected["PEAK-LIVE"], f"[{shown}] MAX {heap_max} < PEAK-LIVE")
        check(0 <= avg <= heap_max, f"[{shown}] AVG {avg} not within [0, MAX {heap_max}]")
        if "libgallery-none" in allocator:
            model_max, model_avg = bump_heap(ops)
            check(heap_max == model_max, f"[{shown}] MAX {heap_max}, the bump model says {model_max}")
            check(abs(avg - model_avg) <= 1e-6 * max(model_avg, 1.0),
                  f"[{shown}] AVG {avg}, the bump model says {model_avg:.6f}")
        ratio = expected["PEAK-LIVE"] / heap_max if heap_max else 0.0
        check(abs(float(report["UTILIZATION"]) - ratio) < 1e-6,
              f"[{shown}] UTILIZATION {report['UTILIZATION']}, expected {ratio:.6f}")
        check(allocator.split("/")[-1] in report["ALLOCATOR"], f"ALLOCATOR {report['ALLOCATOR']}")
        check(out.splitlines()[0] == "workload: done", "the program's output did not come first")

    check_forked_child(mstats, workload, allocator)

    # Threads: the counts are lower bounds (glibc may allocate for a thread).
    status, out, err, _ = run([mstats, "-a", allocator, workload, "T:2000"])
    report = parse_report(out)
    check(status == 0 and report["STATUS"] == "OK", f"threads: exit {status}, {err!r}")
    calls = parse_calls(report["CALLS"])
    check(calls["malloc"] >= 8000 and calls["free"] >= 8000, f"threads: CALLS {calls}")
    check(int(report["REQUESTED"]) >= 8000 * 32, f"threads: REQUESTED {report['REQUESTED']}")


def check_forked_child(mstats, workload, allocator):
    """A forked child is a process of its own: each has its figures, and the
    report's are those of the larger heap (the child's 1000 blocks here)."""
    ops = ["a0:1000", "F", "a1:2000", "f0", "f1"]
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "report.json")
        status, out, err, _ = run([mstats, "-a", allocator, f"--json={path}", workload] + ops)
        with open(path) as handle:
            processes = json.load(handle)["processes"]
    report = parse_report(out)
    check(status == 0 and report.get("STATUS") == "OK", f"fork: exit {status}, {err!r} {report}")
    check(len(processes) == 2, f"fork: {len(processes)} processes measured, expected 2")
    parent, child = processes
    expected = expected_figures(ops)
    calls = {name: parent["calls"][name] for name in expected["CALLS"]}
    check(calls == expected["CALLS"] and parent["requested"] == expected["REQUESTED"],
          f"fork: the parent's CALLS {calls}, REQUESTED {parent['requested']}, expected {expected}")
    # The child inherits block a0 (1000 bytes, counted as requested and live)
    # and allocates 100 ... 1099 bytes, all live at once, before freeing them.
    child_requested = 1000 + sum(100 + i for i in range(1000))
    check(child["calls"]["malloc"] == 1000 and child["calls"]["free"] == 1000,
          f"fork: the child's CALLS {child['calls']}")
    check(child["requested"] == child_requested and child["peak_live"] == child_requested,
          f"fork: the child's REQUESTED {child['requested']}, PEAK-LIVE {child['peak_live']}, "
          f"expected {child_requested} each")
    shown = max(processes, key=lambda p: p["heap_max"])
    check(shown["reported"] and int(report["MAX"]) == shown["heap_max"],
          f"fork: MAX {report['MAX']} is not the larger heap's, {processes}")
    check(f"PROCESSES: 2 measured; the figures are {shown['program']}'s" in out,
          f"fork: no PROCESSES line naming {shown['program']}: {out!r}")
    if "libgallery-none" in allocator:
        def block(size):
            return 16 + (size + 15) // 16 * 16
        parent_max, _ = bump_heap(ops)
        child_max = block(1000) + sum(block(100 + i) for i in range(1000))
        check(parent["heap_max"] == parent_max and child["heap_max"] == child_max,
              f"fork: MAX {parent['heap_max']} and {child['heap_max']}, the bump model says "
              f"{parent_max} and {child_max}")


main(test)
