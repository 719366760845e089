"""-m bounds all the memory of a run, not only its heap, and CPU-TIME is the
program's own CPU time, beside its wall-clock TIME.

usage: check_limits.py MSTATS TOUCH_MEMORY SPIN"""

import json
import os

from harness_test import check, main, parse_report, run


def test(argv):
    mstats, touch_memory, spin = argv

    # 400 MiB touched through mmap, under -m 1M: the run's cgroup (where one
    # can be made) kills it and the report says what grew.
    status, out, err, _ = run([mstats, "--json", "-m", "1M", touch_memory, "400"])
    report = json.loads(out)
    check(status == 1, f"mmap 400M: exit {status}, {err!r}")
    if report["memory_bound"].startswith("cgroup"):
        check(report["code"] == 68, f"mmap 400M: code {report['code']}: {report['reason']!r}")
        check("memory outside the heap grew" in report["reason"], f"reason {report['reason']!r}")
        check(report["memory_peak"] <= 2 * (1 << 20) + (256 << 20) + (1 << 20),
              f"peak {report['memory_peak']} past the bound")
    else:
        check(report["code"] == 3, f"mmap 400M under rlimit: {report['code']} {report['reason']!r}")

    # The fallback, RLIMIT_DATA: the mmap itself fails.
    env = dict(os.environ, MSTATS_MEMORY_BOUND="rlimit")
    status, out, err, _ = run([mstats, "--json", "-m", "1M", touch_memory, "400"], env=env)
    report = json.loads(out)
    check(report["memory_bound"] == "rlimit", f"rlimit: bound {report['memory_bound']}")
    check(report["code"] == 3 and "Cannot allocate memory" in err,
          f"rlimit: code {report['code']}, {err!r}")

    # Under the default bound, the same program runs.
    status, out, err, _ = run([mstats, touch_memory, "400"])
    check(status == 0, f"mmap 400M, default -m: exit {status}, {err!r}")

    # CPU-TIME: a program that burns 0.3 s of CPU, and one that sleeps 0.5 s.
    status, out, err, _ = run([mstats, spin, "0.3"])
    report = parse_report(out)
    cpu, wall = float(report["CPU-TIME"]), float(report["TIME"])
    check(status == 0 and 0.28 <= cpu <= wall + 0.02, f"spin: CPU-TIME {cpu}, TIME {wall}")
    status, out, err, _ = run([mstats, "sleep", "0.5"])
    report = parse_report(out)
    cpu, wall = float(report["CPU-TIME"]), float(report["TIME"])
    check(status == 0 and cpu < 0.1 and wall >= 0.5, f"sleep: CPU-TIME {cpu}, TIME {wall}")
    lines = [line.split(":")[1].strip() for line in out.splitlines() if line.startswith("[mstats]")]
    check(lines[:4] == ["STATUS", "MAX", "AVG", "TIME"], f"course lines first: {lines}")

    # A timeout that is not a time is a usage error, in one line.
    for value in ("9e15", "inf", "1e20", "nan", "-1"):
        status, out, err, _ = run([mstats, "-t", value, "true"])
        check(status == 2 and len(err.splitlines()) == 1 and "--timeout" in err,
              f"-t {value}: exit {status}, {err!r}")


main(test)
