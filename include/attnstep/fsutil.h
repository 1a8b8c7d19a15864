/* fsutil.h — writing a directory of files so that it appears whole or not at all.
 *
 * A writer calls fsutil_check_target (to fail before any slow work), then
 * fsutil_make_staging, writes into the staging directory, and ends with either
 * fsutil_commit or fsutil_discard. */
#ifndef ATTNSTEP_FSUTIL_H
#define ATTNSTEP_FSUTIL_H

#include <signal.h>
#include <stddef.h>

#include "attnstep/error.h"

/* The number of the signal that asked the program to stop, set by the command
 * line's signal handler (the core installs none). Writers check it between
 * steps: fsutil_make_staging and fsutil_commit then fail with "interrupted",
 * removing the staging directory, so nothing half-written stays behind. */
extern volatile sig_atomic_t fsutil_interrupted;
/* "dir: interrupted by SIGINT; nothing was written". Returns -1. */
int fsutil_interrupted_error(const char *dir, struct error *err);

/* Checks that dir may be written: absent, an empty directory, or (with force)
 * a non-empty one. Advisory: fsutil_commit decides atomically. */
int fsutil_check_target(const char *dir, int force, struct error *err);
/* Refuses dir as an output when writing it would replace or change the input
 * `what` reads from (a model directory or a data file): dir is input, contains
 * it, or lies inside it — compared by device and inode, so another spelling
 * of the same path (a symlink, "..") is caught too. */
int fsutil_check_not_input(const char *dir, const char *input, const char *what, struct error *err);
/* Creates a fresh temporary directory beside dir ("DIR.tmp-XXXXXX"), mode 700
 * while it is written. */
int fsutil_make_staging(const char *dir, char *staging, size_t size, struct error *err);
/* Publishes the finished (non-empty) staging directory as dir, with the mode
 * the umask gives a new directory. Without force this is exclusive: if dir
 * has become a non-empty directory meanwhile (another writer finished first),
 * it fails and leaves dir alone. With force an existing dir is replaced in one
 * step where the system allows it (see fsutil.c). The staging directory is
 * gone afterwards, on success or failure. */
int fsutil_commit(const char *staging, const char *dir, int force, struct error *err);
/* Removes an unfinished staging directory. */
void fsutil_discard(const char *staging);
/* Removes a directory and everything in it (links are removed, not followed). */
int fsutil_remove_tree(const char *path);
/* dir + "/" + name into buf; -1 if it does not fit. */
int fsutil_join(char *buf, size_t size, const char *dir, const char *name);

#endif
