"""Usage errors: one line on stderr naming the problem, nothing on stdout,
exit status 2. Plus --explain (the testers' own codes too) and --list-allocators.

usage: check_usage.py MSTATS MREPLACE WORKLOAD"""

import os
import re
import tempfile

from harness_test import check, main, run


def expect_usage_error(command, words):
    status, out, err, _ = run(command)
    check(status == 2, f"{command}: exit {status}, expected 2")
    check(out == "", f"{command}: printed {out!r} on stdout")
    lines = err.splitlines()
    check(len(lines) == 1, f"{command}: {len(lines)} lines on stderr: {err!r}")
    check(words in lines[0], f"{command}: {lines[0]!r} lacks {words!r}")


def test(argv):
    mstats, mreplace, workload = argv
    for tool in (mstats, mreplace):
        expect_usage_error([tool, "--no-such-option", workload], "--no-such-option")
        expect_usage_error([tool, "./no/such/program"], "./no/such/program")
        expect_usage_error([tool, "no-such-command-anywhere"], "no-such-command-anywhere")
        expect_usage_error([tool, "-a", "./no/such/alloc.so", workload], "./no/such/alloc.so")
        expect_usage_error([tool, "-a", "no-such-strategy", workload], "no-such-strategy")
        expect_usage_error([tool, "-m", "lots", workload], "lots")
        expect_usage_error([tool], "PROGRAM")
        with tempfile.TemporaryDirectory() as scratch:
            # A directory, a file that cannot be executed, and a working
            # directory deleted under the caller: each named, in one line.
            expect_usage_error([tool, scratch], f"'{scratch}' is a directory")
            plain = os.path.join(scratch, "not-executable")
            with open(plain, "w") as handle:
                handle.write("#!/bin/sh\n")
            expect_usage_error([tool, plain], f"'{plain}' is not executable")
            gone = os.path.join(scratch, "gone")
            os.mkdir(gone)
            expect_usage_error(["sh", "-c", f'cd "$1" && rmdir "$1" && exec "$2" "$3"', "sh",
                                gone, tool, workload], f"'{gone}' no longer exists")
    # A bare --json after an option that takes a value (--align 8) is still
    # bare: the report goes to stdout, not to a file named after PROGRAM.
    status, out, err, _ = run([mstats, "--align", "8", "--json", workload, "a0:24"])
    check(status == 0 and '"alignment" : 8' in out, f"--align 8 --json: exit {status}, {out!r}")
    expect_usage_error([mstats, "--explain=12345"], "12345")
    expect_usage_error([mstats, "--record", "/no/such/dir/x.rep", workload], "--record")
    expect_usage_error([mstats, "--heap-map", "/no/such/dir/x.png", workload], "--heap-map")
    expect_usage_error([mstats, "-t", "soon", workload], "soon")

    status, out, _, _ = run([mstats, "--explain"])
    check(status == 0, "--explain failed")
    for code in (11, 15, 65, 66, 67, 68, 91, 92, 93, 94, 95):
        check(any(line.split()[0] == str(code) for line in out.splitlines() if line.strip()),
              f"--explain lacks {code}")
    status, out, _, _ = run([mstats, "--explain", "93"])
    check(status == 0 and out.split()[0] == "93" and len(out.splitlines()) == 1,
          f"--explain 93: {out!r}")
    status, out, _, _ = run([mstats, "--list-allocators"])
    check(status == 0 and "libc" in out and "first-fit" in out, f"--list-allocators: {out!r}")

    # Options end at PROGRAM: -q after it belongs to the program.
    status, out, _, _ = run([mstats, workload, "-q"])
    check(status == 1 and "REASON: 3 the program exited with status 3" in out,
          f"an option after PROGRAM was not given to it: {out!r}")

    # --version and --help answer and exit 0; the help reads as written.
    for program, name in ((mstats, "mstats"), (mreplace, "mreplace")):
        status, out, _, _ = run([program, "--version"])
        check(status == 0 and re.fullmatch(rf"{name} \d+\.\d+\.\d+\n", out) is not None,
              f"{name} --version: exit {status}, {out!r}")
        status, out, _, _ = run([program, "--help"], env=dict(os.environ, LC_ALL="C"))
        check(status == 0 and f"{name} [OPTION…] PROGRAM [ARG…]" in out and "?" not in out,
              f"{name} --help: exit {status}, {out!r}")
    status, out, _, _ = run([mstats, "--help"])
    check("--json=[FILE]" in out and "--explain=[CODE]" in out, f"mstats --help: {out!r}")

    # A numbered tester's own exit codes (20-27) are named, in --explain and
    # in REASON; the same status from another program is just a status.
    status, out, _, _ = run([mstats, "--explain", "25"])
    check(status == 0 and out.startswith(" 25  wrong refusal (a numbered tester's own exit status)"),
          f"--explain 25: {out!r}")
    status, out, _, _ = run([mstats, "--explain"])
    check("the numbered testers' own exit statuses:" in out and "\n 27  no fault past the heap" in out,
          f"--explain lacks the testers' codes: {out!r}")
    with tempfile.TemporaryDirectory() as scratch:
        for name, expected in (("tester-0", "REASON: 25 the program exited with status 25: the "
                                "tester's check failed: an invalid request was not refused"),
                               ("not-a-tester", "REASON: 25 the program exited with status 25\n")):
            path = os.path.join(scratch, name)
            with open(path, "w") as f:
                f.write("#!/bin/sh\nexit 25\n")
            os.chmod(path, 0o755)
            status, out, _, _ = run([mstats, path])
            check(status == 1 and expected in out, f"{name} exiting 25: {out!r}")


main(test)
