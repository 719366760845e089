/* mstats-init: writes a student's starter kit (alloc.c, a Makefile, a CMake
 * file, .gitignore, a README with the next commands, the course rubric) into
 * a directory, or with --gradescope / --prairielearn an instructor's
 * autograder bundle. Option parsing and messages only; the files are in
 * kit.c. */
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "cli.h"
#include "kit.h"

#ifndef MSTATS_VERSION
#define MSTATS_VERSION "unknown"
#endif

static gboolean show_version;
static char *gradescope_dir, *prairielearn_dir, *source_dir;

static const GOptionEntry entries[] = {
    {"gradescope", 0, 0, G_OPTION_ARG_FILENAME, &gradescope_dir,
     "Write a Gradescope autograder into DIR instead: setup.sh, run_autograder, the rubric, a "
     "self-check, and the mstats source they build (README.md there says how to upload it)",
     "DIR"},
    {"prairielearn", 0, 0, G_OPTION_ARG_FILENAME, &prairielearn_dir,
     "Write a PrairieLearn external grader into DIR instead: a Dockerfile, setup.sh, run.sh, the "
     "rubric, a self-check, and the mstats source they build",
     "DIR"},
    {"source", 0, 0, G_OPTION_ARG_FILENAME, &source_dir,
     "The mstats source tree a bundle carries (default: the one this program was built from)",
     "DIR"},
    {"version", 0, 0, G_OPTION_ARG_NONE, &show_version, "Print the version and exit", NULL},
    G_OPTION_ENTRY_NULL,
};

/* One line on stderr naming the problem; exit status 2. */
static int usage_error(const char *message)
{
    fprintf(stderr, "mstats-init: %s (see mstats-init --help)\n", message);
    return 2;
}

/* TRUE when `dir` is one of the folders of $PATH. */
static gboolean on_path(const char *dir)
{
    g_auto(GStrv) folders = g_strsplit(g_getenv("PATH") ? g_getenv("PATH") : "", ":", -1);
    for (char **folder = folders; *folder != NULL; folder++) {
        g_autofree char *canonical = g_canonicalize_filename(*folder, NULL);
        if (strcmp(canonical, dir) == 0)
            return TRUE;
    }
    return FALSE;
}

/* What was written, and the commands that come next. */
static void print_next_steps(KitKind kind, const char *dir)
{
    gsize count;
    const KitFile *files = kit_files(&count);
    GString *names = g_string_new(NULL);
    for (gsize i = 0; i < count; i++)
        if (kit_file_in(&files[i], kind))
            g_string_append_printf(names, "%s%s", names->len ? " " : "", files[i].target);
    printf("mstats-init: wrote %s in %s\n", names->str, dir);
    g_string_free(names, TRUE);
    /* Quoted only when the shell needs it, so the usual line reads plainly. */
    gboolean plain = dir[strspn(dir, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_./+-")] == '\0';
    g_autofree char *shown = plain ? g_strdup(dir) : g_shell_quote(dir);
    if (kind == KIT_GRADESCOPE) {
        printf("next: cd %s && zip -r ../autograder.zip . and upload the zip as the "
               "assignment's autograder   (more in README.md)\n",
               shown);
        return;
    }
    if (kind == KIT_PRAIRIELEARN) {
        printf("next: docker build -t COURSE/mstats-grader %s, push it, and name it in the "
               "question's info.json   (more in README.md)\n",
               shown);
        return;
    }
    g_autofree char *bin = mstats_bin_dir(NULL);
    if (bin != NULL && !on_path(bin))
        printf("first put mstats on your PATH: export PATH=%s:$PATH\n", bin);
    printf("next: cd %s && make && mstats -a ./alloc.so tester-1   (more in README.md)\n", shown);
}

/* The kind asked for and its folder, from the options and arguments; NULL
 * after a usage error (printed). */
static const char *plan_kit(int argc, char **argv, KitKind *kind)
{
    const char *bundle = gradescope_dir != NULL ? gradescope_dir : prairielearn_dir;
    *kind = gradescope_dir != NULL     ? KIT_GRADESCOPE
            : prairielearn_dir != NULL ? KIT_PRAIRIELEARN
                                       : KIT_STUDENT;
    if (gradescope_dir != NULL && prairielearn_dir != NULL) {
        usage_error("give one of --gradescope DIR and --prairielearn DIR");
        return NULL;
    }
    if (bundle != NULL && (argc != 1 || *bundle == '\0')) {
        usage_error(argc != 1 ? "a bundle goes into the DIR of its option: give no other folder"
                              : "give the folder to write the bundle into");
        return NULL;
    }
    if (bundle == NULL && source_dir != NULL) {
        usage_error("--source is the source a bundle carries: give --gradescope or "
                    "--prairielearn DIR");
        return NULL;
    }
    if (bundle != NULL)
        return bundle;
    if (argc != 2 || argv[1][0] == '\0') {
        usage_error(argc < 2 ? "give the directory to write the kit into: mstats-init DIR"
                             : "give one directory: mstats-init DIR");
        return NULL;
    }
    return argv[1];
}

int main(int argc, char **argv)
{
    mstats_cli_start();
    g_autoptr(GOptionContext) context =
        g_option_context_new("DIR | --gradescope DIR | --prairielearn DIR");
    g_option_context_set_summary(
        context, "Write a starter kit for a heap allocator into DIR (created if missing): alloc.c, "
                 "a working first-fit malloc/free/calloc/realloc on sbrk to improve; a Makefile "
                 "and a CMakeLists.txt with flags that work; .gitignore; README.md with the next "
                 "commands; course.ini, the course's rubric. With --gradescope DIR or "
                 "--prairielearn DIR, write an instructor's autograder bundle instead. Existing "
                 "files are never overwritten.");
    g_option_context_set_description(
        context, "Exit status: 0 when the kit was written, 1 when it could not be (a file "
                 "exists, DIR cannot be written), 2 for a usage error.\n"
                 "Docs: docs/students.md (the kit), docs/grading.md (the bundles).");
    g_option_context_add_main_entries(context, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &error))
        return usage_error(error->message);
    if (show_version) {
        printf("mstats-init %s\n", MSTATS_VERSION);
        return 0;
    }
    KitKind kind;
    const char *dir = plan_kit(argc, argv, &kind);
    if (dir == NULL)
        return 2;
    g_autofree char *source = NULL;
    if (kind != KIT_STUDENT && (source = kit_source_dir(source_dir, &error)) == NULL)
        return usage_error(error->message);
    g_autofree char *data = kit_data_dir(&error);
    if (data == NULL || !kit_write(kind, data, source, dir, &error)) {
        fprintf(stderr, "mstats-init: %s\n", error->message);
        return 1;
    }
    print_next_steps(kind, dir);
    return 0;
}
