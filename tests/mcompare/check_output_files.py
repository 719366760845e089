"""The files a user names are written in place, and a lost write is an error
(issue 10): mstats --json/--record/--heap-map and mcompare's -o, --json,
--markdown, --csv, --junit.

usage: check_output_files.py BIN_DIR

- a symbolic link is written through and stays a link;
- a FIFO with a reader gets the whole report once and stays a FIFO;
- a device that fails every write (/dev/full, reached through a link so that
  a regression could only replace the link) gives exit 1 and one line on
  stderr, and every other result is still written;
- stdout on /dev/full gives exit 1 and one line;
- a missing directory is an error that names it, and is not created."""

import json
import os
import stat
import subprocess
import sys
import tempfile
import threading

FAILURES = []
CHECKS = [0]


def check(condition, message):
    CHECKS[0] += 1
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)
    return condition


def run(command, stdout=subprocess.PIPE):
    proc = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)
    return proc.returncode, proc.stdout or "", proc.stderr


def one_line(err, words, what):
    lines = err.strip().splitlines()
    check(len(lines) == 1 and all(w in lines[0] for w in words),
          f"{what}: expected one stderr line with {words}, got {err!r}")


def read_fifo(path, into):
    """A reader thread: the FIFO's whole content until its writer closes."""
    with open(path, "rb") as f:
        into.append(f.read())


class Env:
    def __init__(self, bin_dir):
        self.mstats = os.path.join(bin_dir, "mstats")
        self.mcompare = os.path.join(bin_dir, "mcompare")
        self.tester = os.path.join(bin_dir, "tester-1")
        self.tmp = tempfile.mkdtemp(prefix="output-files-")

    def path(self, name):
        return os.path.join(self.tmp, name)

    def link(self, name, target):
        path = self.path(name)
        os.symlink(target, path)
        return path


def mstats_outputs(env, json_file=None, record=None, heap_map=None, stdout=subprocess.PIPE):
    command = [env.mstats, "-q"]
    if json_file:
        command.append(f"--json={json_file}")
    if record:
        command += ["--record", record]
    if heap_map:
        command += ["--heap-map", heap_map]
    return run(command + [env.tester], stdout)


def scenario_symlinks(env):
    targets = {k: env.path(f"target.{k}") for k in ("json", "rep", "png", "md", "csv")}
    links = {k: env.link(f"link.{k}", t) for k, t in targets.items()}
    status, out, err = mstats_outputs(env, links["json"], links["rep"], links["png"])
    check(status == 0, f"mstats through links: exit {status}: {err}")
    check("[mstats]: STATUS: OK" in out, "mstats: the text report beside --json FILE")
    status, out, err = run([env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1",
                            "--format", "markdown", "-o", links["md"], "--csv", links["csv"]])
    check(status == 0, f"mcompare through links: exit {status}: {err}")
    for kind, link in links.items():
        check(os.path.islink(link) and os.readlink(link) == targets[kind],
              f"{kind}: the link was replaced")
    check(json.load(open(targets["json"]))["status"] == "OK", "--json through a link")
    check(open(targets["rep"]).readline().strip().isdigit(), "--record through a link")
    check(open(targets["png"], "rb").read(8) == b"\x89PNG\r\n\x1a\n", "--heap-map through a link")
    check(open(targets["md"]).read().startswith("# Allocator comparison"), "-o through a link")
    check(open(targets["csv"]).readline().startswith("workload,"), "--csv through a link")


def scenario_fifos(env):
    cases = [
        ("mstats --json", lambda p: mstats_outputs(env, json_file=p),
         lambda data: json.loads(data)["status"] == "OK"),
        ("mstats --record", lambda p: mstats_outputs(env, record=p),
         lambda data: data.splitlines()[0].strip().isdigit() and b"\na " in data),
        ("mcompare -o", lambda p: run([env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1",
                                       "--format", "json", "-o", p]),
         lambda data: len(json.loads(data)["cells"]) == 1),
    ]
    for index, (what, command, valid) in enumerate(cases):
        fifo = env.path(f"fifo{index}")
        os.mkfifo(fifo)
        received = []
        reader = threading.Thread(target=read_fifo, args=(fifo, received), daemon=True)
        reader.start()
        status, _, err = command(fifo)
        reader.join(timeout=30)
        check(status == 0, f"{what} FIFO: exit {status}: {err}")
        check(len(received) == 1 and valid(received[0]),
              f"{what} FIFO: the reader got {received[:1]!r}")
        check(stat.S_ISFIFO(os.lstat(fifo).st_mode), f"{what}: the FIFO was replaced")


def scenario_full_device(env):
    full = env.link("full", "/dev/full")  # a regression can only replace this link
    status, out, err = mstats_outputs(env, json_file=full)
    check(status == 1, f"mstats --json /dev/full: exit {status}, expected 1")
    one_line(err, [full, "No space left"], "mstats --json /dev/full")
    check("[mstats]: STATUS: OK" in out, "mstats --json /dev/full: the text report was lost")
    for option in ("record", "heap_map"):
        status, out, err = mstats_outputs(env, **{option: full})
        check(status == 1, f"mstats --{option} /dev/full: exit {status}, expected 1: {err}")
        one_line(err, [full, "No space left"], f"mstats --{option} /dev/full")
        check("[mstats]: STATUS: OK" in out, f"mstats --{option} /dev/full: the report was lost")
    kept = env.path("kept.md")
    status, out, err = run([env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1",
                            "--json", full, "--markdown", kept, "--format", "csv"])
    check(status == 1, f"mcompare --json /dev/full: exit {status}, expected 1")
    one_line(err, [full, "No space left"], "mcompare --json /dev/full")
    check(out.startswith("workload,") and os.path.exists(kept) and "tester-1" in open(kept).read(),
          "mcompare --json /dev/full: the other reports were lost")
    check(os.path.islink(full), "the link to /dev/full was replaced")
    check(stat.S_ISCHR(os.stat("/dev/full").st_mode), "/dev/full is no longer a device")
    with open("/dev/full", "w") as devfull:
        status, _, err = mstats_outputs(env, stdout=devfull)
        check(status == 1, f"mstats >/dev/full: exit {status}, expected 1")
        one_line(err, ["standard output", "No space left"], "mstats >/dev/full")
        status, _, err = run([env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1"], devfull)
        check(status == 1, f"mcompare >/dev/full: exit {status}, expected 1")
        one_line(err, ["standard output", "No space left"], "mcompare >/dev/full")


def scenario_missing_directory(env):
    missing = env.path("no/such/dir")
    for what, command, expected in [
        ("mcompare -o", [env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1", "-o",
                         os.path.join(missing, "r.md")], 1),
        ("mcompare --junit", [env.mcompare, "-q", "-a", "first-fit", "-w", "tester-1", "--junit",
                              os.path.join(missing, "r.xml")], 1),
        ("mstats --json", [env.mstats, "-q", f"--json={os.path.join(missing, 'r.json')}",
                           env.tester], 1),
        # Checked before the run: a usage error, and nothing runs.
        ("mstats --record", [env.mstats, "-q", "--record", os.path.join(missing, "r.rep"),
                             env.tester], 2),
    ]:
        status, _, err = run(command)
        check(status == expected, f"{what} into a missing directory: exit {status}, expected {expected}")
        one_line(err, [missing, "create it first"], f"{what} into a missing directory")
        check(not os.path.exists(env.path("no")), f"{what} created the directory")


def main():
    env = Env(sys.argv[1])
    for scenario in (scenario_symlinks, scenario_fifos, scenario_full_device,
                     scenario_missing_directory):
        scenario(env)
    subprocess.run(["rm", "-rf", env.tmp])
    if FAILURES:
        print(f"{len(FAILURES)} of {CHECKS[0]} checks failed", file=sys.stderr)
        sys.exit(1)
    print(f"all {CHECKS[0]} checks passed")


if __name__ == "__main__":
    main()
