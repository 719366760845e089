/* What the measured program gives up before its exec, in both sandbox modes
 * (sandbox.h): mstats-run-init's child calls confine_self just before it
 * execs the program, so that the graded code never holds a privilege of the
 * harness's, whatever user the harness runs as (root in CI, in a container,
 * or a course's own account). Each layer stands alone, so that one the
 * environment refuses does not open the others:
 *  - no_new_privs: no setuid file, no file capabilities, for good;
 *  - no capabilities: the bounding set emptied, the ambient set cleared,
 *    SECBIT_NOROOT locked (root's exec gets none back), and every set zero.
 *    Without CAP_SYS_ADMIN nothing can be mounted or remounted; without
 *    CAP_SYS_PTRACE no process of the harness, which is not dumpable, can
 *    be traced or have its memory opened;
 *  - Landlock: the file system is read-only but for the paths given (the
 *    run's scratch directory, the user's --writable paths) and /dev and
 *    /proc (a program writes /dev/null and its terminal); no TCP (ABI 4);
 *    no signal to, nor abstract socket of, a process outside the run
 *    (ABI 6); Landlock also refuses any trace of a process outside;
 *  - a seccomp filter refusing what no allocator test needs and a breakout
 *    does: mount and the new mount API, pivot_root, chroot, unshare, setns,
 *    namespace flags on clone (clone3 is ENOSYS: glibc falls back to clone),
 *    ptrace, process_vm_readv/writev, pidfd_getfd, open_by_handle_at, bpf,
 *    perf_event_open, userfaultfd, keyrings, modules, kexec, reboot, swap,
 *    and every x32 system call.
 * libc only, async-signal-safe (it runs between fork and exec). */
#ifndef MSTATS_RUNNER_CONFINE_H
#define MSTATS_RUNNER_CONFINE_H

/* The layers, as bits of confine_self's answer and of the run's report. */
enum {
    CONFINE_NO_NEW_PRIVS = 1 << 0,
    CONFINE_NO_CAPABILITIES = 1 << 1,
    CONFINE_SECCOMP = 1 << 2,
    CONFINE_LANDLOCK = 1 << 3,      /* file system writes */
    CONFINE_LANDLOCK_NET = 1 << 4,  /* TCP (Landlock ABI 4) */
    CONFINE_LANDLOCK_SCOPE = 1 << 5 /* signals and abstract sockets (ABI 6) */
};
/* What a run counts as contained: inside bwrap (its namespaces and
 * read-only mounts hold the file system), and in container mode, where
 * Landlock must. */
#define CONFINE_NEEDED_BWRAP (CONFINE_NO_NEW_PRIVS | CONFINE_NO_CAPABILITIES | CONFINE_SECCOMP)
#define CONFINE_NEEDED_CONTAINER (CONFINE_NEEDED_BWRAP | CONFINE_LANDLOCK)

/* Applies every layer to the calling process, writes allowed beneath each
 * of `writable` (`count` existing paths, directories or files). Returns
 * the bits of the layers in place; *error receives the errno of the first
 * that failed (0 when none). */
int confine_self(const char *const *writable, int count, int *error);

/* Words for the layers of `needed` missing from `held` ("Landlock (the
 * kernel has none), ..."), into `text`; `error` as confine_self gave it. */
void confine_describe_missing(int held, int needed, int error, char *text, unsigned size);

#endif
