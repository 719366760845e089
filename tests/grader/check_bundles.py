"""The autograder bundles of `mstats-init --gradescope DIR` and
`mstats-init --prairielearn DIR` (issue 21), run as the platforms run them,
in folders standing in for /autograder and /grade.

usage: check_bundles.py SCENARIO BIN_DIR SOURCE_DIR

  bundles  the files and their contents, the package list against
           scripts/lib/setup.sh and docs/grading.md, usage errors; then each
           bundle's run_autograder / run.sh on the starter kit (built with
           make, as `mstats-init DIR` writes it) against this build: the
           score must be above 0 and equal to `mcompare --rubric` on the
           host; a submission that does not compile gets the compiler's
           first error; no alloc.c; a build that reads a root-only file;
           self_check.sh passing, and failing on an allocator that crashes.
           The rubric is a quick subset of the course rubric's own sections
           (the [grading] section as is).
  course   the same score comparison with the whole course rubric (about
           two minutes a run on 2 cores; not registered with ctest)
  environments LAUNCHER
           each bundle's script on the starter kit where courses grade,
           emulated (tests/harness/container/environments.py): Gradescope's
           in a Docker grader, PrairieLearn's in one with no network, and
           Gradescope's as a non-root user with and without user namespaces
           (the build copied where that user can read it): the same score as
           `mcompare --rubric` on the host, above 0
  setup    setup.sh from scratch in a fresh bundle: it builds only the
           mstats-grading target from the bundle's own source archive, runs
           its self-check, and that build grades the starter kit as the host
           does (a minute or two; run alone)
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness",
                                "container"))
from environments import ENVIRONMENTS, copy_build  # noqa: E402

FAILURES = []

GRADESCOPE_FILES = ["setup.sh", "run_autograder", "grade.sh", "self_check.sh", "course.ini",
                    "Makefile", "starter-alloc.c", "README.md", "mstats.tar.gz"]
PRAIRIELEARN_FILES = ["Dockerfile", "setup.sh", "run.sh", "grade.sh", "self_check.sh",
                      "course.ini", "Makefile", "starter-alloc.c", "README.md", "mstats.tar.gz"]
SCRIPTS = {"setup.sh", "run_autograder", "run.sh", "grade.sh", "self_check.sh"}

# The course rubric's sections the quick scenarios grade: a working
# allocator, splitting (the starter kit fails it), coalescing and a heavy
# tester with its CPU time against libc's.
QUICK_SECTIONS = ["grading", "tester-1", "tester-3", "tester-4", "tester-9", "tester-16"]

BROKEN = "#include <stddef.h>\nvoid *malloc(size_t n)\n{\n    return n +;\n}\n"


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)
    return condition


def run(command, cwd=None, env=None, timeout=900):
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=cwd, env=env, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def rubric_sections(text):
    """The rubric's sections by name, each with its lines (comments before a
    section belong to it)."""
    sections, name, lines = {}, None, []
    for line in text.splitlines(keepends=True):
        match = re.match(r"\[(.+)\]\s*$", line)
        if match:
            if name is not None:
                sections[name] = "".join(lines)
            name, lines = match.group(1), []
        lines.append(line)
    sections[name] = "".join(lines)
    return sections


class Host:
    def __init__(self, bin_dir, source_dir):
        self.bin = bin_dir
        self.build = os.path.dirname(bin_dir.rstrip("/"))
        self.source = source_dir
        self.init = os.path.join(bin_dir, "mstats-init")
        self.mcompare = os.path.join(bin_dir, "mcompare")
        self.tmp = tempfile.mkdtemp(prefix="mstats-bundles-")
        # The platforms' folders are readable by all; grade.sh builds as nobody.
        os.chmod(self.tmp, 0o755)

    def path(self, *names):
        return os.path.join(self.tmp, *names)

    def bundle(self, option, name):
        folder = self.path(name)
        status, out, err = run([self.init, option, folder])
        check(status == 0 and err == "", f"mstats-init {option}: exit {status}, {err!r}")
        return folder, out

    def starter_kit(self):
        """A fresh `mstats-init DIR` kit with alloc.so built by its Makefile."""
        kit = self.path("kit")
        if not os.path.exists(kit):
            status, _, err = run([self.init, kit])
            check(status == 0, f"mstats-init {kit}: {err}")
            status, out, err = run(["make", "-C", kit])
            check(status == 0 and os.path.exists(os.path.join(kit, "alloc.so")),
                  f"make in the kit: {status}\n{out}{err}")
        return kit

    def host_score(self, rubric, allocator):
        """(earned, possible) of `mcompare --rubric` on this host."""
        out_file = self.path("host.json")
        status, _, err = run([self.mcompare, "-q", "--rubric", rubric, "-a", allocator,
                              "--gradescope", out_file, "-o", "/dev/null"])
        check(os.path.exists(out_file), f"host mcompare wrote nothing: {err}")
        document = json.load(open(out_file))
        return document["score"], document["max_score"]


class Platform:
    """One platform's layout in a temporary root, and its results."""

    def __init__(self, host, bundle, kind):
        self.host, self.bundle, self.kind = host, bundle, kind
        self.root = tempfile.mkdtemp(prefix=f"{kind}-root-", dir=host.tmp)
        os.chmod(self.root, 0o755)
        if kind == "gradescope":
            # Gradescope unpacks the bundle into /autograder/source and copies
            # run_autograder to /autograder/run_autograder.
            os.symlink(bundle, os.path.join(self.root, "source"))
            shutil.copy2(os.path.join(bundle, "run_autograder"), self.root)
            self.submission = os.path.join(self.root, "submission")
            self.command = [os.path.join(self.root, "run_autograder")]
            self.env = dict(os.environ, AUTOGRADER_ROOT=self.root)
        else:
            self.submission = os.path.join(self.root, "student")
            self.command = [os.path.join(bundle, "run.sh")]
            self.env = dict(os.environ, GRADE_ROOT=self.root)
        self.results = os.path.join(self.root, "results", "results.json")

    def grade(self, files, build=None):
        """Submits `files` ({relative name: text, or a path to copy}) and runs
        the platform's script; (status, results document or None, output)."""
        shutil.rmtree(self.submission, ignore_errors=True)
        shutil.rmtree(os.path.dirname(self.results), ignore_errors=True)
        os.makedirs(self.submission)
        for name, content in files.items():
            target = os.path.join(self.submission, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.exists(content):
                shutil.copy(content, target)
            else:
                with open(target, "w") as f:
                    f.write(content)
        env = dict(self.env, MSTATS_BUILD=build or self.host.build)
        status, out, err = run(self.command, env=env)
        document = json.load(open(self.results)) if os.path.exists(self.results) else None
        return status, document, out + err

    def score(self, document):
        """(earned, possible) in points from either platform's document."""
        if self.kind == "gradescope":
            return document["score"], document["max_score"]
        possible = sum(t["max_points"] for t in document["tests"])
        return document["score"] * possible, possible

    def output(self, document):
        return document["output"] if self.kind == "gradescope" else document["message"]


def use_rubric(bundle, text):
    with open(os.path.join(bundle, "course.ini"), "w") as f:
        f.write(text)


def quick_rubric(source):
    sections = rubric_sections(open(os.path.join(source, "scripts/rubrics/course.ini")).read())
    return "".join(sections[name] for name in QUICK_SECTIONS)


def check_same_score(host, platform, kit, rubric_text, build=None):
    """The starter kit as submitted (alloc.c, Makefile, README…): the bundle's
    score equals the host's on the kit's own alloc.so, and is above 0."""
    use_rubric(platform.bundle, rubric_text)
    rubric = host.path(f"{platform.kind}-rubric.ini")
    with open(rubric, "w") as f:
        f.write(rubric_text)
    expected = host.host_score(rubric, os.path.join(kit, "alloc.so"))
    files = {name: os.path.join(kit, name) for name in ("alloc.c", "Makefile", "README.md")}
    status, document, output = platform.grade(files, build)
    if not check(status == 0 and document is not None,
                 f"{platform.kind}: exit {status}, results {document is not None}\n{output}"):
        return None
    got = platform.score(document)
    check(got[0] > 0 and abs(got[0] - expected[0]) < 1e-9 and got[1] == expected[1],
          f"{platform.kind}: the bundle scores {got}, the host {expected}")
    if platform.kind == "prairielearn":
        check(document["gradable"] is True, "prairielearn: a graded run is not gradable")
    print(f"{platform.kind}: bundle {got[0]:g}/{got[1]:g}, host {expected[0]:g}/{expected[1]:g}")
    return got


def check_files(host, folder, names, kind):
    check(sorted(os.listdir(folder)) == sorted(names),
          f"{kind}: the bundle holds {sorted(os.listdir(folder))}, want {sorted(names)}")
    for name in names:
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            continue
        executable = bool(os.stat(path).st_mode & stat.S_IXUSR)
        check(executable == (name in SCRIPTS), f"{kind}: {name} executable: {executable}")
    same = {"course.ini": "scripts/rubrics/course.ini", "Makefile": "harness/init/kit/Makefile",
            "starter-alloc.c": "harness/init/kit/alloc.c"}
    for name, original in same.items():
        check(open(os.path.join(folder, name)).read() ==
              open(os.path.join(host.source, original)).read(),
              f"{kind}: {name} is not {original}")
    with tarfile.open(os.path.join(folder, "mstats.tar.gz")) as archive:
        members = set(archive.getnames())
    for needed in ("./CMakeLists.txt", "./harness/init/grader/grade.sh", "./testers/tester.c",
                   "./scripts/rubrics/course.ini"):
        check(needed in members, f"{kind}: the source archive lacks {needed}")
    check(not any(m.endswith("CMakeCache.txt") or "/.git" in m or m.startswith("./.git")
                  for m in members),
          f"{kind}: the source archive holds a build folder or version control")


def packages_of(text, variable):
    match = re.search(variable + r'="([^"]*)"', text)
    return match.group(1).replace("\\\n", " ").split()


def check_packages(host, bundle):
    """setup.sh's packages: all in the project's own list, bubblewrap among
    them, and every one in each apt-get line of docs/grading.md's examples."""
    bundle_packages = packages_of(open(os.path.join(bundle, "setup.sh")).read(), "packages")
    project = packages_of(open(os.path.join(host.source, "scripts/lib/setup.sh")).read(),
                          "MSTATS_PACKAGES")
    check("bubblewrap" in bundle_packages, f"setup.sh installs no bubblewrap: {bundle_packages}")
    extra = [p for p in bundle_packages if p not in project]
    check(not extra, f"setup.sh installs packages the project does not use: {extra}")
    for unused in ("parallel", "openssh-server", "libjemalloc2", "libxml2-utils"):
        check(unused not in bundle_packages, f"setup.sh installs {unused}, which grading never uses")
    docs = open(os.path.join(host.source, "docs/grading.md")).read()
    apt_lines = [line for line in docs.splitlines() if "apt-get install" in line]
    check(len(apt_lines) >= 2, f"docs/grading.md has {len(apt_lines)} apt-get lines")
    for line in apt_lines:
        missing = [p for p in bundle_packages if p not in line.split()]
        check(not missing, f"docs/grading.md's {line.strip()[:60]!r}… lacks {missing}")


def check_usage(host):
    """Usage errors: one line, exit 2, nothing written; a bundle never overwrites."""
    cases = [
        (["--gradescope", host.path("u1"), "--prairielearn", host.path("u2")], "one of"),
        (["--gradescope", host.path("u3"), host.path("u4")], "no other folder"),
        (["--source", host.source, host.path("u5")], "--source"),
        (["--gradescope", host.path("u6"), "--source", host.tmp], "not an mstats source"),
    ]
    for args, words in cases:
        status, out, err = run([host.init, *args])
        check(status == 2 and len(err.strip().splitlines()) == 1 and words in err,
              f"mstats-init {args}: exit {status}, {err!r}, want one line with {words!r}")
        check(not any(os.path.exists(host.path(f"u{i}")) for i in range(1, 7)),
              f"mstats-init {args} wrote a folder")
    folder = host.path("twice")
    run([host.init, "--prairielearn", folder])
    os.remove(os.path.join(folder, "Dockerfile"))
    status, out, err = run([host.init, "--prairielearn", folder])
    check(status == 1 and "not overwriting" in err and
          not os.path.exists(os.path.join(folder, "Dockerfile")),
          f"a second --prairielearn into the same folder: exit {status}, {err!r}")


def first_error(source):
    """The compiler's first error line on `source`, compiled here as grade.sh does."""
    folder = tempfile.mkdtemp(dir="/tmp")
    with open(os.path.join(folder, "alloc.c"), "w") as f:
        f.write(source)
    _, out, err = run(["cc", "-O2", "-fPIC", "-shared", "-o", "alloc.so", "alloc.c"], cwd=folder)
    shutil.rmtree(folder)
    return next(line for line in (out + err).splitlines() if "error:" in line)


def check_submissions(host, platform):
    """What a student sees when the submission is not what it should be."""
    error = first_error(BROKEN)
    status, document, output = platform.grade({"alloc.c": BROKEN})
    if check(status == 0 and document is not None,
             f"{platform.kind}, does not compile: exit {status}, no results\n{output}"):
        text = platform.output(document)
        check(error in text, f"{platform.kind}: the output lacks the first error {error!r}:\n"
              f"{text}")
        check(platform.score(document)[0] == 0, f"{platform.kind}: a broken build scores above 0")
        if platform.kind == "prairielearn":
            check(document["gradable"] is True, "prairielearn: a broken build is not gradable")

    status, document, output = platform.grade({"notes.txt": "my allocator\n"})
    if check(document is not None, f"{platform.kind}, no alloc.c: no results\n{output}"):
        text = platform.output(document)
        check("There is no alloc.c in your submission" in text and "notes.txt" in text,
              f"{platform.kind}: a submission without alloc.c is not told so: {text!r}")

    if platform.kind == "gradescope":
        # A zip with a folder: alloc.c one level down is found.
        kit = host.starter_kit()
        status, document, output = platform.grade(
            {"myalloc/alloc.c": os.path.join(kit, "alloc.c")})
        check(document is not None and platform.score(document)[0] > 0,
              f"alloc.c in a subfolder was not graded\n{output}")

    if os.geteuid() == 0 and shutil.which("setpriv"):
        # The build runs as nobody: root's files stay out of the build log.
        secret_dir = host.path("secret")
        os.makedirs(secret_dir, mode=0o700, exist_ok=True)
        secret = os.path.join(secret_dir, "answers.h")
        with open(secret, "w") as f:
            f.write("int the_secret_answer = 42 +;\n")
        status, document, output = platform.grade({"alloc.c": f'#include "{secret}"\n'})
        if check(document is not None, f"{platform.kind}, root-only include: no results"):
            text = platform.output(document)
            check("Permission denied" in text and "the_secret_answer" not in text,
                  f"{platform.kind}: the build read a root-only file: {text!r}")


def check_self_check(host, bundle):
    env = dict(os.environ, MSTATS_BUILD=host.build)
    status, out, err = run([os.path.join(bundle, "self_check.sh")], env=env)
    check(status == 0 and "[mstats]: STATUS: OK" in out and "[mstats]: WITNESS: " in out and
          "SANDBOX" in out and "[self-check]: OK" in out,
          f"self_check.sh: exit {status}\n{out}{err}")
    # An allocator that crashes on its first malloc: the check fails.
    broken = host.path("broken-bundle")
    shutil.copytree(bundle, broken)
    with open(os.path.join(broken, "starter-alloc.c"), "w") as f:
        f.write("#include <stddef.h>\nvoid *malloc(size_t n) { (void)n; "
                "return *(void **)16; }\nvoid free(void *p) { (void)p; }\n")
    status, out, err = run([os.path.join(broken, "self_check.sh")], env=env)
    check(status == 1 and "[self-check]: FAILED" in out and "[mstats]: STATUS: FAILED" in out,
          f"self_check.sh on a crashing allocator: exit {status}\n{out}{err}")


def scenario_bundles(host, rubric_text):
    gradescope, out = host.bundle("--gradescope", "gradescope")
    check("zip" in out and "README.md" in out, f"--gradescope prints no next step: {out!r}")
    prairielearn, out = host.bundle("--prairielearn", "prairielearn")
    check("docker build" in out, f"--prairielearn prints no next step: {out!r}")
    check_files(host, gradescope, GRADESCOPE_FILES, "gradescope")
    check_files(host, prairielearn, PRAIRIELEARN_FILES, "prairielearn")
    check_packages(host, gradescope)
    check_usage(host)
    check_self_check(host, gradescope)
    kit = host.starter_kit()
    for bundle, kind in ((gradescope, "gradescope"), (prairielearn, "prairielearn")):
        platform = Platform(host, bundle, kind)
        check_same_score(host, platform, kit, rubric_text)
        check_submissions(host, platform)


def scenario_setup(host):
    bundle, _ = host.bundle("--gradescope", "setup")
    build = os.path.join(bundle, "mstats", "build")
    status, out, err = run([os.path.join(bundle, "setup.sh")], env=dict(os.environ))
    check(status == 0 and "[self-check]: OK" in out + err,
          f"setup.sh: exit {status}\n{(out + err)[-3000:]}")
    for program in ["mcompare", "mstats", "mreplay", "tester-1", "tester-24"]:
        check(os.path.exists(os.path.join(build, "bin", program)), f"setup.sh built no {program}")
    for library in ["libmstats-shim.so", "mstats-run-init", "libmalloc-first-fit.so"]:
        check(os.path.exists(os.path.join(build, "lib", library)), f"setup.sh built no {library}")
    for unneeded in ["bin/mstats-init", "bench/bench-report", "tests/mcompare/test-platforms"]:
        check(not os.path.exists(os.path.join(build, unneeded)),
              f"setup.sh built {unneeded}, which grading does not need")
    test_programs = os.path.join(build, "tests", "bin")
    check(not os.path.isdir(test_programs) or os.listdir(test_programs) == [],
          f"setup.sh built test programs: {os.listdir(test_programs)[:5]}")
    platform = Platform(host, bundle, "gradescope")
    check_same_score(host, platform, host.starter_kit(), quick_rubric(host.source), build)


def scenario_environments(host, launcher):
    kit = host.starter_kit()
    user_build = None
    for name, kind in (("docker", "gradescope"), ("prairielearn", "prairielearn"),
                       ("nonroot", "gradescope"), ("nonroot-no-userns", "gradescope")):
        environment = ENVIRONMENTS[name]
        bundle, _ = host.bundle(f"--{kind}", f"{kind}-{name}")
        platform = Platform(host, bundle, kind)
        platform.command = environment.command(launcher, platform.command)
        build = None
        if environment.nonroot:
            if user_build is None:
                user_build = os.path.dirname(copy_build(host.bin, host.path("user-build")))
            build = user_build
            os.chmod(platform.root, 0o777)
            platform.env = dict(platform.env, HOME=host.tmp, PATH="/usr/local/bin:/usr/bin:/bin")
        print(f"{name}:", end=" ")
        check_same_score(host, platform, kit, quick_rubric(host.source), build)


def main():
    scenario, bin_dir, source_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    host = Host(os.path.abspath(bin_dir), os.path.abspath(source_dir))
    if scenario == "bundles":
        scenario_bundles(host, quick_rubric(host.source))
    elif scenario == "course":
        course = open(os.path.join(host.source, "scripts/rubrics/course.ini")).read()
        kit = host.starter_kit()
        for option, kind in (("--gradescope", "gradescope"), ("--prairielearn", "prairielearn")):
            bundle, _ = host.bundle(option, kind)
            check_same_score(host, Platform(host, bundle, kind), kit, course)
    elif scenario == "setup":
        scenario_setup(host)
    elif scenario == "environments":
        scenario_environments(host, os.path.abspath(sys.argv[4]))
    else:
        sys.exit(f"unknown scenario {scenario}")
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    shutil.rmtree(host.tmp, ignore_errors=True)
    print(f"bundles ({scenario}): all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
