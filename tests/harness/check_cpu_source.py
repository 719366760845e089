"""CPU-TIME counts every process of the run where the harness can make a
cgroup (CPU-SOURCE: cgroup), and is the program's rusage, with the reason,
where it cannot (CPU-SOURCE: rusage). The program (containment/helper_cpu.c)
hands 0.5 s of CPU work to a helper it never waits for and exits.

- on this machine: a cgroup wherever root can write one (the v2 hierarchy,
  else v1's cpuacct), and the helper's time counted, in bwrap, in container
  mode and unsandboxed; the JSON report too;
- MSTATS_CPU_CGROUP=v1: the v1 cpuacct hierarchy, where there is one;
- MSTATS_CPU_CGROUP=none: rusage, which misses the helper;
- a run stopped at its timeout: still counted, and its cgroup removed;
- an emulated Docker grader (read-only cgroups): rusage, and why;
- the user nobody: whichever it can, said consistently.
No run leaves a cgroup behind.

usage: check_cpu_source.py MSTATS HELPER_CPU LAUNCHER"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "container"))
from environments import ENVIRONMENTS, copy_build  # noqa: E402
from harness_test import check, main, parse_report  # noqa: E402

HELPER_SECONDS = 0.5
COUNTED = 0.4     # the helper's 0.5 s, counted (a little is lost to rounding at most)
UNCOUNTED = 0.25  # the program's own time, without the helper's


def cgroup_parents():
    """The directories a run's cgroup is made in (cpu_count.c): this
    process's cgroup in the v2 hierarchy and in v1's cpuacct one."""
    mounts = {}
    with open("/proc/self/mounts") as f:
        for line in f:
            _, point, kind, options = line.split()[:4]
            if kind == "cgroup2" and point in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
                mounts["v2"] = point
            elif kind == "cgroup" and "cpuacct" in options.split(","):
                mounts["cpuacct"] = point
    parents = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            number, controllers, path = line.rstrip("\n").split(":", 2)
            key = "v2" if number == "0" and controllers == "" else \
                "cpuacct" if "cpuacct" in controllers.split(",") else None
            if key in mounts:
                parents[key] = mounts[key] + path.rstrip("/")
    return parents


def writable(path):
    return path is not None and os.geteuid() == 0 and os.access(path, os.W_OK)


def run(command, env=None, timeout=60):
    """Runs mstats (perhaps through exec-ing wrappers, which keep its pid);
    returns (exit status, stdout, stderr, its pid)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, stdin=subprocess.DEVNULL)
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err, process.pid


def check_removed(label, pid, parents):
    for parent in parents.values():
        left = [name for name in os.listdir(parent) if name.startswith(f"mstats-{pid}-")]
        check(not left, f"{label}: cgroups left in {parent}: {left}")


def check_source(label, report, want=None):
    """The CPU-SOURCE line agrees with CPU-TIME; `want`: the source it must be."""
    cpu, source = float(report["CPU-TIME"]), report.get("CPU-SOURCE", "")
    if want is not None:
        check(source.startswith(want + " "), f"{label}: CPU-SOURCE {source!r}, want {want}")
    if source.startswith("cgroup "):
        check(source == "cgroup (every process of the run)", f"{label}: {source!r}")
        check(cpu >= COUNTED, f"{label}: CPU-TIME {cpu} from a cgroup misses the helper")
    else:
        prefix = "rusage (the program and the children it waited for; no cgroup: "
        check(source.startswith(prefix) and len(source) > len(prefix) + 2 and
              source.endswith(")"), f"{label}: CPU-SOURCE {source!r}")
        check(cpu < UNCOUNTED, f"{label}: CPU-TIME {cpu} from rusage counts the helper?")
    return source


def test(argv):
    mstats, helper, launcher = (os.path.abspath(arg) for arg in argv)
    parents = cgroup_parents()
    program = [helper, str(HELPER_SECONDS)]

    # This machine: a cgroup wherever root can make one, in bwrap, in
    # container mode and unsandboxed alike.
    want = "cgroup" if writable(parents.get("v2")) or writable(parents.get("cpuacct")) else None
    for mode, options, env in (("bwrap", [], None),
                               ("container", [], dict(os.environ, MSTATS_BWRAP="/bin/false")),
                               ("no-sandbox", ["--no-sandbox"], None)):
        status, out, err, pid = run([mstats, *options, *program], env=env)
        check(status == 0, f"{mode}: exit {status}, {err!r}")
        source = check_source(mode, parse_report(out), want)
        check_removed(mode, pid, parents)
        print(f"{mode}: CPU-TIME {parse_report(out)['CPU-TIME']}, CPU-SOURCE {source}")

    # The JSON report says the same.
    status, out, err, pid = run([mstats, "--json", *program])
    report = json.loads(out)
    check(report["cpu_source"] in ("cgroup", "rusage") and
          (report["cpu_source_why"] is None) == (report["cpu_source"] == "cgroup"),
          f"json: {report['cpu_source']!r}, {report['cpu_source_why']!r}")
    check(report["cpu_source"] != "cgroup" or report["cpu_time"] >= COUNTED,
          f"json: cpu_time {report['cpu_time']}")
    check_removed("json", pid, parents)

    # cgroup v1's cpuacct hierarchy, where there is one.
    env = dict(os.environ, MSTATS_CPU_CGROUP="v1")
    status, out, err, pid = run([mstats, *program], env=env)
    source = check_source("v1", parse_report(out),
                          "cgroup" if writable(parents.get("cpuacct")) else "rusage")
    check_removed("v1", pid, parents)
    print(f"v1: CPU-TIME {parse_report(out)['CPU-TIME']}, CPU-SOURCE {source}")

    # No cgroup: the program's rusage, without the helper.
    env = dict(os.environ, MSTATS_CPU_CGROUP="none")
    status, out, err, pid = run([mstats, *program], env=env)
    source = check_source("none", parse_report(out), "rusage")
    check(source.endswith("no cgroup: MSTATS_CPU_CGROUP=none)"), f"none: {source!r}")
    print(f"none: CPU-TIME {parse_report(out)['CPU-TIME']}, CPU-SOURCE {source}")

    # A run stopped at its timeout is counted, and its cgroup removed.
    status, out, err, pid = run([mstats, "-t", "1", helper, "30"])
    print(f"timeout: CPU-TIME {parse_report(out).get('CPU-TIME')}")
    report = parse_report(out)
    check(status == 1 and report.get("REASON", "").startswith("15 "),
          f"timeout: exit {status}, {report.get('REASON')!r}")
    # The helper spun for the second (less beside other load); the program's
    # own time is some milliseconds.
    if report.get("CPU-SOURCE", "").startswith("cgroup"):
        check(float(report["CPU-TIME"]) > 0.05, f"timeout: CPU-TIME {report['CPU-TIME']}")
    check_removed("timeout", pid, parents)

    # An emulated Docker grader: cgroups read-only.
    if os.geteuid() == 0:
        docker = ENVIRONMENTS["docker"]
        status, out, err, pid = run(docker.command(launcher, [mstats, *program]))
        check(status == 0, f"docker: exit {status}, {err!r}")
        source = check_source("docker", parse_report(out), "rusage")
        check("Read-only file system" in source, f"docker: {source!r}")
        print(f"docker: CPU-TIME {parse_report(out)['CPU-TIME']}, CPU-SOURCE {source}")

    # The user nobody (a copy of the build it can read): it joins a cgroup
    # only where one is delegated to it, and says which.
    if os.geteuid() == 0 and shutil.which("setpriv"):
        scratch = tempfile.mkdtemp(prefix="mstats-cpu-source-")
        try:
            os.chmod(scratch, 0o755)
            user_bin = copy_build(os.path.dirname(mstats), os.path.join(scratch, "build"))
            user_helper = shutil.copy2(helper, scratch)
            nobody = ENVIRONMENTS["nonroot"]
            status, out, err, pid = run(nobody.command(
                launcher, [os.path.join(user_bin, "mstats"), user_helper, str(HELPER_SECONDS)]))
            check(status == 0, f"nobody: exit {status}, {err!r}")
            source = check_source("nobody", parse_report(out))
            check_removed("nobody", pid, parents)
            print(f"nobody: CPU-TIME {parse_report(out)['CPU-TIME']}, CPU-SOURCE {source}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


main(test)
