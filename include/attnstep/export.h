/* export.h — every matrix of a trace as CSV files (DESIGN.md "Export format v1"). */
#ifndef ATTNSTEP_EXPORT_H
#define ATTNSTEP_EXPORT_H

#include "attnstep/error.h"
#include "attnstep/trace.h"

/* Writes the export into dir as a whole or not at all (a temporary directory
 * beside it, published by fsutil_commit). An existing non-empty dir is refused
 * unless force; fsutil_interrupted stops it early, leaving nothing behind. On
 * success *n_files (if not NULL) is the number of files written. */
int export_write(const struct trace *t, const char *dir, int force, int *n_files, struct error *err);

/* influence.csv leaves out the RNN's and LSTM's rows when d_hidden is above
 * this: they cost O(N·d_hidden²·(d_model + d_hidden)), seconds per word at
 * d_hidden 1024. Attention's row is always there (O(d_model³) once). */
#define EXPORT_INFLUENCE_MAX_HIDDEN 256
/* Whether export_write leaves model m's row out of influence.csv. */
int export_skips_influence(const struct trace *t, enum trace_model m);

#endif
