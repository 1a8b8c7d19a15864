/* Publishing a directory whole or not at all.
 *
 * Everything is written into DIR.tmp-XXXXXX beside DIR (same filesystem, so
 * rename(2) is atomic) and moved into place at the end:
 *  - without --force, rename(2) itself is the exclusive test: it succeeds onto
 *    an absent or empty DIR and fails (EEXIST/ENOTEMPTY) onto a non-empty one.
 *    A staging directory is never empty, so once one writer has published,
 *    every other writer's rename fails: exactly one of several racing writers
 *    wins, and no lock or RENAME_NOREPLACE is needed (RENAME_NOREPLACE would
 *    also refuse the empty DIR that is allowed on purpose).
 *  - with --force, Linux's renameat2(RENAME_EXCHANGE) swaps the two names in
 *    one step, so DIR is always either the old or the new directory; the old
 *    one, now at the staging name, is then removed. Where the kernel or the
 *    filesystem lacks it, the old DIR is renamed aside first and removed only
 *    once the new one is in place (put back if that fails): DIR is then absent
 *    for the moment between the two renames, never half-written. */
#define _GNU_SOURCE /* syscall() */
#include "attnstep/fsutil.h"
#include "attnstep/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#define PATH_SIZE 4096

volatile sig_atomic_t fsutil_interrupted;

int fsutil_join(char *buf, size_t size, const char *dir, const char *name)
{
    size_t len = strlen(dir);
    int slash = len > 0 && dir[len - 1] == '/';
    int n = snprintf(buf, size, "%s%s%s", dir, slash ? "" : "/", name);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

static int is_empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            empty = 0;
            break;
        }
    closedir(d);
    return empty;
}

int fsutil_check_target(const char *dir, int force, struct error *err)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return error_file(err, dir, "%s", strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return error_file(err, dir, _("exists and is not a directory"));
    if (!force && !is_empty_dir(dir))
        return error_file(err, dir, _("exists and is not empty (add --force to replace it)"));
    return 0;
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* 1 when path is the directory st or lies beneath it. realpath resolves every
 * symlink and "..", so cutting its last component walks the real parents. */
static int is_within(const char *path, const struct stat *st)
{
    char *real = realpath(path, NULL);
    int found = 0;
    for (char *p = real; p && !found;) {
        struct stat s;
        found = stat(p, &s) == 0 && same_file(&s, st);
        char *slash = strrchr(p, '/');
        if (!slash || !p[1])
            break; /* "/" was the last to compare */
        slash[slash == p] = '\0';
    }
    free(real);
    return found;
}

/* The longest leading part of path that exists: path itself, or a parent. */
static void existing_part(const char *path, char *out, size_t size)
{
    struct stat st;
    snprintf(out, size, "%s", path);
    while (stat(out, &st) != 0) {
        char *slash = strrchr(out, '/');
        if (!slash) {
            snprintf(out, size, ".");
            return;
        }
        while (slash > out && slash[-1] == '/')
            slash--;
        slash[slash == out] = '\0';
    }
}

int fsutil_check_not_input(const char *dir, const char *input, const char *what, struct error *err)
{
    struct stat in, out;
    char base[PATH_SIZE];
    if (stat(input, &in) != 0)
        return 0; /* reading it has failed or will fail with its own message */
    /* what comes from the caller marked with N_() (or already translated: then
     * gettext finds no entry and gives it back as it is). */
    what = _(what);
    /* TRANSLATORS: this and the next two come after "DIR: ", DIR being the directory to
       write; the first %s is what is read ("the model being read"), the second its path. */
    if (stat(dir, &out) == 0 && is_within(input, &out))
        return error_file(err, dir,
                          same_file(&in, &out) ? _("is %s (%s); choose another directory")
                                               /* TRANSLATORS: DIR holds what is read, deeper down. */
                                               : _("contains %s (%s); choose another directory"),
                          what, input);
    existing_part(dir, base, sizeof base);
    if (S_ISDIR(in.st_mode) && is_within(base, &in))
        return error_file(err, dir, _("is inside %s (%s); choose another directory"), what, input);
    return 0;
}

/* mkdir -p of the directory that will hold path. */
static int make_parents(const char *path)
{
    char buf[PATH_SIZE];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf)
        return 0;
    *slash = '\0';
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int fsutil_interrupted_error(const char *dir, struct error *err)
{
    int sig = fsutil_interrupted;
    const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : NULL;
    if (name)
        /* TRANSLATORS: %s is a signal's name: SIGINT, SIGTERM or SIGHUP. */
        return error_file(err, dir, _("interrupted by %s; nothing was written"), name);
    /* TRANSLATORS: %d is a signal's number. */
    return error_file(err, dir, _("interrupted by signal %d; nothing was written"), sig);
}

int fsutil_make_staging(const char *dir, char *staging, size_t size, struct error *err)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    int n = snprintf(staging, size, "%.*s.tmp-XXXXXX", (int)len, dir);
    if (n < 0 || (size_t)n >= size)
        return error_file(err, dir, _("path is too long"));
    if (make_parents(staging) != 0)
        /* TRANSLATORS: this and the next: after "DIR: "; %s is the system's reason (strerror). */
        return error_file(err, dir, _("cannot create the directories that hold it: %s"), strerror(errno));
    if (!mkdtemp(staging))
        return error_file(err, dir, _("cannot create a temporary directory beside it: %s"), strerror(errno));
    if (fsutil_interrupted) {
        fsutil_remove_tree(staging);
        return fsutil_interrupted_error(dir, err);
    }
    return 0;
}

int fsutil_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    char child[PATH_SIZE];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (fsutil_join(child, sizeof child, path, e->d_name) || fsutil_remove_tree(child))
            rc = -1;
    }
    closedir(d);
    if (rmdir(path) != 0)
        rc = -1;
    return rc;
}

void fsutil_discard(const char *staging)
{
    fsutil_remove_tree(staging);
}

/* Swaps two names in one step; -1 with errno EINVAL or ENOSYS where the
 * filesystem or the kernel cannot. */
static int rename_exchange(const char *a, const char *b)
{
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
#else
    (void)a, (void)b;
    errno = ENOSYS;
    return -1;
#endif
}

static int cannot_move(const char *dir, int e, struct error *err)
{
    /* TRANSLATORS: after "DIR: "; %s is the system's reason (strerror). */
    return error_file(err, dir, _("cannot move the finished files into place: %s"), strerror(e));
}

/* The fallback: the old dir aside, the new one in, the old one removed. */
static int replace_aside(const char *staging, const char *dir, struct error *err)
{
    char old[PATH_SIZE];
    if (fsutil_make_staging(dir, old, sizeof old, err))
        return -1;
    if (rename(dir, old) != 0) { /* onto our own empty directory */
        int e = errno;
        rmdir(old);
        /* TRANSLATORS: %s is the system's reason (strerror). */
        return error_file(err, dir, _("cannot replace the existing directory: %s"), strerror(e));
    }
    if (rename(staging, dir) != 0) {
        int e = errno;
        if (rename(old, dir) != 0)
            /* TRANSLATORS: the first %s is the system's reason (strerror), the second the path
               the previous directory is kept under. */
            return error_file(err, dir, _("cannot move the finished files into place (%s); the previous "
                                          "directory is kept as %s"), strerror(e), old);
        return cannot_move(dir, e, err);
    }
    fsutil_remove_tree(old);
    return 0;
}

static int replace(const char *staging, const char *dir, struct error *err)
{
    /* A few rounds: another writer may create or replace dir between the look and the move. */
    for (int round = 0; round < 8; round++) {
        struct stat st;
        if (lstat(dir, &st) != 0) {
            if (errno != ENOENT)
                return error_file(err, dir, "%s", strerror(errno));
            if (rename(staging, dir) == 0)
                return 0;
            if (errno != EEXIST && errno != ENOTEMPTY)
                return cannot_move(dir, errno, err);
            continue; /* created meanwhile: replace that */
        }
        if (!S_ISDIR(st.st_mode))
            return error_file(err, dir, _("exists and is not a directory"));
        if (rename_exchange(staging, dir) == 0) {
            fsutil_remove_tree(staging); /* now the old directory */
            return 0;
        }
        if (errno == EINVAL || errno == ENOSYS)
            return replace_aside(staging, dir, err);
        if (errno != ENOENT)
            return cannot_move(dir, errno, err);
    }
    return error_file(err, dir, _("other programs keep changing it; nothing was written"));
}

int fsutil_commit(const char *staging, const char *dir, int force, struct error *err)
{
    int rc;
    mode_t mask = umask(0);
    umask(mask);
    if (fsutil_interrupted)
        rc = fsutil_interrupted_error(dir, err);
    else if (chmod(staging, 0777 & ~mask) != 0) /* mkdtemp made it 700 */
        /* TRANSLATORS: %s is the system's reason (strerror). */
        rc = error_file(err, staging, _("cannot set its permissions: %s"), strerror(errno));
    else if (force)
        rc = replace(staging, dir, err);
    else if (rename(staging, dir) == 0)
        rc = 0;
    else if (errno == EEXIST || errno == ENOTEMPTY)
        rc = error_file(err, dir, _("already exists and is not empty: another writer finished first; nothing "
                                    "was written (add --force to replace it)"));
    else if (errno == ENOTDIR)
        rc = error_file(err, dir, _("exists and is not a directory"));
    else
        rc = cannot_move(dir, errno, err);
    fsutil_remove_tree(staging); /* ours on failure, the old directory after an exchange, else gone */
    return rc;
}
