"""Shared helpers for the harness tests: run mstats, parse its report, and
compute the figures a list of workload operations must give."""

import os
import re
import subprocess
import sys

LINE = re.compile(r"^\[mstats\]: ([A-Z-]+): (.*)$")


class Failure(Exception):
    pass


def run(command, timeout=60, env=None):
    """Runs a command; returns (exit status, stdout, stderr, seconds)."""
    import time

    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - start


def parse_report(text):
    """The [mstats]: lines as a dict of field -> value text."""
    report = {}
    for line in text.splitlines():
        match = LINE.match(line)
        if match:
            report[match.group(1)] = match.group(2)
    return report


def parse_calls(value):
    return {name: int(count) for name, count in (part.split("=") for part in value.split())}


def expected_figures(ops):
    """REQUESTED, PEAK-LIVE and CALLS that workload.c must produce for `ops`."""
    live = {}
    requested = live_now = peak = 0
    calls = {"malloc": 0, "calloc": 0, "realloc": 0, "free": 0}

    def grow(amount):
        nonlocal live_now, peak
        live_now += amount
        peak = max(peak, live_now)

    for op in ops:
        kind, rest = op[0], op[1:]
        if kind == "n":
            calls["free"] += 1
        elif kind == "F":
            pass  # the child's calls are not the program's
        elif kind == "a":
            slot, size = rest.split(":")
            calls["malloc"] += 1
            requested += int(size)
            live[slot] = int(size)
            grow(int(size))
        elif kind in "mA":
            slot, _, size = rest.split(":")
            calls["malloc"] += 1  # aligned variants count as malloc
            requested += int(size)
            live[slot] = int(size)
            grow(int(size))
        elif kind == "c":
            slot, dims = rest.split(":")
            count, size = (int(x) for x in dims.split("x"))
            calls["calloc"] += 1
            requested += count * size
            live[slot] = count * size
            grow(count * size)
        elif kind == "r":
            slot, size = rest.split(":")
            calls["realloc"] += 1
            old = live.pop(slot, 0)
            live_now -= old
            if int(size) == 0 and old:
                continue  # realloc(p, 0) frees p
            requested += int(size)
            live[slot] = int(size)
            grow(int(size))
        elif kind == "f":
            calls["free"] += 1
            live_now -= live.pop(rest)
        else:
            raise ValueError(f"no expectation for operation {op}")
    return {"REQUESTED": requested, "PEAK-LIVE": peak, "CALLS": calls}


def check(condition, message):
    if not condition:
        raise Failure(message)


def main(test):
    """Runs test(argv) and turns a Failure into exit status 1 with its message."""
    try:
        test(sys.argv[1:])
    except Failure as failure:
        print(f"FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
    print("PASS")
