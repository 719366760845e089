"""Where ptrace is forbidden, the brk witness cannot start: a graded
allocator's run goes on, says in one line that its figures are not
witnessed, and a rubric that says witness = required is refused before any
cell runs (mcompare exits 3), while witness = optional grades it.
Trusted allocators are not witnessed anyway and are graded as before.
And a program that gives no completion proof, verified by its output, earns
nothing from a rubric that says verify = proof, unless a trusted allocator
ran it.

usage: check_trust_rubric.py DENY_PTRACE MSTATS MCOMPARE BIN_DIR CHEATS_DIR"""

import os
import re
import sys
import tempfile

from harness_test import check, main, parse_report, run


# LeakSanitizer stops the world with ptrace, which deny-ptrace forbids: in a
# sanitized build the harness programs run under it without leak checks.
DENIED_ENV = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")


def rubric(directory, witness, verify="proof", workload="tester-1"):
    path = os.path.join(directory, f"witness-{witness}-verify-{verify}.ini")
    with open(path, "w") as out:
        out.write(f"[grading]\npass = 1\nwitness = {witness}\nverify = {verify}\n\n"
                  f"[{workload}]\npoints = 1\n")
    return path


def score(mcompare, deny, rubric_path, allocator):
    status, out, err, _ = run([deny, mcompare, "-q", "--rubric", rubric_path, "-a", allocator],
                              timeout=120, env=DENIED_ENV)
    match = re.search(r"^\[mcompare\]: SCORE: (\d+)/1$", out, re.M)
    check(match is not None, f"{rubric_path}: no SCORE line (exit {status}); {out!r} {err!r}")
    return int(match.group(1)) if match else None, out


def scenario(deny, mstats, mcompare, bin_dir, cheats_dir):
    tester = os.path.join(bin_dir, "tester-1")
    honest = os.path.join(cheats_dir, "libcheat-honest.so")

    status, out, err, _ = run([deny, mstats, "-a", honest, tester], env=DENIED_ENV)
    report = parse_report(out)
    check(status == 0 and report.get("STATUS") == "OK",
          f"an honest allocator unwitnessed: exit {status}, STATUS {report.get('STATUS')!r}")
    witness = report.get("WITNESS", "")
    check(re.fullmatch(r"none: the brk witness could not start \(ptrace with seccomp: "
                       r"Operation not permitted\); figures not witnessed", witness) is not None,
          f"WITNESS line: {witness!r}")
    warnings = [line for line in err.splitlines() if "not witnessed" in line]
    check(len(warnings) == 1 and warnings[0].startswith("mstats: warning: figures not witnessed"),
          f"stderr should say so in one line: {err!r}")

    # A trusted allocator is not witnessed in any case: nothing changes.
    status, out, err, _ = run([deny, mstats, "-a", "first-fit", tester], env=DENIED_ENV)
    report = parse_report(out)
    check(status == 0 and report.get("WITNESS", "").startswith("none (first-fit is trusted"),
          f"first-fit under deny-ptrace: exit {status}, WITNESS {report.get('WITNESS')!r}")
    check("not witnessed" not in err, f"first-fit warned: {err!r}")

    with tempfile.TemporaryDirectory() as directory:
        # witness = required cannot be met here: mcompare runs nothing and
        # says why in one line (exit 3; tests/harness/container has the rest).
        status, out, err, _ = run([deny, mcompare, "-q", "--rubric",
                                   rubric(directory, "required"), "-a", honest],
                                  timeout=120, env=DENIED_ENV)
        check(status == 3 and out == "" and len(err.splitlines()) == 1 and
              "requires the kernel's witness of graded heaps" in err,
              f"witness = required where ptrace is refused: exit {status}; {out!r} {err!r}")
        earned, out = score(mcompare, deny, rubric(directory, "optional"), honest)
        check(earned == 1, f"witness = optional: {earned} points; {out!r}")
        # Where the witness works, the same rubric grades the same allocator.
        status, out, err, _ = run([mcompare, "-q", "--rubric", rubric(directory, "required"),
                                   "-a", honest], timeout=120)
        check(re.search(r"^\[mcompare\]: SCORE: 1/1$", out, re.M) is not None,
              f"witnessed, witness = required: {out!r} {err!r}")

        # `true` gives no completion proof: a graded allocator's run of it is
        # verified by its output (exit 0, no stdout), which verify = proof
        # does not take; a trusted allocator's run needs nothing.
        for allocator, verify, points in ((honest, "proof", 0), (honest, "output", 1),
                                          (honest, "none", 1), ("first-fit", "proof", 1)):
            path = rubric(directory, "required", verify, "true")
            status, out, err, _ = run([mcompare, "-q", "--rubric", path, "-a", allocator],
                                      timeout=120)
            check(re.search(rf"^\[mcompare\]: SCORE: {points}/1$", out, re.M) is not None,
                  f"verify = {verify} on a program without a proof under {allocator}: "
                  f"{out!r} {err!r}")
            if points == 0:
                check("completion verified by output" in out and "verify = output or none" in out,
                      f"verify = proof does not say why: {out!r}")

if __name__ == "__main__":
    main(lambda args: scenario(*args[:5]))
