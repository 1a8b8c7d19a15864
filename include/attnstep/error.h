/* error.h — how the core reports failure without printing or exiting.
 *
 * Every fallible core function takes a `struct error *` last, returns 0 on
 * success and -1 on failure, and on failure fills the message. Messages that
 * concern a file read "PATH:LINE:COL: reason" so the command line can print
 * them as they are. A message is one line (control characters become
 * spaces); one too long for msg is cut on a character boundary and ends
 * in "...". */
#ifndef ATTNSTEP_ERROR_H
#define ATTNSTEP_ERROR_H

#include <stdarg.h>
#include <stddef.h>

struct error {
    char msg[8192]; /* room for a full path, a location and a reason */
};

#if defined(__GNUC__)
#define ATTNSTEP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ATTNSTEP_PRINTF(a, b)
#endif

/* "reason" with no location. Returns -1 so callers can `return error_set(...)`. */
int error_set(struct error *err, const char *fmt, ...) ATTNSTEP_PRINTF(2, 3);
/* "path: reason". */
int error_file(struct error *err, const char *path, const char *fmt, ...) ATTNSTEP_PRINTF(3, 4);
/* "path:line:col: reason" (line and col 1-based). */
int error_at(struct error *err, const char *path, long line, long col, const char *fmt, ...)
    ATTNSTEP_PRINTF(5, 6);
int error_vat(struct error *err, const char *path, long line, long col, const char *fmt, va_list ap)
    ATTNSTEP_PRINTF(5, 0);

#endif
