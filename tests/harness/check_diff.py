"""mstats --diff A,B and the header bound, on workloads built here whose
figures are worked out by hand below (docs/mstats.md, docs/mcompare.md).

The strategies' layout (allocators/core/block.h): an 8-byte header before
every payload, blocks of max(32, round16(size + 8)) bytes, the first header
8 bytes past the (page-aligned) heap start so that payloads are 16-aligned,
and an 8-byte epilogue at the end. So a block of SIZE placed at header H has
its payload at H + 8, and a heap of blocks B1..Bn is 8 + sum(Bi) + 8.

usage: check_diff.py MSTATS MREPLAY MCOMPARE RANDOM_WORKLOAD"""

import json
import os
import subprocess
import sys
import tempfile

MSTATS, MREPLAY, MCOMPARE, RANDOM_WORKLOAD = sys.argv[1:5]


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: {message}")


def trace(directory, name, ops):
    """A .rep file of OPS ("a ID SIZE", "f ID", "r ID SIZE"), its header derived."""
    ids = {int(op.split()[1]) for op in ops}
    path = os.path.join(directory, name)
    with open(path, "w") as out:
        out.write(f"0\n{max(ids) + 1}\n{len(ops)}\n1\n" + "\n".join(ops) + "\n")
    return path


def run(*args):
    done = subprocess.run([MSTATS, *args], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def diff(pair, path, *extra):
    code, out, err = run("--diff", pair, "--json", *extra, MREPLAY, path)
    check(code == 0, f"--diff {pair} {path}: exit {code}\n{out}{err}")
    return json.loads(out)


def placement(call, run_index):
    p = call["placements"][run_index]
    return p["offset"], p["free_block_start"], p["free_block_end"], p["at_top"]


def fit_strategies_part(directory):
    """first-fit and best-fit. Payloads: a0 1000 (block 1008) at +16, a1 100 (112) at
    +1024, a2 200 (208) at +1136, a3 100 (112) at +1344; heap 8 + 1440 + 8 = 1456.
    Free a0 and a2. Call 7, a4 150 (block 160): first-fit takes a0's hole (+16),
    best-fit the smallest that fits, a2's (+1136): placed apart, heaps equal.
    Call 8, a5 900 (block 912): first-fit has 848 bytes left in a0's hole and 208 in
    a2's: the heap grows by 912 at the top, payload +1456, heap 2368; best-fit takes
    a0's hole (+16), heap 1456. Live blocks before call 8 (requested bytes): a1
    [1024, 1124), a3 [1344, 1444), a4 [16, 166) (first-fit) or [1136, 1286)
    (best-fit)."""
    path = trace(directory, "fit.rep", ["a 0 1000", "a 1 100", "a 2 200", "a 3 100", "f 0",
                                        "f 2", "a 4 150", "a 5 900", "f 1", "f 3", "f 4",
                                        "f 5"])
    figures = diff("first-fit,best-fit", path)
    check(figures["format"] == "mstats-diff-1" and figures["comparable"], figures)
    check(figures["calls"] == 12 and figures["same_length"], figures)
    check([r["allocator"] for r in figures["runs"]] == ["first-fit", "best-fit"], figures)
    parted, split = figures["parted"], figures["split"]
    check(parted["call"] == 7 and parted["function"] == "malloc" and parted["size"] == 150,
          parted)
    # The holes the block went to: between no block and a1 (first-fit), between a1
    # and a3 (best-fit).
    check(placement(parted, 0) == (16, 0, 1024, False), parted)
    check(placement(parted, 1) == (1136, 1124, 1344, False), parted)
    check(split["call"] == 8 and split["size"] == 900, split)
    check(placement(split, 0) == (1456, 1444, 1456, True), split)
    check(split["placements"][0]["heap_before"] == 1456
          and split["placements"][0]["heap_after"] == 2368, split)
    check(placement(split, 1) == (16, 0, 1024, False), split)
    check(split["placements"][1]["heap_after"] == 1456, split)
    check([(r["max"], r["max_call"]) for r in figures["runs"]] == [(2368, 8), (1456, 4)],
          figures["runs"])
    check(figures["widest"] == {"call": 8, "heap": [2368, 1456]}, figures["widest"])

    # A student's .so (here a copy of best-fit) is graded code: witnessed, and
    # checked against a reference run on glibc, which records too so that the
    # recording's memory is not taken for the allocator's own (code 91).
    student = os.path.join(directory, "alloc.so")
    lib = os.path.join(os.path.dirname(MSTATS), "..", "lib", "libmalloc-best-fit.so")
    with open(lib, "rb") as source, open(student, "wb") as copy:
        copy.write(source.read())
    graded = diff(f"first-fit,{student}", path)
    check([r["status"] for r in graded["runs"]] == ["OK", "OK"], graded["runs"])
    check(graded["runs"][1]["allocator"] == "alloc.so", graded["runs"])
    check(graded["split"] == split and graded["parted"] == parted, graded)

    # The text says the same, in lines a student reads.
    code, out, err = run("--diff", "first-fit,best-fit", MREPLAY, path)
    check(code == 0, f"exit {code}: {err}")
    expected = [
        "[mstats]: DIFF: mreplay on first-fit and best-fit: 12 calls, the same in both runs",
        "[mstats]: STATUS: first-fit OK, best-fit OK",
        "[mstats]: PARTED: call 7, malloc of 150 bytes: placed apart, the heaps still of one "
        "size (1456 bytes)",
        "[mstats]:   first-fit: at +16, in the free block [+0, +1024) of 1024 bytes between "
        "live blocks",
        "[mstats]:   best-fit: at +1136, in the free block [+1124, +1344) of 220 bytes "
        "between live blocks",
        "[mstats]: SPLIT: call 8, malloc of 900 bytes: heap 2368 on first-fit, 1456 on best-fit",
        "[mstats]:   first-fit: at +1456, at the top of the heap: the free end [+1444, +1456) "
        "was too small, the heap grew from 1456 to 2368 bytes",
        "[mstats]:   best-fit: at +16, in the free block [+0, +1024) of 1024 bytes between "
        "live blocks",
        "[mstats]: MAX: first-fit 2368 after call 8, best-fit 1456 after call 4",
        "[mstats]: WIDEST: after call 8: first-fit 2368, best-fit 1456 (912 bytes apart)",
    ]
    check(out.splitlines() == expected, f"the text report:\n{out}")


def worst_best_part(directory):
    """worst-fit and best-fit. Payloads: a0 300 (block 320) at +16, a1 20 (32) at +336,
    a2 100 (112) at +368, a3 20 (32) at +480; heap 8 + 496 + 8 = 512. Free a0 and a2.
    Call 7, a4 90 (block 112): worst-fit takes the largest hole, a0's (+16), best-fit
    the exact one, a2's (+368). Call 8, a5 250 (block 272): best-fit takes a0's hole
    (+16); worst-fit's largest hole is a0's rest, 208 bytes: the heap grows by 272,
    payload +512, heap 784."""
    path = trace(directory, "worst.rep", ["a 0 300", "a 1 20", "a 2 100", "a 3 20", "f 0",
                                          "f 2", "a 4 90", "a 5 250"])
    figures = diff("worst-fit,best-fit", path)
    parted, split = figures["parted"], figures["split"]
    check(parted["call"] == 7 and placement(parted, 0) == (16, 0, 336, False)
          and placement(parted, 1) == (368, 356, 480, False), parted)
    check(split["call"] == 8 and placement(split, 0) == (512, 500, 512, True)
          and placement(split, 1) == (16, 0, 336, False), split)
    check(split["placements"][0]["heap_after"] == 784, split)
    check([(r["max"], r["max_call"]) for r in figures["runs"]] == [(784, 8), (512, 4)],
          figures["runs"])


def no_split_part(directory):
    """Allocations only: every fit strategy lays the blocks out alike."""
    path = trace(directory, "same.rep", ["a 0 24", "a 1 100", "a 2 1000"])
    figures = diff("first-fit,next-fit", path)
    check(figures["parted"] is None and figures["split"] is None and figures["widest"] is None,
          figures)
    code, out, _ = run("--diff", "first-fit,next-fit", MREPLAY, path)
    check("[mstats]: SPLIT: none: the heaps had the same size after every call" in out, out)


def not_deterministic_part():
    """Random sizes: the runs differ from the first call; one line says so, exit 1."""
    code, out, err = run("--diff", "first-fit,best-fit", RANDOM_WORKLOAD)
    lines = out.splitlines()
    check(code == 1 and len(lines) == 2, f"exit {code}:\n{out}{err}")
    check(lines[0] == "[mstats]: DIFF: harness-diff-random on first-fit and best-fit: not "
          "comparable: the runs made different calls from call 1 on; harness-diff-random is "
          "not deterministic (threads, time or randomness)", lines[0])
    check(lines[1] == "[mstats]: STATUS: first-fit OK, best-fit OK", lines[1])


def wrapper_part(directory):
    """Under a wrapper the recording holds the wrapper's calls: one line names
    the workload, exit 1, and no comparison of the wrong process."""
    path = trace(directory, "wrapped.rep", ["a 0 1000", "a 1 100"])
    code, out, err = run("--diff", "first-fit,best-fit", "/bin/sh", "-c",
                         f"exec '{MREPLAY}' '{path}'")
    lines = err.splitlines()
    check(code == 1 and out == "" and len(lines) == 1, f"exit {code}:\n{out}{err}")
    check(lines[0] == "mstats: --diff compares the calls of the run's first process, sh, "
          "and this run had 2 (the last mreplay): name the program itself (mstats --diff "
          "first-fit,best-fit mreplay ...)", lines[0])


def chart_part(directory):
    path = trace(directory, "chart.rep", ["a 0 1000", "a 1 100", "f 0", "a 2 2000"])
    png = os.path.join(directory, "diff.png")
    code, out, err = run("--diff", "first-fit,libc", "--chart", png, MREPLAY, path)
    check(code == 0, f"--chart: exit {code} {err}")
    check(f"[mstats]: CHART: {png}" in out.splitlines(), out)
    with open(png, "rb") as picture:
        check(picture.read(8) == b"\x89PNG\r\n\x1a\n", "--chart wrote no PNG")


def header_bound_part(directory):
    """The header bound by hand: each live block counts round16(size + H).
    step        block (H=8 / H=16)   live sum (H=8 / H=16)
    a 0 10      32 / 32              32 / 32
    a 1 100     112 / 128            144 / 160
    f 0                              112 / 128
    r 1 200     208 / 224            208 / 224
    a 0 5       16 / 32              224 / 256
    f 1                              16 / 32
    a 2 300     320 / 320            336 / 352
    Peaks: 336 (H = 8), 352 (H = 16); optimal reuse 305 (5 + 300)."""
    path = trace(directory, "header.rep", ["a 0 10", "a 1 100", "f 0", "r 1 200", "a 0 5",
                                           "f 1", "a 2 300"])
    bounds = subprocess.run([MREPLAY, "--bounds", path], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    check("[mreplay]: HEADER-8: 336" in bounds and "[mreplay]: HEADER-16: 352" in bounds
          and "[mreplay]: OPTIMAL-REUSE: 305" in bounds, bounds)
    for allocator in ("first-fit", "best-fit", "libc"):
        code, out, err = run("-q", "-a", allocator, "--json", MREPLAY, path)
        check(code == 0, f"{allocator}: {err}")
        report = json.loads(out)
        check(report["header_bound"] == {"8": 336, "16": 352},
              f"{allocator}: the shim measured {report['header_bound']}")

    # A heap that only grows, every request of 9 bytes or more (so every block is
    # round16(size + 8), none raised to the 32-byte minimum): a fit strategy's heap
    # is the H = 8 bound plus its two fixed 8-byte pieces, the padding before the
    # first header and the epilogue. Blocks 32 + 112 + 1008 + 48 + 4016 = 5216.
    path = trace(directory, "grow.rep", ["a 0 24", "a 1 100", "a 2 1000", "a 3 40",
                                         "a 4 4000"])
    for allocator in ("first-fit", "next-fit", "best-fit", "worst-fit"):
        code, out, err = run("-q", "-a", allocator, "--json", MREPLAY, path)
        report = json.loads(out)
        check(report["header_bound"]["8"] == 5216, report["header_bound"])
        check(report["max"] == report["header_bound"]["8"] + 16,
              f"{allocator}: MAX {report['max']} is not the H=8 bound 5216 + 16")


def mcompare_part(directory):
    """mcompare shows the H = 8 bound as `header`, and both in the JSON: from the file
    for a trace, from the shim for a tester (the same figure as mstats --json's)."""
    path = trace(directory, "grow.rep", ["a 0 24", "a 1 100", "a 2 1000", "a 3 40",
                                         "a 4 4000"])
    done = subprocess.run([MCOMPARE, "-q", "-a", "first-fit", "-w", f"tester-1,{path}",
                           "--format", "json"], capture_output=True, text=True, timeout=120)
    check(done.returncode == 0, f"mcompare: {done.stderr}")
    comparison = json.loads(done.stdout)
    bounds = {w["name"]: w["header_bound"] for w in comparison["workloads"]}
    check(bounds["grow.rep"] == {"8": 5216, "16": 5280}, bounds)
    tester = os.path.join(os.path.dirname(MSTATS), "tester-1")
    code, out, err = run("-q", "-a", "first-fit", "--json", tester)
    check(code == 0 and bounds["tester-1"] == json.loads(out)["header_bound"],
          f"tester-1: mcompare {bounds['tester-1']}, mstats {out}{err}")
    cells = {c["workload"]: c for c in comparison["cells"]}
    check(cells["grow.rep"]["header_bound"] == {"8": 5216, "16": 5280}, cells["grow.rep"])
    done = subprocess.run([MCOMPARE, "-q", "-a", "first-fit", "-w", path], capture_output=True,
                          text=True, timeout=120)
    lines = done.stdout.splitlines()
    check(lines[1].split()[:4] == ["workload", "no-reuse", "optimal", "header"], lines[:2])
    check(lines[3].split()[1:4] == ["5.04K", "5.04K", "5.09K"], lines[3])


def bad_input_part(directory):
    path = trace(directory, "bad.rep", ["a 0 10"])
    cases = [
        ["--diff", "first-fit", MREPLAY, path],
        ["--diff", "first-fit,best-fit,worst-fit", MREPLAY, path],
        ["--diff", "first-fit,no-such-fit", MREPLAY, path],
        ["--diff", "first-fit,best-fit", os.path.join(directory, "no-such-program")],
        ["--chart", os.path.join(directory, "c.png"), MREPLAY, path],
    ]
    for args in cases:
        code, out, err = run(*args)
        check(code == 2 and out == "" and len(err.splitlines()) == 1
              and err.startswith("mstats: "), f"{args}: exit {code}, stdout {out!r}, stderr {err!r}")


def main():
    with tempfile.TemporaryDirectory(prefix="mstats-diff-") as directory:
        fit_strategies_part(directory)
        worst_best_part(directory)
        no_split_part(directory)
        not_deterministic_part()
        wrapper_part(directory)
        chart_part(directory)
        header_bound_part(directory)
        mcompare_part(directory)
        bad_input_part(directory)
    print("ok: --diff and the header bound")


main()
