#!/usr/bin/env python3
"""What mstats costs over plain LD_PRELOAD, tester by tester.

For each tester, runs it alternately under plain `LD_PRELOAD=libmalloc-S.so`
and under `mstats -q -a S` (sandbox, shim and every check), RUNS times each,
and prints the medians of:
  program CPU   user + system of the tester itself (mstats: its CPU-TIME line),
                so the ratio is what the shim's measuring and checking cost;
  command CPU   user + system of the whole command (mstats: with bwrap,
                mstats-run-init and mstats itself), which start-up dominates
                for short testers;
and the ratios mstats / plain. Below 50 ms of plain CPU a ratio says more
about start-up (the shim maps its region and index, loads the allocator) than
about the checks, so it is shown in brackets and left out of the geometric
mean. A benchmark, not a test: it prints ratios
measured in one alternating run and asserts nothing.

usage: harness_overhead.py BUILD_DIR [--allocator S] [--runs N] [TESTER...]"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys


def cpu_of(command, env=None):
    """Runs `command`; returns (children's CPU seconds, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"harness_overhead: {' '.join(command)} exited {done.returncode}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return cpu, done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build")
    parser.add_argument("--allocator", default="first-fit")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("testers", nargs="*")
    args = parser.parse_intermixed_args()
    bin_dir = os.path.join(args.build, "bin")
    library = os.path.join(args.build, "lib", f"libmalloc-{args.allocator}.so")
    testers = args.testers or sorted(
        (name for name in os.listdir(bin_dir) if re.fullmatch(r"tester-\d+", name)),
        key=lambda name: int(name.split("-")[1]))
    print(f"{'tester':10} {'plain CPU':>10} {'program CPU':>12} {'ratio':>6} "
          f"{'command CPU':>12} {'ratio':>6}   ({args.allocator}, median of {args.runs})")
    program_ratios, command_ratios = [], []
    for tester in testers:
        path = os.path.join(bin_dir, tester)
        plain, program, command = [], [], []
        for _ in range(args.runs):
            cpu, _ = cpu_of([path], env=dict(os.environ, LD_PRELOAD=library))
            plain.append(cpu)
            cpu, out = cpu_of([os.path.join(bin_dir, "mstats"), "-q", "-t", "0", "-a",
                               args.allocator, path])
            command.append(cpu)
            program.append(float(re.search(r"CPU-TIME: ([0-9.]+)", out).group(1)))
        base = max(statistics.median(plain), 0.0001)
        p, c = statistics.median(program), statistics.median(command)
        if base >= 0.05:
            program_ratios.append(p / base)
            command_ratios.append(c / base)
            shown = f"{p / base:6.2f} {c:12.3f} {c / base:6.2f}"
        else:
            shown = f"{'(' + format(p / base, '.1f') + ')':>6} {c:12.3f} {'(' + format(c / base, '.0f') + ')':>6}"
        print(f"{tester:10} {base:10.3f} {p:12.3f} {shown}")
    geomean = lambda values: statistics.geometric_mean(values) if values else 0.0
    print(f"{'geomean':10} {'':10} {'':12} {geomean(program_ratios):6.2f} {'':12} "
          f"{geomean(command_ratios):6.2f}")


main()
