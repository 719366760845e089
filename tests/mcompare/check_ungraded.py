"""A submission that was not built, or that is no shared object, still gets
every platform file it asks for (issue 21): score 0, a message in a
student's words, and the build log the grader passes with --build-log.

usage: check_ungraded.py BIN_DIR TEST_DIR

TEST_DIR is tests/mcompare (junit.xsd, and check_platforms.py, whose
validators of the platforms' documented fields are reused here). The build
logs are real compiler output: each submission is compiled with cc here."""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else ".")
from check_platforms import check, gradescope_problems, prairielearn_problems, FAILURES  # noqa

RUBRIC = ("[grading]\nallocator = ./alloc.so\npass = 50%\n\n"
          "[tester-1]\npoints = 5\n\n[tester-3]\npoints = 10\nmax-ratio = 1.10\n")
POSSIBLE = 15
LIMIT = 64 * 1024


def run(command, cwd=None):
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def compile_submission(folder, source, flags=("-shared", "-fPIC")):
    """Writes alloc.c, builds alloc.so as a grader would; returns the log's path."""
    with open(os.path.join(folder, "alloc.c"), "w") as f:
        f.write(source)
    log = os.path.join(folder, "build.log")
    with open(log, "w") as f:
        subprocess.run(["cc", "-O1", "-Wall", *flags, "-o", "alloc.so", "alloc.c"], cwd=folder,
                       stdout=f, stderr=subprocess.STDOUT)
    return log


def first_error_line(log):
    with open(log) as f:
        return next(line.rstrip("\n") for line in f if "error:" in line)


class Grader:
    def __init__(self, bin_dir, test_dir):
        self.mcompare = os.path.join(bin_dir, "mcompare")
        self.schema = os.path.join(test_dir, "junit.xsd")
        self.tmp = tempfile.mkdtemp(prefix="mcompare-ungraded-")
        self.rubric = os.path.join(self.tmp, "rubric.ini")
        with open(self.rubric, "w") as f:
            f.write(RUBRIC)
        self.count = 0

    def folder(self):
        self.count += 1
        path = os.path.join(self.tmp, f"s{self.count}")
        os.mkdir(path)
        return path

    def grade(self, folder, *extra, allocator="./alloc.so"):
        """mcompare on the rubric with the three platform files; their
        documents (None for a missing file), exit status and stderr."""
        files = {k: os.path.join(folder, n) for k, n in
                 (("gs", "gs.json"), ("pl", "pl.json"), ("junit", "junit.xml"))}
        rc, out, err = run([self.mcompare, "-q", "--rubric", self.rubric, "-a", allocator,
                            "--gradescope", files["gs"], "--prairielearn", files["pl"],
                            "--junit", files["junit"], *extra], cwd=folder)
        docs = {}
        for key in ("gs", "pl"):
            docs[key] = json.load(open(files[key])) if os.path.exists(files[key]) else None
        docs["junit"] = files["junit"] if os.path.exists(files["junit"]) else None
        return rc, docs, err

    def check_junit(self, path, what):
        rc, _, err = run(["xmllint", "--noout", "--schema", self.schema, path])
        check(rc == 0, f"{what}: the JUnit file is not valid: {err}")

    def check_ungraded(self, what, rc, docs, err, words, log_line=None):
        """Every file written, valid, 0 of POSSIBLE, saying `words` (and the
        build log's `log_line`), exit 1 after one line on stderr."""
        check(rc == 1, f"{what}: exit {rc}, want 1 ({err.strip()})")
        lines = [line for line in err.splitlines() if line.startswith("mcompare: ")]
        check(len(lines) == 1 and "not graded" in lines[0] and words in lines[0],
              f"{what}: stderr {err!r} is not one line saying {words!r}")
        if not check(all(docs.values()), f"{what}: a platform file is missing: {docs}"):
            return
        gs, pl = docs["gs"], docs["pl"]
        check(gradescope_problems(gs) == [], f"{what}: Gradescope: {gradescope_problems(gs)}")
        check(prairielearn_problems(pl) == [], f"{what}: PrairieLearn: {prairielearn_problems(pl)}")
        check(gs["score"] == 0 and gs["max_score"] == POSSIBLE,
              f"{what}: Gradescope {gs['score']}/{gs['max_score']}, want 0/{POSSIBLE}")
        check(pl["gradable"] is True and pl["score"] == 0,
              f"{what}: PrairieLearn gradable {pl['gradable']}, score {pl['score']}")
        for text, name in ((gs["output"], "Gradescope output"), (pl["message"], "PL message")):
            check(text.startswith("Not graded") and words in text,
                  f"{what}: {name} does not say {words!r}: {text[:300]!r}")
            if log_line is not None:
                check(log_line in text, f"{what}: {name} lacks the build's {log_line!r}")
        check(all(t["status"] == "failed" and words in t["output"] for t in gs["tests"]),
              f"{what}: a Gradescope test does not fail saying why: {gs['tests']}")
        self.check_junit(docs["junit"], what)
        junit = open(docs["junit"]).read()
        check('failures="2" errors="0"' in junit and words in junit,
              f"{what}: the JUnit file does not fail both items saying why")


def main():
    grader = Grader(sys.argv[1], sys.argv[2])

    # A graded run of the same rubric on a built-in strategy: the test names
    # an ungraded run must repeat, so that a platform's per-test statistics
    # line up across submissions. A built-in always loads, so --build-log
    # adds nothing to its output.
    folder = grader.folder()
    log = compile_submission(folder, "int x;\n")
    rc, graded, err = grader.grade(folder, "--build-log", log, allocator="first-fit")
    check(rc == 0, f"first-fit graded: exit {rc} ({err.strip()})")
    graded_names = [t["name"] for t in graded["gs"]["tests"]]
    check(graded["gs"]["score"] == POSSIBLE and "build" not in graded["gs"]["output"],
          f"a graded run that loaded shows the build log: {graded['gs']['output']!r}")

    # Does not compile: no alloc.so; the compiler's first error is shown.
    folder = grader.folder()
    log = compile_submission(folder, "#include <stddef.h>\nvoid *malloc(size_t n) {\n"
                             "    return n +;\n}\n")
    error = first_error_line(log)
    rc, docs, err = grader.grade(folder, "--build-log", log)
    grader.check_ungraded("does not compile", rc, docs, err, "alloc.so does not exist", error)
    if docs["gs"]:
        check([t["name"] for t in docs["gs"]["tests"]] == graded_names,
              f"ungraded test names {[t['name'] for t in docs['gs']['tests']]} differ from "
              f"a graded run's {graded_names}")
        check("The build's output" in docs["gs"]["output"], "no heading before the build log")

    # The same without --build-log: the reason, and no build section.
    rc, docs, err = grader.grade(folder)
    grader.check_ungraded("no build log", rc, docs, err, "alloc.so does not exist")
    check(docs["gs"] is None or "build's output" not in docs["gs"]["output"],
          "without --build-log the output still has a build section")

    # An unreadable --build-log is said, not fatal.
    rc, docs, err = grader.grade(folder, "--build-log", os.path.join(folder, "nothing.log"))
    grader.check_ungraded("missing build log", rc, docs, err, "alloc.so does not exist",
                          "The build's output could not be read")

    # Files that are there but are no shared object.
    cases = [
        ("empty", lambda f: open(os.path.join(f, "alloc.so"), "w").close(), "is empty"),
        ("text", lambda f: open(os.path.join(f, "alloc.so"), "w").write("not ELF\n"),
         "not an ELF file"),
        ("object", lambda f: compile_submission(f, "int x;\n", ("-c", "-fPIC")),
         "is an object file"),
        ("program", lambda f: compile_submission(f, "int main(void) { return 0; }\n", ()),
         "is a program"),
    ]
    for what, make, words in cases:
        folder = grader.folder()
        make(folder)
        rc, docs, err = grader.grade(folder)
        grader.check_ungraded(what, rc, docs, err, words)

    # Builds, but cannot be loaded (an undefined symbol): the cells run and
    # fail 65; the files are the graded ones, with the build log after the
    # score lines, since no test could load it.
    folder = grader.folder()
    log = compile_submission(folder, "#include <stddef.h>\nvoid *grow(size_t n);\n"
                             "void *malloc(size_t n) { return grow(n); }\n"
                             "void free(void *p) { (void)p; }\n")
    with open(log, "a") as f:
        f.write("alloc.c:2:7: note: grow is declared here and defined nowhere\n")
    rc, docs, err = grader.grade(folder, "--build-log", log)
    check(rc == 1, f"unloadable: exit {rc}, want 1")
    gs = docs["gs"]
    if check(gs is not None, "unloadable: no Gradescope file"):
        check(gradescope_problems(gs) == [] and gs["score"] == 0,
              f"unloadable: {gradescope_problems(gs)}, score {gs['score']}")
        check("could not be loaded in any test" in gs["output"] and
              "defined nowhere" in gs["output"] and "SCORE: 0/15" in gs["output"],
              f"unloadable: the output lacks the score lines or the build log: {gs['output']!r}")
        check(docs["pl"]["gradable"] is True and "defined nowhere" in docs["pl"]["message"],
              "unloadable: PrairieLearn's message lacks the build log")

    # A long build log: the excerpt holds the first error, within the limit.
    folder = grader.folder()
    log = os.path.join(folder, "build.log")
    with open(log, "w") as f:
        for i in range(1, 6001):
            kind = "error: 'x' undeclared" if i in (4000, 5000) else "warning: unused 'y'"
            f.write(f"alloc.c:{i}:3: {kind} [-Wsomething-long-enough]\n")
    rc, docs, err = grader.grade(folder, "--build-log", log)
    grader.check_ungraded("long log", rc, docs, err, "alloc.so does not exist",
                          "alloc.c:4000:3: error: 'x' undeclared")
    if docs["gs"]:
        size = len(docs["gs"]["output"].encode())
        check(os.path.getsize(log) > 4 * LIMIT and size < LIMIT + 1024,
              f"long log: the output is {size} bytes for a {os.path.getsize(log)}-byte log")
        check("left out" in docs["gs"]["output"], "long log: the cut is not said")

    # --format junit -o FILE is a JUnit file too; without any platform file,
    # a missing allocator is still a usage error (exit 2), nothing written.
    folder = grader.folder()
    report = os.path.join(folder, "report.xml")
    rc, out, err = run([grader.mcompare, "-q", "--rubric", grader.rubric, "-a", "./alloc.so",
                        "--format", "junit", "-o", report], cwd=folder)
    check(rc == 1 and os.path.exists(report), f"--format junit -o: exit {rc}, file written: "
          f"{os.path.exists(report)}")
    if os.path.exists(report):
        grader.check_junit(report, "--format junit -o")
    rc, out, err = run([grader.mcompare, "-q", "--rubric", grader.rubric, "-a", "./alloc.so"],
                       cwd=folder)
    check(rc == 2 and "does not exist" in err and os.listdir(folder) == ["report.xml"],
          f"no platform file: exit {rc}, {err.strip()!r}, {os.listdir(folder)}")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("ungraded: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
