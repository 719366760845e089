"""Verification by output (issue 21): a program that gives no completion proof
(foreign_checksum.c, as a course's own tester) is verified under a graded
allocator by its exit status and stdout against its reference run on glibc.

- the honest control is OK, COMPLETION verified by output with the exact
  byte count, its stdout reaching a pipe, a file and a terminal unchanged,
  and the JSON report's stdout_bytes and stdout_sha256 are those of the
  program's own output;
- the exit-early cheat is not verified (its COMPLETION says where stdout
  ends) and earns nothing under the default rubric;
- a program whose output varies is OK but not verified, naming line 2, scores 0 with the
  default rubric and its points with verify = none;
- a built-in strategy is trusted: OK with COMPLETION not needed, and its
  points under verify = proof;
- a stdin from a file is read by both runs (verified); from a pipe, which
  the reference run cannot read, a difference is no verdict (not verified).

usage: check_output_verify.py MSTATS MCOMPARE FOREIGN CHEATS_DIR"""

import hashlib
import json
import os
import pty
import re
import subprocess
import sys
import tempfile

from harness_test import check, main, parse_report

VERIFIED = ("verified by output (exit 0, stdout {} bytes equal to the reference run's on glibc; "
            "CALLS, REQUESTED and PEAK-LIVE are its)")


def mstats(tool, allocator, program, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
           options=()):
    """mstats -a ALLOCATOR PROGRAM...; returns (exit status, stdout text)."""
    done = subprocess.run([tool, "-a", allocator, *options, *program], stdin=stdin,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)
    return done.returncode, done.stdout


def own_output(report_text):
    """What the program wrote before mstats's report."""
    return report_text[:report_text.find("[mstats]: ")]


def on_terminal(tool, allocator, program):
    """mstats with its stdout on a pseudo-terminal: all it wrote there."""
    master, slave = pty.openpty()
    child = subprocess.Popen([tool, "-a", allocator, *program], stdin=subprocess.DEVNULL,
                             stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer is gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    child.wait(timeout=120)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def score(mcompare, directory, allocator, workload, verify):
    path = os.path.join(directory, f"verify-{verify or 'default'}.ini")
    with open(path, "w") as out:
        out.write("[grading]\npass = 1\n" + (f"verify = {verify}\n" if verify else "") +
                  f"\n[{workload}]\npoints = 1\n")
    done = subprocess.run([mcompare, "-q", "--rubric", path, "-a", allocator],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    match = re.search(r"^\[mcompare\]: SCORE: (\d+)/1$", done.stdout, re.M)
    check(match is not None, f"{path}: no SCORE line: {done.stdout!r} {done.stderr!r}")
    return int(match.group(1)), done.stdout


def honest_runs(tool, foreign, honest, plain):
    status, out = mstats(tool, honest, [foreign])
    report = parse_report(out)
    check(status == 0 and report.get("STATUS") == "OK", f"honest: exit {status}: {out!r}")
    check(own_output(out) == plain, f"honest: the program's stdout changed on a pipe: {out!r}")
    check(report.get("COMPLETION") == VERIFIED.format(len(plain)),
          f"honest: COMPLETION {report.get('COMPLETION')!r}")

    with tempfile.TemporaryDirectory() as directory:
        json_path = os.path.join(directory, "report.json")
        output_path = os.path.join(directory, "stdout")
        with open(output_path, "w") as output:
            status, _ = mstats(tool, honest, [foreign], stdout=output,
                               options=[f"--json={json_path}"])
        with open(output_path) as output:
            written = output.read()
        check(status == 0 and own_output(written) == plain,
              f"honest: the program's stdout changed in a file: {written!r}")
        with open(json_path) as report_file:
            document = json.load(report_file)
        expected = {"completion": "output", "stdout_bytes": len(plain),
                    "stdout_sha256": hashlib.sha256(plain.encode()).hexdigest()}
        got = {key: document.get(key) for key in expected}
        check(got == expected, f"honest: JSON {got} instead of {expected}")

    shown = on_terminal(tool, honest, [foreign])
    report = parse_report(shown)
    check(own_output(shown) == plain, f"honest: the program's stdout changed on a terminal: "
                                      f"{shown!r}")
    check(report.get("STATUS") == "OK" and report.get("COMPLETION") == VERIFIED.format(len(plain)),
          f"honest on a terminal: {shown!r}")


def cheat_and_variation(tool, mcompare, foreign, honest, exit_early, plain):
    """A differing stdout is no verdict (an honest program may print the
    time): the run stays OK, not verified, and a rubric grades it only with
    verify = none."""
    status, out = mstats(tool, exit_early, [foreign])
    report = parse_report(out)
    check(status == 0 and report.get("STATUS") == "OK" and "REASON" not in report,
          f"exit-early: exit {status}, STATUS {report.get('STATUS')!r}")
    check(report.get("COMPLETION", "").startswith(
              "not verified: its output differs from the reference run's on glibc: stdout ends "
              "at byte offset") and f"against the reference run's {len(plain)}"
          in report.get("COMPLETION", ""),
          f"exit-early: COMPLETION {report.get('COMPLETION')!r}")

    status, out = mstats(tool, honest, [foreign, "varies"])
    report = parse_report(out)
    first_line = len("foreign-checksum: start 0\n")
    match = re.match(r"not verified: its output differs from the reference run's on glibc: "
                     r"stdout differs from the reference run's at byte offset (\d+) \(line 2\)",
                     report.get("COMPLETION", ""))
    check(status == 0 and report.get("STATUS") == "OK" and
          match is not None and int(match.group(1)) >= first_line,
          f"varying output: exit {status}: {out!r}")

    with tempfile.TemporaryDirectory() as directory:
        # The cheat earns nothing under the default verify = output.
        earned, out = score(mcompare, directory, exit_early, foreign, None)
        check(earned == 0, f"exit-early, verify = output: {earned} points: {out!r}")

    with tempfile.TemporaryDirectory() as directory:
        workload = f"{foreign} varies"
        for verify, points in ((None, 0), ("none", 1)):
            earned, out = score(mcompare, directory, honest, workload, verify)
            check(earned == points, f"varying output, verify = {verify}: {earned} points: {out!r}")
        # A built-in strategy is trusted: no proof, no reference run needed.
        earned, out = score(mcompare, directory, "first-fit", workload, "proof")
        check(earned == 1, f"first-fit, verify = proof: {earned} points: {out!r}")

    status, out = mstats(tool, "first-fit", [foreign, "varies"])
    report = parse_report(out)
    check(status == 0 and report.get("STATUS") == "OK" and
          report.get("COMPLETION") == "not needed (first-fit is trusted code: its run needs no "
                                      "proof and no reference run)",
          f"first-fit: exit {status}: {out!r}")


def standard_input(tool, foreign, honest):
    with tempfile.TemporaryFile() as data:
        data.write(b"input the reference run reads too\n" * 100)
        data.seek(0)
        alone = subprocess.run([foreign, "stdin"], stdin=data, capture_output=True,
                               text=True).stdout
        data.seek(0)
        status, out = mstats(tool, honest, [foreign, "stdin"], stdin=data)
    report = parse_report(out)
    check(status == 0 and own_output(out) == alone and
          report.get("COMPLETION") == VERIFIED.format(len(alone)),
          f"stdin from a file: exit {status}: {out!r}")

    done = subprocess.run([tool, "-a", honest, foreign, "stdin"], input="from a pipe\n",
                          capture_output=True, text=True, timeout=120)
    report = parse_report(done.stdout)
    completion = report.get("COMPLETION", "")
    check(done.returncode == 0 and report.get("STATUS") == "OK" and
          completion.startswith("not verified: stdout differs") and
          "its standard input is a pipe" in completion,
          f"stdin from a pipe: exit {done.returncode}: {done.stdout!r}")


def scenario(tool, mcompare, foreign, cheats_dir):
    honest = os.path.join(cheats_dir, "libcheat-honest.so")
    exit_early = os.path.join(cheats_dir, "libcheat-exit-early.so")
    plain = subprocess.run([foreign], capture_output=True, text=True, check=True).stdout
    honest_runs(tool, foreign, honest, plain)
    cheat_and_variation(tool, mcompare, foreign, honest, exit_early, plain)
    standard_input(tool, foreign, honest)


if __name__ == "__main__":
    main(lambda args: scenario(*args[:4]))
