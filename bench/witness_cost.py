#!/usr/bin/env python3
"""What the kernel's brk witness costs, per brk and per tester.

For each allocator and tester, runs the tester under mstats alternately
unwitnessed and witnessed, RUNS times each, and prints the medians of:
  brk        the brk system calls the witness saw;
  TIME       the program's wall time (mstats' TIME line: run-init's clock);
  CPU        the program's CPU time (its CPU-TIME line), which a time limit
             charges: witnessing must not raise it;
and the ratios witnessed / unwitnessed, with the extra wall time per brk.
Trusted allocators (the built-in strategies) are witnessed with
--witness-all against their default, unwitnessed run; a graded allocator
(a path) with its default, witnessed run against --no-witness. A benchmark,
not a test: it prints figures from one alternating run and asserts nothing.

With --against OTHER_BUILD, the first column is instead OTHER_BUILD's mstats
witnessing the same allocator the same way (another commit's witness
against this one's: what a change to the witness costs).

usage: witness_cost.py BUILD_DIR [--runs N] [--allocator A]... [--against OTHER_BUILD]
                       [TESTER...]
Default allocators: the four fit strategies, the students' allocator at the
end of the tutorial (docs/students.md: the mstats-init kit with its
splitting and coalescing changes; it grows by the exact shortfall) and the
cheat gallery's honest control (tests/harness/cheats: 64 KiB at a time).
tester-13 is left out for the student's allocator, whose free list makes it
quadratic there (a minute and more)."""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

STRATEGIES = ["first-fit", "next-fit", "best-fit", "worst-fit"]
# Light enough to run 2 x RUNS times under every allocator (tester-24 is
# left out: 10 million blocks; name it to measure it).
TESTERS = [f"tester-{n}" for n in (1, 2, 3, 4, 7, 8, 9, 10, 12, 13, 14, 16, 17, 18, 21, 23)]


def figures(command):
    """Runs mstats; returns (brk calls, TIME, CPU-TIME) from its report."""
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    report = dict(re.findall(r"^\[mstats\]: ([A-Z-]+): (.*)$", done.stdout, re.M))
    if report.get("STATUS") != "OK":
        sys.exit(f"witness_cost: {' '.join(command)}: STATUS {report.get('STATUS')} "
                 f"{report.get('REASON', '')}")
    brks = re.search(r"over (\d+) brk calls", report.get("WITNESS", ""))
    return (int(brks.group(1)) if brks else None, float(report["TIME"]),
            float(report["CPU-TIME"]))


def student_allocator(build, directory):
    """Builds the tutorial's allocator (the kit and its two changes); returns its path."""
    kit = os.path.join(directory, "kit")
    subprocess.run([os.path.join(build, "bin", "mstats-init"), kit], check=True,
                   stdout=subprocess.DEVNULL)
    docs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "students")
    for change in ("split.diff", "coalesce.diff"):
        subprocess.run(["patch", "-s", "--no-backup-if-mismatch", os.path.join(kit, "alloc.c"),
                        os.path.join(docs, change)], check=True)
    subprocess.run(["make", "-s", "-C", kit], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(kit, "alloc.so")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--allocator", action="append", dest="allocators")
    parser.add_argument("--against")
    parser.add_argument("testers", nargs="*")
    args = parser.parse_intermixed_args()
    mstats = os.path.join(args.build, "bin", "mstats")
    with tempfile.TemporaryDirectory() as directory:
        allocators = args.allocators or STRATEGIES + [
            student_allocator(args.build, directory),
            os.path.join(args.build, "tests", "harness", "cheats", "libcheat-honest.so")]
        print(f"{'allocator':<22} {'tester':<10} {'brk':>9} {'TIME':>8} {'witnessed':>9} "
              f"{'ratio':>6} {'us/brk':>7} {'CPU':>7} {'witnessed':>9} {'ratio':>6}")
        for allocator in allocators:
            trusted = "/" not in allocator
            name = os.path.basename(allocator)
            plain_option, witness_option = ([], ["--witness-all"]) if trusted else (
                ["--no-witness"], [])
            time_ratios = []
            student = allocator.endswith("/kit/alloc.so")
            for tester in args.testers or [t for t in TESTERS
                                           if not (student and t == "tester-13")]:
                program = os.path.join(args.build, "bin", tester)
                plain_command = [mstats, "-t", "600", *plain_option, "-a", allocator, program]
                if args.against:
                    plain_command = [os.path.join(args.against, "bin", "mstats"), "-t", "600",
                                     *witness_option, "-a", allocator,
                                     os.path.join(args.against, "bin", tester)]
                plain, witnessed = [], []
                for _ in range(args.runs):  # alternating, so load hits both alike
                    plain.append(figures(plain_command))
                    witnessed.append(figures([mstats, "-t", "600", *witness_option, "-a",
                                              allocator, program]))
                brks = statistics.median(w[0] for w in witnessed)
                time_a = statistics.median(p[1] for p in plain)
                time_b = statistics.median(w[1] for w in witnessed)
                cpu_a = statistics.median(p[2] for p in plain)
                cpu_b = statistics.median(w[2] for w in witnessed)
                per_brk = (time_b - time_a) / brks * 1e6 if brks else 0.0
                time_ratios.append(time_b / time_a if time_a > 0 else 1.0)
                print(f"{name:<22} {tester:<10} {brks:>9.0f} {time_a:>8.4f} {time_b:>9.4f} "
                      f"{time_b / time_a if time_a else 0:>6.2f} {per_brk:>7.1f} "
                      f"{cpu_a:>7.4f} {cpu_b:>9.4f} {cpu_b / cpu_a if cpu_a else 0:>6.2f}",
                      flush=True)
            print(f"{name:<22} {'geomean':<10} {'':>9} {'':>8} {'':>9} "
                  f"{statistics.geometric_mean(time_ratios):>6.2f}", flush=True)


if __name__ == "__main__":
    main()
