"""The public cheat gallery (issue 9): cheating allocators built on one honest
bump core (cheats/cheat_core.h), each run under mstats on testers, each with
the verdict that the finished defences must give, and none with a graded
figure better than the honest bump control's on the same workload.

usage:
  check_cheats.py MSTATS BIN_DIR CHEATS_DIR
      the gallery: every cheat's exact code and REASON, and its figures
      against the control's (ctest harness.cheats)
  check_cheats.py --rubric MCOMPARE RUBRIC CHEATS_DIR
      mcompare with RUBRIC on the control and five cheats (exit early, a
      region rewrite, PEAK-LIVE inflation, the two mmap arenas under a forged
      __curbrk): no cheat scores above the control (ctest harness.cheats-rubric)
  check_cheats.py --rubric-cut MCOMPARE RUBRIC CHEATS_DIR
      the same for issue 20's cheats on RUBRIC's sections of tester-1 and
      tester-2 (ctest harness.cheats-rubric-cut)
  check_cheats.py --demonstrate MSTATS BIN_DIR CHEATS_DIR
      not a test: runs every cheat under
      `mstats --no-sandbox` as it is today, with the program's brk calls
      witnessed by strace, and prints what each got beside the control, to
      show that each cheat does its trick

BIN_DIR holds mstats' testers (mcompare finds its own); CHEATS_DIR holds
libcheat-NAME.so."""

import os
import re
import subprocess
import sys
import tempfile

from harness_test import Failure, check, main, parse_calls, parse_report, run

HEX = r"0x[0-9a-f]+"
# The words of the finished defences' REASONs that each kind of verdict must
# hold. 96 and 97 are new codes and 67's witness REASON is new: should their
# final wording differ, adjust these three patterns, not the table.
UNFINISHED = r"^96 .*(proof|did not finish)"
WITNESS = r"^67 .*(witness|kernel).*\b\d+\b.*\b\d+\b"  # names both MAX figures
WITNESS_UNMEASURED = r"^67 the kernel's witness saw a process of the run .* that no shim measured"


def cross_check(figures):
    """The 97 REASON naming one of `figures` (a regex alternative)."""
    return rf"^97 .*\b({figures})\b"


T4 = ("tester-4",)
T4_T1 = ("tester-4", "tester-1")
# 91 for a block in memory the shim's break does not cover: `where` names it.
OUTSIDE = r"^91 pointer 0x[0-9a-f]+ outside the heap .* returned by [a-z_]+\([^)]*\): it lies {where}"
IN_MMAP = OUTSIDE.format(where="in memory from mmap")
IN_KERNEL_HEAP = OUTSIDE.format(where="in the kernel's heap above the break that sbrk and brk set")

# cheat -> (code or codes, REASON pattern (None: the run is OK), testers it
# runs[, mstats options that replace the default -t 10])
# Each cheat's source says what it tries and what catches it; docs/security.md
# has the same table in words.
CHEATS = {
    # Early exits: the workload never finishes, so it never proves it.
    "exit-early": (96, UNFINISHED, T4),
    "segv-handler": (96, UNFINISHED, T4),
    "abort-handler": (96, UNFINISHED, T4),
    "ctor-exit": (96, UNFINISHED, T4_T1),
    "close-fds": (96, UNFINISHED, T4),
    "forged-proof": (96, UNFINISHED, T4),
    "challenge-swap": (96, UNFINISHED, T4),
    # The run ends with its program, and the child with it: no proof (96).
    # The child races the run's end, though: on a busy machine it can finish
    # and prove first, and then the measured program's CALLS (0) differ from
    # the reference run's (97); or it grows its heap before the end, and the
    # witness finds a heap no shim measured (67: the fork came while the shim
    # was still loading the allocator, so the child has no entry of its own;
    # seen on CI). Each verdict fails the run.
    "fork-exit": ((96, 97, 67), rf"{UNFINISHED}|{cross_check('CALLS')}|{WITNESS_UNMEASURED}",
                  T4),
    # Rewritten or hidden heap: the kernel's brk witness disagrees with the shim.
    "region-max": (67, WITNESS, T4_T1),
    "proc-mem": (67, WITNESS, T4),
    "dunder-sbrk": (67, WITNESS, T4),
    "raw-brk": (67, WITNESS, T4),
    "thread-growth": (67, WITNESS, T4),
    "seccomp-allow": (67, WITNESS, T4),
    "ptrace-first": (67, WITNESS, T4),
    # A heap grown past the shim's sbrk and brk, with __curbrk moved over it:
    # the shim keeps its break itself and never reads __curbrk, so the first
    # block is outside its heap.
    "mmap-heap": (91, IN_MMAP, T4),
    "own-sbrk": (91, IN_KERNEL_HEAP, T4),
    "forged-curbrk": (91, IN_KERNEL_HEAP, T4),
    "curbrk-arena": (91, IN_MMAP, T4_T1),
    "curbrk-arena-plausible": (91, IN_MMAP, T4_T1),
    # After the re-exec glibc grows the heap that the shim (gone) never saw;
    # unsure: 67 (witness) or 97 (CALLS 0 against the reference), whichever
    # the runner judges first.
    "reexec-without-shim": (67, WITNESS, T4),
    # Figures of the workload, inflated or rewritten: the reference run's differ.
    "region-peak": (97, cross_check("PEAK-LIVE|REQUESTED"), T4_T1),
    "region-calls": (97, cross_check("CALLS"), T4),
    "malloc-at-exit": (97, cross_check("CALLS|REQUESTED|PEAK-LIVE"), T4_T1),
    "dlsym-shim-free": (97, cross_check("CALLS"), T4),
    # Foreign memory: the shim's pointer check, which names the kind of memory.
    "mmap-blocks": (91, r"^91 .* returned by malloc\(8000\): it lies in memory from mmap ", T4),
    "stack-blocks": (91, r"^91 .* returned by malloc\(\d+\): it lies on the stack;", T4_T1),
    "static-data": (91, r"^91 .* returned by malloc\(\d+\): it lies in the static data of "
                        r"libc\.so\.6;", T4_T1),
    # Harmless: the workload finished and proved it; the figures are honest.
    "dtor-exit": (0, None, T4_T1),
    "fake-lines": (0, None, T4_T1),
    "late-lines": (0, None, T4),
    "quiet-stdio": (0, None, T4_T1),
    # In the sandbox the parent is the PID namespace's init: out of reach.
    "kill-parent": (0, None, T4),
    # Root inside the run (issue 20): its confinement refuses the remount, the
    # open of the witness's memory and the write to the next testers, so each
    # works honestly (were an attack to succeed, the cheat would stop at once:
    # 96).
    "root-remount": (0, None, T4),
    "init-mem": (0, None, T4),
    "next-tester": (0, None, T4),
    # Time: 2.5 s of CPU under -t 1 with a stop every few microseconds. A
    # brk(0) earns nothing; a page given back and taken again earns the
    # witness's time over the stop, timed from when the wait returned it
    # (timed from before the wait, it included the program's own work on
    # the other CPU: TIME 5.0 s, OK).
    "brk0-stretch": (15, r"^15 timed out after 1 s", T4, ("-t", "1")),
    "brk-page-stretch": (15, r"^15 timed out after 1 s", T4, ("-t", "1")),
    # Headers in a side table outside the heap, the heap holding the blocks
    # alone (unwitnessed, tester-17: MAX 176,029,696 against the control's
    # 256,049,152). On tester-4 the table is one 1 MiB mapping (4 KiB of it
    # written); on tester-16 and tester-24 it grows by mremap to 256 MiB.
    # The witness of memory outside the heap counts it against the reference
    # run's (docs/security.md).
    "side-table": (91, r"^91 tester-4 \(pid \d+\) kept \d+ bytes of memory outside the heap ",
                   T4),  # anonymous, private
    "memfd-table": (91, r"^91 tester-4 \(pid \d+\) kept \d+ bytes of memory outside the heap ",
                    T4),  # a memfd, MAP_SHARED
    # 2.5 s of scans made by a forked helper while the calls sleep on a
    # futex: CPU-TIME 0.04 s from the program's rusage (the control's
    # 0.02 s). Counted from the run's cgroup (CPU-SOURCE: cgroup, which this
    # project's machines give root), it is at least the helper's 2.5 s; the
    # fifth field is that least CPU-TIME. -t 30: the wall time is the
    # work's, and beside load a pinned helper takes up to 4 s of it.
    "cpu-helper": (0, None, T4, ("-t", "30"), 2.0),
}

CONTROL = "honest"


def library(cheats_dir, name):
    return os.path.join(cheats_dir, f"libcheat-{name}.so")


def verdict(report):
    """The run's code: 0 for STATUS OK, else the number REASON starts with."""
    if report.get("STATUS") == "OK":
        return 0
    match = re.match(r"(\d+) ", report.get("REASON", ""))
    return int(match.group(1)) if match else None


def figure(report, name):
    """A numeric figure of the report, or None when absent or not a number."""
    try:
        return float(report[name])
    except (KeyError, ValueError):
        return None


def run_mstats(mstats, allocator, program, options=()):
    command = [mstats, *(options or ("-t", "10")), "-a", allocator, program]
    status, out, err, _ = run(command, timeout=60)
    # mstats prints its report last: a program's fake lines come earlier, so
    # the report's own lines are the last of each name (parse_report's rule).
    return status, parse_report(out), out, err


def summary(report):
    """The report's verdict and graded figures on one line, for messages."""
    names = ("STATUS", "MAX", "PEAK-LIVE", "REQUESTED", "UTILIZATION", "CALLS", "REASON")
    return "; ".join(f"{name} {report[name]}" for name in names if name in report)


def not_better(where, report, control, ok):
    """No graded figure of `report` beats the control's. A failed run earns
    no points whatever it prints (the rubric check asserts that), and a run
    stopped early rightly shows a smaller heap, so for it only the workload's
    figures (PEAK-LIVE, REQUESTED: the reference's in the finished harness)
    are compared, and UTILIZATION must stay a utilization (at most 1)."""
    def compare(name, worse_or_equal):
        value, base = figure(report, name), figure(control, name)
        if value is not None:
            check(worse_or_equal(value, base),
                  f"{where}: {name} {report[name]} is better than the control's {control[name]}")

    compare("PEAK-LIVE", lambda v, b: v <= b)
    compare("REQUESTED", lambda v, b: v <= b)
    if not ok:
        compare("UTILIZATION", lambda v, b: v <= 1.0)
        return
    compare("MAX", lambda v, b: v >= b)
    compare("UTILIZATION", lambda v, b: v <= b + 1e-6)
    check(parse_calls(report.get("CALLS", "")) == parse_calls(control["CALLS"]),
          f"{where}: CALLS {report.get('CALLS')!r}, the control's {control['CALLS']!r}")


def test_gallery(argv):
    mstats, bin_dir, cheats_dir = argv
    cheats = CHEATS
    controls = {}
    for tester in {t for _, _, testers, *_ in cheats.values() for t in testers}:
        status, report, _, err = run_mstats(mstats, library(cheats_dir, CONTROL),
                                              os.path.join(bin_dir, tester))
        check(status == 0 and verdict(report) == 0,
              f"control on {tester}: exit {status}, {summary(report)}; stderr {err!r}")
        controls[tester] = report
    # Every cheat runs even when one fails, so that one run lists them all.
    failures = []
    for name, (code, pattern, testers, *options) in cheats.items():
        for tester in testers:
            where = f"{name} on {tester}"
            try:
                check_cheat(mstats, library(cheats_dir, name), os.path.join(bin_dir, tester),
                            where, code, pattern, controls[tester], *options)
                print(f"ok {where}: {code}", flush=True)
            except Failure as failure:
                print(f"not ok {failure}", flush=True)
                failures.append(str(failure))
    try:
        check_growth_is_given_time(mstats, bin_dir, cheats_dir)
    except Failure as failure:
        print(f"not ok {failure}", flush=True)
        failures.append(str(failure))
    check(not failures, f"{len(failures)} cheat runs not judged as expected:\n" +
          "\n".join(failures))


# An honest allocator that grows its heap a page per sbrk call: 55,000 brk
# stops on tester-8, which the witnessed run waits for.
PAGES = ("honest-pages", "tester-8")


def check_growth_is_given_time(mstats, bin_dir, cheats_dir):
    """The time the witness takes over a growing heap is given back: the
    page-a-time allocator, unwitnessed, takes T seconds; witnessed, it takes
    about twice as long here, and still passes -t 1.5 T (its stops grow the
    run's largest heap: each earns the flat allowance)."""
    allocator, program = library(cheats_dir, PAGES[0]), os.path.join(bin_dir, PAGES[1])
    where = f"{PAGES[0]} on {PAGES[1]}"
    status, plain, _, _ = run_mstats(mstats, allocator, program, ("--no-witness",))
    check(status == 0 and verdict(plain) == 0, f"{where}, unwitnessed: {summary(plain)}")
    limit = f"{1.5 * float(plain['TIME']):.2f}"
    status, witnessed, _, _ = run_mstats(mstats, allocator, program, ("-t", limit))
    check(status == 0 and verdict(witnessed) == 0,
          f"{where}, witnessed under -t {limit} (unwitnessed TIME {plain['TIME']}): "
          f"{summary(witnessed)}; TIME {witnessed.get('TIME')}")
    print(f"ok {where}: TIME {plain['TIME']} unwitnessed, {witnessed['TIME']} witnessed "
          f"under -t {limit}", flush=True)


def check_cheat(mstats, allocator, program, where, code, pattern, control, options=(),
                least_cpu=None):
    """One cheat on one tester (with mstats `options`, if any): the exact code,
    REASON and exit status, CPU-TIME at least `least_cpu` seconds if given,
    and no figure better than `control`'s (the control's report on the
    tester)."""
    status, report, _, _ = run_mstats(mstats, allocator, program, options)
    got = verdict(report)
    codes = code if isinstance(code, tuple) else (code,)
    check(got in codes, f"{where}: code {got}, expected {code}; {summary(report)}")
    check(status == (0 if code == 0 else 1), f"{where}: exit status {status}")
    reason = report.get("REASON", "")
    if pattern is None:
        check("REASON" not in report, f"{where}: REASON {reason!r} in an OK run")
    else:
        check(re.search(pattern, reason), f"{where}: REASON {reason!r} does not match {pattern!r}")
    if least_cpu is not None:
        cpu = figure(report, "CPU-TIME")
        check(cpu is not None and cpu >= least_cpu,
              f"{where}: CPU-TIME {report.get('CPU-TIME')}, expected at least {least_cpu} s")
    not_better(where, report, control, code == 0)


# The three cheats issue 9 names for the rubric (exit early, a region
# rewrite, PEAK-LIVE inflation), and issue 20's arena under a forged
# __curbrk, whose plausible MAX once scored 25 where the control scored 10.
# Issue 20's other cheats are graded on a cut of the rubric (CUT_CHEATS,
# below): each would add a column of 20 cells here (beside load, 211 s
# became 266 s with side-table and memfd-table, 264 s with cpu-helper).
RUBRIC_CHEATS = ("exit-early", "region-max", "region-peak", "curbrk-arena",
                 "curbrk-arena-plausible")


def test_rubric(argv, cheats=RUBRIC_CHEATS):
    mcompare, rubric, cheats_dir = argv
    names = (CONTROL, *cheats)
    allocators = ",".join(library(cheats_dir, name) for name in names)
    command = [mcompare, "--rubric", rubric, "-a", allocators, "-j", "2"]
    status, out, err, seconds = run(command, timeout=600)
    check(status in (0, 1), f"mcompare: exit status {status}: {err!r}")
    # One SCORE line per graded allocator, in the order of -a.
    scores = [int(s) for s in re.findall(r"^\[mcompare\]: SCORE: (\d+)/\d+", out + err, re.M)]
    check(len(scores) == len(names), f"mcompare: {len(scores)} SCORE lines for {len(names)} "
                                     f"allocators:\n{out}{err}")
    print(f"scores {dict(zip(names, scores))} in {seconds:.0f} s", flush=True)
    control = scores[0]
    for name, score in zip(names[1:], scores[1:]):
        check(score <= control, f"{name} scores {score}, above the honest control's {control}")


# Issue 20's cheats, graded on a cut of the course rubric: its [grading]
# section and two of its sections where the control earns its points (5
# each for an OK run of the lecture's programs; the control earns nothing
# on the sections with a ratio limit, as no-reuse allocators do not). Each
# cheat is caught on any tester (or works honestly, or gains time that no
# section here charges), so none may score above the control's 10. The
# whole rubric would add a column of 20 cells per cheat (about 55 s each
# beside load).
CUT_CHEATS = ("root-remount", "init-mem", "next-tester", "side-table", "memfd-table",
              "brk0-stretch", "brk-page-stretch", "cpu-helper")
CUT_SECTIONS = ("grading", "tester-1", "tester-2")


def rubric_cut(rubric, sections):
    """The rubric's text with only `sections` (each with the comments and
    lines up to the next section)."""
    kept, keep = [], False
    for line in open(rubric):
        header = re.match(r"^\[([^]]+)\]", line)
        if header:
            keep = header.group(1) in sections
        if keep:
            kept.append(line)
    return "".join(kept)


def test_rubric_cut(argv):
    mcompare, rubric, cheats_dir = argv
    with tempfile.NamedTemporaryFile("w", suffix=".ini") as cut:
        cut.write(rubric_cut(rubric, CUT_SECTIONS))
        cut.flush()
        test_rubric([mcompare, cut.name, cheats_dir], CUT_CHEATS)


def witnessed_max(trace_file, program):
    """The program's heap peak as its brk system calls (traced by strace -f)
    say: the highest break the kernel returned above the first break after
    the program's (last) exec, over the program's threads. None when the
    trace does not show the program."""
    line_re = re.compile(r"^(\d+) +(.*)$")
    program_tids, start, peak, pending = set(), None, None, {}
    with open(trace_file) as trace:
        for raw in trace:
            match = line_re.match(raw.rstrip("\n"))
            if not match:
                continue
            tid, text = int(match.group(1)), match.group(2)
            if text.endswith("<unfinished ...>"):
                pending[tid] = text[: -len("<unfinished ...>")]
                continue
            resumed = re.match(r"<\.\.\. \w+ resumed>(.*)$", text)
            if resumed:
                text = pending.pop(tid, "") + resumed.group(1)
            result = re.search(r"= (-?\w+)", text)
            if text.startswith("execve(") and program in text and result and result.group(1) == "0":
                program_tids, start, peak = {tid}, None, None
            elif tid not in program_tids or result is None:
                continue
            elif text.startswith(("clone(", "clone3(")) and "CLONE_THREAD" in text:
                program_tids.add(int(result.group(1)))
            elif text.startswith("brk("):
                value = int(result.group(1), 16)
                start = value if start is None else start
                peak = value if peak is None else max(peak, value)
    return None if start is None else peak - start


def demonstrate(argv):
    mstats, bin_dir, cheats_dir = argv
    columns = ("code", "MAX", "witnessed", "PEAK-LIVE", "UTILIZATION", "CPU-TIME", "CALLS")
    cheats = CHEATS
    print(f"{'cheat':22} {'tester':9} " + " ".join(f"{c:>12}" for c in columns[:-1]) + "  CALLS")
    with tempfile.TemporaryDirectory() as scratch:
        trace = os.path.join(scratch, "brk.trace")
        for tester in ("tester-4", "tester-1"):
            program = os.path.join(bin_dir, tester)
            for name in (CONTROL, *cheats):
                if tester not in cheats.get(name, (0, 0, T4_T1))[2]:
                    continue
                # -t 10, or cpu-helper's own options (its exchanges, each
                # stopped by strace, take longer).
                entry = CHEATS.get(name, ()) if name == "cpu-helper" else ()
                options = entry[3] if len(entry) > 3 else ("-t", "10")
                command = ["strace", "-f", "-qq", "-o", trace, "-e",
                           "trace=execve,brk,clone,clone3", mstats, "--no-sandbox", "-q",
                           *options, "-a", library(cheats_dir, name), program]
                done = subprocess.run(command, capture_output=True, text=True, timeout=120)
                report = parse_report(done.stdout)
                witnessed = witnessed_max(trace, program)
                calls = re.sub(r" (calloc|realloc)=0", "", report.get("CALLS", "-"))
                cells = (verdict(report), report.get("MAX", "-"),
                         "-" if witnessed is None else witnessed, report.get("PEAK-LIVE", "-"),
                         report.get("UTILIZATION", "-"), report.get("CPU-TIME", "-"))
                print(f"{name:22} {tester:9} " + " ".join(f"{str(c):>12}" for c in cells)
                      + f"  {calls}")
                if report.get("REASON"):
                    print(f"{'':32} REASON: {report['REASON'][:110]}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--demonstrate"]:
        try:
            demonstrate(sys.argv[2:])
        except (Failure, OSError, subprocess.SubprocessError) as error:
            sys.exit(f"check_cheats.py --demonstrate: {error}")
    elif sys.argv[1:2] == ["--rubric"]:
        sys.argv.pop(1)
        main(test_rubric)
    elif sys.argv[1:2] == ["--rubric-cut"]:
        sys.argv.pop(1)
        main(test_rubric_cut)
    else:
        main(test_gallery)
