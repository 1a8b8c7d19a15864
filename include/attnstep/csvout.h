/* csvout.h — writing CSV through libcsv's quoting, one row at a time. */
#ifndef ATTNSTEP_CSVOUT_H
#define ATTNSTEP_CSVOUT_H

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
/* The shortest decimal that reads back as exactly v (for copying weights). */
void csvout_exact(struct csvout *w, double v);
void csvout_end_row(struct csvout *w);
/* Flushes and closes; reports any write error. */
int csvout_close(struct csvout *w, struct error *err);

#endif
