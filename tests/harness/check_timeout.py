"""Timeouts stop the whole process group: SIGTERM first, SIGKILL one second
later for a program that ignores SIGTERM, and no background child survives.

usage: check_timeout.py MSTATS"""

import os
import subprocess
import time

from harness_test import check, main, parse_report, run


def alive(marker):
    """Processes whose command line holds `marker`."""
    found = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    return found.stdout.split()


def test(argv):
    (mstats,) = argv
    marker = f"31.{os.getpid()}"  # a unique sleep length to find our sleepers by

    status, out, err, seconds = run([mstats, "-t", "1", "sh", "-c",
                                     f"sleep {marker} & sleep {marker}; wait"])
    report = parse_report(out)
    check(status == 1, f"background: exit {status}, {err!r}")
    check(report.get("REASON", "") == "15 timed out after 1 s: every process of the run got SIGTERM",
          f"background: REASON {report.get('REASON')!r}")
    check(seconds < 4, f"background: took {seconds:.1f} s")
    time.sleep(0.2)
    check(not alive(marker), f"background: sleepers survived: {alive(marker)}")

    status, out, err, seconds = run([mstats, "-t", "1", "sh", "-c",
                                     f"trap '' TERM; sleep {marker}"])
    report = parse_report(out)
    check(status == 1, f"ignoring SIGTERM: exit {status}, {err!r}")
    check(report.get("REASON", "").endswith("then SIGKILL one second later"),
          f"ignoring SIGTERM: REASON {report.get('REASON')!r}")
    check(report.get("STATUS") == "FAILED=(9)", f"ignoring SIGTERM: STATUS {report.get('STATUS')}")
    check(1.9 < seconds < 5, f"ignoring SIGTERM: took {seconds:.1f} s, expected about 2")
    time.sleep(0.2)
    check(not alive(marker), f"ignoring SIGTERM: sleepers survived: {alive(marker)}")


main(test)
