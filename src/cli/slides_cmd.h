/* slides_cmd.h — attnstep --lesson FILE: the slides on the screen, or
 * listed as text (--print, or when the output is not a terminal). */
#ifndef ATTNSTEP_SLIDES_CMD_H
#define ATTNSTEP_SLIDES_CMD_H

#include "app.h"
#include "attnstep/bundle.h"
#include "options.h"

/* Reads and checks the lesson, then shows or lists it; the exit status. */
int slides_cmd(const struct options *o);

/* main.c: the recorded "trained: attnstep train …" command of m, to retrain live. */
void retrain_from_description(const struct bundle *m, struct app_retrain *r);

#endif
