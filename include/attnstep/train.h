/* train.h — learning the weights: backward passes for every operation (llm.c
 * style: gradients are added into buffers zeroed before each batch), Adam, and
 * the training loop for sentence classification with cross-entropy, and for a
 * language model (next-token prediction, bundle task,lm).
 *
 * Dimension letters: N = tokens, D = d_model, H = heads, F = d_ff, C = classes,
 * V = vocabulary. */
#ifndef ATTNSTEP_TRAIN_H
#define ATTNSTEP_TRAIN_H

#include <signal.h>
#include <stdint.h>

#include "attnstep/bundle.h"
#include "attnstep/error.h"
#include "attnstep/forward.h"

/* A labelled sentence, as vocabulary rows. For a language model, ids holds
 * the sentence's n tokens followed by <eos> (n + 1 entries): the model reads
 * the n tokens, and position p is trained to predict ids[p + 1], so the last
 * position predicts <eos> and the first token is never a target; label is -1. */
struct train_example {
    int n;
    int *ids;   /* (n), or (n + 1) for a language model */
    int label;  /* class index */
};

struct train_set {
    int n;
    struct train_example *ex;
    int max_len;
    int lm;          /* the examples are a language model's (ids end in <eos>) */
    long n_targets;  /* language model: the tokens predicted, Σ n over the sentences */
};

/* One trainable tensor of the model, with its gradient and Adam's moments. */
struct train_param {
    const char *name;
    double *w, *g, *m, *v;
    size_t n;
    int frozen;                    /* transfer_freeze_encoder: Adam leaves it as it is */
};

#define TRAIN_MAX_PARAMS 20

/* A mini-batch stacked: its sentences' rows one after another (in the batch's
 * order), so each linear layer is one matrix product over all of them
 * (kernel_linear). The buffers hold up to rows rows of up to cap sentences
 * (a piece of the batch small enough to stay in cache); the attention weights
 * are packed, H·N² per sentence. The per-sentence parts (attention heads,
 * pooling) run on each sentence's rows. */
struct train_stack {
    int cap;                       /* sentences stacked at most */
    int rows;                      /* rows stacked at most (≥ max_len); a batch runs in pieces that fit both */
    struct forward_acts acts;      /* (rows, ·); weights (H·max_len·rows); pooled, logits, probs (cap, D|C);
                                      scores, scaled, masked: the trainer's, one sentence's scratch */
    double *dx, *dq, *dk, *dv, *dconcat, *dr1, *dn1, *dr2, *dn2; /* (rows, D) */
    double *dffpre, *dffh;         /* (rows, F) */
    double *dpooled, *dlogits;     /* (cap, D), (cap, C) */
    double *dlm;                   /* (rows, V) language model */
    double *wt;                    /* (max(F, C|V), max(D, F)) scratch: a weight matrix transposed */
    int *row0;                     /* (cap + 1) each sentence's first row */
    size_t *w0;                    /* (cap + 1) each sentence's attention weights' offset */
    double *mem;
};

/* Everything one training run needs beside the model: parameters, per-sentence
 * activations and their gradients, sized for the longest sentence. */
struct trainer {
    struct bundle *model;          /* borrowed: trained in place */
    int n_params;
    struct train_param params[TRAIN_MAX_PARAMS];
    int max_len;
    struct forward_acts acts;
    double *acts_mem;
    double *grad_mem;              /* the activations' gradients */
    double *dx, *dq, *dk, *dv, *dconcat, *dout, *dr1, *dn1, *dffpre, *dffh, *dr2, *dn2; /* (N, D|F) */
    double *dpooled, *dlogits, *drow; /* (D), (C), (N) */
    double *param_mem;             /* gradients and moments */
    long adam_t;
    double lr, beta1, beta2, eps;
    const volatile sig_atomic_t *stop; /* if set, train_fit stops after the batch during which *stop turns non-zero */
    double *dlm;                   /* (N, V) language model: the gradient of the lm logits */
    int classifier_only;           /* transfer_freeze_encoder: the backward pass stops at the classifier */
    struct train_stack stack;      /* train_fit's stacked mini-batches (trainer_reserve_batch) */
    double *heads_mem;             /* kernel_attention_scratch(max_len, D, H): acts.heads_scratch points here */
};

int trainer_init(struct trainer *tr, struct bundle *model, int max_len, double lr, struct error *err);
void trainer_free(struct trainer *tr);
/* Zeroes every parameter gradient. */
void trainer_zero_grad(struct trainer *tr);
/* Forward and backward for one sentence: adds scale·∂loss/∂θ into the
 * gradients; returns the loss −log P(label) and sets *correct. For a language
 * model the loss is the sum over the sentence's n positions of
 * −log P(next token) (scale turns it into a mean), and *correct counts the
 * positions whose most likely next token is the right one. */
double trainer_step_example(struct trainer *tr, const struct train_example *ex, double scale, int *correct);
/* Sizes the stacked buffers for mini-batches of up to batch sentences (fewer
 * at a time when their rows would not stay in cache or memory is short: the
 * results are the same). Returns 0, or -1 when out of memory. */
int trainer_reserve_batch(struct trainer *tr, int batch);
/* trainer_step_example for the sentences ex[0..count-1], in that order, with
 * the linear layers run over all their rows at once: the same gradients, bit
 * for bit (every sum is added in the same order). losses[i] and correct[i]
 * (either may be NULL) are each sentence's. Needs trainer_reserve_batch; the
 * sentences run in pieces that fit its buffers. */
void trainer_step_batch(struct trainer *tr, const struct train_example *const *ex, int count, double scale,
                        double *losses, int *correct);
/* The reference loop of a linear layer's backward pass, for out (N, C) =
 * inp (N, K)·w (K, C) + b: dinp += dout·wᵀ (NULL: not needed), dw += inpᵀ·dout,
 * db += Σ dout (may be NULL). kernel_linear_backward is its fast twin. */
void train_linear_backward(double *restrict dinp, double *restrict dw, double *restrict db,
                           const double *restrict dout, const double *restrict inp, const double *restrict w, int N,
                           int K, int C);
/* Forward only: the loss, and whether the prediction is right (a language
 * model: as above, the summed loss and the count of right predictions). */
double trainer_eval_example(struct trainer *tr, const struct train_example *ex, int *correct);
/* The reference backward through every head (plain loops): dconcat (N, D)
 * → dq, dk, dv (N, D), added; drow is (N) scratch. The trainer runs
 * kernel_heads_backward, the same numbers bit for bit, unless
 * acts.heads_scratch is NULL. */
void train_heads_backward(double *dq, double *dk, double *dv, double *drow, const double *dconcat, const double *q,
                          const double *k, const double *v, const double *weights, int N, int D, int H);
/* One Adam update of every parameter from its gradient (kernel_linear_adam,
 * train_adam_update's fast twin). */
void trainer_adam(struct trainer *tr);
/* Adam's reference loop over n weights: m = β1·m + (1 − β1)·g,
 * v = β2·v + (1 − β2)·g², w −= lr·(m/c1)/(√(v/c2) + eps), with c1 = 1 − β1ᵗ
 * and c2 = 1 − β2ᵗ the bias corrections. */
void train_adam_update(double *w, double *m, double *v, const double *g, size_t n, double lr, double beta1,
                       double beta2, double c1, double c2, double eps);

/* What one epoch achieved. */
struct train_epoch {
    int epoch, epochs;
    double loss;            /* mean training loss over the epoch */
    double train_accuracy;  /* of the model at the epoch's end */
    double test_accuracy;   /* -1 without a test set */
    /* A language model: the accuracies above are next-token accuracies, the
     * loss is the mean over the predicted tokens (token-weighted), and these
     * are exp(total −log P / tokens predicted); -1 for a classifier, and the
     * test one without a test set. */
    double train_perplexity, test_perplexity;
};

/* Called after epoch 0 (the untrained model) and after every epoch; a
 * non-zero return stops training. */
typedef int (*train_report)(const struct train_epoch *e, const struct bundle *model, void *ctx);

/* Trains for `epochs` passes over train in mini-batches of `batch`, shuffled
 * each epoch from `seed` (Fisher–Yates on splitmix64): deterministic. Without
 * a report, accuracy is never measured: only the training steps run. */
int train_fit(struct trainer *tr, const struct train_set *train, const struct train_set *test, int epochs, int batch,
              uint64_t seed, train_report report, void *ctx);
/* The order of sentences each epoch: a state from the seed, then one
 * Fisher–Yates pass on splitmix64 per epoch (train_fit's and rec_train_fit's,
 * so the RNN, the LSTM and the transformer see the same batches). */
uint64_t train_shuffle_start(uint64_t seed);
void train_shuffle(int *order, int n, uint64_t *state);
/* Accuracy (0..1) of the model on a set, and its mean loss in *loss. A
 * language model: the next-token accuracy over every predicted token, and the
 * mean loss per predicted token (exp of it is the perplexity). */
double train_accuracy(struct trainer *tr, const struct train_set *set, double *loss);

/* The add-one smoothed bigram baseline over the same tokens as a language
 * model: counts the bigrams of every training sentence with <eos> before and
 * after it (ids as in train_example, eos the <eos> row), then on test returns
 * exp(mean −ln P(w | v)) over the same targets as the model (each token after
 * the first, and <eos>), with P(w | v) = (c(v, w) + 1) / (c(v) + V).
 * assets/data/bigram.py's second figure. Returns -1 when test predicts nothing
 * or memory runs out. */
double train_bigram_perplexity(const struct train_set *train, const struct train_set *test, int n_vocab, int eos);

/* A fresh classifier: seeded random attention and encoder weights (uniform,
 * Xavier-scaled; LayerNorm γ = 1, β = 0; biases 0), sinusoidal positions. */
int train_init_model(struct bundle *out, const char *name, int d_model, int n_heads, int d_ff, int gelu,
                     const char *const *labels, int n_labels, const char *const *vocab, int n_vocab, uint64_t seed,
                     struct error *err);
/* A fresh language model (task,lm): as train_init_model, with an lm head
 * W_lm (Xavier-scaled) and b_lm = 0 instead of a classifier; vocab need not
 * hold <unk> or <eos> (both are added). */
int train_init_lm(struct bundle *out, const char *name, int d_model, int n_heads, int d_ff, int gelu,
                  const char *const *vocab, int n_vocab, uint64_t seed, struct error *err);
/* Adds a fresh encoder block and classifier to an attention-only model. */
int train_add_classifier(struct bundle *b, int d_ff, int gelu, const char *const *labels, int n_labels, uint64_t seed,
                         struct error *err);

#endif
