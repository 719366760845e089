"""Every run is contained: nothing it starts outlives it, killing mstats
kills the run, an allocator that kills its parent harms no one else, and a
sandboxed run cannot write the harness's files or reach the network. The
process checks run twice: in the bubblewrap sandbox, and in the fallback
(bwrap made to fail through MSTATS_BWRAP), which must say it is not
sandboxed.

usage: check_containment.py MSTATS MCOMPARE ESCAPE_ALLOCATOR HARNESS_FILE WORKLOAD"""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

from harness_test import check, main, parse_report, run

serial = 0


def marker():
    """A sleep length unique to this test and call, to find survivors by."""
    global serial
    serial += 1
    return f"47.{os.getpid()}{serial:02d}"


def alive(mark):
    found = subprocess.run(["pgrep", "-f", f"^sleep {mark}"], capture_output=True, text=True)
    return found.stdout.split()


def environment(extra):
    env = dict(os.environ)
    env.update(extra)
    return env


def check_sandbox_line(name, sandboxed, err, out, why):
    """A sandboxed run says nothing; an unsandboxed one says so in one line
    on stderr and a SANDBOX line in the report."""
    report = parse_report(out)
    lines = [line for line in err.splitlines() if "not sandboxed" in line]
    if sandboxed:
        check(not lines and "SANDBOX" not in report, f"{name}: sandboxed run says {lines!r}")
    else:
        check(len(lines) == 1 and why in lines[0], f"{name}: stderr {err!r}, expected '{why}'")
        check(why in report.get("SANDBOX", ""), f"{name}: SANDBOX {report.get('SANDBOX')!r}")


def check_children_die(mstats, allocator, mode, extra, sandboxed, why):
    """setsid, SIGTERM-ignoring and background children are gone when mstats
    returns, and a pipe from mstats reaches its end at once."""
    for escape in ("setsid", "ignore-term"):
        mark = marker()
        env = environment(extra | {"MSTATS_ESCAPE": escape, "MSTATS_ESCAPE_SLEEP": mark})
        # The program exits 0 only if it sees the escaped sleeper running.
        probe = f"sleep 0.2; pgrep -f '^sleep {mark}' >/dev/null"
        status, out, err, seconds = run([mstats, "-a", allocator, "sh", "-c", probe], env=env)
        name = f"{mode} {escape}"
        check(status == 0, f"{name}: exit {status}, {err!r}")
        check_sandbox_line(name, sandboxed, err, out, why)
        # capture_output waits for the end of stdout: every writer is gone.
        check(seconds < 10, f"{name}: took {seconds:.1f} s")
        check(not alive(mark), f"{name}: survivors {alive(mark)} when mstats returned")

    mark = marker()
    status, out, err, seconds = run([mstats, "-t", "5", "sh", "-c", f"sleep {mark} & exit 0"],
                                    env=environment(extra))
    check(status == 0, f"{mode} background sleep: exit {status}, {err!r}")
    check(seconds < 5, f"{mode} background sleep: took {seconds:.1f} s")
    check(not alive(mark), f"{mode} background sleep: survivors {alive(mark)}")


def check_sigkill(mstats, mode, extra):
    """SIGKILL to mstats ends the program too (--die-with-parent, or
    PR_SET_PDEATHSIG without the sandbox)."""
    mark = marker()
    process = subprocess.Popen([mstats, "sleep", mark], env=environment(extra),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not alive(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    check(alive(mark), f"{mode} SIGKILL: the program never started")
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 3
    while alive(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    check(not alive(mark), f"{mode} SIGKILL: the program survived mstats: {alive(mark)}")


def check_reporter(mstats, workload, mode, extra):
    """The region protocol: every process image of the run is measured in an
    entry of its own, an image an exec in place gives as much as a child the
    program starts, and the report's figures are those of the largest heap:
    here the workload's, not the shell's around it."""
    env = environment(extra)
    name = os.path.basename(workload)
    for how, script in (("exec in place", f"exec '{workload}' a0:1000000 f0"),
                        ("child", f"'{workload}' a0:1000000 f0; true")):
        status, out, err, _ = run([mstats, "sh", "-c", script], env=env)
        report = parse_report(out)
        requested = int(report.get("REQUESTED", "0"))
        check(status == 0 and requested == 1000000,
              f"{mode} {how}: exit {status}, REQUESTED {requested}, not the workload's, {err!r}")
        check(re.fullmatch(rf"2 measured; the figures are {re.escape(name)}'s \(pid \d+\)",
                           report.get("PROCESSES", "")),
              f"{mode} {how}: PROCESSES {report.get('PROCESSES')!r}")


def check_sigterm(mstats, mode, extra):
    """SIGTERM to mstats reaches the program (inside the sandbox through its
    init, which bwrap would not do), and mstats still reports the run."""
    mark = marker()
    process = subprocess.Popen([mstats, "sleep", mark], env=environment(extra),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not alive(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    report = parse_report(out)
    check(process.returncode == 1 and report.get("REASON", "").startswith(
        "11 killed by signal 15"), f"{mode} SIGTERM: exit {process.returncode}, {report}, {err!r}")
    check(not alive(mark), f"{mode} SIGTERM: survivors {alive(mark)}")


def check_kill_parent(mstats, mcompare, allocator, mode, extra, sandboxed):
    """An allocator that SIGKILLs its parent kills neither mstats nor
    mcompare, and the other cells are graded."""
    env = environment(extra | {"MSTATS_ESCAPE": "kill-parent"})
    status, out, err, _ = run([mstats, "-a", allocator, "true"], env=env)
    report = parse_report(out)
    check(status in (0, 1) and "STATUS" in report, f"{mode} kill-parent: exit {status}, {err!r}")
    if sandboxed:  # its parent is the namespace's init, which the signal cannot reach
        check(report["STATUS"] == "OK", f"{mode} kill-parent: {report}")
    else:  # its parent, mstats-run-init, dies: the run has no status to report
        check(report.get("REASON", "").startswith("67 "), f"{mode} kill-parent: {report}")

    status, out, err, _ = run([mcompare, "-q", "--format=json", "-j", "2", "-a",
                               f"{allocator},first-fit", "-w", "tester-1"], env=env)
    check(status in (0, 1), f"{mode} mcompare with kill-parent: exit {status}, {err!r}")
    cells = json.loads(out)
    text = json.dumps(cells)
    check("first-fit" in text and '"OK"' in text, f"{mode} mcompare: first-fit not graded: {text}")


def check_read_only(mstats, allocator, harness_file):
    """A sandboxed run cannot write a file of the harness (which the same
    allocator does write outside the sandbox)."""
    env = environment({"MSTATS_ESCAPE": f"write {harness_file}"})
    with open(harness_file, "w") as f:
        f.write("original\n")
    status, out, err, _ = run([mstats, "--no-sandbox", "-a", allocator, "true"], env=env)
    with open(harness_file) as f:
        check(f.read() != "original\n", "read-only: the allocator did not write even unsandboxed")
    with open(harness_file, "w") as f:
        f.write("original\n")
    status, out, err, _ = run([mstats, "-a", allocator, "true"], env=env)
    check(status == 0, f"read-only: exit {status}, {err!r}")
    status, out, err, _ = run([mstats, "sh", "-c", f"echo evil > '{harness_file}'"])
    check(status == 1 and "Read-only file system" in err, f"read-only sh: exit {status}, {err!r}")
    with open(harness_file) as f:
        content = f.read()
    check(content == "original\n", f"read-only: the run rewrote {harness_file}: {content!r}")
    # The scratch directory is writable, and private to the run.
    status, out, err, _ = run([mstats, "sh", "-c", "echo scratch > /tmp/x && cat /tmp/x"])
    check(status == 0 and out.startswith("scratch\n"), f"scratch: exit {status}, {out!r} {err!r}")


def check_tmp_paths(mstats):
    """Under the private /tmp, paths the command line names stay readable:
    through "..", through a symbolic link, and inside a script."""
    with tempfile.TemporaryDirectory(dir="/tmp") as scratch:
        os.makedirs(f"{scratch}/a/b")
        os.makedirs(f"{scratch}/data")
        with open(f"{scratch}/data/input", "w") as f:
            f.write("visible\n")
        os.symlink(f"{scratch}/data", f"{scratch}/link")
        for path in (f"{scratch}/a/b/../../data/input", f"{scratch}/link/input"):
            status, out, err, _ = run([mstats, "cat", path])
            check(status == 0 and out.startswith("visible\n"), f"{path}: {status} {err!r}")
        status, out, err, _ = run([mstats, "sh", "-c", f"cat < '{scratch}/data/input'"])
        check(status == 0 and out.startswith("visible\n"), f"script path: {status} {err!r}")


def check_no_network(mstats):
    """A sandboxed run cannot connect to a server of the harness's machine;
    with --no-sandbox the same program can."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    script = f"import socket; socket.create_connection(('127.0.0.1', {port}), 5)"
    status, out, err, _ = run([mstats, "-a", "libc", "python3", "-c", script])
    check(status == 1 and "ConnectionRefusedError" in err,
          f"network: sandboxed run connected: exit {status}, {err[-200:]!r}")
    status, out, err, _ = run([mstats, "--no-sandbox", "-a", "libc", "python3", "-c", script])
    check(status == 0, f"network: --no-sandbox run could not connect: {err[-200:]!r}")
    server.close()


def test(argv):
    mstats, mcompare, allocator, harness_file, workload = argv
    modes = [
        ("sandbox", {}, True, None),
        ("fallback", {"MSTATS_BWRAP": "/bin/false"}, False, "bwrap cannot start a sandbox here"),
    ]
    for mode, extra, sandboxed, why in modes:
        check_children_die(mstats, allocator, mode, extra, sandboxed, why)
        check_sigkill(mstats, mode, extra)
        check_sigterm(mstats, mode, extra)
        check_reporter(mstats, workload, mode, extra)
        check_kill_parent(mstats, mcompare, allocator, mode, extra, sandboxed)
    check_read_only(mstats, allocator, harness_file)
    check_tmp_paths(mstats)
    check_no_network(mstats)

    # The other ways a run ends up unsandboxed say why, in text and JSON.
    status, out, err, _ = run([mstats, "--no-sandbox", "true"])
    check_sandbox_line("--no-sandbox", False, err, out, "--no-sandbox was given")
    status, out, err, _ = run([mstats, "--json", "/bin/true"], env=environment({"PATH": "/nonexistent"}))
    report = json.loads(out)
    check(report["sandboxed"] is False and "bwrap not found" in report["not_sandboxed_why"],
          f"no bwrap on PATH: {report['sandboxed']}, {report['not_sandboxed_why']!r}")
    status, out, err, _ = run([mstats, "--json", "true"])
    report = json.loads(out)
    check(report["sandboxed"] is True and report["not_sandboxed_why"] is None,
          f"sandboxed JSON: {report['sandboxed']}, {report['not_sandboxed_why']!r}")


main(test)
