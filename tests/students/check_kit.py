"""The starter kit: a fresh `mstats-init` kit, built and run as its README
says, passes tester-1 under mstats; mstats-init never overwrites a file, and
bad usage is one line on stderr.

usage: check_kit.py BIN_DIR"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

KIT_FILES = ["alloc.c", "Makefile", "CMakeLists.txt", ".gitignore", "README.md", "course.ini"]

# Debian packages of the tools the student's commands run.
PACKAGES = {"cc": "gcc"}


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: {message}")


def run(command, cwd=None, env=None, timeout=120):
    """Runs `command` (a list, or a string for sh); returns (status, stdout, stderr)."""
    done = subprocess.run(command, cwd=cwd, env=env, shell=isinstance(command, str),
                          capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout, done.stderr


def readme_commands(readme):
    """The README's commands: its indented lines, in order."""
    return [line[4:] for line in readme.splitlines() if line.startswith("    ") and line.strip()]


def test_fresh_kit_passes_tester_1(init, env, scratch):
    kit = os.path.join(scratch, "my allocator")  # a space: the printed commands quote it
    status, out, err = run([init, kit], env=env)
    check(status == 0 and err == "", f"mstats-init {kit}: exit {status}, {err!r}")
    for name in KIT_FILES:
        check(os.path.isfile(os.path.join(kit, name)), f"the kit lacks {name}")
    check(f"cd '{kit}' && make" in out, f"no next command printed: {out!r}")

    commands = readme_commands(open(os.path.join(kit, "README.md")).read())
    check("make" in commands, f"the README does not say to run make: {commands}")
    check("mstats -a ./alloc.so tester-1" in commands, f"no tester-1 command: {commands}")
    # The rubric runs every tester; with the template's linear lists two of
    # them time out after 30 s each. The tutorial test runs it with the
    # finished allocator (check_tutorial.py).
    for command in (c for c in commands if not c.startswith("mcompare --rubric")):
        status, out, err = run(command, cwd=kit, env=env, timeout=300)
        check(status == 0, f"README command {command!r}: exit {status}\n{out}{err}")
        if command == "mstats -a ./alloc.so tester-1":
            check("[mstats]: STATUS: OK" in out.splitlines(), f"tester-1 not OK:\n{out}")
            check("ALLOCATOR: alloc.so" in out, f"not the kit's allocator:\n{out}")
        if "--heap-map heap.png" in command:
            check(open(os.path.join(kit, "heap.png"), "rb").read(8) == b"\x89PNG\r\n\x1a\n",
                  "heap.png is not a PNG")
    check(os.path.isfile(os.path.join(kit, "alloc.so")), "make built no alloc.so")


def test_never_overwrites(init, env, scratch):
    kit = os.path.join(scratch, "kept")
    check(run([init, kit], env=env)[0] == 0, "first mstats-init failed")
    work = os.path.join(kit, "alloc.c")
    with open(work, "w") as f:
        f.write("/* my work */\n")
    status, out, err = run([init, kit], env=env)
    lines = err.splitlines()
    check(status == 1 and out == "", f"second mstats-init: exit {status}, stdout {out!r}")
    check(len(lines) == 1 and work in lines[0] and "not overwriting" in lines[0],
          f"the refusal does not name {work} on one line: {err!r}")
    check(open(work).read() == "/* my work */\n", "alloc.c was overwritten")
    # Nothing is written when one file exists, even the ones that do not.
    os.remove(os.path.join(kit, "Makefile"))
    check(run([init, kit], env=env)[0] == 1, "a partly existing kit was not refused")
    check(not os.path.exists(os.path.join(kit, "Makefile")), "a refused run wrote the Makefile")


def test_usage(init, env, scratch):
    a_file = os.path.join(scratch, "a-file")
    open(a_file, "w").close()
    for args, words in (([], "mstats-init DIR"), (["a", "b"], "one directory"),
                        (["--no-such-option"], "--no-such-option"), ([a_file], a_file)):
        status, out, err = run([init] + args, env=env)
        lines = err.splitlines()
        check(status in (1, 2) and out == "", f"mstats-init {args}: exit {status}, {out!r}")
        check(len(lines) == 1 and words in lines[0], f"mstats-init {args}: {err!r}")
    for option, words in (("--help", "DIR"), ("--version", "mstats-init ")):
        status, out, err = run([init, option], env=env)
        check(status == 0 and words in out and err == "", f"{option}: exit {status}, {out!r}")
    check(re.match(r"^mstats-init \d+\.\d+\.\d+\n$", run([init, "--version"])[1]),
          "--version is not one line with a version number")


def main():
    bin_dir = os.path.abspath(sys.argv[1])
    init = os.path.join(bin_dir, "mstats-init")
    for tool in ('make', 'cc', 'cmake'):
        check(shutil.which(tool),
              f"{tool} not found: apt-get install {PACKAGES.get(tool, tool)}")
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("MAKEFLAGS", None)
    with tempfile.TemporaryDirectory(prefix="mstats-kit-") as scratch:
        test_fresh_kit_passes_tester_1(init, env, scratch)
        test_never_overwrites(init, env, scratch)
        test_usage(init, env, scratch)
    print("ok")


main()
