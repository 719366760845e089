#!/bin/sh
# setup.sh: installs what grading needs and builds the mstats grader inside
# this folder, once, when the platform builds its image: Gradescope runs it
# from /autograder/source, the PrairieLearn Dockerfile with RUN. It ends with
# self_check.sh, so that an image that could not grade fails to build.
#
# MSTATS_BUILD: where to build (default: mstats/build in this folder).
set -eu
bundle=$(cd "$(dirname "$0")" && pwd)
build=${MSTATS_BUILD:-$bundle/mstats/build}

# The Debian/Ubuntu packages grading needs, and no more: the compiler and
# build tools (for mstats and for the students' code), the libraries the
# harness links (cairo draws mcompare's --chart; check and python3 are
# required by mstats's configure step, which also sets up its tests),
# and bubblewrap, the sandbox of every graded run.
packages="cmake ninja-build pkg-config make gcc libc6-dev libglib2.0-dev libjson-glib-dev \
check libcairo2-dev python3 bubblewrap"

missing=""
for package in $packages; do
    case $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true) in
    "install ok installed") ;;
    *) missing="$missing $package" ;;
    esac
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup.sh: missing packages; install them as root: apt-get install -y$missing" >&2
        exit 1
    fi
    apt-get update -qq
    # shellcheck disable=SC2086 # one word a package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

# mstats, from the copy of its source that mstats-init put in this folder.
if [ ! -f "$build/build.ninja" ]; then
    rm -rf "$bundle/mstats/source"
    mkdir -p "$bundle/mstats/source"
    tar -xzf "$bundle/mstats.tar.gz" -C "$bundle/mstats/source"
    cmake -S "$bundle/mstats/source" -B "$build" -G Ninja
fi
# mstats-grading: mcompare and mstats, the shim and the sandbox's first
# process, mreplay, the built-in strategies and the testers; not the tests,
# benchmarks or tools.
cmake --build "$build" --target mstats-grading

MSTATS_BUILD=$build "$bundle/self_check.sh"
