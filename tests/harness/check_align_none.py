"""--align 1 checks no alignment, as the courses' contest harnesses did (issue 21).

An allocator whose blocks are 4-aligned (gallery align4: a 4-byte size word
before each block) runs tester-13 (a million tiny blocks) under --align 1 with
STATUS OK, `ALIGNMENT: not checked` and JSON alignment 1, and so does mreplay
on a trace; the default alignment and --align 8 stop it with 93. Blocks of a
few bytes 4 apart (packed4: two to a slot of the shim's live index) give the
workload's exact figures, and the frees the shim refuses are still refused
(95, named as before). Two overlapping 4-aligned blocks (overlap4) stop with
94. mcompare grades a tester and a trace OK under --align 1 and under a
rubric's align = 1 (alignment 1 in every cell). Any other value is one line
on stderr naming --align and the values 1, 8 or 16, exit 2, for mstats,
mreplace, mcompare and mreplay; a rubric's align = 4 names its line.

usage: check_align_none.py MSTATS MREPLACE MCOMPARE MREPLAY WORKLOAD GALLERY_DIR TESTER TRACE"""

import json
import os
import re
import tempfile

from harness_test import check, expected_figures, main, parse_calls, parse_report, run


def check_tester(mstats, align4, tester, mreplay, trace):
    status, out, err, _ = run([mstats, "--align", "1", "-a", align4, tester], timeout=120)
    report = parse_report(out)
    check(status == 0 and report.get("STATUS") == "OK" and
          report.get("ALIGNMENT") == "not checked",
          f"--align 1 {os.path.basename(tester)}: exit {status}, {report}, {err!r}")
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "run.json")
        status, out, err, _ = run([mstats, "--align", "1", "--json=" + path, "-a", align4,
                                   mreplay, trace], timeout=120)
        with open(path) as f:
            document = json.load(f)
        check(status == 0 and document["code"] == 0 and document["alignment"] == 1,
              f"--align 1 mreplay: exit {status}, code {document['code']}, "
              f"alignment {document['alignment']}, {err!r}")
    for options, alignment in (([], 16), (["--align", "8"], 8)):
        status, out, err, _ = run([mstats, *options, "-a", align4, tester], timeout=120)
        report = parse_report(out)
        check(status == 1 and re.match(rf"93 pointer 0x[0-9a-f]+ not aligned to {alignment} "
                                       "bytes", report.get("REASON", "")),
              f"4-aligned blocks with {options or 'the default'}: exit {status}, {report}")


def check_packed_and_overlap(mstats, workload, gallery):
    packed = os.path.join(gallery, "libgallery-packed4.so")
    ops = ["a0:1", "a1:2", "a2:3", "a3:0", "f1", "a4:4", "r0:3", "f2", "a5:1", "f3", "f0",
           "f4", "f5"]
    status, out, err, _ = run([mstats, "--align", "1", "-a", packed, workload, *ops])
    report = parse_report(out)
    expected = expected_figures(ops)
    check(status == 0 and report.get("STATUS") == "OK", f"packed4: exit {status}, {report}")
    calls = parse_calls(report["CALLS"])
    check(int(report["REQUESTED"]) == expected["REQUESTED"] and
          int(report["PEAK-LIVE"]) == expected["PEAK-LIVE"] and
          all(calls[name] == count for name, count in expected["CALLS"].items()),
          f"packed4 figures: {report}, expected {expected}")
    block = r"\[0x([0-9a-f]+), 0x[0-9a-f]+\)"
    refused = {
        "D3": r"95 free\(0x[0-9a-f]+\) of a block already freed",
        "I1": rf"95 free\(0x[0-9a-f]+\) of a pointer inside live block {block}",
        "X": r"95 free\(0x[0-9a-f]+\) of a pointer the allocator never returned",
    }
    for op, pattern in refused.items():
        status, out, err, _ = run([mstats, "--align", "1", "-a", packed, workload, "a0:1",
                                   "a1:40", "a2:3", "a3:2", "f3", op])
        reason = parse_report(out).get("REASON", "")
        check(status == 1 and re.match(pattern, reason), f"packed4 {op}: exit {status}, {reason!r}")

    overlap = os.path.join(gallery, "libgallery-overlap4.so")
    status, out, err, _ = run([mstats, "--align", "1", "-a", overlap, workload, "a0:24", "a1:8"])
    reason = parse_report(out).get("REASON", "")
    match = re.match(rf"94 block {block} overlaps live block {block} returned by malloc\(8\)",
                     reason)
    check(status == 1 and match and int(match.group(1), 16) - int(match.group(2), 16) == 4 and
          int(match.group(1), 16) % 4 == 0,
          f"overlap4: exit {status}, {reason!r}")


def check_mcompare(mcompare, align4, trace):
    with tempfile.TemporaryDirectory() as scratch:
        rubric = os.path.join(scratch, "align.ini")
        with open(rubric, "w") as f:
            f.write(f"[grading]\npass = 2\nalign = 1\n\n[tester-13]\npoints = 1\n\n"
                    f"[{trace}]\npoints = 1\n")
        for options in (["--align", "1", "-w", "tester-13", "-w", trace], ["--rubric", rubric]):
            status, out, err, _ = run([mcompare, "-q", "-j", "1", "--format", "json", "-a", align4,
                                       *options], timeout=240)
            cells = json.loads(out)["cells"]
            check(status == 0 and len(cells) == 2 and
                  all(c["code"] == 0 and c["alignment"] == 1 for c in cells),
                  f"mcompare {' '.join(options)}: exit {status}, {err!r}, "
                  f"{[(c.get('workload'), c['code'], c['alignment']) for c in cells]}")
        with open(rubric, "w") as f:
            f.write("[grading]\nalign = 4\n\n[tester-1]\npoints = 1\n")
        status, out, err, _ = run([mcompare, "-q", "--rubric", rubric])
        check(status == 2 and f"{rubric}:2: align = 4: give 1, 8 or 16" in err,
              f"rubric align = 4: exit {status}, {err!r}")


def check_usage(mstats, mreplace, mcompare, mreplay, workload, trace):
    commands = {mstats: [workload], mreplace: [workload], mcompare: ["-w", "tester-1"],
                mreplay: [trace]}
    for program, rest in commands.items():
        for value in ("4", "32", "2"):
            status, out, err, _ = run([program, "--align", value, *rest])
            lines = err.strip().splitlines()
            check(status == 2 and len(lines) == 1 and "--align" in lines[0] and
                  "1, 8 or 16" in lines[0],
                  f"{os.path.basename(program)} --align {value}: exit {status}, stderr {err!r}")


def test(argv):
    mstats, mreplace, mcompare, mreplay, workload, gallery, tester, trace = argv
    align4 = os.path.join(gallery, "libgallery-align4.so")
    check_tester(mstats, align4, tester, mreplay, trace)
    check_packed_and_overlap(mstats, workload, gallery)
    check_usage(mstats, mreplace, mcompare, mreplay, workload, trace)
    check_mcompare(mcompare, align4, trace)


main(test)
