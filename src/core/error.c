#include "attnstep/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attnstep/utf8.h"

/* Longest path kept in a message: PATH_MAX, cut on a character boundary. */
#define PATH_SHOWN 4096

static int vput(struct error *err, const char *prefix, const char *fmt, va_list ap) ATTNSTEP_PRINTF(3, 0);
static int vput(struct error *err, const char *prefix, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    size_t size = sizeof err->msg;
    int n = snprintf(err->msg, size, "%s", prefix);
    if (n < 0 || (size_t)n >= size)
        n = 0;
    int m = vsnprintf(err->msg + n, size - (size_t)n, fmt, ap);
    if (m >= 0 && (size_t)n + (size_t)m >= size) {
        /* Cut: end on a whole character and show that text is missing. */
        size_t keep = utf8_fit(err->msg, size - 1, size - 4);
        memcpy(err->msg + keep, "...", 4);
    }
    /* One line, whatever a quoted cell or a path holds. */
    for (char *c = err->msg; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            *c = ' ';
    return -1;
}

int error_set(struct error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput(err, "", fmt, ap);
    va_end(ap);
    return -1;
}

int error_file(struct error *err, const char *path, const char *fmt, ...)
{
    char prefix[PATH_SHOWN + 64];
    snprintf(prefix, sizeof prefix, "%.*s: ", (int)utf8_fit(path, strlen(path), PATH_SHOWN), path);
    va_list ap;
    va_start(ap, fmt);
    vput(err, prefix, fmt, ap);
    va_end(ap);
    return -1;
}

int error_vat(struct error *err, const char *path, long line, long col, const char *fmt, va_list ap)
{
    char prefix[PATH_SHOWN + 64];
    snprintf(prefix, sizeof prefix, "%.*s:%ld:%ld: ", (int)utf8_fit(path, strlen(path), PATH_SHOWN), path, line,
             col);
    return vput(err, prefix, fmt, ap);
}

int error_at(struct error *err, const char *path, long line, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vat(err, path, line, col, fmt, ap);
    va_end(ap);
    return -1;
}
