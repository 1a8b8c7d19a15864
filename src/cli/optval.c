#include "optval.h"

#include <errno.h>
#include <stdlib.h>

int optval_lr(const char *v, double *out)
{
    char *end = NULL;
    double x = strtod(v, &end);
    if (end == v || *end || !(x > 0 && x < 10))
        return -1;
    *out = x;
    return 0;
}

int optval_seed(const char *v, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (end == v || *end || errno || v[0] == '-')
        return -1;
    *out = x;
    return 0;
}

int optval_int(const char *v, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}
