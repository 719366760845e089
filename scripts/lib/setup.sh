# scripts/lib/setup.sh - sourced by scripts/run and scripts/test: makes sure
# the Debian packages the project needs are installed, then builds.

# Everything the build, the tests and the main job use; git, bc, sqlite3, xz-utils and mawk
# are programs traces/record-traces records (traces/catalog.tsv).
MSTATS_PACKAGES="cmake ninja-build pkg-config gcc libc6-dev libglib2.0-dev libjson-glib-dev \
check libcairo2-dev python3 libxml2-utils parallel bsdutils bubblewrap procps make patch \
libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4 openssh-server openssh-client \
git bc sqlite3 xz-utils mawk"

# Installs missing packages when run as root; otherwise prints the exact
# apt-get line and exits 1.
mstats_ensure_packages() {
    missing=""
    for package in $MSTATS_PACKAGES; do
        status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
        case "$status" in
        "install ok installed") ;;
        *) missing="$missing $package" ;;
        esac
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "mstats: missing Debian packages; install them with:" >&2
        echo "  sudo apt-get install -y$missing" >&2
        exit 1
    fi
    echo "mstats: installing$missing" >&2
    # Another apt may be running (unattended upgrades, a second job): wait
    # for its lock for up to five minutes instead of failing at once.
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq $missing >&2
}

# Configures (once) and builds the tree into $MSTATS_BUILD (default build/).
mstats_build() {
    if [ ! -f "$MSTATS_BUILD/build.ninja" ]; then
        cmake -S "$MSTATS_ROOT" -B "$MSTATS_BUILD" -G Ninja >&2
    fi
    cmake --build "$MSTATS_BUILD" >&2
}

MSTATS_ROOT=$(cd "$(dirname "$0")/.." && pwd)
MSTATS_BUILD=${MSTATS_BUILD:-$MSTATS_ROOT/build}
