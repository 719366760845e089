#!/usr/bin/env python3
"""check_proof.py: the completion proof that the testers and mreplay write
(harness/protocol/proof_digest.h), one scenario per ctest entry:

  check_proof.py same-line BIN_DIR STRATEGY_SO... -- NUMBER...
      each tester's line under glibc equals its line under a preloaded
      strategy (the strategies taken in turn), and has the documented form
  check_proof.py challenge BIN_DIR -- NUMBER...
      another challenge gives another digest; no MSTATS_* variables, or
      invalid ones, give no line and the same result line as today
  check_proof.py failures BIN_DIR FAULTY_MALLOC
      a tester whose check fails (a broken malloc preloaded) writes no
      line, nor does beyond-heap, which ends in a fault
  check_proof.py threads BIN_DIR STRATEGY_SO
      tester-15's line says peak-live=varies and is the same in 5 runs
      and under a strategy
  check_proof.py mreplay MREPLAY FAULTY_SO STRATEGY_SO TRACE...
      mreplay's line is the same under glibc, the strategy and a bump
      allocator that moves every realloc, for each TRACE and for a trace of
      0-byte blocks; another challenge differs; no variables, a failed
      replay or --bounds alone give no line

Exits 0 when every check holds, 1 with the first failure.
"""

import os
import re
import subprocess
import sys
import tempfile

CHALLENGE = "0123456789abcdef00112233445566ff"
OTHER_CHALLENGE = "fedcba98765432100123456789ABCDEF"
LINE = re.compile(r"mstats-proof/1 digest=[0-9a-f]{32} checks=[1-9][0-9]* peak-live=(exact|varies)\n")
# The proof line's longest form, NUL included (MSTATS_PROOF_LINE_MAX in proof.h).
LINE_MAX = 128
ADDRESS = re.compile(r"0x[0-9a-f]+")


class Failure(Exception):
    pass


def run(command, challenge=CHALLENGE, preload=None, extra_env=None, fd_text=None, timeout=120):
    """Runs `command` with a fresh memfd as MSTATS_PROOF_FD (as the runner
    does) and MSTATS_CHALLENGE = `challenge` (None: neither variable is
    set, but the memfd is still open). Returns (status, stdout, what the
    program wrote on the memfd)."""
    proof_fd = os.memfd_create("mstats-proof-test")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSTATS_")}
    env.pop("LD_PRELOAD", None)
    if challenge is not None:
        env["MSTATS_CHALLENGE"] = challenge
        env["MSTATS_PROOF_FD"] = str(proof_fd) if fd_text is None else fd_text
    if preload:
        # ld.so only warns about a preload it cannot load: glibc would answer for it.
        require(os.path.isfile(preload), f"no allocator {preload} to preload")
        env["LD_PRELOAD"] = preload
    env.update(extra_env or {})
    try:
        # stdin is /dev/null, read-only: the read-only descriptor case uses it.
        done = subprocess.run(command, env=env, pass_fds=(proof_fd,), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)
        os.lseek(proof_fd, 0, os.SEEK_SET)
        written = os.read(proof_fd, 1 << 16).decode("utf-8", "replace")
    finally:
        os.close(proof_fd)
    require("ld.so" not in done.stderr, f"{command[0]}: {done.stderr.strip()}")
    return done.returncode, done.stdout, written


def require(condition, message):
    if not condition:
        raise Failure(message)


def proof_line(command, preload=None, challenge=CHALLENGE, what=""):
    """The one proof line a successful run of `command` writes."""
    status, stdout, written = run(command, challenge=challenge, preload=preload)
    name = what or os.path.basename(command[0])
    require(status == 0, f"{name}: exit {status}; stdout: {stdout!r}")
    require(LINE.fullmatch(written) is not None,
            f"{name}: wrote {written!r}, not one line 'mstats-proof/1 digest=<32 hex> "
            "checks=<n> peak-live=exact|varies'")
    require(len(written) + 1 <= LINE_MAX, f"{name}: line longer than {LINE_MAX - 1} bytes")
    return written


def tester(bin_dir, number):
    return [os.path.join(bin_dir, f"tester-{number}")]


def same_line(bin_dir, strategies, numbers):
    for index, number in enumerate(numbers):
        strategy = strategies[index % len(strategies)]
        reference = proof_line(tester(bin_dir, number))
        measured = proof_line(tester(bin_dir, number), preload=strategy)
        require(measured == reference,
                f"tester-{number}: under {os.path.basename(strategy)} {measured!r}, "
                f"under glibc {reference!r}")
        expected = "varies" if number == "15" else "exact"
        require(reference.endswith(f" peak-live={expected}\n"),
                f"tester-{number}: {reference!r} does not say peak-live={expected}")
        print(f"PASS: tester-{number}: glibc and {os.path.basename(strategy)}: {reference}", end="")


def normalised(stdout):
    """The result line without its addresses (tester-2 prints where ASLR put things)."""
    return ADDRESS.sub("ADDRESS", stdout)


def challenge(bin_dir, numbers):
    digest = re.compile(r"digest=(\S+) checks=(\d+)")
    for number in numbers:
        command = tester(bin_dir, number)
        first = digest.search(proof_line(command))
        other = digest.search(proof_line(command, challenge=OTHER_CHALLENGE))
        require(first.group(1) != other.group(1),
                f"tester-{number}: the same digest {first.group(1)} for two challenges")
        require(first.group(2) == other.group(2),
                f"tester-{number}: {first.group(2)} checks, then {other.group(2)}")
        status, expected_stdout, _ = run(command)
        require(status == 0, f"tester-{number}: exit {status}")
        # No variables, or invalid ones: nothing written, the run as today.
        cases = {
            "no variables": dict(challenge=None),
            "a 31-digit challenge": dict(challenge=CHALLENGE[:-1]),
            "a 33-digit challenge": dict(challenge=CHALLENGE + "0"),
            "a challenge with a non-hex digit": dict(challenge="g" + CHALLENGE[1:]),
            "a descriptor that is not open": dict(fd_text="250"),
            "a descriptor that is not a number": dict(fd_text="9x"),
            "a read-only descriptor": dict(fd_text="0"),
        }
        for case, arguments in cases.items():
            status, stdout, written = run(command, **arguments)
            require(status == 0, f"tester-{number} with {case}: exit {status}")
            require(written == "", f"tester-{number} with {case}: wrote {written!r}")
            require(normalised(stdout) == normalised(expected_stdout),
                    f"tester-{number} with {case}: stdout {stdout!r}, "
                    f"with a proof {expected_stdout!r}")
        print(f"PASS: tester-{number}: challenge changes the digest; "
              f"{len(cases)} kinds of absent or invalid variables write nothing")


# Faults of tests/testers/faulty_malloc.c and the tester that catches each,
# with its exit code (testers/tester.h), as in tests/testers/CMakeLists.txt.
FAULTS = [("calloc-dirty", "9", 24), ("calloc-wraps", "9", 25), ("realloc-no-copy", "10", 21),
          ("misaligned", "3", 23), ("overlap", "1", 22), ("refuse-big", "18", 20)]


def failures(bin_dir, faulty_malloc):
    for fault, number, code in FAULTS:
        status, stdout, written = run(tester(bin_dir, number), preload=faulty_malloc,
                                      extra_env={"TESTER_FAULT": fault})
        require(status == code, f"tester-{number} with {fault}: exit {status}, not {code}")
        require(written == "", f"tester-{number} with {fault}: wrote {written!r}")
        print(f"PASS: tester-{number} with {fault}: exit {code}, no proof line")
    status, _, written = run([os.path.join(bin_dir, "beyond-heap")])
    require(status != 0, "beyond-heap exited 0")
    require(written == "", f"beyond-heap wrote {written!r}")
    print(f"PASS: beyond-heap: status {status}, no proof line")


def threads(bin_dir, strategy):
    command = tester(bin_dir, 15)
    lines = [proof_line(command) for _ in range(5)]
    require(len(set(lines)) == 1, f"tester-15: lines differ between runs: {lines}")
    require(lines[0].endswith(" peak-live=varies\n"), f"tester-15: {lines[0]!r}")
    measured = proof_line(command, preload=strategy)
    require(measured == lines[0], f"tester-15: {measured!r} under the strategy, {lines[0]!r}")
    print(f"PASS: tester-15: the same line in 5 runs and under the strategy: {lines[0]}", end="")


# Blocks of 0 bytes: whether malloc(0) and realloc(p, 0) return NULL is the
# allocator's choice (glibc's realloc(p, 0) frees and returns NULL, the bump
# allocator returns a block); the proof must not see it.
ZERO_TRACE = "0\n3\n9\n1\na 0 0\nr 0 100\na 1 64\nr 1 0\nr 1 50\nr 0 0\nr 0 30\nf 0\nf 1\n"


def mreplay(mreplay_path, faulty, strategy, traces):
    with tempfile.TemporaryDirectory() as scratch:
        zero = os.path.join(scratch, "zero-bytes.rep")
        with open(zero, "w") as file:
            file.write(ZERO_TRACE)
        lines = {}
        for trace in traces + [zero]:
            command = [mreplay_path, trace]
            reference = proof_line(command, what=trace)
            require(reference.endswith(" peak-live=exact\n"), f"{trace}: {reference!r}")
            for name, preload in (("the strategy", strategy), ("the bump allocator", faulty)):
                measured = proof_line(command, preload=preload, what=f"{trace} on {name}")
                require(measured == reference,
                        f"{trace}: on {name} {measured!r}, on glibc {reference!r}")
            other = proof_line(command, challenge=OTHER_CHALLENGE, what=trace)
            require(other != reference, f"{trace}: the same line for two challenges")
            lines[trace] = reference
            print(f"PASS: {os.path.basename(trace)}: glibc, strategy and bump allocator: "
                  f"{reference}", end="")
        require(len(set(lines.values())) == len(lines), "two traces gave the same line")
        # All traces in one run: one line, at the end.
        status, _, written = run([mreplay_path] + traces)
        require(status == 0 and LINE.fullmatch(written) is not None,
                f"all traces in one run: exit {status}, wrote {written!r}")
        trace = traces[0]
        status, expected_stdout, _ = run([mreplay_path, trace])
        status, stdout, written = run([mreplay_path, trace], challenge=None)
        require(status == 0 and written == "" and stdout == expected_stdout,
                f"{trace} without the variables: exit {status}, wrote {written!r}")
        status, _, written = run([mreplay_path, "--bounds", trace])
        require(status == 0 and written == "", f"--bounds alone: exit {status}, wrote {written!r}")
        for fault in ("no-copy", "overlap"):
            status, _, written = run([mreplay_path] + traces, preload=faulty,
                                     extra_env={"MREPLAY_TEST_FAULT": fault})
            require(status == 3, f"fault {fault}: exit {status}, not 3 (corrupted)")
            require(written == "", f"fault {fault}: wrote {written!r}")
        print("PASS: no line without the variables, with --bounds alone, or after a failed replay")


def main(argv):
    mode, rest = argv[1], argv[2:]
    numbers = rest[rest.index("--") + 1:] if "--" in rest else []
    before = rest[:rest.index("--")] if "--" in rest else rest
    if mode == "same-line":
        same_line(before[0], before[1:], numbers)
    elif mode == "challenge":
        challenge(before[0], numbers)
    elif mode == "failures":
        failures(before[0], before[1])
    elif mode == "threads":
        threads(before[0], before[1])
    elif mode == "mreplay":
        mreplay(before[0], before[1], before[2], before[3:])
    else:
        print(f"{argv[0]}: unknown mode '{mode}' (see the header of this file)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Failure as failure:
        print(f"FAIL: {failure}")
        sys.exit(1)
