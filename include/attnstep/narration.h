/* narration.h — every sentence attnstep says about a stage, in one table so a
 * translation is one new column (Korean comes next). */
#ifndef ATTNSTEP_NARRATION_H
#define ATTNSTEP_NARRATION_H

#include "attnstep/lesson.h"

struct stage_text {
    const char *title;   /* "Scores" */
    const char *explain; /* two or three sentences a first-year student follows */
};

const struct stage_text *narration_stage(enum stage_kind kind);
/* "stage", "row", "cell". */
const char *narration_granularity(enum granularity g);

#endif
