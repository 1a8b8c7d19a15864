/* train.h — learning the weights: backward passes for every operation (llm.c
 * style: gradients are added into buffers zeroed before each batch), Adam, and
 * the training loop for sentence classification with cross-entropy.
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

/* A labelled sentence, as vocabulary rows. */
struct train_example {
    int n;
    int *ids;   /* (n) */
    int label;  /* class index */
};

struct train_set {
    int n;
    struct train_example *ex;
    int max_len;
};

/* One trainable tensor of the model, with its gradient and Adam's moments. */
struct train_param {
    const char *name;
    double *w, *g, *m, *v;
    size_t n;
};

#define TRAIN_MAX_PARAMS 20

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
};

int trainer_init(struct trainer *tr, struct bundle *model, int max_len, double lr, struct error *err);
void trainer_free(struct trainer *tr);
/* Zeroes every parameter gradient. */
void trainer_zero_grad(struct trainer *tr);
/* Forward and backward for one sentence: adds scale·∂loss/∂θ into the
 * gradients; returns the loss −log P(label) and sets *correct. */
double trainer_step_example(struct trainer *tr, const struct train_example *ex, double scale, int *correct);
/* Forward only: the loss, and whether the prediction is right. */
double trainer_eval_example(struct trainer *tr, const struct train_example *ex, int *correct);
/* One Adam update of every parameter from its gradient. */
void trainer_adam(struct trainer *tr);

/* What one epoch achieved. */
struct train_epoch {
    int epoch, epochs;
    double loss;            /* mean training loss over the epoch */
    double train_accuracy;  /* of the model at the epoch's end */
    double test_accuracy;   /* -1 without a test set */
};

/* Called after epoch 0 (the untrained model) and after every epoch; a
 * non-zero return stops training. */
typedef int (*train_report)(const struct train_epoch *e, const struct bundle *model, void *ctx);

/* Trains for `epochs` passes over train in mini-batches of `batch`, shuffled
 * each epoch from `seed` (Fisher–Yates on splitmix64): deterministic. Without
 * a report, accuracy is never measured: only the training steps run. */
int train_fit(struct trainer *tr, const struct train_set *train, const struct train_set *test, int epochs, int batch,
              uint64_t seed, train_report report, void *ctx);
/* Accuracy (0..1) of the model on a set, and its mean loss in *loss. */
double train_accuracy(struct trainer *tr, const struct train_set *set, double *loss);

/* A fresh classifier: seeded random attention and encoder weights (uniform,
 * Xavier-scaled; LayerNorm γ = 1, β = 0; biases 0), sinusoidal positions. */
int train_init_model(struct bundle *out, const char *name, int d_model, int n_heads, int d_ff, int gelu,
                     const char *const *labels, int n_labels, const char *const *vocab, int n_vocab, uint64_t seed,
                     struct error *err);
/* Adds a fresh encoder block and classifier to an attention-only model. */
int train_add_classifier(struct bundle *b, int d_ff, int gelu, const char *const *labels, int n_labels, uint64_t seed,
                         struct error *err);

#endif
