/* transfer.h — starting a classifier from another model's weights (DESIGN.md
 * "Transfer"): fine-tuning every weight (--freeze none), or keeping the
 * encoder exactly and training only a classifier on its pooled features
 * (--freeze encoder, feature-based transfer); a new classifier when the data's
 * classes are not the model's; and how well the model's tokenizer covers the
 * new data. */
#ifndef ATTNSTEP_TRANSFER_H
#define ATTNSTEP_TRANSFER_H

#include <stdint.h>

#include "attnstep/bundle.h"
#include "attnstep/error.h"
#include "attnstep/table.h"

struct trainer;

enum transfer_freeze {
    TRANSFER_FREEZE_NONE,    /* fine-tuning: every weight is trained */
    TRANSFER_FREEZE_ENCODER, /* feature-based: only w_cls and b_cls are trained */
};

/* How a model's tokenizer reads a data file's sentences, as at inference. */
struct transfer_coverage {
    long words;  /* words (whitespace and punctuation split, as DESIGN.md "Tokenizer") */
    long pieced; /* words cut into two or more pieces (a model with tokenizer.csv) */
    long tokens; /* tokens (pieces) in all */
    long unk;    /* tokens read as <unk> */
    long punct;  /* words that are one ASCII punctuation character */
    long unknown; /* other words whose every token is <unk>: nothing of them is known */
};

/* Counts how b's tokenizer reads the sentences of column col of t (rows 1…). */
int transfer_coverage(struct transfer_coverage *out, const struct table *t, int col, const struct bundle *b,
                      struct error *err);

/* 1 when every one of the n classes is one of b's labels (its classifier can
 * be kept), else 0. */
int transfer_same_classes(const struct bundle *b, const char *const *classes, int n);

/* Replaces b's classifier by a fresh one over the n classes (in that order):
 * w_cls Xavier-uniform from seed, b_cls = 0. b must have an encoder block. */
int transfer_new_classifier(struct bundle *b, const char *const *classes, int n, uint64_t seed, struct error *err);

/* Replaces every weight of b (embeddings, attention, the encoder block, the
 * classifier over the n classes) by seeded random ones, as `attnstep train`
 * starts a fresh model, keeping b's vocabulary, tokenizer and sizes: the
 * "from scratch" model of `attnstep transfer`. */
int transfer_reinit(struct bundle *b, const char *const *classes, int n, uint64_t seed, struct error *err);

/* Marks every parameter of the trainer but the classifier (w_cls, b_cls) as
 * frozen: Adam leaves them exactly as they are, and the backward pass stops
 * at the classifier. */
void transfer_freeze_encoder(struct trainer *tr);

#endif
