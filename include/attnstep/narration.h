/* narration.h — every sentence attnstep says about a stage, in one table whose
 * entries go through the gettext catalogue: what these functions return is in
 * the language chosen (--lang, LANGUAGE, LC_MESSAGES), English by default.
 *
 * A few sentences are true only of some models: a trained model has learned
 * embeddings, a random one has not; under the causal mask no word sees the
 * whole sentence; a recurrent memory fades only when its weights make it.
 * narration_explain picks the sentence that is true of the lesson on screen. */
#ifndef ATTNSTEP_NARRATION_H
#define ATTNSTEP_NARRATION_H

#include "attnstep/bundle.h"
#include "attnstep/lesson.h"

struct stage_text {
    const char *title;   /* "Scores" (translated) */
    const char *explain; /* two or three sentences a first-year student follows (a trained model, no mask) */
};

/* Whether the model's weights were learned. attnstep writes it at the start of
 * config.csv's description: "trained: attnstep train …" or "random weights:
 * attnstep --init-model …"; any other description says nothing about it. */
enum narration_training { NARRATION_UNKNOWN, NARRATION_TRAINED, NARRATION_RANDOM };

/* The stage's title and its explanation for a trained model without the mask,
 * translated; valid until the next call for the same kind. */
const struct stage_text *narration_stage(enum stage_kind kind);
/* The explanation of stage `stage` of the lesson, true of its model and setting. */
const char *narration_explain(const struct lesson *l, int stage);
enum narration_training narration_training(const struct bundle *b);
/* A classifier attnstep train made: it has only ever read whole sentences
 * (train has no causal mask), so its prediction under the mask means nothing. */
int narration_trained_without_mask(const struct bundle *b);
/* "stage", "row", "cell", translated: the name a person reads, not the option's value. */
const char *narration_granularity(enum granularity g);

/* Every text of the tables as written (English, not translated), so a test can
 * read each one in every language: the titles, the explanations with all their
 * variants, the granularity names. */
enum narration_kind { NARRATION_TITLE, NARRATION_EXPLANATION, NARRATION_NAME };
struct narration_entry {
    enum narration_kind kind;
    int stage; /* an enum stage_kind; -1 for a granularity name */
    const char *text;
};
/* Entry i (0, 1, …) into *e; -1 once i is past the last. */
int narration_entry(int i, struct narration_entry *e);

#endif
