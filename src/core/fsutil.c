#include "attnstep/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        return error_file(err, dir, "exists and is not a directory");
    if (!force && !is_empty_dir(dir))
        return error_file(err, dir, "exists and is not empty (add --force to replace it)");
    return 0;
}

/* mkdir -p of the directory that will hold path. */
static int make_parents(const char *path)
{
    char buf[4096];
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
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int fsutil_make_staging(const char *dir, char *staging, size_t size, struct error *err)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    int n = snprintf(staging, size, "%.*s.tmp-XXXXXX", (int)len, dir);
    if (n < 0 || (size_t)n >= size)
        return error_file(err, dir, "path is too long");
    if (make_parents(staging) != 0)
        return error_file(err, dir, "cannot create the directories that hold it: %s", strerror(errno));
    if (!mkdtemp(staging))
        return error_file(err, dir, "cannot create a temporary directory beside it: %s", strerror(errno));
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
    char child[4096];
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

int fsutil_commit(const char *staging, const char *dir, struct error *err)
{
    /* rename() replaces an empty directory in one step; a non-empty one (--force)
     * is first moved aside, so there is never a moment with neither. */
    if (rename(staging, dir) == 0)
        return 0;
    if (errno != ENOTEMPTY && errno != EEXIST) {
        int e = errno;
        fsutil_remove_tree(staging);
        return error_file(err, dir, "cannot move the finished files into place: %s", strerror(e));
    }
    char old[4096];
    if (fsutil_make_staging(dir, old, sizeof old, err) || rmdir(old) != 0 || rename(dir, old) != 0) {
        fsutil_remove_tree(staging);
        return error_file(err, dir, "cannot replace the existing directory: %s", strerror(errno));
    }
    if (rename(staging, dir) != 0) {
        int e = errno;
        rename(old, dir); /* put the old one back */
        fsutil_remove_tree(staging);
        return error_file(err, dir, "cannot move the finished files into place: %s", strerror(e));
    }
    fsutil_remove_tree(old);
    return 0;
}
