/* The program's confinement (confine.h). */
#define _GNU_SOURCE
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#define SECBIT_NOROOT_AND_LOCK 0x3 /* SECBIT_NOROOT | SECBIT_NOROOT_LOCKED */

/* Landlock, spelled out here: the system's header may predate ABI 6. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_ALL (0x7fULL << 6) /* MAKE_CHAR ... MAKE_SYM */
#define LL_FS_REFER (1ULL << 13)      /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define LL_NET_TCP (3ULL)             /* BIND_TCP | CONNECT_TCP, ABI 4 */
#define LL_SCOPE_ALL (3ULL)           /* ABSTRACT_UNIX_SOCKET | SIGNAL, ABI 6 */

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

static int fail(int *error, int layers)
{
    if (*error == 0)
        *error = errno != 0 ? errno : EPERM;
    return layers;
}

/* Every capability gone, and root's exec giving none back. */
static int drop_capabilities(int *error)
{
    /* Both need CAP_SETPCAP, so before the sets are cleared; without it (a
     * user other than root) there is nothing to drop from the bounding set
     * that exec would grant, and no_new_privs stops file capabilities. */
    bool privileged = prctl(PR_SET_SECUREBITS, SECBIT_NOROOT_AND_LOCK, 0, 0, 0) == 0;
    for (int cap = 0; privileged && cap < 64; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL)
            break; /* past the kernel's last capability */
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
    memset(none, 0, sizeof none);
    if (syscall(SYS_capset, &header, none) != 0)
        return fail(error, 0);
    struct __user_cap_data_struct now[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &header, now) != 0)
        return fail(error, 0);
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
        if (now[i].effective != 0 || now[i].permitted != 0 || now[i].inheritable != 0)
            return fail(error, 0);
    /* Root without SECBIT_NOROOT would get the bounding set back at exec. */
    if (!privileged && geteuid() == 0 && prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 1)
        return fail(error, 0);
    return CONFINE_NO_CAPABILITIES;
}

/* Allows `rights` beneath `path` (a file gets only a file's rights). */
static bool allow_beneath(int ruleset, const char *path, uint64_t rights)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT; /* nothing there to write to */
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        rights &= LL_FS_WRITE_FILE | LL_FS_TRUNCATE;
    struct ll_path_beneath_attr rule = {rights, fd};
    long done = syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0);
    close(fd);
    return done == 0;
}

static int restrict_with_landlock(const char *const *writable, int count, int *error)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    if (abi < 1)
        return fail(error, 0);
    uint64_t writes = LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_ALL;
    if (abi >= 2)
        writes |= LL_FS_REFER;
    if (abi >= 3)
        writes |= LL_FS_TRUNCATE;
    struct ll_ruleset_attr attr = {writes, abi >= 4 ? LL_NET_TCP : 0, abi >= 6 ? LL_SCOPE_ALL : 0};
    size_t size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0)
        return fail(error, 0);
    bool ruled = allow_beneath(ruleset, "/dev", writes) &&
                 allow_beneath(ruleset, "/proc", LL_FS_WRITE_FILE | (writes & LL_FS_TRUNCATE));
    for (int i = 0; ruled && i < count; i++)
        ruled = allow_beneath(ruleset, writable[i], writes);
    bool restricted = ruled && syscall(SYS_landlock_restrict_self, ruleset, 0) == 0;
    close(ruleset);
    if (!restricted)
        return fail(error, 0);
    return CONFINE_LANDLOCK | (abi >= 4 ? CONFINE_LANDLOCK_NET : 0) |
           (abi >= 6 ? CONFINE_LANDLOCK_SCOPE : 0);
}

#define NAMESPACE_FLAGS                                                                            \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |     \
     CLONE_NEWCGROUP | 0x00000080 /* CLONE_NEWTIME */)

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define REFUSE(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), REFUSED_AT - AT - 1, 0)
#define RETURN(action) BPF_STMT(BPF_RET | BPF_K, (action))

/* The system calls refused with EPERM (x86-64 numbers). */
static const unsigned refused[] = {
    SYS_mount,
    SYS_umount2,
    SYS_pivot_root,
    SYS_chroot,
    SYS_unshare,
    SYS_setns,
    SYS_ptrace,
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_pidfd_getfd,
    SYS_open_by_handle_at,
    SYS_bpf,
    SYS_perf_event_open,
    SYS_userfaultfd,
    SYS_add_key,
    SYS_request_key,
    SYS_keyctl,
    SYS_init_module,
    SYS_finit_module,
    SYS_delete_module,
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_reboot,
    SYS_swapon,
    SYS_swapoff,
    SYS_open_tree,
    SYS_move_mount,
    SYS_fsopen,
    SYS_fsconfig,
    SYS_fsmount,
    SYS_fspick,
    SYS_mount_setattr,
};
#define REFUSED_COUNT (sizeof refused / sizeof refused[0])

static int install_seccomp(int *error)
{
    /* Layout: the architecture (a 64-bit program never makes i386 or x32
     * calls: ENOSYS), clone3 (ENOSYS) and clone's flags, the refused list,
     * then ALLOW, EPERM, ENOSYS. Jumps are relative, so the list is built. */
    enum {
        HEAD = 9, /* instructions before the list */
        REFUSED_AT = HEAD + REFUSED_COUNT + 1,
        ENOSYS_AT = REFUSED_AT + 1,
        LENGTH = ENOSYS_AT + 1,
    };
    struct sock_filter filter[LENGTH] = {
        /* 0 */ LOAD(arch),
        /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, ENOSYS_AT - 2),
        /* 2 */ LOAD(nr),
        /* 3 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, ENOSYS_AT - 4, 0),
        /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, ENOSYS_AT - 5, 0),
        /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 2),
        /* 6 */ LOAD(args[0]),
        /* 7 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NAMESPACE_FLAGS, REFUSED_AT - 8, 0),
        /* 8 */ LOAD(nr),
    };
    for (unsigned i = 0; i < REFUSED_COUNT; i++) {
        unsigned AT = HEAD + i;
        filter[AT] = (struct sock_filter)REFUSE(refused[i]);
    }
    filter[HEAD + REFUSED_COUNT] = (struct sock_filter)RETURN(SECCOMP_RET_ALLOW);
    filter[REFUSED_AT] = (struct sock_filter)RETURN(SECCOMP_RET_ERRNO | EPERM);
    filter[ENOSYS_AT] = (struct sock_filter)RETURN(SECCOMP_RET_ERRNO | ENOSYS);
    struct sock_fprog program = {.len = LENGTH, .filter = filter};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0)
        return fail(error, 0);
    return CONFINE_SECCOMP;
}

int confine_self(const char *const *writable, int count, int *error)
{
    *error = 0;
    errno = 0;
    int held = 0;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
        held |= CONFINE_NO_NEW_PRIVS;
    else
        fail(error, 0);
    held |= drop_capabilities(error);
    held |= restrict_with_landlock(writable, count, error);
    held |= install_seccomp(error);
    return held;
}

void confine_describe_missing(int held, int needed, int error, char *text, unsigned size)
{
    static const struct {
        int layer;
        const char *words;
    } layers[] = {
        {CONFINE_NO_NEW_PRIVS, "no_new_privs"},
        {CONFINE_NO_CAPABILITIES, "dropping every capability"},
        {CONFINE_SECCOMP, "the seccomp filter"},
        {CONFINE_LANDLOCK, "Landlock (file system writes)"},
    };
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        if ((needed & layers[i].layer) == 0 || (held & layers[i].layer) != 0)
            continue;
        int n = snprintf(text + used, size - used, "%s%s", used > 0 ? ", " : "", layers[i].words);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
    if (used > 0 && error != 0)
        snprintf(text + used, size - used, " failed (%s)", strerror(error));
    else if (used > 0)
        snprintf(text + used, size - used, " failed");
}
