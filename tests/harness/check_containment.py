"""Every run is contained: nothing it starts outlives it, killing mstats
kills the run, an allocator that kills its parent harms no one else, and a
sandboxed run cannot write the harness's files or reach the network. It sees
the file system, /tmp included, as its user does, read-only but for its own
scratch directory ($TMPDIR) and the paths given with --writable (mreplace:
its working directory too). The checks run in each sandbox mode
(docs/sandbox.md): bwrap; container, where bwrap cannot start (made to fail
through MSTATS_BWRAP), which must contain the run as well and say so in its
SANDBOX line; and, for the process checks, none (--no-sandbox), which must
say it is not sandboxed.

usage: check_containment.py MSTATS MREPLACE MCOMPARE ESCAPE_ALLOCATOR HARNESS_FILE WORKLOAD"""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from harness_test import check, main, parse_report, run


@dataclass
class Mode:
    """A sandbox mode as the tests choose it, and what it must show."""
    name: str
    env: dict = field(default_factory=dict)
    flags: list = field(default_factory=list)  # mstats options
    why: str = None  # none: words of the warning
    write_refused: str = None  # contained: the shell's words for a refused write
    connect_refused: tuple = ()  # contained: Python's exceptions for a refused TCP connection

    def ms(self, program):
        return [program, *self.flags]

    def environ(self, extra=None):
        return environment(self.env | (extra or {}))


# In bwrap the network namespace has no route out, and Landlock (ABI 4)
# refuses the connection before that.
BWRAP = Mode("bwrap", write_refused="Read-only file system",
             connect_refused=("PermissionError", "ConnectionRefusedError"))
CONTAINER = Mode("container", env={"MSTATS_BWRAP": "/bin/false"},
                 write_refused="Permission denied", connect_refused=("PermissionError",))
NONE = Mode("none", flags=["--no-sandbox"], why="--no-sandbox was given")
CONTAINED = (BWRAP, CONTAINER)

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


def check_sandbox_line(name, mode, err, out):
    """A run in bwrap says nothing; one in container mode says so in its
    SANDBOX line only; an unsandboxed one says so in one line on stderr and
    a SANDBOX line in the report."""
    report = parse_report(out)
    lines = [line for line in err.splitlines() if "not sandboxed" in line]
    sandbox = report.get("SANDBOX", "")
    if mode is BWRAP:
        check(not lines and "SANDBOX" not in report, f"{name}: sandboxed run says {lines!r}")
    elif mode is CONTAINER:
        check(not lines and sandbox.startswith("container (no namespaces here"),
              f"{name}: stderr {lines!r}, SANDBOX {sandbox!r}")
    else:
        check(len(lines) == 1 and mode.why in lines[0],
              f"{name}: stderr {err!r}, expected '{mode.why}'")
        check(mode.why in sandbox, f"{name}: SANDBOX {sandbox!r}")


def check_children_die(mstats, allocator, mode):
    """setsid, SIGTERM-ignoring and background children are gone when mstats
    returns, and a pipe from mstats reaches its end at once."""
    for escape in ("setsid", "ignore-term"):
        mark = marker()
        env = mode.environ({"MSTATS_ESCAPE": escape, "MSTATS_ESCAPE_SLEEP": mark})
        # The program exits 0 only if it sees the escaped sleeper running,
        # a second after it started: 0.2 s was too short beside two busy
        # loops. (One sleep and one pgrep, as in the reference run on glibc,
        # which must run the same processes: a loop that stopped at the
        # sleeper would run fewer there, and mstats would call it 97.)
        probe = f"sleep 1; pgrep -f '^sleep {mark}' >/dev/null"
        status, out, err, seconds = run([*mode.ms(mstats), "-a", allocator, "sh", "-c", probe],
                                        env=env)
        name = f"{mode.name} {escape}"
        check(status == 0, f"{name}: exit {status}, {err!r}")
        check_sandbox_line(name, mode, err, out)
        # capture_output waits for the end of stdout: every writer is gone.
        check(seconds < 10, f"{name}: took {seconds:.1f} s")
        check(not alive(mark), f"{name}: survivors {alive(mark)} when mstats returned")

    mark = marker()
    status, out, err, seconds = run([*mode.ms(mstats), "-t", "5", "sh", "-c",
                                     f"sleep {mark} & exit 0"], env=mode.environ())
    check(status == 0, f"{mode.name} background sleep: exit {status}, {err!r}")
    check(seconds < 5, f"{mode.name} background sleep: took {seconds:.1f} s")
    check(not alive(mark), f"{mode.name} background sleep: survivors {alive(mark)}")


def check_sigkill(mstats, mode):
    """SIGKILL to mstats ends the program too (--die-with-parent, or
    PR_SET_PDEATHSIG without the sandbox)."""
    mark = marker()
    process = subprocess.Popen([*mode.ms(mstats), "sleep", mark], env=mode.environ(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not alive(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    check(alive(mark), f"{mode.name} SIGKILL: the program never started")
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 3
    while alive(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    check(not alive(mark), f"{mode.name} SIGKILL: the program survived mstats: {alive(mark)}")


def check_reporter(mstats, workload, mode):
    """The region protocol: every process image of the run is measured in an
    entry of its own, an image an exec in place gives as much as a child the
    program starts, and the report's figures are those of the largest heap:
    here the workload's, not the shell's around it."""
    env = mode.environ()
    name = os.path.basename(workload)
    for how, script in (("exec in place", f"exec '{workload}' a0:1000000 f0"),
                        ("child", f"'{workload}' a0:1000000 f0; true")):
        status, out, err, _ = run([*mode.ms(mstats), "sh", "-c", script], env=env)
        report = parse_report(out)
        requested = int(report.get("REQUESTED", "0"))
        check(status == 0 and requested == 1000000, f"{mode.name} {how}: exit {status}, "
              f"REQUESTED {requested}, not the workload's, {err!r}")
        check(re.fullmatch(rf"2 measured; the figures are {re.escape(name)}'s \(pid \d+\)",
                           report.get("PROCESSES", "")),
              f"{mode.name} {how}: PROCESSES {report.get('PROCESSES')!r}")


def check_sigterm(mstats, mode):
    """SIGTERM to mstats reaches the program (inside the sandbox through its
    init, which bwrap would not do), and mstats still reports the run."""
    mark = marker()
    process = subprocess.Popen([*mode.ms(mstats), "sleep", mark], env=mode.environ(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not alive(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    report = parse_report(out)
    check(process.returncode == 1 and report.get("REASON", "").startswith(
        "11 killed by signal 15"),
        f"{mode.name} SIGTERM: exit {process.returncode}, {report}, {err!r}")
    check(not alive(mark), f"{mode.name} SIGTERM: survivors {alive(mark)}")


def check_kill_parent(mstats, mcompare, allocator, mode):
    """An allocator that SIGKILLs its parent kills neither mstats nor
    mcompare, and the other cells are graded."""
    env = mode.environ({"MSTATS_ESCAPE": "kill-parent"})
    status, out, err, _ = run([*mode.ms(mstats), "-a", allocator, "true"], env=env)
    report = parse_report(out)
    check(status in (0, 1) and "STATUS" in report,
          f"{mode.name} kill-parent: exit {status}, {err!r}")
    if mode is not NONE:
        # bwrap: its parent is the namespace's init, which the signal cannot
        # reach; container: Landlock refuses signals to processes outside
        check(report["STATUS"] == "OK", f"{mode.name} kill-parent: {report}")
    else:  # its parent, mstats-run-init, dies: the run has no status to report
        check(report.get("REASON", "").startswith("67 "), f"{mode.name} kill-parent: {report}")

    status, out, err, _ = run([mcompare, "-q", "--format=json", "-j", "2", "-a",
                               f"{allocator},first-fit", "-w", "tester-1", *mode.flags], env=env)
    check(status in (0, 1), f"{mode.name} mcompare with kill-parent: exit {status}, {err!r}")
    cells = json.loads(out)
    text = json.dumps(cells)
    check("first-fit" in text and '"OK"' in text,
          f"{mode.name} mcompare: first-fit not graded: {text}")


def check_read_only(mstats, allocator, harness_file, mode):
    """A contained run cannot write a file of the harness (which the same
    allocator does write outside the sandbox)."""
    env = environment({"MSTATS_ESCAPE": f"write {harness_file}"})
    with open(harness_file, "w") as f:
        f.write("original\n")
    status, out, err, _ = run([mstats, "--no-sandbox", "-a", allocator, "true"], env=env)
    with open(harness_file) as f:
        check(f.read() != "original\n", "read-only: the allocator did not write even unsandboxed")
    with open(harness_file, "w") as f:
        f.write("original\n")
    status, out, err, _ = run([mstats, "-a", allocator, "true"], env=mode.environ(env))
    check(status == 0, f"{mode.name} read-only: exit {status}, {err!r}")
    status, out, err, _ = run([mstats, "sh", "-c", f"echo evil > '{harness_file}'"],
                              env=mode.environ())
    check(status == 1 and mode.write_refused in err,
          f"{mode.name} read-only sh: exit {status}, {err!r}")
    with open(harness_file) as f:
        content = f.read()
    check(content == "original\n",
          f"{mode.name} read-only: the run rewrote {harness_file}: {content!r}")


def check_scratch(mstats, mcompare, mode):
    """/tmp is the host's, read-only; the run's scratch directory, $TMPDIR,
    is private (bwrap: a tmpfs on an empty directory; container: the
    directory itself) made under the caller's TMPDIR, gone from the host
    after the run, also when the program could not run."""
    with tempfile.TemporaryDirectory(dir="/tmp") as caller_tmp:
        env = mode.environ({"TMPDIR": caller_tmp})
        target = f"/tmp/mstats-containment-{os.getpid()}"
        status, out, err, _ = run([mstats, "sh", "-c", f"echo evil > {target}"], env=env)
        check(status == 1 and mode.write_refused in err,
              f"{mode.name} write into /tmp: exit {status}, {err!r}")
        check(not os.path.exists(target), f"write into /tmp: the run made {target}")

        script = ('echo "$TMPDIR"; echo private > "$TMPDIR/note" && cat "$TMPDIR/note" && '
                  'mkdir "$TMPDIR/d" && ln -s / "$TMPDIR/d/root" && touch "$TMPDIR/d/f"')
        status, out, err, _ = run([mstats, "sh", "-c", script], env=env)
        lines = out.splitlines()
        check(status == 0 and len(lines) > 2 and lines[1] == "private",
              f"write into $TMPDIR: exit {status}, {out!r}, {err!r}")
        scratch = lines[0] if lines else ""
        check(scratch.startswith(f"{caller_tmp}/mstats-scratch-"),
              f"$TMPDIR is {scratch!r}, not a scratch directory under {caller_tmp}")
        check(not os.path.exists(scratch), f"the scratch directory {scratch} is left on the host")

        # An error path: a file that cannot be executed.
        not_executable = os.path.join(caller_tmp, "not-executable")
        with open(not_executable, "w") as f:
            f.write("#!/bin/sh\n")
        status, out, err, _ = run([mstats, not_executable], env=env)
        check(status == 2 and "is not executable" in err, f"not executable: exit {status}, {err!r}")
        os.remove(not_executable)

        # Parallel cells have a directory each: both create the same name.
        cell = "sh -c 'set -C; echo cell > \"$TMPDIR/mark\" && sleep 0.5'"
        status, out, err, _ = run([mcompare, "-q", "--format=json", "-j", "2", "-a",
                                   "first-fit,best-fit", "-w", cell], env=env)
        cells = json.loads(out)["cells"] if status in (0, 1) else []
        check(status == 0 and [c["status"] for c in cells] == ["OK", "OK"],
              f"mcompare scratch: exit {status}, {[c.get('reason') for c in cells]}, {err!r}")
        left = os.listdir(caller_tmp)
        check(not left, f"left in the caller's TMPDIR after the runs: {left}")

    # Without the sandbox the caller's TMPDIR stays.
    env = environment({"TMPDIR": "/var/tmp"})
    status, out, err, _ = run([mstats, "--no-sandbox", "sh", "-c", 'echo "$TMPDIR"'], env=env)
    check(status == 0 and out.startswith("/var/tmp\n"), f"unsandboxed TMPDIR: {out!r}, {err!r}")


def check_tmp_paths(mstats):
    """/tmp is the host's: paths under it are readable, named on the
    command line (through "..", through a symbolic link), inside a script,
    and inside a script file that the command line does not name."""
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
        with tempfile.TemporaryDirectory(dir="/tmp") as other:
            with open(f"{other}/words", "w") as f:
                f.write("pear\napple\nfig\n")
            with open(f"{scratch}/run.sh", "w") as f:
                f.write(f"#!/bin/sh\nsort {other}/words\n")
            os.chmod(f"{scratch}/run.sh", 0o755)
            status, out, err, _ = run([mstats, f"{scratch}/run.sh"])
            report = parse_report(out)
            check(status == 0 and out.startswith("apple\nfig\npear\n") and
                  report.get("STATUS") == "OK", f"script file: {status} {out!r} {err!r}")


def check_writable(mstats, mreplace, mcompare, mode):
    """mreplace's working directory is writable, mstats's is not; --writable
    PATH makes a directory or file writable in all three programs, and names
    no missing path."""
    env = mode.environ()
    write = "echo hi > out.txt"
    with tempfile.TemporaryDirectory(dir="/tmp") as cwd:
        out_txt = os.path.join(cwd, "out.txt")

        def written():
            """out.txt's text (None: none), removed for the next check."""
            if not os.path.exists(out_txt):
                return None
            with open(out_txt) as f:
                text = f.read()
            os.remove(out_txt)
            return text

        done = subprocess.run([mreplace, "-a", "best-fit", "sh", "-c", write], cwd=cwd,
                              capture_output=True, text=True, env=env)
        check(done.returncode == 0 and written() == "hi\n",
              f"mreplace in its directory: exit {done.returncode}, {done.stderr!r}")
        done = subprocess.run([mstats, "-a", "best-fit", "sh", "-c", write], cwd=cwd,
                              capture_output=True, text=True, env=env)
        check(done.returncode == 1 and mode.write_refused in done.stderr,
              f"mstats in its directory: exit {done.returncode}, {done.stderr!r}")
        check(not os.path.exists(out_txt),
              "mstats without --writable wrote out.txt")
        done = subprocess.run([mstats, "--writable", ".", "-a", "best-fit", "sh", "-c", write],
                              cwd=cwd, capture_output=True, text=True, env=env)
        check(done.returncode == 0 and written() == "hi\n",
              f"mstats --writable .: exit {done.returncode}, {done.stderr!r}")
        # An absolute path, reached through a symbolic link, from elsewhere.
        link = os.path.join(cwd, "link")
        os.mkdir(os.path.join(cwd, "sub"))
        os.symlink(os.path.join(cwd, "sub"), link)
        status, out, err, _ = run([mstats, "--writable", link, "sh", "-c",
                                   f"echo hi > {link}/out.txt && ! echo no > {cwd}/no.txt"], env=env)
        check(status == 0 and os.path.exists(os.path.join(cwd, "sub", "out.txt")),
              f"mstats --writable LINK: exit {status}, {err!r}")
        # A file: written in place, its directory stays read-only.
        log = os.path.join(cwd, "log")
        with open(log, "w") as f:
            f.write("one\n")
        status, out, err, _ = run([mstats, "--writable", log, "sh", "-c",
                                   f"echo two >> {log} && ! echo no > {cwd}/no.txt"], env=env)
        with open(log) as f:
            check(status == 0 and f.read() == "one\ntwo\n", f"mstats --writable FILE: {err!r}")

        # mcompare: its cells, and the jobs it emits, carry --writable.
        cell = f"sh -c '{write}'"
        done = subprocess.run([mcompare, "-q", "-a", "first-fit", "-w", cell, "--writable", cwd],
                              cwd=cwd, capture_output=True, text=True, env=env)
        check(done.returncode == 0 and written() == "hi\n",
              f"mcompare --writable: exit {done.returncode}, {done.stdout!r}, {done.stderr!r}")
        done = subprocess.run([mcompare, "-q", "-a", "first-fit", "-w", cell], cwd=cwd,
                              capture_output=True, text=True, env=env)
        check(done.returncode == 1 and not os.path.exists(out_txt),
              f"mcompare without --writable: exit {done.returncode}, wrote {out_txt}")
        jobs_dir = os.path.join(cwd, "jobs")
        done = subprocess.run([mcompare, "-a", "first-fit", "-w", cell, "--writable", cwd,
                               "--emit-jobs", jobs_dir], cwd=cwd, capture_output=True, text=True, env=env)
        jobs = done.stdout.splitlines()
        check(done.returncode == 0 and len(jobs) == 1 and f"--writable '{cwd}' " in jobs[0],
              f"--emit-jobs: exit {done.returncode}, {jobs}, {done.stderr!r}")
        status, out, err, _ = run(["sh", "-c", jobs[0] if jobs else "false"], env=env)
        with open(os.path.join(jobs_dir, "cell-00000.json")) as f:
            job_cell = json.load(f)["cells"][0]
        check(status == 0 and job_cell["status"] == "OK" and written() == "hi\n",
              f"the emitted job: exit {status}, {job_cell['status']}, {err!r}")

        # Without the sandbox, --writable is accepted and changes nothing.
        done = subprocess.run([mstats, "--no-sandbox", "--writable", "/", "sh", "-c", write],
                              cwd=cwd, capture_output=True, text=True)
        check(done.returncode == 0 and written() == "hi\n",
              f"unsandboxed --writable: exit {done.returncode}, {done.stderr!r}")

    for program in (mstats, mreplace, mcompare) if mode is BWRAP else ():
        name = os.path.basename(program)
        command = [program, "--writable", "/nonexistent"] + (["true"] if name != "mcompare" else [])
        status, out, err, _ = run(command)
        lines = err.splitlines()
        check(status == 2 and len(lines) == 1 and "--writable /nonexistent" in lines[0],
              f"{name} --writable /nonexistent: exit {status}, {err!r}")


def check_no_network(mstats, mode):
    """A contained run cannot connect to a server of the harness's machine
    (container mode: where Landlock governs TCP, ABI 4); with --no-sandbox
    the same program can."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    script = f"import socket; socket.create_connection(('127.0.0.1', {port}), 5)"
    status, out, err, _ = run([mstats, "-a", "libc", "python3", "-c", script], env=mode.environ())
    check(status == 1 and any(words in err for words in mode.connect_refused),
          f"{mode.name} network: contained run connected: exit {status}, {err[-200:]!r}")
    status, out, err, _ = run([mstats, "--no-sandbox", "-a", "libc", "python3", "-c", script])
    check(status == 0, f"network: --no-sandbox run could not connect: {err[-200:]!r}")
    server.close()


def landlock_layers(mstats):
    """The confinement layers (confine.h bits) a program started here holds."""
    init = os.path.join(os.path.dirname(mstats), "..", "lib", "mstats-run-init")
    out = subprocess.run([init, "--probe-confine"], capture_output=True, text=True).stdout
    match = re.match(r"confined=(\d+) ", out)
    return int(match.group(1)) if match else 0


def test(argv):
    mstats, mreplace, mcompare, allocator, harness_file, workload = argv
    layers = landlock_layers(mstats)
    check(layers & 0xf == 0xf, f"a program here holds confinement layers {layers:#x}, not all "
          "four of no_new_privs, no capabilities, seccomp and Landlock")
    for mode in (BWRAP, CONTAINER, NONE):
        check_children_die(mstats, allocator, mode)
        check_sigkill(mstats, mode)
        check_sigterm(mstats, mode)
        check_reporter(mstats, workload, mode)
        # Landlock refuses signals out of the run from ABI 6 (Linux 6.12) on.
        if mode is not CONTAINER or layers & 0x20:
            check_kill_parent(mstats, mcompare, allocator, mode)
    for mode in CONTAINED:
        check_read_only(mstats, allocator, harness_file, mode)
        check_scratch(mstats, mcompare, mode)
        check_writable(mstats, mreplace, mcompare, mode)
        if mode is BWRAP or layers & 0x10:  # TCP under Landlock: ABI 4 (Linux 6.7)
            check_no_network(mstats, mode)
    check_tmp_paths(mstats)

    # The other ways a run ends up unsandboxed say why, in text and JSON.
    status, out, err, _ = run([mstats, "--no-sandbox", "true"])
    check_sandbox_line("--no-sandbox", NONE, err, out)
    # Without bwrap on PATH, container mode; the JSON names the mode.
    status, out, err, _ = run([mstats, "--json", "/bin/true"], env=environment({"PATH": "/nonexistent"}))
    report = json.loads(out)
    check(report["sandbox"] == "container" and report["sandboxed"] is True and
          report["not_sandboxed_why"] is None,
          f"no bwrap on PATH: {report['sandbox']}, {report['sandboxed']}, "
          f"{report['not_sandboxed_why']!r}")
    status, out, err, _ = run([mstats, "--json", "true"])
    report = json.loads(out)
    check(report["sandbox"] == "bwrap" and report["sandboxed"] is True and
          report["not_sandboxed_why"] is None,
          f"sandboxed JSON: {report['sandboxed']}, {report['not_sandboxed_why']!r}")


main(test)
