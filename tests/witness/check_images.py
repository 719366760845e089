#!/usr/bin/env python3
"""check_images.py RUN_INIT EXERCISER: mstats-run-init's report gives each
process image's witnessed MAX, exactly as image-exerciser knows it from the
kernel, for runs that exec in place (directly and through env), end main
with pthread_exit, fork, posix_spawn, run under a shell, and exec more
images than the witness keeps; with and without a data limit (growths
then read at the system call's exit).

Each `truth: pid=P start=S max=M` line of the exerciser must match an image
line of the report with the same pid and start (the k-th truth of a (pid,
start) the k-th such image: an image re-exec'd without ASLR has the same
start), and the image count must be the one the mode makes."""
import collections
import os
import re
import subprocess
import threading
import sys

HEADER = re.compile(
    r"mstats-run-init/5 status=(-?\d+) errno=(-?\d+) timeout=\d+ sigkill=\d+ wall_ns=\d+ "
    r"cpu_us=\d+ witness=(-?\d+) witness_errno=(-?\d+) witness_brks=(\d+) witness_stops=\d+ "
    r"images=(\d+) images_dropped=(\d+) confined=0 confine_errno=0$")
IMAGE = re.compile(r"mstats-run-init/5 image pid=(\d+) start=(\d+) max=(\d+) brks=(\d+) outside=(\d+)$")
TRUTH = re.compile(r"truth: pid=(\d+) start=(\d+) max=(\d+)$")


def run(run_init, data_limit, argv):
    """Runs argv under mstats-run-init with the brk witness; returns the
    program's stdout and the report's lines."""
    read_end, write_end = os.pipe()
    report = []
    # Read as it comes, as the runner does: a report of a thousand images
    # does not fit a pipe, and mstats-run-init writes it before it exits.
    reader = threading.Thread(
        target=lambda: report.extend(os.fdopen(read_end).read().splitlines()))
    reader.start()
    try:
        result = subprocess.run(
            [run_init, str(write_end), "60000", str(data_limit), "brk", "-", "-", "--", *argv],
            pass_fds=(write_end,), stdout=subprocess.PIPE, text=True, timeout=120, check=False)
    finally:
        os.close(write_end)
        reader.join()
    return result.stdout, report


def check(run_init, data_limit, name, argv, images, dropped=0):
    """Returns a list of failures (empty: the case passed)."""
    out, report = run(run_init, data_limit, argv)
    where = f"{name} (data limit {data_limit or 'none'})"
    header = HEADER.match(report[0]) if report else None
    if header is None:
        return [f"{where}: no report header: {report}"]
    status, errno, witness, witness_errno, brks, count, count_dropped = map(int, header.groups())
    image_lines = [IMAGE.match(line) for line in report[1:]]
    failures = []
    if status != 0 or errno != 0 or witness != 1 or witness_errno != 0:
        failures.append(f"{where}: status {status}, errno {errno}, witness {witness} "
                        f"({witness_errno})")
    if None in image_lines or len(image_lines) != count:
        return failures + [f"{where}: {count} images announced, lines: {report[1:]}"]
    found = [tuple(map(int, m.groups())) for m in image_lines]
    if images is not None and (count, count_dropped) != (images, dropped):
        failures.append(f"{where}: {count} images, {count_dropped} dropped; "
                        f"expected {images}, {dropped}")
    if brks != sum(image[3] for image in found):
        failures.append(f"{where}: witness_brks {brks} is not the images' total")
    by_key = collections.defaultdict(list)
    for pid, start, maximum, _, _ in found:
        by_key[(pid, start)].append(maximum)
    truths = [tuple(map(int, m.groups())) for m in map(TRUTH.match, out.splitlines()) if m]
    if not truths:
        failures.append(f"{where}: the program printed no truth: {out!r}")
    matched = collections.Counter()
    seen = 0
    for index, (pid, start, maximum) in enumerate(truths):
        witnessed = by_key[(pid, start)]
        k = matched[(pid, start)]
        matched[(pid, start)] += 1
        if k >= len(witnessed):
            if count_dropped == 0 or index < count:  # past the table, images are dropped
                failures.append(f"{where}: no image for pid {pid} start {start:#x}")
        elif witnessed[k] != maximum:
            failures.append(f"{where}: pid {pid} start {start:#x}: witnessed max "
                            f"{witnessed[k]}, the program's {maximum}")
        else:
            seen += 1
    if not failures:
        print(f"ok {where}: {count} images ({count_dropped} dropped), "
              f"{seen} of {len(truths)} truths matched, {brks} brk")
    return failures


def main():
    run_init, exerciser = sys.argv[1], sys.argv[2]
    shell_line = f"'{exerciser}' exec 1; '{exerciser}' fork"
    cases = [
        ("exec in place", [exerciser, "image-exerciser", "exec", "3"], 4),
        # env's own image comes between the exerciser's two.
        ("exec through env", [exerciser, "image-exerciser", "exec-env", "1"], 3),
        ("pthread_exit of main", [exerciser, "image-exerciser", "threads"], 1),
        ("fork", [exerciser, "image-exerciser", "fork"], 2),
        # A vfork child shares its parent's image until it execs.
        ("posix_spawn", [exerciser, "image-exerciser", "spawn"], 2),
        # How many images the shell makes (fork or vfork) is the shell's affair.
        ("under sh", ["/bin/sh", "sh", "-c", shell_line], None),
    ]
    failures = []
    for data_limit in (0, 1 << 30):
        for name, argv, images in cases:
            failures += check(run_init, data_limit, name, argv, images)
    # 1,031 images: the first 1,024 (BRK_WITNESS_IMAGES_MAX) are witnessed, the
    # other 7 counted dropped.
    failures += check(run_init, 0, "more images than the table",
                      [exerciser, "image-exerciser", "exec", "1030"], 1024, 7)
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
