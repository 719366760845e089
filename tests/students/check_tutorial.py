"""The tutorial docs/students.md, run as a student would: every fenced `sh`
block in order, in one scratch directory, with the build's bin/ on PATH.

- `<!-- tutorial: apply FILE -->` stands for the student's edit: FILE (a
  patch, relative to the doc) is applied to alloc.c there;
- every `c` block must be, word for word, in alloc.c at that point;
- a `text` block right after an `sh` block is that block's output: its
  checkable lines (the [mstats] lines but TIME and ALLOCATOR, the testers'
  own lines, the [mcompare] lines without a TIME) must be in the real output;
  the quoted SCORE must equal the run's plus the points the run lost on CPU
  time alone (a row with STATUS OK whose only failed limit is `CPU ... > N`):
  the tutorial's allocator walks a long list on tester-17, about 3x glibc's
  time, so that row's points rest on the machine's load, as the doc says;
- the loop that prints `tester-N [mstats]: MAX: BYTES` gives MAX per step:
  MAX never rises, splitting lowers it on tester-3, coalescing on tester-6
  and tester-1, as the doc says.

usage: check_tutorial.py BIN_DIR DOC [--show]  (--show prints every output)"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\w*)\s*$")
APPLY = re.compile(r"^<!-- tutorial: apply (\S+) -->$")
MAX_LINE = re.compile(r"^(tester-\d+) \[mstats\]: MAX: (\d+)$")
SCORE = re.compile(r"^\[mcompare\]: SCORE: (\d+)/(\d+)$")
ROW = re.compile(r"^\[mcompare\]: \S+ \(.*\): (\d+)/(\d+) points: STATUS OK; (.*)$")
CPU_OVER = re.compile(r"^CPU [\d.]+ s = [\d.]+ x libc's [\d.]+ s > [\d.]+$")

# Debian packages of the tools the student's commands run.
PACKAGES = {"cc": "gcc"}


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: {message}")


def events(doc_text):
    """The doc as (kind, text) in order: fenced blocks by language, and applies."""
    found, lines, i = [], doc_text.splitlines(), 0
    while i < len(lines):
        fence, apply = FENCE.match(lines[i]), APPLY.match(lines[i])
        if apply:
            found.append(("apply", apply.group(1)))
        elif fence:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            found.append((fence.group(1), "\n".join(lines[i + 1:end]) + "\n"))
            i = end
        i += 1
    return found


def checkable(line):
    if line.startswith("[mstats]: "):
        return not line.startswith(("[mstats]: TIME:", "[mstats]: ALLOCATOR:"))
    if line.startswith("[mcompare]: "):
        return "TIME" not in line  # a time limit's line varies; points on MAX do not
    return line.startswith("tester-")


def lost_on_time(output):
    """Points the run's rows lost only because a CPU-time limit failed."""
    lost = 0
    for match in filter(None, map(ROW.match, output.splitlines())):
        got, worth, limits = int(match.group(1)), int(match.group(2)), match.group(3).split("; ")
        failed = [limit for limit in limits if " > " in limit]
        if got < worth and failed and all(CPU_OVER.match(limit) for limit in failed):
            lost += worth - got
    return lost


def check_quoted(line, real, output):
    """One quoted line against the run; a SCORE may differ by the points lost on time."""
    quoted, printed = SCORE.match(line), next(filter(None, map(SCORE.match, real)), None)
    if quoted and printed and quoted.group(2) == printed.group(2):
        spared = lost_on_time(output)
        check(int(quoted.group(1)) == int(printed.group(1)) + spared,
              f"the doc quotes {line!r}; the run scored {printed.group(0)!r} and lost "
              f"{spared} points on CPU time alone:\n{output}")
        return
    check(line in real, f"the doc quotes {line!r}; the run printed:\n{output}")


def run_block(block, cwd, env, show):
    """Runs one sh block as `sh -e`; returns (its output, the directory it ended in)."""
    with tempfile.NamedTemporaryFile("r", suffix=".cwd") as where:
        script = f"set -e\n{block}\npwd > '{where.name}'\n"
        done = subprocess.run(["sh", "-c", script], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=600)
        output = done.stdout + done.stderr
        if show:
            print(f"$ {block}{output}")
        check(done.returncode == 0, f"the doc's block\n{block}exited {done.returncode}:\n{output}")
        return output, where.read().strip()


def main():
    bin_dir, doc = (os.path.abspath(arg) for arg in sys.argv[1:3])
    show = "--show" in sys.argv[3:]
    doc_dir = os.path.dirname(os.path.abspath(doc))
    for tool in ('make', 'cc', 'patch'):
        check(shutil.which(tool),
              f"{tool} not found: apt-get install {PACKAGES.get(tool, tool)}")
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("MAKEFLAGS", None)
    env.pop("MSTATS_ALLOCATOR", None)
    steps, maxes, blocks_run = 0, {}, 0
    with tempfile.TemporaryDirectory(prefix="mstats-tutorial-") as scratch:
        cwd, last_output, last_kind = scratch, None, None
        for kind, text in events(open(doc).read()):
            if kind == "sh":
                last_output, cwd = run_block(text, cwd, env, show)
                blocks_run += 1
                for line in last_output.splitlines():
                    match = MAX_LINE.match(line)
                    if match:
                        maxes.setdefault(match.group(1), {})[steps] = int(match.group(2))
            elif kind == "text" and last_kind == "sh":
                real = last_output.splitlines()
                for line in filter(checkable, text.splitlines()):
                    check_quoted(line, real, last_output)
            elif kind == "apply":
                patch = os.path.join(doc_dir, text)
                with open(patch) as diff:
                    done = subprocess.run(["patch", "-s", "--no-backup-if-mismatch", "alloc.c"],
                                          stdin=diff, cwd=cwd, capture_output=True, text=True)
                check(done.returncode == 0, f"{text} does not apply: {done.stdout}{done.stderr}")
                steps += 1
            elif kind == "c":
                source = open(os.path.join(cwd, "alloc.c")).read()
                check(text in source, f"this c block is not in alloc.c at step {steps}:\n{text}")
            last_kind = kind

    check(steps == 2 and blocks_run >= 8, f"{steps} edits, {blocks_run} blocks: the doc lost some")
    for tester in ("tester-1", "tester-3", "tester-6"):
        figures = maxes.get(tester, {})
        check(sorted(figures) == [0, 1, 2], f"{tester}: MAX not shown after every step: {figures}")
        check(figures[0] >= figures[1] >= figures[2], f"{tester}: MAX rose: {figures}")
    check(maxes["tester-3"][1] < maxes["tester-3"][0], "splitting did not lower tester-3's MAX")
    check(maxes["tester-6"][2] < maxes["tester-6"][1], "coalescing did not lower tester-6's MAX")
    check(maxes["tester-1"][2] < maxes["tester-1"][1], "coalescing did not lower tester-1's MAX")
    print(f"ok: {blocks_run} blocks; MAX per step: {maxes}")


main()
