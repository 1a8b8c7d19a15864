/* examples.h — the example sentences of assets/sentences.csv that suit a
 * model: those in its language, the ones it fully knows first. */
#ifndef ATTNSTEP_EXAMPLES_H
#define ATTNSTEP_EXAMPLES_H

#include "attnstep/bundle.h"

struct examples {
    int n;
    char **text;  /* (n) in the order n / N offers them */
    int *unknown; /* (n) words of each that the model's vocabulary lacks (read as <unk>) */
};

/* The examples the model knows at least half the words of: first those it
 * knows entirely (in file order), then the others, most known first. A
 * missing or unreadable file gives none. */
void examples_load(struct examples *ex, const struct bundle *model);
void examples_free(struct examples *ex);
/* The sentence to show when none is given: the first example the model knows
 * entirely, else the one it knows best, else (no examples) fallback. */
const char *examples_default(const struct examples *ex, const char *fallback);

#endif
