"""Containment and fail-fast where courses grade (issues 20 and 21).

In every environment of environments.py (the host as root, an emulated
Docker grader, PrairieLearn's, a non-root user with and without user
namespaces), a graded allocator whose constructor
- appends to a file outside its run, or
- remounts a directory read-write and writes into it,
changes nothing on the host, and the run says the sandbox mode the
environment allows. The directory is writable by the run's user, so only the
sandbox stops it; with --no-sandbox on the host the same write lands (the
attack works when nothing stops it).

Where a rubric's requirements cannot be met, mcompare runs no cell, says why
in one line on stderr, and exits 3: no Landlock and no bwrap (sandbox =
required), ptrace refused (witness = required, a graded allocator; a built-in
one needs no witness and is graded), only container mode (sandbox = bwrap), an allocator only root can read
(graded code keeps no privilege);
and writes the platform files asked for: score 0, the reason, and for
PrairieLearn gradable: false (the grader's fault costs no attempt).

usage: check_environments.py BIN_DIR LAUNCHER ESCAPE_ALLOCATOR"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from environments import ENVIRONMENTS, copy_build  # noqa: E402
from harness_test import check, main, parse_report  # noqa: E402

RUN_TIMEOUT = 120


def run(command, env=None, cwd=None):
    done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env,
                          cwd=cwd, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


def contents(directory):
    """Every file under `directory` with its text."""
    found = {}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name)) as f:
            found[name] = f.read()
    return found


def check_attacks(name, environment, launcher, mstats, escape, scratch):
    """Both attacks, in one environment, against a directory its user can write."""
    target = tempfile.mkdtemp(prefix="mstats-target-", dir=scratch)
    os.chmod(target, 0o777)
    victim = os.path.join(target, "victim")
    with open(victim, "w") as f:
        f.write("original\n")
    os.chmod(victim, 0o666)
    before = contents(target)
    for attack in (f"write {victim}", f"remount {target}"):
        env = dict(os.environ, MSTATS_ESCAPE=attack, HOME=scratch)
        status, out, err = run(environment.command(launcher, [mstats, "-a", escape, "true"]),
                               env=env, cwd=scratch)
        report = parse_report(out)
        label = f"{name}: {attack.split()[0]}"
        check(status == 0 and report.get("STATUS") == "OK",
              f"{label}: exit {status}, {report.get('REASON')!r}, {err[-300:]!r}")
        sandbox = report.get("SANDBOX")
        if environment.sandbox == "bwrap":
            check(sandbox is None, f"{label}: SANDBOX {sandbox!r}, want bwrap (no line)")
        else:
            check((sandbox or "").startswith("container ("), f"{label}: SANDBOX {sandbox!r}")
        check(contents(target) == before, f"{label}: the run changed {target}: "
                                          f"{contents(target)}")


def check_attack_works(mstats, escape, scratch):
    """Unconfined, the write lands: the attack is real."""
    with tempfile.TemporaryDirectory(dir=scratch) as target:
        victim = os.path.join(target, "victim")
        env = dict(os.environ, MSTATS_ESCAPE=f"write {victim}")
        run([mstats, "--no-sandbox", "-a", escape, "true"], env=env)
        check(os.path.exists(victim), "--no-sandbox: the write attack wrote nothing")


def no_ptrace_env():
    """The environment for a harness program under --no-ptrace: a sanitized
    build's LeakSanitizer stops the world with ptrace, and dies where it is
    refused, so it is switched off there."""
    options = os.environ.get("ASAN_OPTIONS", "")
    return dict(os.environ, ASAN_OPTIONS=f"{options}:detect_leaks=0" if options
                else "detect_leaks=0")


def write_rubric(directory, name, grading):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(f"[grading]\npass = 1\n{grading}\n[tester-3]\npoints = 1\n")
    return path


def check_fail_fast(launcher, mcompare, escape, scratch):
    required = write_rubric(scratch, "required.ini", "sandbox = required\nwitness = required")
    bwrap = write_rubric(scratch, "bwrap.ini", "sandbox = bwrap")
    cases = [
        ("no Landlock, no bwrap", ["--no-landlock"], required, escape,
         "requires the sandbox, and none can start here: bwrap cannot start"),
        ("ptrace refused", ["--no-ptrace"], required, escape,
         "requires the kernel's witness of graded heaps (witness = required), and ptrace is "
         "refused here"),
        ("container mode only", [], bwrap, escape,
         "requires bwrap's sandbox (sandbox = bwrap)"),
    ]
    for label, options, rubric, allocator, words in cases:
        command = [launcher, *options, "--", mcompare, "-q", "--rubric", rubric, "-a", allocator]
        status, out, err = run(command, cwd=scratch, env=no_ptrace_env())
        lines = err.splitlines()
        check(status == 3 and len(lines) == 1 and lines[0].startswith(f"mcompare: the rubric "
                                                                      f"{rubric} ") and
              words in lines[0], f"{label}: exit {status}, stderr {err!r}")
        check(out == "", f"{label}: cells ran: {out!r}")
    # An allocator only root could read (a folder of another user's, 0700):
    # graded code keeps no privilege, so mcompare says what to do, at once.
    private = os.path.join(scratch, "private")
    os.mkdir(private, 0o700)
    hidden = shutil.copy2(escape, private)
    os.chown(private, 65534, 65534)
    plain = write_rubric(scratch, "plain.ini", "")
    status, out, err = run([mcompare, "-q", "--rubric", plain, "-a", hidden], cwd=scratch)
    check(status == 3 and err.startswith(f"mcompare: the allocator {hidden} cannot be read by "
                                         "the graded program (Permission denied)") and
          "chmod a+r" in err and out == "", f"unreadable allocator: exit {status}, {err!r}")
    # The platform files say so, and PrairieLearn charges no attempt.
    gradescope = os.path.join(scratch, "results.json")
    prairielearn = os.path.join(scratch, "pl.json")
    command = [launcher, "--no-landlock", "--", mcompare, "-q", "--rubric", required, "-a",
               escape, "--gradescope", gradescope, "--prairielearn", prairielearn]
    status, out, err = run(command, cwd=scratch)
    check(status == 3, f"platform files: exit {status}, {err!r}")
    with open(gradescope) as f:
        results = json.load(f)
    check(results.get("score") == 0 and "could not grade this submission" in results["output"]
          and "requires the sandbox" in results["output"], f"Gradescope's file: {results}")
    with open(prairielearn) as f:
        results = json.load(f)
    check(results.get("gradable") is False and results.get("score") == 0,
          f"PrairieLearn's file: {results}")
    # Trusted code needs no witness: graded where ptrace is refused.
    command = [launcher, "--no-ptrace", "--", mcompare, "-q", "--rubric", required, "-a",
               "first-fit"]
    status, out, err = run(command, cwd=scratch, env=no_ptrace_env())
    check(status == 0 and "SCORE: 1/1" in out,
          f"first-fit where ptrace is refused: exit {status}, {out[-300:]!r}, {err!r}")


def test(argv):
    bin_dir, launcher, escape = (os.path.abspath(arg) for arg in argv)
    mstats, mcompare = os.path.join(bin_dir, "mstats"), os.path.join(bin_dir, "mcompare")
    scratch = tempfile.mkdtemp(prefix="mstats-environments-")
    try:
        os.chmod(scratch, 0o755)
        # A copy the non-root user can read, wherever the build is.
        user_bin = copy_build(bin_dir, os.path.join(scratch, "build"))
        user_escape = shutil.copy2(escape, scratch)
        check_attack_works(mstats, escape, scratch)
        for name, environment in ENVIRONMENTS.items():
            nonroot = environment.nonroot
            check_attacks(name, environment, launcher,
                          os.path.join(user_bin, "mstats") if nonroot else mstats,
                          user_escape if nonroot else escape, scratch)
        check_fail_fast(launcher, mcompare, escape, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


main(test)
