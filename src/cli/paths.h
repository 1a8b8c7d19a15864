/* paths.h — where the bundled data lives, built or installed. */
#ifndef ATTNSTEP_PATHS_H
#define ATTNSTEP_PATHS_H

#include <stddef.h>

#define DEFAULT_MODEL "tiny-en"
/* The bundled model that has RNN and LSTM weights (the compare view and r need them). */
#define RECURRENT_MODEL "random-en"

/* Finds the bundled data file or directory `name` (e.g. "models/random-en",
 * "vocab.csv"): next to an installed binary (../share/attnstep), then in the
 * source tree of a build, then in the configured data directory. Returns 0 and
 * the path in buf, or -1 with the places tried in buf. */
int paths_find_data(const char *name, char *buf, size_t size);
/* $ATTNSTEP_MODEL if set, else the bundled default model. */
int paths_default_model(char *buf, size_t size);

#endif
