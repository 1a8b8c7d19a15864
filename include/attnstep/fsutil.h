/* fsutil.h — writing a directory of files so that it appears whole or not at all. */
#ifndef ATTNSTEP_FSUTIL_H
#define ATTNSTEP_FSUTIL_H

#include <stddef.h>

#include "attnstep/error.h"

/* Checks that dir may be written: absent, an empty directory, or (with force)
 * a non-empty one. */
int fsutil_check_target(const char *dir, int force, struct error *err);
/* Creates a fresh temporary directory beside dir ("DIR.tmp-XXXXXX"). */
int fsutil_make_staging(const char *dir, char *staging, size_t size, struct error *err);
/* Moves the finished staging directory to dir, replacing what was there (which
 * fsutil_check_target allowed). On failure the staging directory is removed. */
int fsutil_commit(const char *staging, const char *dir, struct error *err);
/* Removes a directory and everything in it (links are removed, not followed). */
int fsutil_remove_tree(const char *path);
/* dir + "/" + name into buf; -1 if it does not fit. */
int fsutil_join(char *buf, size_t size, const char *dir, const char *name);

#endif
