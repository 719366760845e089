/* Tries (issue 20): root inside the run. The harness often runs as root, and
 * a sandbox that kept root's capabilities let a constructor remount a
 * read-only bind read-write and write through it: into the build, the
 * testers' folder, the host. This one remounts the root (bwrap binds the
 * whole file system there read-only; only inside bwrap's PID namespace,
 * where its parent is PID 1, so that --demonstrate never remounts a host's
 * root) and the folder of its program (a tester's: bin/), and writes a file
 * into bin/.
 * Caught by: the program's confinement (confine.h): no CAP_SYS_ADMIN, mount
 * refused by the seccomp filter, writes outside the run refused by Landlock
 * and the read-only mounts. The attack fails, the allocator works honestly:
 * OK, the control's figures. Were it to succeed, the cheat would stop the
 * program at once (96), and the gallery would say so. */
#include <sys/mount.h>

#include "cheat_core.h"

__attribute__((constructor)) static void remount_and_write(void)
{
    char path[4096];
    if (cheat_program_folder(path, sizeof path - 64) == NULL)
        return;
    if (getppid() == 1)
        mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL);
    mount(NULL, path, NULL, MS_REMOUNT | MS_BIND, NULL);
    strcat(path, "/mstats-cheat-was-here");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        close(fd);
        unlink(path);
        _exit(0); /* it worked: the gallery sees a run cut short */
    }
}
