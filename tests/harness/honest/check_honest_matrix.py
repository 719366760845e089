"""The honest-allocator matrix (issue 19): mstats must never fail honest work.

Each row runs one honest allocator under one ordinary invocation: plain, in a
terminal, under env, nice, timeout, sh, bash, a script file, make, from an
install in a folder whose name holds a space, through a wrapper script under
/tmp. The allocators are the mstats-init kit and the tutorial's allocator,
built here as a student builds them, and the .so files of this directory.
Every row must give:

- `[mstats]: STATUS: OK` and no `[mstats]: REASON:` line;
- the program's MAX, REQUESTED and PEAK-LIVE equal to those of the plain run
  of the same allocator on the same program (for `sh -c 'tester-1; tester-3'`,
  of whichever plain run has the larger MAX);
- where a wrapper runs before the program (a separate process or image),
  `[mstats]: PROCESSES: N measured; the figures are PROGRAM's (pid P)` with
  N >= 2 and PROGRAM the program's name; on the rows marked json, the same in
  the `--json FILE` report's "processes" list, whose reported entry is the
  program, with the largest heap_max, equal to MAX.

Rows run two at a time. A table of every row is printed; any failing row,
including one that cannot run here, fails the test. There are no timing
assertions. Each false failure found later becomes a row.

--environment NAME runs every row (of the allocators it names) where courses
grade (issue 21), each mstats started through a prefix:
  docker             a Docker-based grader: the seccomp launcher (no
                     namespaces, no mounts), read-only cgroups, and Docker's
                     default capabilities (setpriv)
  prairielearn       the same with no network
  nonroot            a non-root user (nobody) with user namespaces
  nonroot-no-userns  the same under the launcher: no user namespaces
Every row must then also be contained in the mode the environment allows:
no SANDBOX line (bwrap), or `SANDBOX: container (...)`. For the non-root
users the build's bin/ and lib/ and the allocators are copied into the
scratch directory, which the user can read wherever the build is.

usage: check_honest_matrix.py CMAKE BUILD_DIR BIN_DIR SOURCE_DIR HONEST_DIR
                              PTHREAD_EXIT_MAIN [--environment NAME LAUNCHER] [--keep]"""

import concurrent.futures
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "container"))
from environments import ENVIRONMENTS, copy_build  # noqa: E402

# Anywhere in a line: on a terminal row the terminal's echo of typed input
# may land before a report line.
REPORT_LINE = re.compile(r"\[mstats\]: ([A-Z-]+): (.*)$")
PROCESSES_LINE = re.compile(r"^(\d+) measured; the figures are (.+)'s \(pid (\d+)\)$")
FIGURES = ("MAX", "REQUESTED", "PEAK-LIVE")
JSON_FIGURES = {"MAX": "heap_max", "REQUESTED": "requested", "PEAK-LIVE": "peak_live"}
PROCESS_KEYS = ("program", "pid", "heap_max", "requested", "peak_live", "reported")
RUN_TIMEOUT = 300  # seconds for one mstats run; the program's own limit is mstats' 30 s
TRACE = "ls-lR.rep"  # a short trace with frees and reallocs, for mreplay

@dataclass
class Row:
    """One allocator under one invocation. `command` is mstats' argv;
    `expected` names the plain rows whose figures it must have (the one with
    the larger MAX when there are two)."""
    allocator: str
    invocation: str
    command: list
    expected: tuple = ()
    wrapper: bool = False
    terminal: bool = False
    stdin: str = None  # a file the program reads (through the terminal on a terminal row)
    json_file: str = None
    cwd: str = None
    problems: list = field(default_factory=list)
    report: dict = field(default_factory=dict)
    reasons: list = field(default_factory=list)
    program: str = None  # the measured program's name, for a plain row
    output: str = ""
    figures: tuple = FIGURES  # the figures compared with the plain row's


def run(command, cwd, env, timeout=RUN_TIMEOUT, stdin=None):
    """Runs `command` (its stdin: the file `stdin`, else /dev/null); returns
    (exit status or None on timeout, stdout + stderr)."""
    try:
        with open(stdin or os.devnull) as source:
            done = subprocess.run(command, cwd=cwd, env=env, stdin=source,
                                  capture_output=True, text=True, errors="replace",
                                  timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout or ""
        return None, output.decode(errors="replace") if isinstance(output, bytes) else output
    except OSError as error:
        return 127, f"cannot run {command[0]}: {error}"
    return done.returncode, done.stdout + done.stderr


def run_row(row, env, prefix):
    """Runs the row's command after `prefix` (inside a pseudo-terminal made
    by script(1) for a terminal row) and parses its report into row.report
    and row.reasons."""
    command = prefix + row.command
    if row.terminal:
        command = ["script", "-qec", shlex.join(command), "/dev/null"]
    status, output = run(command, row.cwd, env, stdin=row.stdin)
    output = output.replace("\r\n", "\n").replace("\r", "\n")
    row.output = output
    if status is None:
        row.problems.append(f"timed out after {RUN_TIMEOUT} s")
    for line in output.splitlines():
        match = REPORT_LINE.search(line)
        if match:
            row.report[match.group(1)] = match.group(2)  # the report is last
            if match.group(1) == "REASON":
                row.reasons.append(line)
    return row


def last_words(output):
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def check_status(row):
    status = row.report.get("STATUS")
    if status is None:
        row.problems.append(f"no [mstats]: STATUS line; the output ends: {last_words(row.output)}")
    elif status != "OK":
        row.problems.append(row.reasons[-1] if row.reasons else f"STATUS: {status}")
        said = [line for line in row.output.splitlines()
                if line.strip() and not line.startswith("[mstats]")]
        if said:
            row.problems.append(f"the run's own last line: {said[-1]}")
    elif row.reasons:
        row.problems.append(f"STATUS OK but {row.reasons[-1]}")


def figure(report, name):
    try:
        return int(report.get(name, ""))
    except ValueError:
        return None


def names_program(shown, program):
    return shown == program or shown.endswith("/" + program)


def check_figures(row, plains):
    """Compares the row's figures with the expected plain run's; returns that
    plain row (None when it cannot be compared)."""
    bases = [plains[(row.allocator, key)] for key in row.expected]
    failed = [base for base in bases if base.problems]
    if failed:
        row.problems.append(f"the plain run it is compared with failed ({failed[0].invocation})")
        return None
    base = max(bases, key=lambda b: figure(b.report, "MAX") or 0)
    for name in row.figures:
        got, want = figure(row.report, name), figure(base.report, name)
        if got != want:
            row.problems.append(f"{name} {row.report.get(name, 'missing')}, "
                                f"the plain run's {want} ({base.invocation})")
    heap, live = figure(row.report, "MAX"), figure(row.report, "PEAK-LIVE")
    if "MAX" not in row.figures and (heap is None or live is None or heap < live):
        row.problems.append(f"MAX {heap} below PEAK-LIVE {live}")
    return base


def check_processes(row, program):
    """The PROCESSES line: required for a wrapper row, right if present."""
    line = row.report.get("PROCESSES")
    if line is None:
        if row.wrapper:
            row.problems.append(f"no [mstats]: PROCESSES line (want the figures of {program})")
        return None
    match = PROCESSES_LINE.match(line)
    if match is None:
        row.problems.append(f"PROCESSES line not in the form 'N measured; the figures are "
                            f"PROGRAM's (pid P)': {line}")
        return None
    count, shown, pid = int(match.group(1)), match.group(2), int(match.group(3))
    if row.wrapper and count < 2:
        row.problems.append(f"PROCESSES: {count} measured, want at least 2 (wrapper and program)")
    if not names_program(shown, program):
        row.problems.append(f"PROCESSES: the figures are {shown}'s, want {program}'s")
    return count, pid


def check_json(row, program, processes_line):
    try:
        with open(row.json_file) as f:
            report = json.load(f)
    except (OSError, ValueError) as error:
        row.problems.append(f"--json report unreadable: {error}")
        return
    processes = report.get("processes")
    if not isinstance(processes, list) or not processes:
        row.problems.append("JSON has no \"processes\" list")
        return
    for entry in processes:
        missing = [key for key in PROCESS_KEYS if not isinstance(entry, dict) or key not in entry]
        if missing:
            row.problems.append(f"JSON process entry without {', '.join(missing)}: {entry}")
            return
    if len(processes) < 2:
        row.problems.append(f"JSON lists {len(processes)} process, want at least 2")
    if processes_line is not None and len(processes) != processes_line[0]:
        row.problems.append(f"JSON lists {len(processes)} processes, the text "
                            f"{processes_line[0]}")
    reported = [entry for entry in processes if entry["reported"] is True]
    if len(reported) != 1:
        row.problems.append(f"JSON has {len(reported)} reported processes, want 1")
        return
    entry = reported[0]
    if not names_program(str(entry["program"]), program):
        row.problems.append(f"JSON reports {entry['program']}, want {program}")
    if processes_line is not None and entry["pid"] != processes_line[1]:
        row.problems.append(f"JSON reports pid {entry['pid']}, the text {processes_line[1]}")
    for name, key in JSON_FIGURES.items():
        if entry[key] != figure(row.report, name):
            row.problems.append(f"JSON's reported {key} {entry[key]}, the text's {name} "
                                f"{row.report.get(name)}")
    if entry["heap_max"] != report.get("max"):
        row.problems.append(f"JSON's reported heap_max {entry['heap_max']}, its max "
                            f"{report.get('max')}")
    largest = max(processes, key=lambda e: e["heap_max"] if isinstance(e["heap_max"], int) else 0)
    if largest is not entry and largest["heap_max"] > entry["heap_max"]:
        row.problems.append(f"JSON reports {entry['program']}, but {largest['program']} had "
                            f"the larger heap ({largest['heap_max']})")


def check_sandbox(row, sandbox):
    """The run was contained in the mode the environment allows."""
    line = row.report.get("SANDBOX")
    if sandbox == "bwrap" and line is not None:
        row.problems.append(f"SANDBOX: {line}, want bwrap's sandbox (no SANDBOX line)")
    elif sandbox == "container" and not (line or "").startswith("container ("):
        row.problems.append(f"SANDBOX: {line}, want container mode")


def judge(row, plains, sandbox):
    """Fills row.problems: empty when the row passes."""
    check_status(row)
    if row.report:
        check_sandbox(row, sandbox)
    if row.expected:
        base = check_figures(row, plains)
        program = base.program if base is not None else None
    else:
        program = row.program
    if program is not None:
        processes_line = check_processes(row, program)
        if row.json_file is not None:
            check_json(row, program, processes_line)


class Matrix:
    """The rows, the scratch directories they run in, and their allocators."""

    def __init__(self, cmake, build_dir, bin_dir, source_dir, honest_dir, pthread_exit,
                 environment, launcher):
        self.cmake, self.build_dir = cmake, build_dir
        self.source_dir, self.honest_dir, self.pthread_exit = source_dir, honest_dir, pthread_exit
        self.environment = environment
        self.prefix = environment.command(launcher, [])
        self.scratch = tempfile.mkdtemp(prefix="mstats-honest-")
        # The wrapper script and its data file in two directories of their own under /tmp.
        self.tmp_script_dir = tempfile.mkdtemp(prefix="mstats-honest-script-", dir="/tmp")
        self.tmp_data_dir = tempfile.mkdtemp(prefix="mstats-honest-data-", dir="/tmp")
        path = os.environ.get("PATH", "")
        if environment.nonroot:
            # Readable by the user wherever the build is; root's own tools
            # (pyenv's under /root) are not on its PATH.
            bin_dir = self.copy_for_user(bin_dir)
            path = "/usr/local/bin:/usr/bin:/bin"
            for directory in (self.scratch, self.tmp_script_dir, self.tmp_data_dir):
                os.chmod(directory, 0o777)
        self.bin_dir = bin_dir
        self.mstats = os.path.join(bin_dir, "mstats")
        self.tester = {n: os.path.join(bin_dir, f"tester-{n}") for n in (1, 3)}
        self.mreplay = os.path.join(bin_dir, "mreplay")
        self.env = dict(os.environ, PATH=bin_dir + os.pathsep + path)
        for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MSTATS_ALLOCATOR"):
            self.env.pop(name, None)
        if environment.nonroot:
            self.env["HOME"] = self.scratch
        self.allocators = {}  # name -> (path or None, why not)
        self.rows = []

    def copy_for_user(self, bin_dir):
        """The build (copy_build), the honest allocators and the threaded
        program, copied into the scratch directory; returns the new bin/."""
        copied_bin = copy_build(bin_dir, os.path.join(self.scratch, "build"))
        honest = os.path.join(self.scratch, "honest")
        os.mkdir(honest)
        for name in os.listdir(self.honest_dir):
            if name.endswith(".so"):
                shutil.copy2(os.path.join(self.honest_dir, name), honest)
        self.honest_dir = honest
        self.pthread_exit = shutil.copy2(self.pthread_exit, honest)
        return copied_bin

    def remove_scratch(self):
        for path in (self.scratch, self.tmp_script_dir, self.tmp_data_dir):
            shutil.rmtree(path, ignore_errors=True)

    # ---- the allocators ------------------------------------------------

    def build_kit(self, name, patches):
        """mstats-init DIR, the tutorial's patches applied, make -C DIR."""
        kit = os.path.join(self.scratch, name)
        steps = [[os.path.join(self.bin_dir, "mstats-init"), kit]]
        steps += [["patch", "-s", "--no-backup-if-mismatch", "-i",
                   os.path.join(self.source_dir, "docs", "students", patch),
                   os.path.join(kit, "alloc.c")] for patch in patches]
        steps.append(["make", "-C", kit])
        for step in steps:
            status, output = run(step, self.scratch, self.env)
            if status != 0:
                return None, f"{shlex.join(step)}: exit {status}: {last_words(output)}"
        return os.path.join(kit, "alloc.so"), None

    def find_allocators(self):
        self.allocators["kit"] = self.build_kit("kit", [])
        self.allocators["tutorial"] = self.build_kit("tutorial", ["split.diff", "coalesce.diff"])
        for name in ("give-back", "brk-grow", "static-tls", "realloc-zero-keeps", "locked"):
            path = os.path.join(self.honest_dir, f"libhonest-{name}.so")
            self.allocators[name] = (path, None) if os.path.isfile(path) else (
                None, f"{path} is not built")
        if self.environment.allocators:
            self.allocators = {name: found for name, found in self.allocators.items()
                               if name in self.environment.allocators}

    # ---- what the invocations need ---------------------------------------

    def write_executable(self, path, text):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)
        return path

    def prepare_files(self):
        t3 = shlex.quote(self.tester[3])
        self.script_file = self.write_executable(
            os.path.join(self.scratch, "run-tester-3.sh"),
            f"#!/bin/sh\n# A student's wrapper: runs tester-3.\n{t3}\n")
        self.make_dir = os.path.join(self.scratch, "with-make")
        os.mkdir(self.make_dir)
        with open(os.path.join(self.make_dir, "Makefile"), "w") as f:
            f.write(f"# Runs tester-3.\ncheck:\n\t{t3}\n.PHONY: check\n")
        self.typed = os.path.join(self.scratch, "typed.txt")  # one line typed at a terminal
        with open(self.typed, "w") as f:
            f.write("hello\n")
        self.trace = os.path.join(self.tmp_data_dir, "t.rep")
        shutil.copyfile(os.path.join(self.source_dir, "traces", TRACE), self.trace)
        self.tmp_wrapper = self.write_executable(
            os.path.join(self.tmp_script_dir, "replay.sh"),
            "#!/bin/sh\n# Replays a trace kept in another directory under /tmp.\n"
            f"{shlex.quote(self.mreplay)} {shlex.quote(self.trace)}\n")

    def install_with_space(self):
        """cmake --install into 'My Projects/mstats'; its mstats, or None and why."""
        prefix = os.path.join(self.scratch, "My Projects", "mstats")
        command = [self.cmake, "--install", self.build_dir, "--prefix", prefix]
        status, output = run(command, self.scratch, self.env)
        if status != 0:
            return None, f"{shlex.join(command)}: exit {status}: {last_words(output)}"
        return os.path.join(prefix, "bin", "mstats"), None

    def copy_with_space(self, name, path):
        """The allocator copied into 'My Allocators/NAME/'."""
        folder = os.path.join(self.scratch, "My Allocators", name)
        os.makedirs(folder, exist_ok=True)
        copy = os.path.join(folder, os.path.basename(path))
        shutil.copy2(path, copy)
        return copy

    # ---- the rows ----------------------------------------------------------

    def add(self, allocator, invocation, command, **options):
        row = Row(allocator, invocation, command, cwd=options.pop("cwd", None) or self.scratch,
                  **options)
        self.rows.append(row)
        return row

    def add_rows(self, installed_mstats, install_why):
        t1, t3 = self.tester[1], self.tester[3]
        for name, (path, why) in self.allocators.items():
            if path is None:
                row = self.add(name, "(all)", None)
                row.problems.append(f"the allocator cannot be built: {why}")
                continue
            ms = [self.mstats, "-a", path]
            if name == "locked":
                program = self.pthread_exit
                self.add(name, "plain", ms + [program],
                         program=os.path.basename(program))
                self.add_terminal(name, ms, program)
                self.add(name, "env", ms + [f"--json={self.json_path(name, 'env')}", "env",
                                            program],
                         expected=("plain",), wrapper=True, json_file=self.json_path(name, "env"))
                self.add(name, "sh -c exec", ms + ["sh", "-c", f"exec {shlex.quote(program)}"],
                         expected=("plain",), wrapper=True)
                continue
            q1, q3 = shlex.quote(t1), shlex.quote(t3)
            self.add(name, "plain", ms + [t3], program="tester-3")
            self.add(name, "plain tester-1", ms + [t1], program="tester-1")
            self.add(name, "plain mreplay /tmp", ms + [self.mreplay, self.trace],
                     program="mreplay")
            self.add_terminal(name, ms, t3)
            if name == "kit":
                # The program reads its terminal: not stopped (SIGTTIN) as a
                # background process group once was in container mode.
                self.add(name, "terminal stdin", ms + ["-t", "20", "head", "-1"], terminal=True,
                         stdin=self.typed, program="head")
            wrappers = [
                ("env", ["env", t3]),
                ("nice", ["nice", t3]),
                ("timeout 60", ["timeout", "60", t3]),
                ("sh -c exec", ["sh", "-c", f"exec {q3}"]),
                ("bash -c ;true", ["bash", "-c", f"{q3}; true"]),
                ("script file", [self.script_file]),
                ("exec twice", ["sh", "-c", f"exec env {q3}"]),
                ("make", ["make"]),
            ]
            for invocation, wrapped in wrappers:
                json_file = self.json_path(name, invocation) if (
                    name == "kit" and invocation == "env") else None
                extra = [f"--json={json_file}"] if json_file else []
                self.add(name, invocation, ms + extra + wrapped, expected=("plain",),
                         wrapper=True, json_file=json_file,
                         cwd=self.make_dir if invocation == "make" else None)
            json_file = self.json_path(name, "two") if name == "kit" else None
            extra = [f"--json={json_file}"] if json_file else []
            self.add(name, "sh -c t1;t3", ms + extra + ["sh", "-c", f"{q1}; {q3}"],
                     expected=("plain", "plain tester-1"), wrapper=True, json_file=json_file)
            self.add(name, "/tmp wrapper", ms + [self.tmp_wrapper],
                     expected=("plain mreplay /tmp",), wrapper=True)
            if name in ("kit", "static-tls"):
                # Python's own heap is larger than the tester's it execs, and
                # its requests vary from run to run (its random hash seed):
                # reported, it must still pass, never a 97.
                exec_in_python = f"import os; os.execv({t3!r}, ['tester-3'])"
                self.add(name, "python os.execv", ms + ["python3", "-c", exec_in_python])
            if installed_mstats is None:
                row = self.add(name, "space in path", None)
                row.problems.append(f"no install in a folder with a space: {install_why}")
            else:
                self.add(name, "space in path",
                         [installed_mstats, "-a", self.copy_with_space(name, path), t3],
                         expected=("plain",))

    def add_terminal(self, name, ms, program):
        """A terminal row. A program writing to a terminal really asks for
        less (glibc's stdout buffer is 1 KiB there, 4 KiB on a pipe), so its
        REQUESTED and PEAK-LIVE are those of glibc in a terminal, and its MAX
        at least that PEAK-LIVE, not the plain run's."""
        glibc = [self.mstats, "-a", "libc", program]
        self.add(name, "glibc in a terminal", glibc, terminal=True,
                 program=os.path.basename(program))
        row = self.add(name, "terminal", ms + [program], terminal=True,
                       expected=("glibc in a terminal",), figures=("REQUESTED", "PEAK-LIVE"))
        return row

    def json_path(self, allocator, invocation):
        return os.path.join(self.scratch, f"{allocator}-{invocation.replace(' ', '-')}.json")

    def run_rows(self):
        """The plain rows first (the others are compared with them), two at a time."""
        runnable = [row for row in self.rows if row.command is not None]
        plain = [row for row in runnable if not row.expected]
        others = [row for row in runnable if row.expected]
        sandbox = self.environment.sandbox
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda row: run_row(row, self.env, self.prefix), plain))
            for row in plain:
                judge(row, {}, sandbox)
            plains = {(row.allocator, row.invocation): row for row in plain}
            list(pool.map(lambda row: run_row(row, self.env, self.prefix), others))
            for row in others:
                judge(row, plains, sandbox)

    def print_table(self):
        width = max(len(row.invocation) for row in self.rows)
        failed = [row for row in self.rows if row.problems]
        print(f"{'allocator':<18} {'invocation':<{width}}  verdict  why")
        for row in self.rows:
            verdict = "FAIL" if row.problems else "PASS"
            why = "; ".join(row.problems)
            print(f"{row.allocator:<18} {row.invocation:<{width}}  {verdict:<7}  {why}".rstrip())
        print(f"\n{len(self.rows) - len(failed)} of {len(self.rows)} rows pass")
        if failed:
            self.print_commands(failed)
        return not failed

    def print_commands(self, rows):
        """The rows' commands, to run them again (with --keep), paths shortened."""
        places = {"$BIN": self.bin_dir, "$HONEST": self.honest_dir, "$SCRATCH": self.scratch,
                  "$TMP_SCRIPT": self.tmp_script_dir, "$TMP_DATA": self.tmp_data_dir}
        print("\nthe failing rows' commands, where "
              + ", ".join(f"{name}={path}" for name, path in places.items()) + ":")
        for row in (row for row in rows if row.command is not None):
            shown = shlex.join(self.prefix + row.command)
            if row.terminal:
                shown = f"script -qec {shlex.quote(shown)} /dev/null"
            if row.cwd != self.scratch:
                shown = f"cd {shlex.quote(row.cwd)} && {shown}"
            for name, path in places.items():
                shown = shown.replace(path, name)
            print(f"  {row.allocator} / {row.invocation}: {shown}")


def main():
    arguments = [arg for arg in sys.argv[1:] if arg != "--keep"]
    environment, launcher = ENVIRONMENTS["host"], None
    if len(arguments) == 9 and arguments[6] == "--environment" and arguments[7] in ENVIRONMENTS:
        environment, launcher = ENVIRONMENTS[arguments[7]], os.path.abspath(arguments[8])
        arguments = arguments[:6]
    if len(arguments) != 6:
        sys.exit(__doc__)
    cmake, build_dir, bin_dir, source_dir, honest_dir, pthread_exit = (
        arguments[0], *(os.path.abspath(arg) for arg in arguments[1:]))
    matrix = Matrix(cmake, build_dir, bin_dir, source_dir, honest_dir, pthread_exit,
                    environment, launcher)
    try:
        missing = [tool for tool in ("script", "make", "patch", "cc", "bash", "env", "nice",
                                     "timeout", "setpriv") if shutil.which(tool) is None]
        matrix.find_allocators()
        matrix.prepare_files()
        installed, install_why = matrix.install_with_space()
        matrix.add_rows(installed, install_why)
        if missing:  # every row that needs one fails with it; none is skipped
            for row in matrix.rows:
                if row.command is not None:
                    row.problems.append(f"not installed here: {', '.join(missing)}")
        matrix.run_rows()
        ok = matrix.print_table()
    finally:
        if "--keep" in sys.argv:
            print(f"kept: {matrix.scratch} {matrix.tmp_script_dir} {matrix.tmp_data_dir}")
        else:
            matrix.remove_scratch()
    sys.exit(0 if ok else 1)


main()
