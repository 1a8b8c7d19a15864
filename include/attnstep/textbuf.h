/* textbuf.h — a fixed buffer that formatted pieces are appended to, for the
 * formulas and quiz texts: what does not fit is cut, and the text always
 * stays terminated, so a long formula ends early instead of failing. */
#ifndef ATTNSTEP_TEXTBUF_H
#define ATTNSTEP_TEXTBUF_H

#include <stddef.h>

#include "attnstep/error.h"

struct textbuf {
    char *buf;
    size_t size, len; /* len < size once anything was put */
};

/* Appends printf-formatted text, cut at the end of the buffer. */
void textbuf_put(struct textbuf *t, const char *fmt, ...) ATTNSTEP_PRINTF(2, 3);

#endif
