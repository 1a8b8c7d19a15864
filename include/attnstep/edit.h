/* edit.h — what-if edits: one number of a loaded model changed before
 * anything is computed (DESIGN.md "What-if edits"). */
#ifndef ATTNSTEP_EDIT_H
#define ATTNSTEP_EDIT_H

#include "attnstep/bundle.h"
#include "attnstep/error.h"

/* Applies "NAME[ROW,COL]=VALUE" to b. NAME is a weight file's stem (w_q,
 * b_o, ln1_gamma, w_cls, rnn_w_xh, ...) with 0-based ROW and COL over the
 * file's rows and columns as stored (a bias or a norm's gamma is one row, ROW
 * 0), or vocab[TOKEN,COL] for the embedding of TOKEN as written in vocab.csv.
 * VALUE is read like a number in a file (finite, within a 32-bit float).
 * An absent optional bias (b_q, rnn_b, ...) counts as zeros: editing it makes
 * it present, so it is shown and exported. On failure b is unchanged and err
 * holds the reason alone (the caller names the edit). */
int bundle_edit(struct bundle *b, const char *edit, struct error *err);

#endif
