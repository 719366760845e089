"""mcompare's grading-platform outputs (issue 13, item 3): --gradescope,
--prairielearn and GITHUB_STEP_SUMMARY.

usage: check_platforms.py BIN_DIR TRACE

The files are validated against the fields the platforms document:
Gradescope's "Autograder Specifications" (results.json: score, tests with
name, score, max_score, status passed/failed, output) and PrairieLearn's
external grading results (gradable, score as a fraction 0..1, tests with
name, points, max_points, message). The validators are run on broken
copies first, so that each check is shown to fail. Expected verdicts come
from the rubric's construction (a max-heap far below the trace's own
optimal-reuse bound cannot hold), never from mcompare's output."""

import copy
import json
import os
import re
import subprocess
import sys
import tempfile

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)
    return condition


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def gradescope_problems(doc):
    """What in `doc` breaks Gradescope's results.json format (empty: none)."""
    problems = []
    if not isinstance(doc, dict):
        return ["the document is not an object"]
    tests = doc.get("tests")
    if not isinstance(tests, list) or not tests:
        return ["tests is not a non-empty array"]
    for key in ("score", "max_score"):
        if not is_number(doc.get(key)):
            problems.append(f"top-level {key} is not a number")
    if "output" in doc and not isinstance(doc["output"], str):
        problems.append("top-level output is not a string")
    if "execution_time" in doc and not is_number(doc["execution_time"]):
        problems.append("execution_time is not a number")
    for i, test in enumerate(tests):
        if not isinstance(test, dict):
            problems.append(f"tests[{i}] is not an object")
            continue
        for key in ("name", "output"):
            if not isinstance(test.get(key), str) or not test.get(key):
                problems.append(f"tests[{i}].{key} is not a non-empty string")
        for key in ("score", "max_score"):
            if not is_number(test.get(key)):
                problems.append(f"tests[{i}].{key} is not a number")
        if test.get("status") not in ("passed", "failed"):
            problems.append(f"tests[{i}].status is {test.get('status')!r}, not passed or failed")
        if is_number(test.get("score")) and is_number(test.get("max_score")):
            if not 0 <= test["score"] <= test["max_score"]:
                problems.append(f"tests[{i}].score is outside [0, max_score]")
            if (test.get("status") == "passed") != (test["score"] == test["max_score"]):
                problems.append(f"tests[{i}].status does not match its score")
    if problems:
        return problems
    if not close(doc["score"], sum(t["score"] for t in tests)):
        problems.append("score is not the sum of the tests' scores")
    if not close(doc["max_score"], sum(t["max_score"] for t in tests)):
        problems.append("max_score is not the sum of the tests' max_score")
    return problems


def prairielearn_problems(doc):
    """What in `doc` breaks PrairieLearn's external grading results (empty: none)."""
    problems = []
    if not isinstance(doc, dict):
        return ["the document is not an object"]
    if not isinstance(doc.get("gradable"), bool):
        problems.append("gradable is not a boolean")
    if not is_number(doc.get("score")) or not 0 <= doc["score"] <= 1:
        problems.append("score is not a number in [0, 1]")
    if "message" in doc and not isinstance(doc["message"], str):
        problems.append("message is not a string")
    tests = doc.get("tests")
    if not isinstance(tests, list) or not tests:
        return problems + ["tests is not a non-empty array"]
    for i, test in enumerate(tests):
        if not isinstance(test, dict):
            problems.append(f"tests[{i}] is not an object")
            continue
        if not isinstance(test.get("name"), str) or not test.get("name"):
            problems.append(f"tests[{i}].name is not a non-empty string")
        if not isinstance(test.get("message"), str):
            problems.append(f"tests[{i}].message is not a string")
        for key in ("points", "max_points"):
            if not is_number(test.get(key)):
                problems.append(f"tests[{i}].{key} is not a number")
        if is_number(test.get("points")) and is_number(test.get("max_points")):
            if not 0 <= test["points"] <= test["max_points"]:
                problems.append(f"tests[{i}].points is outside [0, max_points]")
    if problems:
        return problems
    possible = sum(t["max_points"] for t in tests)
    earned = sum(t["points"] for t in tests)
    if possible > 0 and not close(doc["score"], earned / possible):
        problems.append("score is not the tests' points / max_points")
    return problems


def show_checks_fail(validator, good, mutations):
    """Every mutation of the valid `good` must be reported by `validator`."""
    check(validator(good) == [], f"{validator.__name__} rejects a valid document: {validator(good)}")
    for what, mutate in mutations:
        broken = copy.deepcopy(good)
        mutate(broken)
        check(validator(broken) != [], f"{validator.__name__} misses: {what}")


def set_item(key, value, index=0):
    def mutate(doc):
        if key in doc["tests"][index] and value is None:
            del doc["tests"][index][key]
        else:
            doc["tests"][index][key] = value
    return mutate


def set_top(key, value):
    def mutate(doc):
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return mutate


GRADESCOPE_MUTATIONS = [
    ("no score", set_top("score", None)),
    ("no max_score", set_top("max_score", None)),
    ("score as a string", set_top("score", "15")),
    ("score that is not the sum", lambda d: d.__setitem__("score", d["score"] + 1)),
    ("max_score that is not the sum", lambda d: d.__setitem__("max_score", d["max_score"] + 1)),
    ("no tests", set_top("tests", [])),
    ("a test without name", set_item("name", None)),
    ("a test without output", set_item("output", None)),
    ("a test without max_score", set_item("max_score", None)),
    ("status ok", set_item("status", "ok")),
    ("status passed on a failed item", lambda d: [t.__setitem__("status", "passed")
                                                  for t in d["tests"] if t["status"] == "failed"]),
    ("a score above max_score", set_item("score", 1e9)),
]

PRAIRIELEARN_MUTATIONS = [
    ("no gradable", set_top("gradable", None)),
    ("gradable as a string", set_top("gradable", "true")),
    ("score in points", lambda d: d.__setitem__("score", sum(t["points"] for t in d["tests"]))),
    ("score off the fraction", lambda d: d.__setitem__("score", d["score"] / 2 + 0.01)),
    ("no tests", set_top("tests", None)),
    ("a test without name", set_item("name", None)),
    ("a test without max_points", set_item("max_points", None)),
    ("points as a string", set_item("points", "5")),
    ("a test without message", set_item("message", None)),
]


def run(command, env=None):
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env)
    return proc.returncode, proc.stdout, proc.stderr


def main():
    bin_dir, trace = sys.argv[1], os.path.abspath(sys.argv[2])
    mcompare = os.path.join(bin_dir, "mcompare")
    tmp = tempfile.mkdtemp(prefix="mcompare-platforms-")
    path = lambda name: os.path.join(tmp, name)

    # The trace's optimal reuse is a floor for any allocator's MAX, so a
    # max-heap of a quarter of it cannot hold: that item fails by design.
    rc, out, _ = run([os.path.join(bin_dir, "mreplay"), "--bounds", trace])
    optimal = int(re.search(r"OPTIMAL-REUSE: (\d+)", out).group(1))
    trace_limit = optimal // 4
    rubric = path("rubric.ini")
    with open(rubric, "w") as f:
        f.write("[grading]\nallocator = first-fit\npass = 50%\n\n"
                "[tester-1]\npoints = 5\n\n"
                "[tester-3]\npoints = 10\nmax-ratio = 1.10\n\n"
                f"[{trace}]\npoints = 20\nmax-heap = {trace_limit}\n")
    expected = {"tester-1": 5, "tester-3": 10, trace: 0}
    possible = {"tester-1": 5, "tester-3": 10, trace: 20}

    # Usage errors name the option, before anything runs.
    for option in ("--gradescope", "--prairielearn"):
        rc, out, err = run([mcompare, "-q", "-w", "tester-1", option, path("never.json")])
        check(rc == 2, f"{option} without --rubric: exit {rc}, want 2")
        check(len(err.strip().splitlines()) == 1 and option in err and "--rubric" in err,
              f"{option} without --rubric: stderr {err!r} is not one line naming both options")
        check(not os.path.exists(path("never.json")), f"{option} without --rubric wrote a file")

    # The run: both files, the summary appended to a file with earlier steps' text.
    summary = path("step_summary.md")
    earlier = "## Build\n\nbuilt in 12 s\n"
    with open(summary, "w") as f:
        f.write(earlier)
    env = dict(os.environ, GITHUB_STEP_SUMMARY=summary)
    command = [mcompare, "-q", "--rubric", rubric, "--gradescope", path("gs.json"),
               "--prairielearn", path("pl.json"), "--markdown", path("report.md")]
    rc, out, err = run(command, env=env)
    # 15 of 35 points is below the 50% pass mark: exit 1, every file written.
    check(rc == 1, f"a run below the pass mark exits {rc}, want 1 ({err.strip()})")
    with open(path("gs.json")) as f:
        gradescope = json.load(f)
    with open(path("pl.json")) as f:
        prairielearn = json.load(f)

    show_checks_fail(gradescope_problems, gradescope, GRADESCOPE_MUTATIONS)
    show_checks_fail(prairielearn_problems, prairielearn, PRAIRIELEARN_MUTATIONS)

    # The verdicts the rubric was built to give, in rubric order.
    workloads = list(expected)
    tests = gradescope["tests"]
    check(len(tests) == 3, f"gradescope: {len(tests)} tests, want 3")
    for test, workload in zip(tests, workloads):
        check(test["name"].startswith(workload + " ("),
              f"gradescope test {test['name']!r} does not start with {workload}")
        check(test["score"] == expected[workload] and test["max_score"] == possible[workload],
              f"gradescope {workload}: {test['score']}/{test['max_score']}, "
              f"want {expected[workload]}/{possible[workload]}")
        check(test["status"] == ("passed" if expected[workload] else "failed"),
              f"gradescope {workload}: status {test['status']}")
        check("STATUS OK" in test["output"], f"gradescope {workload}: output {test['output']!r}")
    check("MAX / optimal" in tests[1]["output"] and "MAX / optimal <= 1.10" in tests[1]["name"],
          f"tester-3 does not name its max-ratio check: {tests[1]}")
    check(f"> {trace_limit}" in tests[2]["output"] and "(trace: " in tests[2]["name"],
          f"the trace's failed max-heap check is not in its output: {tests[2]}")
    check(gradescope["score"] == 15 and gradescope["max_score"] == 35,
          f"gradescope total {gradescope['score']}/{gradescope['max_score']}, want 15/35")

    pl_tests = prairielearn["tests"]
    check([t["name"] for t in pl_tests] == [t["name"] for t in tests],
          "prairielearn and gradescope name the tests differently")
    check([(t["points"], t["max_points"]) for t in pl_tests] ==
          [(expected[w], possible[w]) for w in workloads],
          f"prairielearn points {[(t['points'], t['max_points']) for t in pl_tests]}")
    check(prairielearn["gradable"] is True, "prairielearn: a finished run is not gradable")
    check(close(prairielearn["score"], 15 / 35),
          f"prairielearn score {prairielearn['score']}, want {15 / 35}")

    # GITHUB_STEP_SUMMARY: the earlier text, then the Markdown report.
    with open(summary) as f:
        text = f.read()
    with open(path("report.md")) as f:
        markdown = f.read()
    check(text.startswith(earlier), "GITHUB_STEP_SUMMARY lost the earlier steps' text")
    check(text[len(earlier):] == markdown,
          "GITHUB_STEP_SUMMARY does not end with the Markdown report")
    check("SCORE" in markdown or "15/35" in markdown, "the Markdown report carries no score")

    # With --chart, the summary names the chart's file after the report
    # (GitHub shows no local or data: image in a job summary).
    chart_summary = path("chart_summary.md")
    env = dict(os.environ, GITHUB_STEP_SUMMARY=chart_summary)
    run([mcompare, "-q", "-w", "tester-1", "--chart", path("chart.png")], env=env)
    with open(chart_summary) as f:
        text = f.read()
    check(text.rstrip().endswith(f"The chart of this run is `{path('chart.png')}`: GitHub shows "
                                 "no local image in a job summary, so upload it as an artifact."),
          f"the summary does not name the chart: {text[-300:]!r}")

    # A write error: one line naming the file, exit 1, the other files written.
    env = dict(os.environ, GITHUB_STEP_SUMMARY="/dev/full")
    for name in ("gs2.json", "pl2.json"):
        if os.path.exists(path(name)):
            os.unlink(path(name))
    rc, out, err = run([mcompare, "-q", "--rubric", rubric, "--pass", "0", "--gradescope",
                        path("gs2.json"), "--prairielearn", "/dev/full", "-w", "tester-1"],
                       env=env)
    check(rc == 1, f"write errors exit {rc}, want 1")
    errors = [line for line in err.splitlines() if line.startswith("mcompare: ")]
    check(len(errors) == 2 and any("GITHUB_STEP_SUMMARY" in line and "/dev/full" in line
                                   for line in errors),
          f"write errors are not one line each, naming GITHUB_STEP_SUMMARY: {err!r}")
    check(os.path.exists(path("gs2.json")) and gradescope_problems(
        json.load(open(path("gs2.json")))) == [],
          "a failed write lost the Gradescope file")

    # An empty GITHUB_STEP_SUMMARY (not on Actions) writes nothing.
    env = dict(os.environ, GITHUB_STEP_SUMMARY="")
    cwd_files = set(os.listdir(tmp))
    rc, out, err = run([mcompare, "-q", "-w", "tester-1", "-a", "first-fit"], env=env)
    check(rc == 0 and set(os.listdir(tmp)) == cwd_files, "an empty GITHUB_STEP_SUMMARY wrote")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("platforms: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
