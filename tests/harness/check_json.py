"""--json prints one JSON object holding every figure of the text report, and
--json=FILE writes the same object to FILE while the text report goes to
stdout; the two agree.

usage: check_json.py MSTATS WORKLOAD ALLOCATOR"""

import json
import os
import tempfile

from harness_test import check, expected_figures, main, parse_calls, parse_report, run


def test(argv):
    mstats, workload, allocator = argv
    ops = ["a0:100", "c1:3x7", "r0:200", "n", "f1", "f0"]
    expected = expected_figures(ops)
    # A bare --json right before PROGRAM must not take PROGRAM as its FILE.
    status, out, err, _ = run([mstats, "-q", "-a", allocator, "--json", workload] + ops)
    check(status == 0, f"--json: exit {status}, {err!r}")
    doc = json.loads(out)
    for key in ("status", "code", "wait_status", "exit_status", "signal", "reason", "max", "avg",
                "time", "cpu_time", "cpu_source", "cpu_source_why", "requested", "peak_live",
                "utilization", "calls", "allocator", "program", "timeout", "memory_limit"):
        check(key in doc, f"JSON lacks {key}: {sorted(doc)}")
    check(doc["status"] == "OK" and doc["code"] == 0 and doc["reason"] is None, f"{doc}")
    check(doc["requested"] == expected["REQUESTED"], f"requested {doc['requested']}")
    check(doc["peak_live"] == expected["PEAK-LIVE"], f"peak_live {doc['peak_live']}")
    for name, count in expected["CALLS"].items():
        check(doc["calls"][name] == count, f"calls.{name} {doc['calls'][name]}, expected {count}")

    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "report.json")
        status, out, err, _ = run([mstats, f"--json={path}", "-a", allocator, workload] + ops)
        check(status == 0, f"--json=FILE: exit {status}, {err!r}")
        text = parse_report(out)
        with open(path) as f:
            doc = json.load(f)
    check(int(text["MAX"]) == doc["max"], f"MAX {text['MAX']} vs max {doc['max']}")
    check(abs(float(text["AVG"]) - doc["avg"]) < 1e-5, f"AVG {text['AVG']} vs {doc['avg']}")
    check(abs(float(text["TIME"]) - doc["time"]) < 1e-5, f"TIME {text['TIME']} vs {doc['time']}")
    check(int(text["REQUESTED"]) == doc["requested"], "REQUESTED differs")
    check(int(text["PEAK-LIVE"]) == doc["peak_live"], "PEAK-LIVE differs")
    check(abs(float(text["UTILIZATION"]) - doc["utilization"]) < 1e-5, "UTILIZATION differs")
    calls = parse_calls(text["CALLS"])
    check(calls["calloc"] == doc["calls"]["calloc"] and calls["free"] == doc["calls"]["free"],
          f"CALLS {calls} vs {doc['calls']}")
    check(text["ALLOCATOR"] == f"{doc['allocator']['name']} ({doc['allocator']['path']})",
          f"ALLOCATOR {text['ALLOCATOR']} vs {doc['allocator']}")

    # A failure carries code, signal and reason.
    status, out, err, _ = run([mstats, "--json", "-a", allocator, workload, "X"])
    doc = json.loads(out)
    check(status == 1 and doc["status"] == "FAILED" and doc["code"] == 95, f"{doc}")
    check(doc["wait_status"] == 95 << 8 and doc["signal"] is None, f"{doc}")
    check("never returned" in doc["reason"], f"reason {doc['reason']}")


main(test)
