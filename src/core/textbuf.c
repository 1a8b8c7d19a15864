/* textbuf.c — appending formatted text to a fixed buffer. */
#include "attnstep/textbuf.h"

#include <stdarg.h>
#include <stdio.h>

void textbuf_put(struct textbuf *t, const char *fmt, ...)
{
    if (t->size == 0 || t->len + 1 >= t->size)
        return; /* full: only the terminator has room */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < t->size - t->len ? (size_t)n : t->size - t->len - 1;
}
