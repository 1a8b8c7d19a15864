#include "attnstep/error.h"

#include <stdarg.h>
#include <stdio.h>

static int vput(struct error *err, const char *prefix, const char *fmt, va_list ap) ATTNSTEP_PRINTF(3, 0);
static int vput(struct error *err, const char *prefix, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    int n = snprintf(err->msg, sizeof err->msg, "%s", prefix);
    if (n < 0 || (size_t)n >= sizeof err->msg)
        n = 0;
    vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
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
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%.4096s: ", path);
    va_list ap;
    va_start(ap, fmt);
    vput(err, prefix, fmt, ap);
    va_end(ap);
    return -1;
}

int error_at(struct error *err, const char *path, long line, long col, const char *fmt, ...)
{
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%.4096s:%ld:%ld: ", path, line, col);
    va_list ap;
    va_start(ap, fmt);
    vput(err, prefix, fmt, ap);
    va_end(ap);
    return -1;
}
