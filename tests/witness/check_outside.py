#!/usr/bin/env python3
"""check_outside.py RUN_INIT EXERCISER: the brk witness's account of memory
outside the heap (brk_witness.h) counts exactly what outside-exerciser adds,
each way a program can add it (private, reserved then made writable, a file
mapped privately, shared, a memfd, SysV shm, mremap, one mapped and unmapped
again): the witnessed figure of a run that adds 128 pages less that of one
that adds 64 (the loader's transient peak comes first) is exactly what the
program says the 64 more added. Memory that is never writable adds nothing
to a run that adds nothing, and MAP_GROWSDOWN is refused (EPERM)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_images import IMAGE, run  # noqa: E402

TRUTH = re.compile(r"^truth: added=(\d+)$", re.M)
EPERM = 1


def outside(run_init, exerciser, pages, modes):
    """The exerciser's memory outside the heap as witnessed, what it says it
    added, and its stdout."""
    out, report = run(run_init, 0, [exerciser, "outside-exerciser", str(pages), *modes])
    images = [IMAGE.match(line) for line in report[1:]]
    truth = TRUTH.search(out)
    if len(images) != 1 or None in images or truth is None:
        sys.exit(f"FAIL {modes}: one image and a truth expected: {report} {out!r}")
    return int(images[0].group(5)), int(truth.group(1)), out


def main():
    run_init, exerciser = sys.argv[1:3]
    baseline, _, _ = outside(run_init, exerciser, 64, ["none"])
    failures = []
    cases = [["private"], ["reserve"], ["pkey"], ["file"], ["shared"], ["memfd"], ["shm"],
             ["mremap"], ["unmapped"], ["private", "memfd", "shm", "mremap"]]
    for modes in cases:
        less, added_less, _ = outside(run_init, exerciser, 64, modes)
        more, added_more, _ = outside(run_init, exerciser, 128, modes)
        if more - less != added_more - added_less or added_more <= added_less:
            failures.append(f"{' '.join(modes)}: 64 pages more witnessed as {more - less} "
                            f"bytes more, the program added {added_more - added_less}")
        else:
            print(f"ok {' '.join(modes)}: {added_more - added_less} bytes")
    for modes in (["readonly"], ["growsdown"]):
        witnessed, _, out = outside(run_init, exerciser, 64, modes)
        if witnessed != baseline:
            failures.append(f"{modes[0]}: witnessed {witnessed} bytes, a run that adds "
                            f"nothing {baseline}")
        if modes == ["growsdown"] and f"refused: {EPERM}\n" not in out:
            failures.append(f"growsdown: not refused with EPERM: {out!r}")
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
