"""Integration tests of mcompare (issue 6), one scenario per ctest.

usage: check_mcompare.py SCENARIO BIN_DIR LIB_DIR TEST_DIR [EXTRA...]

BIN_DIR holds mcompare, mstats, mreplay and the testers; LIB_DIR the
strategies; TEST_DIR this folder (the JUnit schema). Expected figures are
computed here: from `mstats --json` for the same cell, from `mreplay
--bounds`, or from the crafted inputs, never pasted from mcompare's output."""

import csv
import io
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import stat
import tempfile
import threading
import time

FAILURES = []
CHECKS = [0]


def check(condition, message):
    CHECKS[0] += 1
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)
    return condition


def run(command, stdout=subprocess.PIPE, **kwargs):
    """(exit status, stdout, stderr); `stdout` may be a file to write to instead."""
    proc = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, **kwargs)
    return proc.returncode, proc.stdout or "", proc.stderr


class Env:
    def __init__(self, argv):
        self.bin, self.lib, self.test_dir = argv[:3]
        self.extra = argv[3:]
        self.mcompare = os.path.join(self.bin, "mcompare")
        self.mstats = os.path.join(self.bin, "mstats")
        self.mreplay = os.path.join(self.bin, "mreplay")
        self.tester1 = os.path.join(self.bin, "tester-1")
        self.schema = os.path.join(self.test_dir, "junit.xsd")
        self.tmp = tempfile.mkdtemp(prefix="mcompare-test-")
        self.trace = self.shipped_trace("binary2.rep")

    def shipped_trace(self, name):
        return os.path.join(os.path.dirname(self.test_dir.rstrip("/")), "..", "traces", name)

    def mc(self, *args, **kwargs):
        return run([self.mcompare, "-q", *args], **kwargs)

    def file(self, name):
        return os.path.join(self.tmp, name)

    def symlink(self, name, target):
        path = self.file(name)
        os.symlink(target, path)
        return path


# The small matrix every format is checked on: 2 allocators x 3 workloads.
ALLOCATORS = ["first-fit", "best-fit"]


def workloads(env):
    return ["tester-1", "tester-3", os.path.abspath(env.trace)]


def matrix_args(env):
    return ["-a", ",".join(ALLOCATORS), "-w", ",".join(workloads(env)), "-t", "20"]


def mstats_json(env, allocator, workload):
    argv = [env.mreplay, workload] if workload.endswith(".rep") else [os.path.join(env.bin, workload)]
    status, out, err = run([env.mstats, "-q", "-a", allocator, "--json", *argv])
    check(status == 0, f"mstats {allocator} {workload}: exit {status}: {err}")
    return json.loads(out)


def trace_bounds(env, trace):
    status, out, _ = run([env.mreplay, "--bounds", trace])
    check(status == 0, f"mreplay --bounds {trace}: exit {status}")
    fields = dict(re.findall(r"\[mreplay\]: ([A-Z-]+): (\S+)", out))
    return int(fields["NO-REUSE"]), int(fields["OPTIMAL-REUSE"])


def workload_name(workload):
    return os.path.basename(workload)


def xmllint(env, path):
    status, _, err = run(["xmllint", "--noout", path])
    check(status == 0, f"xmllint {path}: {err}")
    status, _, err = run(["xmllint", "--noout", "--schema", env.schema, path])
    check(status == 0, f"xmllint --schema junit.xsd {path}: {err}")


def check_json_document(env, document, expected_status="OK"):
    """The JSON of the 2 x 3 matrix against mstats and mreplay."""
    cells = document["cells"]
    check(len(cells) == 6, f"JSON has {len(cells)} cells, expected 6")
    names = {workload_name(w) for w in workloads(env)}
    seen = {(c["workload"], c["allocator"]) for c in cells}
    check(seen == {(w, a) for w in names for a in ALLOCATORS}, f"JSON cells {sorted(seen)}")
    bounds = {w["name"]: w for w in document["workloads"]}
    no_reuse, optimal = trace_bounds(env, env.trace)
    trace_name = workload_name(env.trace)
    check(bounds[trace_name]["no_reuse"] == no_reuse, "trace no-reuse bound != mreplay --bounds")
    check(bounds[trace_name]["optimal_reuse"] == optimal, "trace optimal bound != mreplay --bounds")
    for cell in cells:
        where = f"{cell['workload']} on {cell['allocator']}"
        check(cell["status"] == expected_status, f"{where}: status {cell['status']}")
        workload = env.trace if cell["workload"] == trace_name else cell["workload"]
        reference = mstats_json(env, cell["allocator"], workload)
        # Deterministic for the strategies on single-threaded workloads.
        for key in ("max", "requested", "peak_live", "live_at_exit", "code"):
            check(cell[key] == reference[key], f"{where}: {key} {cell[key]} != mstats {reference[key]}")
        check(cell["calls"] == reference["calls"], f"{where}: calls differ from mstats")
        optimal_bound = bounds[cell["workload"]]["optimal_reuse"]
        if cell["workload"] != trace_name:
            check(optimal_bound == reference["peak_live"], f"{where}: optimal != PEAK-LIVE")
            check(bounds[cell["workload"]]["no_reuse"] == reference["requested"],
                  f"{where}: no-reuse != REQUESTED")
        else:
            check(reference["peak_live"] == optimal, f"{where}: replay PEAK-LIVE != trace bound")
        check(abs(cell["ratio"] - cell["max"] / optimal_bound) < 1e-9, f"{where}: ratio")
    for summary in document["summary"]:
        ratios = [c["ratio"] for c in cells if c["allocator"] == summary["allocator"]]
        geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        check(abs(summary["geomean_ratio"] - geomean) < 1e-9, f"{summary['allocator']}: geomean")
        total = sum(c["time"] for c in cells if c["allocator"] == summary["allocator"])
        check(abs(summary["total_time"] - total) < 1e-9, f"{summary['allocator']}: total time")
    return cells


def scenario_formats(env):
    """A 2 x 3 matrix in every format, content checked."""
    status, out, err = env.mc(*matrix_args(env), "--format", "json")
    check(status == 0, f"--format json: exit {status}: {err}")
    document = json.loads(out)
    cells = check_json_document(env, document)
    by_key = {(c["workload"], c["allocator"]): c for c in cells}

    status, out, err = env.mc(*matrix_args(env), "--format", "csv")
    check(status == 0, f"--format csv: exit {status}")
    rows = list(csv.DictReader(io.StringIO(out)))
    check(len(rows) == 6, f"CSV has {len(rows)} rows")
    for row in rows:
        reference = by_key[(row["workload"], row["allocator"])]
        for key in ("max", "requested", "peak_live", "code"):
            check(int(row[key]) == reference[key], f"CSV {row['workload']} {key}")
        check(int(row["calls_malloc"]) == reference["calls"]["malloc"], "CSV calls_malloc")
        check(abs(int(row["optimal_reuse"]) * float(row["ratio"]) - int(row["max"])) < 1e-3 * int(row["max"]),
              "CSV ratio * optimal != max")
        check(row["status"] == "OK", f"CSV status {row['status']}")

    status, out, err = env.mc(*matrix_args(env), "--format", "markdown")
    check(status == 0, f"--format markdown: exit {status}")
    for (workload, allocator), cell in by_key.items():
        detail = re.search(rf"^\| {re.escape(workload)} \| {allocator} \| OK \| 0 \| (\d+) \|", out, re.M)
        check(detail is not None and int(detail.group(1)) == cell["max"],
              f"markdown: no detail row with MAX for {workload} on {allocator}")
        check(re.search(rf"^\| {re.escape(workload)} \|", out, re.M) is not None, f"markdown: no {workload} row")
    check("geomean" in out, "markdown: no geometric mean row")

    status, out, err = env.mc(*matrix_args(env), "--format", "table")
    check(status == 0, f"--format table: exit {status}")
    lines = out.splitlines()
    for workload in workloads(env):
        row = [l for l in lines if l.startswith(workload_name(workload) + " ")]
        check(len(row) == 1, f"table: {len(row)} rows for {workload}")
        if row:
            ratios = [f"{by_key[(workload_name(workload), a)]['ratio']:.2f}" for a in ALLOCATORS]
            check(all(r in row[0] for r in ratios), f"table row lacks ratios {ratios}: {row[0]}")
    check(any(l.startswith("geomean / total") for l in lines), "table: no summary row")

    junit = os.path.join(env.tmp, "matrix.xml")
    status, out, err = env.mc(*matrix_args(env), "--format", "junit", "-o", junit)
    check(status == 0, f"--format junit: exit {status}")
    xmllint(env, junit)
    text = open(junit).read()
    check(text.count("<testcase ") == 6, "JUnit: expected 6 testcases")
    check("<failure" not in text, "JUnit: a failure in an all-OK matrix")

    # One run writing several formats, as scripts/run does (into a folder it made).
    os.makedirs(os.path.join(env.tmp, "r"))
    md, js = os.path.join(env.tmp, "r", "c.md"), os.path.join(env.tmp, "r", "c.json")
    status, out, err = env.mc(*matrix_args(env), "--markdown", md, "--json", js)
    check(status == 0 and os.path.exists(md) and os.path.exists(js), "--markdown/--json files")
    check("geomean / total" in out, "the table on stdout with --markdown/--json")
    check(len(json.load(open(js))["cells"]) == 6, "--json FILE: 6 cells")


def scenario_limits(env):
    """-t is CPU time (RLIMIT_CPU): a program that spins is stopped after -t
    seconds of CPU time (rounded up), however long that takes on the wall
    clock; one that sleeps, after 10 times that of wall time."""
    spin = "sh -c 'while :; do :; done'"
    started = time.monotonic()
    status, out, err = env.mc("-a", "first-fit", "-w", f"{spin},sleep 60", "-t", "0.5", "-j", "2",
                              "--format", "json")
    wall = time.monotonic() - started
    check(status == 1, f"exit {status}, expected 1 (two timeouts): {err}")
    cells = {c["workload"]: c for c in json.loads(out)["cells"]}
    spun, slept = cells.get(spin, {}), cells.get("sleep 60", {})
    # RLIMIT_CPU counts whole seconds: -t 0.5 is 1 s of CPU time.
    check(spun.get("code") == 15 and spun.get("timed_out") and "SIGXCPU" in (spun.get("reason") or ""),
          f"the spinning cell: {spun.get('code')} {spun.get('reason')}")
    # The kernel's CPU clock for the limit and wait4's rusage differ: by a
    # tick or so on an idle machine, by up to 0.35 s on a loaded one (0.65 s
    # reported at the 1 s limit, on the commit before this line too). A
    # program stopped by the wall clock would show next to none.
    check(0.5 <= spun.get("cpu_time", 0) < 3, f"the spinning cell used {spun.get('cpu_time')} s of CPU")
    check(slept.get("code") == 15 and "waited" in (slept.get("reason") or ""),
          f"the sleeping cell: {slept.get('code')} {slept.get('reason')}")
    check(9.5 <= slept.get("time", 0) < 20 and wall < 30, f"the sleeping cell ran {slept.get('time')} s")


def build_broken_allocators(env):
    not_elf = os.path.join(env.tmp, "not-elf.so")
    with open(not_elf, "w") as f:
        f.write("not a shared object\n")
    return env.extra[0], not_elf


def scenario_crash(env):
    """A crashing allocator, an unloadable one and a timeout: every cell is a row."""
    crash, not_elf = build_broken_allocators(env)
    junit = os.path.join(env.tmp, "crash.xml")
    args = ["-a", f"first-fit,{crash},{not_elf}", "-w", f"tester-1,tester-3,{os.path.abspath(env.trace)},sleep 20",
            "-t", "0.5", "-j", "2", "--junit", junit, "--format", "json"]
    started = time.monotonic()
    status, out, err = env.mc(*args)
    check(time.monotonic() - started < 30, "the run took too long")
    check(status == 1, f"exit {status}, expected 1 (failed cells): {err}")
    document = json.loads(out)
    cells = {(c["workload"], c["allocator"]): c for c in document["cells"]}
    check(len(cells) == 12, f"{len(cells)} cells, expected 12")
    crash_name, bad_name = os.path.basename(crash), os.path.basename(not_elf)
    for workload in ("tester-1", "tester-3", workload_name(env.trace)):
        check(cells[(workload, "first-fit")]["status"] == "OK", f"{workload} on first-fit failed")
    # `sleep` allocates (setlocale) before it sleeps: it crashes like the testers.
    for workload in ("tester-1", "tester-3", workload_name(env.trace), "sleep 20"):
        crashed = cells[(workload, crash_name)]
        check(crashed["status"] == "FAILED" and crashed["code"] == 11 and crashed["signal"] == 11,
              f"{workload} on the crashing allocator: {crashed.get('code')} {crashed.get('reason')}")
        check("SIGSEGV" in (crashed["reason"] or ""), f"reason lacks SIGSEGV: {crashed['reason']}")
        unloadable = cells[(workload, bad_name)]
        check(unloadable["code"] == 65, f"{workload} on a non-ELF .so: code {unloadable['code']}")
    # It waits without running: the wall guard (10 x -t) stops it.
    slept = cells[("sleep 20", "first-fit")]
    check(slept["code"] == 15 and slept["timed_out"] and "waited" in slept["reason"],
          f"sleep 20 with -t 0.5: {slept['code']} {slept['reason']}")
    xmllint(env, junit)
    text = open(junit).read()
    check(text.count("<testcase ") == 12, "JUnit: 12 testcases")
    classes = re.findall(r'classname="([^"]*)"', text)
    check(classes and all(c.count(".") == 1 and c.startswith("mcompare.") for c in classes),
          f"JUnit classnames must have one dot (CI tools split at dots): {sorted(set(classes))}")
    failures = re.findall(r"<failure message=\"([^\"]*)\"", text)
    check(len(failures) == 9, f"JUnit: {len(failures)} failures, expected 9 (4 crash, 4 load, 1 timeout)")
    check(any("SIGSEGV" in f for f in failures), "JUnit failure messages lack the reason")
    status, out, _ = env.mc(*args[:-2], "--format", "table")
    check("Failed or not run" in out and "SIGSEGV inside malloc" in out, "table: no failure reasons")


def write_cell_file(directory, index, workload, kind, cell, bounds=None, allocator=None):
    entry = {"name": workload, "kind": kind, "spec": workload, "command": [workload],
             "bounds_from_trace": bounds is not None}
    if bounds:
        entry["no_reuse"], entry["optimal_reuse"] = bounds
    document = {"format": "mcompare-1", "timeout": 30.0, "memory_limit": 1 << 30, "elapsed": 1.0,
                "interrupted": False,
                "allocators": [allocator or {"name": "student", "spec": "/x/alloc.so", "path": "/x/alloc.so"}],
                "workloads": [entry],
                "cells": [dict(cell, workload=workload, allocator=(allocator or {"name": "student"})["name"])]}
    with open(os.path.join(directory, f"cell-{index:05d}.json"), "w") as f:
        json.dump(document, f)


LIBC_REFERENCE = {"name": "libc", "spec": "libc", "path": "/lib/libc", "reference_only": True}
RATIO_FLOOR = 0.1  # RUBRIC_TIME_RATIO_FLOOR: a faster libc counts as this


def crafted_cell(code=0, max_bytes=4096, seconds=0.5, requested=10000, peak=2048, cpu=None):
    return {"status": "OK" if code == 0 else "FAILED", "code": code, "wait_status": code << 8,
            "exit_status": code, "signal": None, "reason": None if code == 0 else f"crafted {code}",
            "timed_out": False, "figures_valid": True, "max": max_bytes, "avg": max_bytes / 2,
            "time": seconds, "cpu_time": seconds if cpu is None else cpu, "requested": requested, "peak_live": peak,
            "utilization": peak / max_bytes, "live_at_exit": 0, "live_blocks_at_exit": 0,
            "calls": {"malloc": 1, "free": 1}, "witness": "trusted", "completion": "proved"}


def scenario_rubric(env):
    """Every threshold kind, on crafted results merged from files."""
    results = os.path.join(env.tmp, "crafted")
    os.makedirs(results)
    optimal = 1000
    # name -> (cell, bounds, rubric lines, expected to earn)
    cases = {
        "w-ok": (crafted_cell(), None, ["points = 10"]),
        "w-crash-expected": (crafted_cell(code=11), None, ["points = 4", "status = failed"]),
        "w-crash-unexpected": (crafted_cell(code=11), None, ["points = 3"]),
        "w-code-right": (crafted_cell(code=91), None, ["points = 2", "status = 91"]),
        "w-code-wrong": (crafted_cell(code=11), None, ["points = 2", "status = 91"]),
        "w-any": (crafted_cell(code=11, max_bytes=100), None, ["points = 1", "status = any", "max-heap = 100"]),
        "w-heap-at": (crafted_cell(max_bytes=4096), None, ["points = 5", "max-heap = 4K"]),
        "w-heap-over": (crafted_cell(max_bytes=4097), None, ["points = 5", "max-heap = 4K"]),
        "w-ratio-at": (crafted_cell(max_bytes=1500), (9000, optimal), ["points = 6", "max-ratio = 1.5"]),
        "w-ratio-over": (crafted_cell(max_bytes=1500), (9000, optimal), ["points = 6", "max-ratio = 1.49"]),
        # CPU time grades, never wall-clock TIME: each pair's TIME says the opposite.
        "w-cpu-under": (crafted_cell(seconds=5.0, cpu=0.5), None, ["points = 7", "cpu-seconds = 1"]),
        "w-cpu-over": (crafted_cell(seconds=0.5, cpu=1.5), None, ["points = 7", "cpu-seconds = 1"]),
        "w-tratio-under": (crafted_cell(seconds=9.0, cpu=0.9), None, ["points = 3", "time-ratio = 2"]),
        "w-tratio-over": (crafted_cell(seconds=0.1, cpu=1.1), None, ["points = 3", "time-ratio = 2"]),
        "w-tratio-floor": (crafted_cell(cpu=0.15), None, ["points = 2", "time-ratio = 2"]),
        "w-tratio-no-libc": (crafted_cell(cpu=0.01), None, ["points = 2", "time-ratio = 2"]),
    }
    # libc's CPU time on the time-ratio workloads, from the same "run".
    libc_cpu = {"w-tratio-under": 0.5, "w-tratio-over": 0.5, "w-tratio-floor": 0.01}
    for index, (name, (cell, bounds, _)) in enumerate(cases.items()):
        write_cell_file(results, index, name, "trace" if bounds else "program", cell, bounds)
    for index, (name, cpu) in enumerate(libc_cpu.items(), start=len(cases)):
        write_cell_file(results, index, name, "program", crafted_cell(cpu=cpu), None, LIBC_REFERENCE)

    def expected_points(name):
        cell, bounds, lines = cases[name]
        rules = dict(l.split(" = ") for l in lines)
        status = rules.get("status", "ok")
        ok = {"ok": cell["code"] == 0, "failed": cell["code"] != 0, "any": True}.get(
            status, str(cell["code"]) == status)
        if "max-heap" in rules:
            limit = int(rules["max-heap"].rstrip("K")) * (1024 if rules["max-heap"].endswith("K") else 1)
            ok = ok and cell["max"] <= limit
        if "max-ratio" in rules:
            ok = ok and cell["max"] / bounds[1] <= float(rules["max-ratio"])
        if "cpu-seconds" in rules:
            ok = ok and cell["cpu_time"] <= float(rules["cpu-seconds"])
        if "time-ratio" in rules:
            ok = ok and name in libc_cpu and \
                cell["cpu_time"] / max(libc_cpu[name], RATIO_FLOOR) <= float(rules["time-ratio"])
        return float(rules["points"]) if ok else 0.0

    earned = sum(expected_points(n) for n in cases)
    possible = sum(float(dict(l.split(" = ") for l in c[2])["points"]) for c in cases.values()) + 8
    rubric = os.path.join(env.tmp, "crafted.ini")
    with open(rubric, "w") as f:
        f.write(f"[grading]\nallocator = first-fit\npass = {earned:g}\n\n")
        for name, (_, _, lines) in cases.items():
            f.write(f"[{name}]\n" + "\n".join(lines) + "\n\n")
        f.write("[w-never-run]\npoints = 8\n")
    status, out, err = env.mc("--merge", results, "--rubric", rubric)
    check(status == 0, f"at the pass mark: exit {status}: {err}")
    for name in cases:
        line = re.search(rf"^\[mcompare\]: {name}: (\S+)/(\S+) points: (.*)$", out, re.M)
        if check(line is not None, f"no score line for {name}"):
            check(float(line.group(1)) == expected_points(name),
                  f"{name}: earned {line.group(1)}, expected {expected_points(name)} ({line.group(3)})")
    check(re.search(r"^\[mcompare\]: w-never-run: 0/8 points: not run", out, re.M) is not None,
          "a rubric workload without a result earns 0 and says not run")
    score = re.search(r"^\[mcompare\]: SCORE: (\S+)/(\S+)$", out, re.M)
    if check(score is not None, "no SCORE line"):
        check(float(score.group(1)) == earned and float(score.group(2)) == possible,
              f"SCORE {score.group(0)}, expected {earned:g}/{possible:g}")
    check(re.search(r"w-ratio-over: 0/6 points: .*MAX / optimal 1\.500 > 1\.490", out) is not None,
          "ratio reason")
    check(re.search(r"w-tratio-over: 0/3 points: .*CPU 1\.100 s = 2\.20 x libc's 0\.500 s > 2\.00", out)
          is not None, "time-ratio reason")
    check(re.search(r"w-tratio-floor: 2/2 points: .*CPU 0\.150 s = 1\.50 x the 0\.1 s floor", out)
          is not None, "time-ratio floor reason")
    check(re.search(r"w-tratio-no-libc: 0/2 points: .*no libc CPU time", out) is not None,
          "time-ratio without a libc result")
    # The libc reference column is shown but never scored.
    check(re.search(r"^\[mcompare\]: libc", out, re.M) is None and out.count("SCORE:") == 1,
          "the libc reference column was scored")
    status, _, _ = env.mc("--merge", results, "--rubric", rubric, "--pass", f"{earned + 0.5:g}")
    check(status == 1, f"below --pass: exit {status}, expected 1")
    status, _, _ = env.mc("--merge", results, "--rubric", rubric, "--pass", "100%")
    check(status == 1, f"--pass 100%: exit {status}, expected 1")
    percent = 100.0 * earned / possible
    status, _, _ = env.mc("--merge", results, "--rubric", rubric, "--pass", f"{math.floor(percent)}%")
    check(status == 0, f"--pass {math.floor(percent)}%: exit {status}, expected 0")
    # The same score in JSON and JUnit.
    junit = os.path.join(env.tmp, "crafted.xml")
    status, out, err = env.mc("--merge", results, "--rubric", rubric, "--format", "json", "--junit", junit)
    document = json.loads(out)
    check(document["score"]["allocators"][0]["earned"] == earned, "JSON score")
    xmllint(env, junit)
    text = open(junit).read()
    failed = sum(1 for n in cases if expected_points(n) == 0)
    check(len(re.findall("<failure ", text)) == failed, f"JUnit failures != {failed} rubric misses")


BAD_RUBRICS = [
    # (text, line of the problem, words in the reason)
    ("[grading]\npass = 5\n[tester-1]\npoints = ten\n", 4, "points"),
    ("[grading]\npass = 5\n[tester-1]\npoints = 1\nmax-hep = 4K\n", 5, "unknown key 'max-hep'"),
    ("[grading]\npass = 5\n[tester-1]\nstatus = ok\n", 3, "no points"),
    ("pass = 5\n[grading]\n", 1, "outside any section"),
    ("[grading]\npass = 5\n\n[tester-1]\npoints = 1\n[tester-1]\npoints = 2\n", 6, "twice"),
    ("[grading]\npass = 5\n[tester-1]\npoints = 1\npoints = 2\n", 5, "twice"),
    ("[grading]\npass = lots\n[tester-1]\npoints = 1\n", 2, "pass"),
    ("[grading]\npass = 5\n[tester-1]\npoints = 1\nstatus = sometimes\n", 5, "status"),
    ("[grading]\npass = 5\n[tester-1]\npoints = 1\nmax-ratio = -2\n", 5, "max-ratio"),
    ("[grading]\npass = 5\n[tester-1]\npoints = 1\ntime-ratio = soon\n", 5, "time-ratio"),
    ("[grading]\npass = 5\n[tester-1]\npoints = 1\ncpu-seconds = 0\n", 5, "cpu-seconds"),
    # The wall-clock key of older rubrics: what to write instead.
    ("[grading]\npass = 5\n[tester-1]\npoints = 1\n\ntime = 20\n", 6, "cpu-seconds = 20"),
    # A comment after a value is part of the value (rubric.h says so).
    ("[grading]\npass = 5\n[tester-1]\npoints = 1  # one\n", 4, "points"),
    ("[grading]\npass = 5\n[tester-1]\npoints = 1\nmax-heap = big\n", 5, "max-heap"),
    ("[tester-1]\npoints = 1\n", 1, "no [grading]"),
    ("[grading]\nallocator = first-fit\n\n\n", 1, "no pass"),
    ("[grading]\npass = 5\n[tester-1\npoints = 1\n", 3, "section header"),
    ("[grading]\npass = 5\njust words\n", 3, "not a [section]"),
    ("[grading]\npass = 5\n", 1, "no workload sections"),
    ("[grading]\npass = 5\n[no-such-workload-x]\npoints = 1\n", 3, "no-such-workload-x"),
]


def scenario_bad_rubrics(env):
    for index, (text, line, words) in enumerate(BAD_RUBRICS):
        path = os.path.join(env.tmp, f"bad{index}.ini")
        with open(path, "w") as f:
            f.write(text)
        status, out, err = env.mc("--rubric", path, "-a", "first-fit")
        lines = err.splitlines()
        check(status == 2, f"bad rubric {index}: exit {status}, expected 2")
        check(out == "", f"bad rubric {index}: printed on stdout: {out!r}")
        if check(len(lines) == 1, f"bad rubric {index}: stderr {err!r}"):
            check(lines[0].startswith(f"{path}:{line}: "), f"bad rubric {index}: {lines[0]!r} is not {path}:{line}: ...")
            check(words in lines[0], f"bad rubric {index}: {lines[0]!r} lacks {words!r}")
    status, _, err = env.mc("--rubric", os.path.join(env.tmp, "missing.ini"))
    check(status == 2 and "missing.ini" in err, "a missing rubric file")


def scenario_emit_merge(env):
    """--emit-jobs, each job run by sh, then --merge: the same figures as a direct run."""
    jobs_dir = os.path.join(env.tmp, "jobs")
    status, out, err = env.mc(*matrix_args(env), "--emit-jobs", jobs_dir)
    check(status == 0, f"--emit-jobs: exit {status}: {err}")
    jobs = out.splitlines()
    check(len(jobs) == 6, f"{len(jobs)} jobs, expected 6")
    mcompare_path = os.path.realpath(env.mcompare)
    check(all(j.startswith("cd '/") and f"'{mcompare_path}'" in j for j in jobs),
          "jobs are not self-contained commands with absolute paths")
    for job in jobs:  # from another directory: the jobs carry their own
        status, _, err = run(["sh", "-c", job], cwd="/")
        check(status == 0, f"job failed ({status}): {job}: {err}")
    check(len([f for f in os.listdir(jobs_dir) if f.startswith("cell-")]) == 6, "6 result files")
    status, out, err = env.mc("--merge", jobs_dir, "--format", "json")
    check(status == 0, f"--merge: exit {status}: {err}")
    merged = check_json_document(env, json.loads(out))
    status, out, err = env.mc(*matrix_args(env), "--format", "json")
    direct = json.loads(out)["cells"]
    key = lambda c: (c["workload"], c["allocator"])
    check([key(c) for c in merged] == [key(c) for c in direct], "merged cells in another order")
    for m, d in zip(sorted(merged, key=key), sorted(direct, key=key)):
        for field in ("status", "code", "max", "requested", "peak_live", "calls", "ratio"):
            check(m[field] == d[field], f"{key(m)}: merged {field} {m[field]} != direct {d[field]}")
    merged_status, merged_table, _ = env.mc("--merge", jobs_dir)
    direct_status, direct_table, _ = env.mc(*matrix_args(env))
    check(merged_status == 0 and direct_status == 0,
          f"table runs: merged exit {merged_status}, direct exit {direct_status}, expected 0")
    # The whole table agrees (names, bounds, MAX, ratios, marks, geomeans)
    # but for the times, which differ run to run.
    time_last = re.compile(r"\d+\.\d\d(?=\s*(?:✓|✗ \d+|-)?\s*$)")  # TIME ends each allocator's part
    strip_times = lambda t: ["│".join([p[0]] + [time_last.sub("T", part) for part in p[1:]])
                             for p in (l.split("│") for l in t.splitlines())]
    check(strip_times(merged_table) == strip_times(direct_table),
          "merged table differs from the direct run's:\n" + merged_table + "\n" + direct_table)
    # A missing result is a row, not a lost run.
    os.remove(os.path.join(jobs_dir, "cell-00000.json"))
    status, out, err = env.mc("--merge", jobs_dir, "--format", "json")
    cells = json.loads(out)["cells"]
    check(len(cells) == 6 and cells[0]["status"] == "NOT-RUN", "a missing result file is NOT-RUN")
    check(status == 1, f"merge with a missing cell: exit {status}, expected 1")
    junit = os.path.join(env.tmp, "merged.xml")
    env.mc("--merge", jobs_dir, "--format", "junit", "-o", junit)
    xmllint(env, junit)
    check("<skipped " in open(junit).read(), "JUnit: the missing cell is not skipped")


def scenario_interrupt(env):
    """Ctrl-C: the finished cells are printed, the rest marked, exit 130."""
    proc = subprocess.Popen([env.mcompare, "-j", "1", "-a", "first-fit",
                             "-w", "tester-1,sleep 20,tester-3"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Plain progress lines: once tester-1 is reported, `sleep 20` is next.
    first = proc.stderr.readline()
    check(first.startswith("[mcompare]: 1/3 tester-1 on first-fit: OK"), f"first line {first!r}")
    time.sleep(0.5)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    check(time.monotonic() - started < 5, "mcompare took long to stop after SIGINT")
    check(proc.returncode == 130, f"exit {proc.returncode}, expected 130: {err}")
    rows = {l.split()[0]: l for l in out.splitlines() if l.startswith("tester-") or l.startswith("sleep")}
    check("tester-1" in rows and ("ok" in rows["tester-1"] or "✓" in rows["tester-1"]), f"tester-1 row: {out}")
    check("sleep 20 on first-fit: not run: interrupted while running" in out, f"running cell: {out}")
    check("tester-3 on first-fit: not run: interrupted before it ran" in out, f"pending cell: {out}")
    check("interrupted: 1 of 3 cells finished" in err, f"closing line: {err!r}")


def scenario_terminal(env):
    """On a terminal (script(1) gives one) the progress is a redrawn bar."""
    script = shutil.which("script")  # util-linux's, in bsdutils: on every Debian
    check(script is not None, "script(1) not found: install bsdutils")
    command = f"{env.mcompare} -a first-fit,best-fit -w tester-1,tester-3 -o {env.tmp}/t.txt"
    status, out, err = run([script, "-qec", command, "/dev/null"], env=dict(os.environ, TERM="xterm"))
    check(status == 0, f"under script: exit {status}: {err}")
    check("\x1b[K[" in out, f"no redrawn bar: {out!r}")  # text mode turns \r into \n
    check(re.search(r"\] \d+/4 cells +\d+:\d\d", out) is not None, f"no 'N/4 cells M:SS': {out!r}")
    check("[mcompare]: 4 cells in" in out, "no closing line")
    check("[mcompare]: 1/4" not in out, "plain lines on a terminal")
    status, out, err = run([env.mcompare, "-a", "first-fit", "-w", "tester-1"])
    check(re.search(r"^\[mcompare\]: 1/1 tester-1 on first-fit: OK", err, re.M) is not None,
          f"no plain line off a terminal: {err!r}")
    check("\x1b[" not in err, "escape sequences off a terminal")


def scenario_usage(env):
    for args, words in [(["--format", "yaml"], "yaml"), (["-a", "no-such-strategy"], "no-such-strategy"),
                        (["-w", "no-such-program-anywhere"], "no-such-program-anywhere"),
                        (["-w", "tester-999"], "give one of tester-1 ... tester-"),
                        (["-m", "lots"], "lots"),
                        (["--pass", "5"], "--rubric"), (["stray"], "stray"),
                        (["-j", "-1"], ">= 1 (0: one per core)"),
                        (["--merge", os.path.join(env.tmp, "nothing")], "nothing")]:
        status, out, err = env.mc(*args)
        check(status == 2, f"{args}: exit {status}, expected 2")
        check(out == "" and len(err.splitlines()) == 1 and words in err, f"{args}: {err!r}")
    bad_trace = os.path.join(env.tmp, "bad.rep")
    with open(bad_trace, "w") as f:
        f.write("0\n1\n1\n1\nm 0 1\n")
    status, out, err = env.mc("-w", bad_trace)
    check(status == 2 and err.startswith(f"{bad_trace}:5: "), f"malformed trace: {err!r}")


def scenario_version(env):
    """--version and --help answer on stdout and exit 0."""
    status, out, err = env.mc("--version")
    check(status == 0 and re.fullmatch(r"mcompare \d+\.\d+\.\d+\n", out) is not None,
          f"--version: exit {status}, {out!r}")
    status, out, err = run([env.mcompare, "--help"], env=dict(os.environ, LC_ALL="C"))
    check(status == 0 and "mcompare [OPTION…]" in out and "--chart" in out and "--gradescope" in out,
          f"--help: exit {status}, {out[:200]!r}")


def scenario_external(env):
    """A tester-N outside mcompare's bin/ is named by its path as given, never
    taken for ours: both rows are there, each under its own name."""
    theirs = env.file("tester-1")
    shutil.copy(os.path.join(env.bin, "tester-1"), theirs)
    status, out, err = env.mc("-a", "first-fit", "-w", f"{theirs},tester-1", "--format", "json")
    check(status == 0, f"exit {status}: {err!r}")
    names = [w["name"] for w in json.loads(out)["workloads"]]
    check(names == [theirs, "tester-1"], f"workload names {names}")


def scenario_score_lines(env):
    """The score lines come in tester order whatever the rubric's order, say
    what each of our testers exercises, and judge a failed run on its status
    alone (a MAX / optimal under the threshold would read as a pass)."""
    crash = env.extra[0]
    rubric = env.file("order.ini")
    with open(rubric, "w") as f:
        f.write("[grading]\npass = 1\n\n[tester-3]\npoints = 1\nmax-ratio = 100\n\n"
                "[tester-1]\npoints = 1\nmax-ratio = 100\n")
    status, out, err = env.mc("-a", f"first-fit,{crash}", "--rubric", rubric)
    lines = [line for line in out.splitlines() if " points: " in line]
    ours = [line for line in lines if "first-fit " in line]
    check(len(ours) == 2 and "tester-1 (" in ours[0] and "tester-3 (splitting)" in ours[1],
          f"first-fit's lines out of order or without what the tester exercises: {ours}")
    failed = [line for line in lines if "first-fit " not in line]
    check(len(failed) == 2 and all("0/1 points: STATUS FAILED" in line and "MAX" not in line
                                   for line in failed), f"failed runs judged on figures: {failed}")


def scenario_width(env):
    """The default table fits 100 columns when standard output is not a
    terminal: the eight default allocators come in blocks, each with the
    workload and bound columns, and every allocator and workload is shown."""
    status, out, err = env.mc("-w", "tester-1,tester-14")
    check(status == 0, f"exit {status}: {err!r}")
    table = out.split("\nFailed or not run")[0]
    widest = max(len(line) for line in table.splitlines())
    check(widest <= 100, f"a line of {widest} columns: {out!r}")
    for name in ("first-fit", "next-fit", "best-fit", "worst-fit", "no-reuse", "segregated-fit",
                 "buddy", "libc"):
        check(name in out, f"{name} missing: {out!r}")
    blocks = [line for line in out.splitlines() if line.lstrip().startswith("bounds")]
    check(len(blocks) >= 2 and all(line.count("tester-14") == 0 for line in blocks),
          f"expected the allocators in several blocks: {blocks!r}")
    check(out.count("tester-14 ") == len(blocks), f"each block repeats the workloads: {out!r}")


def scenario_grade_class(env):
    """scripts/grade-class on three tiny submissions the test makes, with GNU parallel."""
    grade_class, crash_source = env.extra[0], env.extra[1]
    if not check(shutil.which("parallel") is not None,
                 "GNU parallel is missing: install the Debian package parallel (scripts/lib/setup.sh does)"):
        return
    submissions = os.path.join(env.tmp, "submissions")
    good, broken, crashing = (os.path.join(submissions, n) for n in ("alice", "bob", "carol"))
    for folder in (good, broken, crashing):
        os.makedirs(folder)
    shutil.copy(os.path.join(env.lib, "libmalloc-best-fit.so"), os.path.join(good, "alloc.so"))
    with open(os.path.join(broken, "alloc.c"), "w") as f:
        f.write("#include <stddef.h>\nvoid *malloc(size_t n) { return n +; }\n")
    shutil.copy(crash_source, os.path.join(crashing, "alloc.c"))
    rubric = os.path.join(env.tmp, "small.ini")
    with open(rubric, "w") as f:
        f.write("[grading]\npass = 60%\n[tester-1]\npoints = 5\n[tester-3]\npoints = 5\nmax-ratio = 1.1\n"
                "time-ratio = 5\n")
    out_dir = os.path.join(env.tmp, "grades")
    status, out, err = run([grade_class, "--build", os.path.dirname(env.bin.rstrip("/")), "--rubric", rubric,
                            "--out", out_dir, "-j", "2", submissions])
    check(status == 0, f"grade-class: exit {status}: {err}")
    rows = {r["submission"]: r for r in csv.DictReader(open(os.path.join(out_dir, "grades.csv")))}
    check(set(rows) == {"alice", "bob", "carol"}, f"grades.csv rows {set(rows)}")
    check(rows["alice"]["earned"] == "10" and rows["alice"]["possible"] == "10" and rows["alice"]["result"] == "PASS",
          f"alice: {rows['alice']}")
    check(rows["bob"]["earned"] == "0" and rows["bob"]["result"] == "FAIL" and "compile" in rows["bob"]["note"],
          f"bob: {rows['bob']}")
    check(rows["carol"]["earned"] == "0" and rows["carol"]["result"] == "FAIL", f"carol: {rows['carol']}")
    for name in rows:
        xmllint(env, os.path.join(out_dir, name, "junit.xml"))
    check("SIGSEGV inside malloc" in open(os.path.join(out_dir, "carol", "report.txt")).read(),
          "carol's report lacks the crash")
    check("alice" in out and "bob" in out, "grade-class prints a summary")
    # time-ratio's libc reference went through --emit-jobs and --merge.
    alice = open(os.path.join(out_dir, "alice", "report.txt")).read()
    check(re.search(r"tester-3: 5/5 points: .*CPU [\d.]+ s = [\d.]+ x (libc's|the 0\.1 s floor)", alice)
          is not None, f"alice's tester-3 was not timed against libc:\n{alice}")


def one_line(err, words, what):
    lines = err.strip().splitlines()
    check(len(lines) == 1 and all(w in lines[0] for w in words),
          f"{what}: expected one stderr line with {words}, got {err!r}")


def read_fifo(path, into):
    """A reader thread: the FIFO's whole content until its writer closes."""
    with open(path, "rb") as f:
        into.append(f.read())


def mstats_outputs(env, json_file=None, record=None, heap_map=None, stdout=subprocess.PIPE):
    """mstats -q on tester-1 with the output options given."""
    command = [env.mstats, "-q"]
    if json_file:
        command.append(f"--json={json_file}")
    if record:
        command += ["--record", record]
    if heap_map:
        command += ["--heap-map", heap_map]
    return run(command + [env.tester1], stdout)


def outputs_through_links(env):
    """Every output option through a symbolic link: the link stays, its target gets the content."""
    targets = {k: env.file(f"target.{k}") for k in ("json", "rep", "png", "md", "csv")}
    links = {k: env.symlink(f"link.{k}", t) for k, t in targets.items()}
    status, out, err = mstats_outputs(env, links["json"], links["rep"], links["png"])
    check(status == 0, f"mstats through links: exit {status}: {err}")
    check("[mstats]: STATUS: OK" in out, "mstats: the text report beside --json FILE")
    status, out, err = run([env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1",
                            "--format", "markdown", "-o", links["md"], "--csv", links["csv"]])
    check(status == 0, f"mcompare through links: exit {status}: {err}")
    for kind, link in links.items():
        check(os.path.islink(link) and os.readlink(link) == targets[kind],
              f"{kind}: the link was replaced")
    check(json.load(open(targets["json"]))["status"] == "OK", "--json through a link")
    check(open(targets["rep"]).readline().strip().isdigit(), "--record through a link")
    check(open(targets["png"], "rb").read(8) == b"\x89PNG\r\n\x1a\n", "--heap-map through a link")
    check(open(targets["md"]).read().startswith("# Allocator comparison"), "-o through a link")
    check(open(targets["csv"]).readline().startswith("workload,"), "--csv through a link")


def outputs_into_fifos(env):
    """A FIFO with a reader gets the whole report once and stays a FIFO."""
    cases = [
        ("mstats --json", lambda p: mstats_outputs(env, json_file=p),
         lambda data: json.loads(data)["status"] == "OK"),
        ("mstats --record", lambda p: mstats_outputs(env, record=p),
         lambda data: data.splitlines()[0].strip().isdigit() and b"\na " in data),
        ("mcompare -o", lambda p: run([env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1",
                                       "--format", "json", "-o", p]),
         lambda data: len(json.loads(data)["cells"]) == 1),
    ]
    for index, (what, command, valid) in enumerate(cases):
        fifo = env.file(f"fifo{index}")
        os.mkfifo(fifo)
        received = []
        reader = threading.Thread(target=read_fifo, args=(fifo, received), daemon=True)
        reader.start()
        status, _, err = command(fifo)
        reader.join(timeout=30)
        check(status == 0, f"{what} FIFO: exit {status}: {err}")
        check(len(received) == 1 and valid(received[0]),
              f"{what} FIFO: the reader got {received[:1]!r}")
        check(stat.S_ISFIFO(os.lstat(fifo).st_mode), f"{what}: the FIFO was replaced")


def outputs_on_a_full_device(env):
    """A device that fails every write: exit 1, one line, the other results kept."""
    full = env.symlink("full", "/dev/full")  # a regression can only replace this link
    status, out, err = mstats_outputs(env, json_file=full)
    check(status == 1, f"mstats --json /dev/full: exit {status}, expected 1")
    one_line(err, [full, "No space left"], "mstats --json /dev/full")
    check("[mstats]: STATUS: OK" in out, "mstats --json /dev/full: the text report was lost")
    for option in ("record", "heap_map"):
        status, out, err = mstats_outputs(env, **{option: full})
        check(status == 1, f"mstats --{option} /dev/full: exit {status}, expected 1: {err}")
        one_line(err, [full, "No space left"], f"mstats --{option} /dev/full")
        check("[mstats]: STATUS: OK" in out, f"mstats --{option} /dev/full: the report was lost")
    kept = env.file("kept.md")
    status, out, err = run([env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1",
                            "--json", full, "--markdown", kept, "--format", "csv"])
    check(status == 1, f"mcompare --json /dev/full: exit {status}, expected 1")
    one_line(err, [full, "No space left"], "mcompare --json /dev/full")
    check(out.startswith("workload,") and os.path.exists(kept) and "tester-1" in open(kept).read(),
          "mcompare --json /dev/full: the other reports were lost")
    check(os.path.islink(full), "the link to /dev/full was replaced")
    check(stat.S_ISCHR(os.stat("/dev/full").st_mode), "/dev/full is no longer a device")
    with open("/dev/full", "w") as devfull:
        status, _, err = mstats_outputs(env, stdout=devfull)
        check(status == 1, f"mstats >/dev/full: exit {status}, expected 1")
        one_line(err, ["standard output", "No space left"], "mstats >/dev/full")
        status, _, err = run([env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1"], devfull)
        check(status == 1, f"mcompare >/dev/full: exit {status}, expected 1")
        one_line(err, ["standard output", "No space left"], "mcompare >/dev/full")


def outputs_into_a_missing_directory(env):
    """A missing directory is named in the error and never created."""
    missing = env.file("no/such/dir")
    for what, command, expected in [
        ("mcompare -o", [env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1", "-o",
                         os.path.join(missing, "r.md")], 1),
        ("mcompare --junit", [env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1", "--junit",
                              os.path.join(missing, "r.xml")], 1),
        ("mstats --json", [env.mstats, "-q", f"--json={os.path.join(missing, 'r.json')}",
                           env.tester1], 1),
        # Checked before the run: a usage error, and nothing runs.
        ("mstats --record", [env.mstats, "-q", "--record", os.path.join(missing, "r.rep"),
                             env.tester1], 2),
    ]:
        status, _, err = run(command)
        check(status == expected, f"{what} into a missing directory: exit {status}, expected {expected}")
        one_line(err, [missing, "create it first"], f"{what} into a missing directory")
        check(not os.path.exists(env.file("no")), f"{what} created the directory")


def scenario_output_files(env):
    """The files a user names are written in place, and a lost write is an
    error (issue 10): mstats --json/--record/--heap-map and mcompare's -o,
    --json, --markdown, --csv, --junit, and stdout. /dev/full is reached
    through a link, so that a regression could only replace the link."""
    outputs_through_links(env)
    outputs_into_fifos(env)
    outputs_on_a_full_device(env)
    outputs_into_a_missing_directory(env)


def grade_course(env, rubric):
    """One grading of first-fit with the course rubric, cells two at a time:
    (exit status, {workload: (earned, why)}, the SCORE line)."""
    status, out, err = env.mc("-j", "2", "--rubric", rubric, "-a", "first-fit", "--format", "json")
    verdicts = {}
    for entry in json.loads(out)["score"]["allocators"][0]["workloads"]:
        verdicts[entry["workload"]] = (entry["earned"], entry["why"])
    score = re.search(r"^\[mcompare\]: SCORE: .*$", err, re.M)
    return status, verdicts, score.group(0) if score else None


def scenario_load(env):
    """The same allocator graded with scripts/rubrics/course.ini on an idle
    machine and beside two busy loops gets the same SCORE, item by item."""
    rubric = env.extra[0]
    time_items = re.findall(r"^\[([^]]+)\]\n(?:[^[]*\n)*?time-ratio = ", open(rubric).read(), re.M)
    check(len(time_items) >= 5, f"course.ini has {len(time_items)} time-ratio items: the test needs them")
    idle = grade_course(env, rubric)
    loops = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(2)]
    try:
        loaded = grade_course(env, rubric)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    check(idle[0] == 0 and loaded[0] == 0, f"exit idle {idle[0]}, loaded {loaded[0]}, expected 0")
    check(idle[2] is not None and idle[2] == loaded[2], f"SCORE idle {idle[2]!r}, loaded {loaded[2]!r}")
    print(f"idle: {idle[2]}\nload: {loaded[2]}")
    for workload, (earned, why) in idle[1].items():
        other = loaded[1].get(workload, (None, ""))
        check(earned == other[0], f"{workload}: idle {earned} ({why}), loaded {other[0]} ({other[1]})")
        print(f"{workload:10} idle: {why}\n{'':10} load: {other[1]}")
    for workload in time_items:
        check("x libc's" in idle[1][workload][1] or "floor" in idle[1][workload][1],
              f"{workload}: time-ratio was not checked against libc: {idle[1][workload][1]}")


def main():
    scenario, argv = sys.argv[1], sys.argv[2:]
    env = Env(argv)
    try:
        globals()[f"scenario_{scenario}"](env)
    finally:
        if not FAILURES:
            shutil.rmtree(env.tmp, ignore_errors=True)
        else:
            print(f"(files kept in {env.tmp})", file=sys.stderr)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print(f"{scenario}: all {CHECKS[0]} checks passed")


if __name__ == "__main__":
    main()
