#!/bin/bash
# check_grade_ssh.sh - scripts/grade-class across machines, over real ssh
# (issue 13, item 6).
#
#   check_grade_ssh.sh BUILD_DIR GRADE_CLASS CRASH_ALLOC_C WORKING_ALLOC_C
#
# Starts two private sshd (Debian openssh-server) on 127.0.0.1, each on a free
# high port with a throwaway host key, and a throwaway client key; grades
# three submissions built from the given sources (two copies of the working
# allocator, one of the crashing one) with `grade-class --sshloginfile`, and
# checks that grades.csv is byte for byte a local run's in three cases:
#   1. two live logins;
#   2. one live login and one whose port nothing listens on;
#   3. two live logins, the second one's sshd and its sessions killed while
#      it runs a job.
# Every sshd the test started is killed on every exit (a trap), and by a
# watchdog when the test itself is killed with SIGKILL.
set -u

if [ $# -ne 4 ]; then
    echo "usage: check_grade_ssh.sh BUILD_DIR GRADE_CLASS CRASH_ALLOC_C WORKING_ALLOC_C" >&2
    exit 2
fi
build=$1 grade_class=$2 crash_source=$3 working_source=$4
failures=0
sshd_pids=()

# Records a failed check; the test goes on so every case is reported.
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# Exits at once for a set-up that cannot work, naming the missing package.
die() {
    echo "check_grade_ssh: $*" >&2
    exit 1
}

# Prints PID and every process below it, parents first.
descendants() {
    local child
    echo "$1"
    for child in $(ps -o pid= --ppid "$1"); do
        descendants "$child"
    done
}

# Kills sshd PID and its sessions (the jobs they run) with SIGKILL, as a
# machine that dies would stop them.
kill_sshd() {
    local pids
    pids=$(descendants "$1")
    # shellcheck disable=SC2086 # one pid a word
    kill -KILL $pids 2>/dev/null
    wait "$1" 2>/dev/null
}

# The trap: no sshd of ours, nor a grading run in the background, outlives
# the test, and neither does its folder.
cleanup() {
    local pid
    [ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
    if [ -n "${grading:-}" ] && kill -0 "$grading" 2>/dev/null; then
        # shellcheck disable=SC2046 # one pid a word
        kill -TERM $(descendants "$grading") 2>/dev/null
    fi
    for pid in "${sshd_pids[@]}"; do
        kill -0 "$pid" 2>/dev/null && kill_sshd "$pid"
    done
    rm -rf "$tmp"
}

# A test killed with SIGKILL runs no trap: this loop outlives it and kills
# what the test started in the background (each sshd, a grading run: pids in
# $tmp/background.pids) and everything below them.
start_watchdog() {
    local test_pid=$$
    (
        while kill -0 "$test_pid" 2>/dev/null; do sleep 1; done
        if [ -f "$tmp/background.pids" ]; then
            while read -r pid; do
                # shellcheck disable=SC2046 # one pid a word
                kill -KILL $(descendants "$pid") 2>/dev/null
            done < "$tmp/background.pids"
        fi
        rm -rf "$tmp"
    ) > /dev/null 2>&1 &
    watchdog=$!
}

# Prints a TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts an sshd on 127.0.0.1:PORT with the test's keys, logging to
# $tmp/sshd-PORT.log; sets $started to its pid once it accepts connections.
# Its sessions get HOME=$tmp/home, an empty folder, so that the login shell
# reads none of the user's rc files: the machine's own (root's .bashrc runs
# `pyenv init` on CI, whose lock a session killed in case 3 leaves behind,
# and every later login then waits 60 s for it) are not what is tested.
start_sshd() {
    local port=$1 config=$tmp/sshd-$1.config
    cat > "$config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $tmp/host_key
AuthorizedKeysFile $tmp/authorized_keys
PidFile $tmp/sshd-$port.pid
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 100
SetEnv HOME=$tmp/home
EOF
    "$sshd" -D -e -f "$config" 2> "$tmp/sshd-$port.log" &
    started=$!
    sshd_pids+=("$started")
    echo "$started" >> "$tmp/background.pids"
    for _ in $(seq 100); do
        ssh -F "$tmp/ssh_config" -p "$port" root@127.0.0.1 true 2>/dev/null && return 0
        kill -0 "$started" 2>/dev/null || break
        sleep 0.1
    done
    die "sshd on port $port did not start: $(tail -n 3 "$tmp/sshd-$port.log")"
}

# True when sshd PID is running a grading job (an mcompare below it).
runs_job() {
    descendants "$1" | xargs -r ps -o comm= -p | grep -qx mcompare
}

# An sshlogin line for PORT: one job at a time, the ssh options in the line.
login() {
    echo "1/ssh -F $tmp/ssh_config -p $1 $(id -un)@127.0.0.1"
}

# Grades the class through LOGINS (a file; empty for a local run) into OUT.
grade() {
    local out=$1 logins=${2:-}
    "$grade_class" --build "$build" --rubric "$tmp/rubric.ini" --out "$out" -j 2 \
        ${logins:+--sshloginfile "$logins"} "$tmp/submissions" > "$out.stdout" 2> "$out.stderr"
}

# Checks that OUT's grades.csv is the local run's; WHAT names the case.
same_grades() {
    local out=$1 what=$2
    if ! cmp -s "$tmp/local/grades.csv" "$out/grades.csv"; then
        fail "$what: grades.csv differs from the local run's:"
        diff "$tmp/local/grades.csv" "$out/grades.csv" >&2
        sed 's/^/  grade-class: /' "$out.stderr" >&2
    fi
}

sshd=/usr/sbin/sshd
[ -x "$sshd" ] || die "$sshd not found: install the Debian package openssh-server (scripts/lib/setup.sh does)"
if ! command -v ssh > /dev/null || ! command -v ssh-keygen > /dev/null; then
    die "ssh or ssh-keygen not found: install the Debian package openssh-client"
fi
command -v parallel > /dev/null || die "GNU parallel not found: install the Debian package parallel"
# sshd started by root insists on its privilege separation directory, which
# Debian's service creates at boot; a container without systemd lacks it.
if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
    mkdir -m 0755 /run/sshd || die "cannot create /run/sshd, which sshd needs when run as root"
fi

tmp=$(mktemp -d /tmp/grade-ssh.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
start_watchdog

ssh-keygen -q -t ed25519 -N '' -C grade-ssh-host -f "$tmp/host_key" || die "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -C grade-ssh-client -f "$tmp/client_key" || die "ssh-keygen failed"
cp "$tmp/client_key.pub" "$tmp/authorized_keys"
mkdir "$tmp/home"
cat > "$tmp/ssh_config" <<EOF
Host *
  IdentityFile $tmp/client_key
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  BatchMode yes
  ConnectTimeout 5
  LogLevel ERROR
EOF

# Three submissions: two copies of a working (bump) allocator, one crashing.
for name in alice dave; do
    mkdir -p "$tmp/submissions/$name"
    cp "$working_source" "$tmp/submissions/$name/alloc.c"
done
mkdir -p "$tmp/submissions/carol"
cp "$crash_source" "$tmp/submissions/carol/alloc.c"
# The bump allocator earns tester-1, 8, 12 and 15 and loses tester-3 (it never
# reuses a block), so a lost job would show as a changed score.
cat > "$tmp/rubric.ini" <<'EOF'
[grading]
pass = 50%
[tester-1]
points = 5
[tester-3]
points = 5
max-ratio = 1.1
[tester-8]
points = 5
[tester-15]
points = 5
[tester-12]
points = 5
EOF

grade "$tmp/local" || fail "local run: exit $?: $(cat "$tmp/local.stderr")"
expected='submission,earned,possible,result,note
alice,20,25,PASS,""
carol,0,25,FAIL,""
dave,20,25,PASS,""'
[ "$(cat "$tmp/local/grades.csv")" = "$expected" ] ||
    fail "local run: grades.csv is not the expected one:
$(cat "$tmp/local/grades.csv")"

port_a=$(free_port)
start_sshd "$port_a"
sshd_a=$started
port_b=$(free_port)
start_sshd "$port_b"
sshd_b=$started

# 1. Two live logins: both take jobs, and the grades are the local ones.
{ login "$port_a"; login "$port_b"; } > "$tmp/two-live"
grade "$tmp/two-live-out" "$tmp/two-live" &
grading=$!
echo "$grading" >> "$tmp/background.pids"
ran_a=no ran_b=no
while kill -0 "$grading" 2>/dev/null; do
    runs_job "$sshd_a" && ran_a=yes
    runs_job "$sshd_b" && ran_b=yes
    sleep 0.1
done
wait "$grading" || fail "two live logins: exit $?: $(cat "$tmp/two-live-out.stderr")"
same_grades "$tmp/two-live-out" "two live logins"
[ "$ran_a" = yes ] || fail "two live logins: the login on port $port_a was never seen running a job"
[ "$ran_b" = yes ] || fail "two live logins: the login on port $port_b was never seen running a job"

# 2. A login on a port where nothing listens: its jobs go to the live one.
port_dead=$(free_port)
{ login "$port_dead"; login "$port_a"; } > "$tmp/one-dead"
grade "$tmp/one-dead-out" "$tmp/one-dead" || fail "a dead login: exit $?: $(cat "$tmp/one-dead-out.stderr")"
same_grades "$tmp/one-dead-out" "a login to a port nothing listens on"

# 3. The second sshd dies, with its sessions, while it runs a job.
grade "$tmp/killed-out" "$tmp/two-live" &
grading=$!
echo "$grading" >> "$tmp/background.pids"
killed=no
for _ in $(seq 600); do
    if runs_job "$sshd_b"; then
        kill_sshd "$sshd_b"
        killed=yes
        break
    fi
    kill -0 "$grading" 2>/dev/null || break
    sleep 0.05
done
wait "$grading" || fail "a login killed mid-run: exit $?: $(cat "$tmp/killed-out.stderr")"
[ "$killed" = yes ] || fail "a login killed mid-run: the sshd on port $port_b never ran a job to kill"
kill -0 "$sshd_b" 2>/dev/null && fail "a login killed mid-run: the sshd on port $port_b survived SIGKILL"
same_grades "$tmp/killed-out" "a login killed mid-run"

kill -0 "$sshd_a" 2>/dev/null || fail "the sshd on port $port_a died on its own: $(tail -n 3 "$tmp/sshd-$port_a.log")"
if [ "$failures" -gt 0 ]; then
    echo "check_grade_ssh: $failures check(s) failed" >&2
    exit 1
fi
echo "check_grade_ssh: grades.csv over ssh equals the local run's with two live logins, a dead login and a login killed mid-run"
