/* mstats-test-container: runs a command the way a Docker-based grader
 * (Gradescope, PrairieLearn, GitLab's Docker executor) would: under a
 * seccomp filter that refuses what Docker's default profile refuses to a
 * container, so that neither bwrap nor anything else can make a namespace
 * or mount. Capabilities are cut after it, by setpriv in the command line
 * (Docker's default set), and the user changed there for a non-root grader.
 *
 * usage: mstats-test-container [--ro-cgroups] [--no-network] [--no-landlock]
 *                              [--no-ptrace] -- PROGRAM [ARG...]
 *   --ro-cgroups  /sys/fs/cgroup and every cgroup file system under it
 *                 read-only, as in a container (a private mount namespace,
 *                 made before the filter)
 *   --no-network  a network namespace of its own with no interface up
 *                 (PrairieLearn's graders have no network)
 *   --no-landlock Landlock's system calls fail with ENOSYS (a Docker older
 *                 than 23, or a kernel without Landlock)
 *   --no-ptrace   ptrace fails with EPERM (a profile that forbids it)
 *
 * The filter (x86-64), installed without no_new_privs as Docker does (the
 * launcher runs as root): unshare, setns, mount, umount2, pivot_root, the
 * new mount API, and clone with any namespace flag fail with EPERM; clone3
 * fails with ENOSYS (glibc then uses clone), as under Docker. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NAMESPACE_FLAGS                                                                            \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |     \
     CLONE_NEWCGROUP | 0x00000080 /* CLONE_NEWTIME */)

static const unsigned refused[] = {
    SYS_unshare,   SYS_setns,         SYS_mount,  SYS_umount2,  SYS_pivot_root,
    SYS_open_tree, SYS_move_mount,    SYS_fsopen, SYS_fsconfig, SYS_fsmount,
    SYS_fspick,    SYS_mount_setattr, SYS_ptrace, /* last: refused only with --no-ptrace */
};
#define REFUSED_MAX (sizeof refused / sizeof refused[0])

static int install_filter(int no_landlock, int no_ptrace)
{
    /* Layout: the architecture, clone3, clone's flags, Landlock's three
     * calls (numbered in a row), the refused list, ALLOW, EPERM, ENOSYS. */
    enum { HEAD = 10, MAX_LENGTH = HEAD + REFUSED_MAX + 3 };
    unsigned count = no_ptrace ? REFUSED_MAX : REFUSED_MAX - 1;
    unsigned allow_at = HEAD + count, eperm_at = allow_at + 1, enosys_at = allow_at + 2;
    unsigned landlock_first = no_landlock ? SYS_landlock_create_ruleset : ~0u;
    struct sock_filter filter[MAX_LENGTH] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, allow_at - 2),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, enosys_at - 4, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 2),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NAMESPACE_FLAGS, eperm_at - 7, 0),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, landlock_first, 0, 1),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, SYS_landlock_restrict_self, 0, enosys_at - 10),
    };
    for (unsigned i = 0; i < count; i++)
        filter[HEAD + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, refused[i],
                                                        eperm_at - (HEAD + i) - 1, 0);
    filter[allow_at] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    filter[eperm_at] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
    filter[enosys_at] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    struct sock_fprog program = {.len = (unsigned short)(enosys_at + 1), .filter = filter};
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program);
}

/* Every mount at or below /sys/fs/cgroup, read-only (in our own namespace). */
static int cgroups_read_only(void)
{
    FILE *mounts = fopen("/proc/self/mountinfo", "re");
    if (mounts == NULL)
        return -1;
    char line[4096];
    int status = 0;
    while (fgets(line, sizeof line, mounts) != NULL) {
        char point[2048];
        if (sscanf(line, "%*s %*s %*s %*s %2047s", point) == 1 &&
            strncmp(point, "/sys/fs/cgroup", 14) == 0 &&
            mount(NULL, point, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) {
            fprintf(stderr, "mstats-test-container: cannot make %s read-only: %s\n", point,
                    strerror(errno));
            status = -1;
        }
    }
    fclose(mounts);
    return status;
}

int main(int argc, char **argv)
{
    int ro_cgroups = 0, no_network = 0, no_landlock = 0, no_ptrace = 0, i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--ro-cgroups") == 0)
            ro_cgroups = 1;
        else if (strcmp(argv[i], "--no-network") == 0)
            no_network = 1;
        else if (strcmp(argv[i], "--no-landlock") == 0)
            no_landlock = 1;
        else if (strcmp(argv[i], "--no-ptrace") == 0)
            no_ptrace = 1;
        else
            break;
    }
    if (i >= argc - 1 || strcmp(argv[i], "--") != 0) {
        fprintf(stderr, "usage: mstats-test-container [--ro-cgroups] [--no-network] "
                        "[--no-landlock] [--no-ptrace] -- PROGRAM [ARG...]\n");
        return 2;
    }
    int flags = (ro_cgroups ? CLONE_NEWNS : 0) | (no_network ? CLONE_NEWNET : 0);
    if (flags != 0 && unshare(flags) != 0) {
        perror("mstats-test-container: unshare");
        return 1;
    }
    if (ro_cgroups &&
        (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 || cgroups_read_only() != 0))
        return 1;
    if (install_filter(no_landlock, no_ptrace) != 0) {
        perror("mstats-test-container: seccomp (run it as root)");
        return 1;
    }
    execvp(argv[i + 1], argv + i + 1);
    fprintf(stderr, "mstats-test-container: %s: %s\n", argv[i + 1], strerror(errno));
    return 127;
}
