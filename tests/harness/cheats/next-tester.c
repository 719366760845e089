/* Tries (issue 20): one mcompare cell overwrites the testers of the cells
 * still to come (bin/tester-*, beside its own program), so that both their
 * reference run and their measured run would run another, lighter workload
 * and be graded OK. It only opens them for writing (nothing is changed even
 * where that works).
 * Caught by: the program's confinement: the build is read-only to the run
 * (bwrap's mounts, and Landlock in both modes), and root's
 * CAP_DAC_OVERRIDE is gone. The opens fail, the allocator works honestly:
 * OK. Were one to succeed, the cheat would stop the program at once (96). */
#include <dirent.h>

#include "cheat_core.h"

__attribute__((constructor)) static void open_other_testers(void)
{
    char self[4096];
    const char *name = cheat_program_folder(self, sizeof self);
    if (name == NULL)
        return;
    DIR *folder = opendir(self);
    if (folder == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(folder)) != NULL) {
        if (strncmp(entry->d_name, "tester-", 7) != 0 || strcmp(entry->d_name, name) == 0)
            continue;
        int fd = openat(dirfd(folder), entry->d_name, O_WRONLY);
        if (fd >= 0) {
            close(fd);
            _exit(0); /* it worked: the gallery sees a run cut short */
        }
    }
    closedir(folder);
}
