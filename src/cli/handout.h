/* handout.h — --print --quiz: the quiz as a handout, questions first (with
 * what a student needs to answer each), answers at the end. */
#ifndef ATTNSTEP_HANDOUT_H
#define ATTNSTEP_HANDOUT_H

#include <stdio.h>

#include "attnstep/lesson.h"
#include "attnstep/trace.h"

/* The questions the screen asks on the attention lesson at granularity gran
 * (at cell granularity, the last word's row of each stage), then the compare
 * view's. Returns 0, or -1 if writing failed or memory ran out. */
int handout_write(FILE *out, const struct trace *t, enum granularity gran);

#endif
