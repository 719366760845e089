"""The gallery of broken allocators, invalid frees and unmeasurable programs:
each run ends with its documented code and REASON, exit status 1, and none
takes much longer than its timeout (2 s; 20 s for an allocator that calls
itself, which must end on its own, code 11, long before it).

usage: check_gallery.py MSTATS WORKLOAD STATIC_WORKLOAD GALLERY_DIR [ALLOCATOR...]
GALLERY_DIR holds libgallery-DEFECT.so; the ALLOCATORs get the free checks."""

import os
import re
import tempfile

from harness_test import check, main, parse_report, run

HEX = r"0x[0-9a-f]+"
RANGE = rf"\[{HEX}, {HEX}\)"
CALLOC_HINT = (r"calloc calls itself \(did the compiler turn malloc\+memset into calloc\? build "
               r"the allocator with -fno-builtin")
# An allocator function that calls itself through the shim ends at once: the
# shim would serve each call with that same function. A tail call (calloc-tail)
# never grows the stack, so without the check it would run into the timeout.
SELF_CALL = ["-t", "20"]

# defect -> (code, REASON pattern, extra mstats options[, workload operations])
GALLERY = {
    "outside": (91, rf"pointer {HEX} outside the heap {RANGE} returned by malloc\(24\): it lies "
                    r"in the static data of libgallery-outside\.so and the heap is empty \(sbrk "
                    r"was never called\); blocks must come from the heap that sbrk grows", []),
    "mmap": (91, rf"returned by malloc\(24\): it lies in memory from mmap ", []),
    "stack": (91, rf"returned by malloc\(24\): it lies on the stack ", []),
    "past-end": (92, rf"block {RANGE} runs past the heap end {HEX} returned by malloc\(24\)", []),
    "misaligned": (93, rf"pointer {HEX} not aligned to 16 bytes returned by malloc\(24\)", []),
    "overlap": (94, rf"block {RANGE} overlaps live block {RANGE} returned by malloc\(24\)", []),
    "crash": (11, r"SIGSEGV inside malloc\(24\) \(the allocator crashed\)", []),
    "abort": (11, r"SIGABRT inside malloc\(24\) \(the allocator crashed\)", []),
    "loop": (15, r"timed out after 2 s: every process of the run got SIGTERM", []),
    "no-realloc": (66, r"allocator \S+libgallery-no-realloc\.so lacks realloc", []),
    "greedy": (68, r"heap grew to \d+ bytes, past the memory limit of 1048576 bytes", ["-m", "1M"]),
    "recurse": (11, r"calloc\(10, 25\) called calloc again from inside the allocator's calloc, "
                    rf"100 deep with none returning: {CALLOC_HINT}", SELF_CALL, ["c0:10x25"]),
    # objdump -d libgallery-calloc-tail.so: calloc is `jmp calloc@plt`.
    "calloc-tail": (11, r"calloc\(16, 64\) called calloc again from inside the allocator's "
                        rf"calloc, 100 deep with none returning: {CALLOC_HINT}", SELF_CALL,
                    ["a0:24", "c1:16x64"]),
    "malloc-self": (11, r"malloc\(24\) called malloc again from inside the allocator's malloc, "
                        r"100 deep with none returning: malloc calls itself \(build the "
                        r"allocator with -fno-builtin", SELF_CALL),
    "overflow": (11, r"stack overflow inside malloc\(24\): malloc calls itself \(build the "
                     r"allocator with -fno-builtin", []),
}


def expect_failure(mstats, allocator, program, code, pattern, options=()):
    if "-t" not in options:
        options = ["-t", "2", *options]
    timeout = float(options[options.index("-t") + 1])
    command = [mstats, *options, "-a", allocator, *program]
    status, out, err, seconds = run(command, timeout=timeout + 28)
    report = parse_report(out)
    where = f"{os.path.basename(allocator)} {' '.join(program[1:])}"
    check(status == 1, f"{where}: exit status {status}, expected 1; stderr {err!r}")
    check(seconds < timeout + 4, f"{where}: took {seconds:.1f} s with -t {timeout:g}")
    raw = re.fullmatch(r"FAILED=\((\d+)(: mstats's finding; the program itself exited 0)?\)",
                       report.get("STATUS", ""))
    check(raw is not None, f"{where}: STATUS {report.get('STATUS')!r}")
    # A finding of mstats' own on a program that exited 0 shows its code,
    # never FAILED=(0), which would read as "it exited 0".
    check((raw.group(2) is not None) == (code == 67), f"{where}: STATUS {report['STATUS']!r}")
    raw = int(raw.group(1))
    if code == 11:
        check(raw & 0x7F in (6, 11), f"{where}: raw wait status {raw} is not a signal death")
    elif code == 15:
        check(raw & 0x7F == 15, f"{where}: raw wait status {raw} is not SIGTERM")
    elif code == 67:
        check(raw == 67, f"{where}: STATUS shows {raw}, expected the code 67")
    else:
        check(raw == code << 8, f"{where}: raw wait status {raw}, expected {code << 8}")
    reason = report.get("REASON", "")
    check(reason.startswith(f"{code} "), f"{where}: REASON {reason!r}, expected code {code}")
    check(re.search(pattern, reason), f"{where}: REASON {reason!r} does not match {pattern!r}")
    for field in ("MAX", "AVG", "TIME", "REQUESTED", "PEAK-LIVE", "UTILIZATION", "CALLS",
                  "ALLOCATOR"):
        check(field in report, f"{where}: no {field} line")


def test(argv):
    mstats, workload, static_workload, gallery = argv[:4]
    allocators = argv[4:]
    two_blocks = [workload, "a0:24", "a1:24"]
    for defect, (code, pattern, options, *ops) in GALLERY.items():
        library = os.path.join(gallery, f"libgallery-{defect}.so")
        program = [workload, *ops[0]] if ops else two_blocks
        expect_failure(mstats, library, program, code, pattern, options)

    # A call of the family from inside the allocator is no loop when it goes
    # to another function (retry's realloc calls malloc and free), or to the
    # same one a few times (its first malloc calls malloc once, as a retry
    # after growing the heap would): unmeasured, the CALLS the program's.
    retry = os.path.join(gallery, "libgallery-retry.so")
    status, out, err, _ = run([mstats, "-a", retry, workload, "a0:24", "a1:24", "r0:100", "f1"])
    report = parse_report(out)
    check(status == 0 and report.get("STATUS") == "OK", f"retry: exit {status}, {out!r} {err!r}")
    check(report.get("CALLS") == "malloc=2 calloc=0 realloc=1 free=1",
          f"retry: CALLS {report.get('CALLS')!r}")
    # malloc_usable_size from inside the allocator's own call (an allocator
    # without one, whose free asks the family): answered at once, threads
    # or not (it used to take the shim's lock a second time, a deadlock with
    # threads), and a crash after it still names the call it came in.
    usable = os.path.join(gallery, "libgallery-usable.so")
    status, out, err, _ = run([mstats, "-t", "60", "-a", usable, workload, "a0:100", "f0", "T:500"],
                              timeout=120)
    report = parse_report(out)
    check(status == 0 and report.get("STATUS") == "OK",
          f"usable inside free, threads: exit {status}, {report.get('REASON')!r} {err!r}")
    expect_failure(mstats, os.path.join(gallery, "libgallery-usable-crash.so"),
                   [workload, "a0:100", "f0"], 11, r"SIGSEGV inside free\(0x[0-9a-f]+\)")
    # The loop through the function that serves a call the allocator lacks a
    # function for: its malloc serves posix_memalign(16, 40).
    expect_failure(mstats, os.path.join(gallery, "libgallery-malloc-self.so"),
                   [workload, "m0:16:40"], 11,
                   r"posix_memalign\(16, 40\) called malloc again from inside the allocator's "
                   r"malloc, 100 deep with none returning", SELF_CALL)

    # 65: not a shared object at all, and one with an undefined symbol.
    with tempfile.TemporaryDirectory() as scratch:
        text = os.path.join(scratch, "not-elf.so")
        with open(text, "w") as f:
            f.write("this is not an ELF file\n")
        expect_failure(mstats, text, two_blocks, 65, r"allocator \S+not-elf\.so cannot be loaded: ")
    expect_failure(mstats, os.path.join(gallery, "libgallery-undefined.so"), two_blocks, 65,
                   r"cannot be loaded: .*undefined symbol: mstats_gallery_nowhere")

    # 67: a statically linked program never runs the shim.
    expect_failure(mstats, allocators[0], [static_workload, "a0:24"], 67,
                   r"the shim never started in \S+")

    # 68 for glibc too, whose internal sbrk the shim sees only through the break.
    expect_failure(mstats, "libc", [workload, "a0:24", "a1:3000000"], 68,
                   r"heap grew to \d+ bytes, past the memory limit of 1048576 bytes after "
                   r"malloc\(3000000\)", ["-m", "1M"])

    # Every process of the run is measured: a check firing in a child of the
    # program (the workload under a wrapper) ends that child with its code,
    # and fails the run, though the wrapper goes on and exits 0.
    status, out, err, _ = run([mstats, "-a", allocators[0], "sh", "-c",
                               f"{workload} a0:24 f0 D0; echo child status $?"])
    report = parse_report(out)
    check(status == 1 and report.get("REASON", "").startswith("95 free(0x"),
          f"child violation: exit {status}, {out!r}")
    check("child status 95" in out, f"child violation: the shell saw {out!r}")

    # 95: invalid and double frees, under every allocator given.
    for allocator in allocators:
        expect_failure(mstats, allocator, [workload, "a0:48", "I0"], 95,
                       rf"free\({HEX}\) of a pointer inside live block {RANGE}")
        expect_failure(mstats, allocator, [workload, "X"], 95,
                       rf"free\({HEX}\) of a pointer the allocator never returned")
        expect_failure(mstats, allocator, [workload, "a0:48", "a1:16", "f0", "D0"], 95,
                       rf"free\({HEX}\) of a block already freed")


main(test)
