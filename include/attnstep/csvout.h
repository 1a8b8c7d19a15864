/* csvout.h — writing CSV through libcsv's quoting, one row at a time. */
#ifndef ATTNSTEP_CSVOUT_H
#define ATTNSTEP_CSVOUT_H

#include <stddef.h>
#include <stdio.h>

#include "attnstep/error.h"

struct csvout {
    FILE *f;
    char *path;
    int at_row_start;
    int failed;
};

int csvout_open(struct csvout *w, const char *path, struct error *err);
void csvout_text(struct csvout *w, const char *text);
/* %.9g: enough digits to round-trip a float32; -inf as "-inf". */
void csvout_number(struct csvout *w, double v);
/* The shortest decimal that reads back as exactly v (for copying weights):
 * printf's %.{d}g with the smallest d in 9..17 that reads back bit for bit. */
void csvout_exact(struct csvout *w, double v);
/* csvout_exact's text for v into buf (CSVOUT_EXACT_SIZE bytes, NUL-terminated),
 * without printf's trial loop; returns its length. */
#define CSVOUT_EXACT_SIZE 32
size_t csvout_format_exact(char *buf, double v);
void csvout_end_row(struct csvout *w);
/* Flushes and closes; reports any write error. */
int csvout_close(struct csvout *w, struct error *err);

#endif
