"""--align and the reference allocators.

--align 8 accepts an allocator that returns 8-aligned blocks, which the
default (16) stops with 93, under mstats and under mcompare (a tester and a
trace, which check the run's alignment themselves); the report and the JSON
say which alignment was checked; any other value is a one-line usage error naming --align, for mstats
and mreplace. jemalloc, mimalloc and tcmalloc run by name (preloaded: they
have static TLS), their figures that need the heap are "not measured (mmap
allocator)" (null in the JSON), and the calls and requested bytes are at
least the workload's. A directory given as the allocator is named as one. A rubric with
sandbox = required gives a cell run with --no-sandbox nothing.

usage: check_align_reference.py MSTATS MREPLACE WORKLOAD GALLERY_DIR MCOMPARE TRACE"""

import json
import os
import tempfile

from harness_test import check, expected_figures, main, parse_calls, parse_report, run


def test(argv):
    mstats, mreplace, workload, gallery, mcompare, trace = argv
    misaligned = os.path.join(gallery, "libgallery-align8.so")
    ops = ["a0:24", "a1:40", "f0", "f1"]

    status, out, err, _ = run([mstats, "-a", misaligned, workload, *ops])
    report = parse_report(out)
    check(status == 1 and report.get("REASON", "").startswith("93 "),
          f"8-aligned blocks with the default alignment: exit {status}, {report}")
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "run.json")
        status, out, err, _ = run([mstats, "--align", "8", "--json=" + path, "-a", misaligned,
                                   workload, *ops])
        check(status == 0, f"--align 8: exit {status}, {err!r}, {out!r}")
        with open(path) as f:
            document = json.load(f)
        check(document["alignment"] == 8, f"--align 8: JSON alignment {document['alignment']}")
    status, out, _, _ = run([mstats, "-a", "first-fit", workload, *ops])
    check(parse_report(out).get("ALIGNMENT") == "16", f"default ALIGNMENT line: {out!r}")

    # mcompare: a tester and a trace, with --align 8 and with a rubric's align = 8.
    with tempfile.TemporaryDirectory() as scratch:
        rubric = os.path.join(scratch, "align.ini")
        with open(rubric, "w") as f:
            f.write("[grading]\npass = 2\nalign = 8\n\n[tester-3]\npoints = 1\n\n"
                    f"[{trace}]\npoints = 1\n")
        for options in (["--align", "8"], ["--rubric", rubric]):
            status, out, err, _ = run([mcompare, "-q", "-j", "1", "--format", "json",
                                       "-a", misaligned, "-w", "tester-3", "-w", trace,
                                       *options], timeout=120)
            document = json.loads(out)
            cells = [cell for cell in document["cells"]]
            check(status == 0 and len(cells) == 2 and all(c["code"] == 0 for c in cells),
                  f"mcompare {' '.join(options)}: exit {status}, {err!r}, "
                  f"{[(c.get('workload'), c['code'], c.get('reason')) for c in cells]}")
            check(all(c["alignment"] == 8 for c in cells), f"mcompare {options}: alignment")
        status, out, err, _ = run([mcompare, "-q", "-j", "1", "--format", "json", "-a",
                                   misaligned, "-w", "tester-3"], timeout=120)
        codes = [c["code"] for c in json.loads(out)["cells"]]
        check(codes == [93], f"mcompare without --align: codes {codes}, expected [93]")

    for program in (mstats, mreplace):
        for value in ("3", "32", "-8"):
            status, out, err, _ = run([program, "--align", value, workload, "a0:1"])
            lines = err.strip().splitlines()
            check(status == 2 and len(lines) == 1 and "--align" in lines[0],
                  f"{os.path.basename(program)} --align {value}: exit {status}, stderr {err!r}")

    expected = expected_figures(ops)
    for name in ("jemalloc", "mimalloc", "tcmalloc"):
        status, out, err, _ = run([mstats, "-a", name, workload, *ops])
        report = parse_report(out)
        check(status == 0 and report.get("STATUS") == "OK", f"{name}: exit {status}, {err!r}, {out!r}")
        for field in ("MAX", "AVG", "PEAK-LIVE", "UTILIZATION"):
            check(report.get(field) == "not measured (mmap allocator)", f"{name}: {field} {report}")
        # The workload's calls and bytes, plus what the allocator asks of the
        # family while it starts (jemalloc: one malloc from its constructor).
        calls = parse_calls(report["CALLS"])
        check(int(report["REQUESTED"]) >= expected["REQUESTED"], f"{name}: REQUESTED {report}")
        check(all(calls[f] >= expected["CALLS"][f] for f in calls) and
              calls["realloc"] == expected["CALLS"]["realloc"], f"{name}: CALLS {report}")
        check(name in report["ALLOCATOR"], f"{name}: ALLOCATOR {report['ALLOCATOR']}")
        status, out, _, _ = run([mstats, "--json", "-a", name, workload, *ops])
        document = json.loads(out[out.index("{"):])
        check(document["max"] is None and document["heap_measured"] is False,
              f"{name}: JSON max {document['max']}, heap_measured {document['heap_measured']}")

    # In mcompare: the row shows n/m, the bounds come from the measured rows
    # only, and a rubric never grades its MAX.
    with tempfile.TemporaryDirectory() as scratch:
        rubric = os.path.join(scratch, "ratio.ini")
        with open(rubric, "w") as f:
            f.write("[grading]\npass = 1\n\n[tester-3]\npoints = 1\nmax-ratio = 100\n")
        status, out, err, _ = run([mcompare, "-j", "1", "-a", "jemalloc,first-fit", "--rubric",
                                   rubric], timeout=120)
        check("n/m" in out and "MAX not measured (mmap allocator): not graded" in out,
              f"mcompare with jemalloc: {out!r}")
        status, out, err, _ = run([mcompare, "-q", "-j", "1", "--format", "json", "-a",
                                   "jemalloc,first-fit", "-w", "tester-3"], timeout=120)
        document = json.loads(out)
        jemalloc = [c for c in document["cells"] if c["max"] is None]
        check(len(jemalloc) == 1 and jemalloc[0]["heap_measured"] is False,
              f"mcompare JSON: {[(c.get('max'), c.get('heap_measured')) for c in document['cells']]}")

    # A rubric that requires the sandbox, with --no-sandbox: nothing is run,
    # and the one line says what to do.
    with tempfile.TemporaryDirectory() as scratch:
        rubric = os.path.join(scratch, "sandbox.ini")
        with open(rubric, "w") as f:
            f.write("[grading]\npass = 1\nsandbox = required\n\n[tester-3]\npoints = 1\n")
        status, out, err, _ = run([mcompare, "-j", "1", "-a", "first-fit", "--rubric", rubric,
                                   "--no-sandbox"], timeout=120)
        check(status == 3 and out == "" and err == f"mcompare: the rubric {rubric} requires the "
              "sandbox, and --no-sandbox was given: leave it out\n",
              f"--no-sandbox with sandbox = required: exit {status}, {out!r}, {err!r}")
        status, out, err, _ = run([mcompare, "-j", "1", "-a", "first-fit", "--rubric", rubric],
                                  timeout=120)
        check(status == 0, f"sandboxed with sandbox = required: exit {status}, {out!r}")

    # By path, the static TLS is found in the file (DF_STATIC_TLS): still preloaded.
    path = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
    status, out, err, _ = run([mstats, "-a", path, workload, *ops])
    report = parse_report(out)
    check(status == 0 and report.get("MAX") == "not measured (mmap allocator)",
          f"-a {path}: exit {status}, {report}, {err!r}")

    with tempfile.TemporaryDirectory() as scratch:
        status, out, err, _ = run([mstats, "-a", scratch, workload, "a0:1"])
        check(status == 2 and "is a directory" in err, f"-a DIR: exit {status}, {err!r}")


main(test)
