"""End-to-end test of mcompare --chart (issue 13): the PNG is written beside
the Markdown report, which embeds it only when --chart is given, and an
unwritable chart file is one line on stderr and exit 1 while the other
reports are still written.

usage: check_chart.py BIN_DIR"""

import os
import struct
import subprocess
import sys
import tempfile

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def png_size(path):
    """(width, height) from a PNG's IHDR chunk, or None if it is not a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def main():
    mcompare = os.path.join(sys.argv[1], "mcompare")
    tmp = tempfile.mkdtemp(prefix="mcompare-chart-")
    base = [mcompare, "-q", "-a", "first-fit,libc", "-w", "tester-1"]

    def mc(*args):
        return subprocess.run(base + list(args), capture_output=True, text=True)

    md, js, png = (os.path.join(tmp, n) for n in ("comparison.md", "c.json", "comparison.png"))
    proc = mc("--markdown", md, "--json", js, "--chart", png)
    check(proc.returncode == 0, f"with --chart: exit {proc.returncode}: {proc.stderr}")
    size = png_size(png)
    check(size is not None and size[0] >= 900 and size[1] >= 600,
          f"--chart wrote no PNG of a readable size: {size}")
    with open(md, encoding="utf-8") as f:
        text = f.read()
    images = [line for line in text.splitlines() if line.startswith("![")]
    check(len(images) == 1 and images[0].endswith("](comparison.png)"),
          f"the Markdown beside the chart embeds it by its base name: {images}")

    proc = mc("--markdown", md)
    with open(md, encoding="utf-8") as f:
        text = f.read()
    check(proc.returncode == 0 and "![" not in text, "without --chart the Markdown has no image")

    # Markdown on stdout names the chart as given on the command line.
    proc = subprocess.run(base + ["--format", "markdown", "--chart", "chart.png"],
                          capture_output=True, text=True, cwd=tmp)
    check(proc.returncode == 0 and "](chart.png)" in proc.stdout,
          f"stdout Markdown embeds the chart as given: {proc.stderr}")

    # An unwritable chart: one line naming it, exit 1, the other reports
    # written, and no image embedded that does not exist.
    for name in (md, js):
        os.unlink(name)
    bad = os.path.join(tmp, "missing-folder", "c.png")
    proc = mc("--markdown", md, "--json", js, "--chart", bad)
    lines = proc.stderr.splitlines()
    check(proc.returncode == 1, f"unwritable chart: exit {proc.returncode}, want 1")
    check(len(lines) == 1 and bad in lines[0] and lines[0].startswith("mcompare: "),
          f"unwritable chart: one line naming the file, got {lines}")
    check(os.path.getsize(md) > 0 and os.path.getsize(js) > 0,
          "the other reports are written when the chart is not")
    with open(md, encoding="utf-8") as f:
        check("![" not in f.read(), "a chart that was not written is not embedded")

    # With -o too: the main report is written, and the status stays 1.
    out = os.path.join(tmp, "table.txt")
    proc = mc("-o", out, "--chart", bad)
    check(proc.returncode == 1 and os.path.getsize(out) > 0,
          f"unwritable chart beside -o: exit {proc.returncode}, want 1 and the table written")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("chart: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
