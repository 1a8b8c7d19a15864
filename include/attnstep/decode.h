/* decode.h — a language model (bundle task,lm) run one token at a time with
 * a key/value cache, and the choice of the next token (DESIGN.md "Language
 * models").
 *
 * Appending a token computes only its own rows: embedding + position, q, k, v,
 * its attention row over the keys already cached (causal by construction: the
 * later keys do not exist yet), its heads' outputs, W_O, Add & Norm,
 * feed-forward, Add & Norm and its logits. Every earlier row is reused as it
 * is. The arithmetic per row is the full forward pass's (forward_run with the
 * causal mask), so both agree to the last bit on every position; removing the
 * last token restores the state exactly.
 *
 * Dimension letters: n = tokens so far, D = d_model, H = heads, DK = D / H,
 * F = d_ff, V = vocabulary. */
#ifndef ATTNSTEP_DECODE_H
#define ATTNSTEP_DECODE_H

#include <stdint.h>

#include "attnstep/bundle.h"
#include "attnstep/error.h"

/* The most tokens a decoder state holds (prompt and continuation). */
#define DECODE_MAX_TOKENS 100000

struct decode {
    const struct bundle *model; /* borrowed; must outlive the state */
    int D, H, DK, F, V;
    int n, cap;    /* tokens so far; rows allocated */
    int *ids;      /* (n) vocabulary rows */
    double *x;     /* (n, D) embedding + positional encoding */
    double *q, *k, *v; /* (n, D) heads side by side; k and v are the cache */
    /* Attention rows, triangular: position i's rows for heads 0..H-1, each of
     * i+1 entries (keys 0..i), start at decode_tri(i)·H. */
    double *scores, *weights;
    double *concat, *out, *residual1, *norm1; /* (n, D) */
    double *ffn_pre, *ffn_hidden;             /* (n, F) */
    double *ffn_out, *residual2, *norm2;      /* (n, D) */
    double *ln_stats;                         /* (n, 4) ln1 mean, rstd, ln2 mean, rstd */
    double *logits;                           /* (n, V) norm2·W_lm + b_lm */
};

/* i·(i+1)/2: where position i's attention rows begin (times H). */
size_t decode_tri(int i);

/* An empty state for an lm bundle (refused otherwise, with a reason). */
int decode_init(struct decode *d, const struct bundle *model, struct error *err);
void decode_free(struct decode *d);
/* Appends vocabulary row id, computing only its rows. Returns 0, or -1 (out of
 * memory, or DECODE_MAX_TOKENS reached) with the state unchanged. */
int decode_push(struct decode *d, int id, struct error *err);
/* Removes the last token (if any); its rows are zeroed, the rest untouched. */
void decode_pop(struct decode *d);
/* Row p of the logits (V): the scores of the token after position p. */
const double *decode_logits(const struct decode *d, int p);
/* Position p's attention weights in head h: p+1 entries, keys 0..p. */
const double *decode_weights(const struct decode *d, int p, int h);

/* How the next token is chosen. */
struct decode_sampling {
    double temperature; /* 0: greedy (argmax) */
    int top_k;          /* 0: every token; else only the k largest logits */
    uint64_t seed;      /* the draws' random stream (unused when greedy) */
};

/* The vocabulary row with the largest logit; the lowest row among ties. */
int decode_argmax(const double *logits, int V);
/* probs (V) = the distribution the next token is drawn from:
 * softmax((logits − max) / T) over the kept tokens, 0 elsewhere. top_k > 0
 * keeps the k largest logits (ties broken towards the lower row; k ≥ V keeps
 * all). T = 0: 1 on decode_argmax, 0 elsewhere. Returns -1 when out of memory. */
int decode_distribution(double *probs, const double *logits, int V, double T, int top_k);
/* splitmix64, then the top 53 bits as a double in [0, 1). */
double decode_uniform(uint64_t *state);
/* The first row (in vocabulary order) whose cumulative probability exceeds u;
 * if rounding leaves none, the last row with a probability above 0. */
int decode_pick(const double *probs, int V, double u);

/* One generated token. */
struct decode_step {
    int id;
    double prob;   /* its probability at T = 1 (softmax of the logits, no top-k) */
    double draw;   /* the uniform draw that chose it; -1 when greedy */
};

/* Appends up to max_new tokens to d, chosen by s from the last position's
 * logits, stopping after the model's <eos>. steps (max_new) receives them;
 * *n_steps how many. The state ends with every chosen token appended. The k-th
 * draw is the k-th decode_uniform of a state started at s->seed. */
int decode_generate(struct decode *d, const struct decode_sampling *s, int max_new, struct decode_step *steps,
                    int *n_steps, struct error *err);

#endif
