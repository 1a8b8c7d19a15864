/* train_recurrent.h — training the RNN and the LSTM as sentence classifiers
 * (issue 13): logits (C) = h_N·W_cls + b_cls on the final hidden state,
 * softmax, cross-entropy, backpropagation through time, and the same Adam
 * loop, batches and shuffling as train_fit.
 *
 * The recurrent models read the bundle's embedding table (vocab.csv) as it
 * is: they never change it. `attnstep train --recurrent` trains them after
 * the transformer, on its final (trained) embeddings, so the transformer's
 * training and weights are exactly those of a run without --recurrent.
 *
 * Dimension letters: N = tokens, D = d_model, Dh = d_hidden, G = 1 (RNN) or
 * 4 (LSTM, blocks i f g o), C = classes. */
#ifndef ATTNSTEP_TRAIN_RECURRENT_H
#define ATTNSTEP_TRAIN_RECURRENT_H

#include <signal.h>
#include <stdint.h>

#include "attnstep/bundle.h"
#include "attnstep/error.h"
#include "attnstep/train.h"

/* --recurrent without --d-hidden. */
#define TRAIN_RECURRENT_D_HIDDEN 16

/* Fresh RNN and LSTM weights of width d_hidden (Xavier-uniform from seed,
 * biases 0 but the LSTM's forget gate 1) and fresh classifiers over the
 * bundle's enc.n_labels classes, replacing any recurrent weights it had. */
int train_recurrent_init(struct bundle *b, int d_hidden, uint64_t seed, struct error *err);

/* One recurrent model (m = BUNDLE_RNN or BUNDLE_LSTM) being trained: its five
 * parameters (w_x, w_h, b, w_cls, b_cls), activations for the longest
 * sentence, and Adam's state. */
struct rec_trainer {
    struct bundle *model; /* borrowed: trained in place */
    int m, G, D, Dh, C, max_len;
    struct train_param params[5];
    double *param_mem, *mem;
    double *e, *z, *gates, *c, *h;  /* (N, D), (N, G·Dh), (N, G·Dh), (N, Dh), (N, Dh) */
    double *logits, *probs;         /* (C) */
    double *dlogits, *dh, *dc, *dz; /* (C), (Dh), (Dh), (G·Dh) */
    long adam_t;
    double lr, beta1, beta2, eps;
    const volatile sig_atomic_t *stop; /* as in struct trainer */
};

int rec_trainer_init(struct rec_trainer *tr, struct bundle *b, int m, int max_len, double lr, struct error *err);
void rec_trainer_free(struct rec_trainer *tr);
void rec_trainer_zero_grad(struct rec_trainer *tr);
/* Forward and BPTT for one sentence: adds scale·∂loss/∂θ into the gradients;
 * returns −log P(label) and sets *correct. */
double rec_trainer_step_example(struct rec_trainer *tr, const struct train_example *ex, double scale, int *correct);
/* Forward only. */
double rec_trainer_eval_example(struct rec_trainer *tr, const struct train_example *ex, int *correct);
void rec_trainer_adam(struct rec_trainer *tr);
double rec_train_accuracy(struct rec_trainer *tr, const struct train_set *set, double *loss);
/* train_fit for a recurrent model: the same shuffling from seed, the same
 * batches, one Adam step per batch; report as in train_fit. -1 when out of
 * memory. */
int rec_train_fit(struct rec_trainer *tr, const struct train_set *train, const struct train_set *test, int epochs,
                  int batch, uint64_t seed, train_report report, void *ctx);

/* The trained classifier's probabilities (C = enc.n_labels) for a sentence of
 * n vocabulary rows. Returns the most likely class, or -1 when the model has
 * no recurrent classifier m or memory runs out. */
int recurrent_classify(const struct bundle *b, int m, const int *ids, int n, double *probs);

/* The same from a final hidden state h_last (Dh) already computed (the
 * trace's last row of rnn_h or lstm_h): probs (C), the most likely class, or
 * -1 when the model has no recurrent classifier m. */
int recurrent_classify_state(const struct bundle *b, int m, const double *h_last, double *probs);

/* The notes' claim that an RNN cannot be parallelised, measured (--bench):
 * wall seconds per sentence of N tokens (embeddings drawn from the model's
 * vocabulary rows in a fixed order), the best of reps runs, on one thread:
 * seconds[0] the RNN's forward and seconds[1] the LSTM's (N steps, each
 * needing the one before), seconds[2] one attention layer (Q, K, V, every
 * head's weights and outputs, W_O: matrix products over all N words, no
 * step waiting for another). Needs the RNN and the LSTM; -1 when they are
 * absent or memory runs out. */
int recurrent_bench_forward(const struct bundle *b, int N, int reps, double seconds[3]);

#endif
