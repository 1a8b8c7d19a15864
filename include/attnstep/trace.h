/* trace.h — one sentence through one model: every intermediate matrix,
 * computed once. The lesson, --print, --export and the screen only read it.
 *
 * Dimension letters: N = tokens, D = d_model, H = heads, DK = D / H,
 * Dh = d_hidden. */
#ifndef ATTNSTEP_TRACE_H
#define ATTNSTEP_TRACE_H

#include "attnstep/bundle.h"
#include "attnstep/error.h"

/* Refuse sentences whose matrices would need more memory than this. */
#define TRACE_MAX_BYTES ((size_t)1 << 30)

enum trace_model { TRACE_RNN, TRACE_LSTM, TRACE_ATTENTION, TRACE_N_MODELS };

struct trace_lazy;

struct trace {
    const struct bundle *model; /* borrowed; must outlive the trace */
    int N, D, H, DK;
    int causal;
    char **tokens;   /* (N) surface forms after lowercasing: words, or pieces ("##" before
                        a piece that does not begin its word) when the model has tokenizer.csv */
    int *ids;        /* (N) vocabulary rows (the <unk> row for unknown tokens) */
    int *word;       /* (N) 0-based index of the word each token comes from (= position without pieces) */
    double *embed;   /* (N, D) */
    double *pe;      /* (N, D) zeros when the model has no positional encoding */
    double *x;       /* (N, D) embed + pe */
    double *q;       /* (N, D) head h is columns h*DK .. h*DK+DK-1 */
    double *k;       /* (N, D) */
    double *v;       /* (N, D) */
    double *scores;  /* (H, N, N) */
    double *scaled;  /* (H, N, N) */
    double *masked;  /* (H, N, N) only when causal, else NULL */
    double *weights; /* (H, N, N) */
    double *concat;  /* (N, D) head outputs side by side */
    double *out;     /* (N, D) concat·W_O + b_O */
    /* The recurrent models, when the bundle has them (else NULL); they read
     * the embeddings without positions. */
    int Dh;
    double *rnn_pre;    /* (N, Dh) e_t·W_xh + h_{t-1}·W_hh + b */
    double *rnn_h;      /* (N, Dh) */
    double *lstm_z;     /* (N, 4Dh) pre-activations, blocks i f g o */
    double *lstm_gates; /* (N, 4Dh) σ(i) σ(f) tanh(g) σ(o) */
    double *lstm_c;     /* (N, Dh) */
    double *lstm_h;     /* (N, Dh) */
    /* How much each word still matters at the end: ‖∂y/∂e_i‖ with y = h_N
     * (RNN, LSTM) or the last row of the attention output. Row m is zeros
     * until trace_influence(t, m) has computed it (the RNN's and LSTM's cost
     * O(N·Dh²·(D + Dh)), so only what is shown or exported is computed). */
    double *influence;               /* (TRACE_N_MODELS, N); a row of zeros for a model the bundle lacks */
    int has_model[TRACE_N_MODELS];
    struct trace_lazy *lazy;         /* private to trace.c: which rows are computed, the progress hook */
    /* The rest of the encoder block and the classifier, when the bundle has
     * them (has_encoder; else NULL). F = d_ff, C = classes. */
    int has_encoder, F, C;
    double *residual1;  /* (N, D) x + out */
    double *norm1;      /* (N, D) LayerNorm(residual1) */
    double *ln1_mean, *ln1_rstd; /* (N) each row's mean and 1/√(var + ε) */
    double *ffn_pre;    /* (N, F) norm1·W_ff1 + b_ff1 */
    double *ffn_hidden; /* (N, F) act(ffn_pre) */
    double *ffn_out;    /* (N, D) ffn_hidden·W_ff2 + b_ff2 */
    double *residual2;  /* (N, D) norm1 + ffn_out */
    double *norm2;      /* (N, D) LayerNorm(residual2) */
    double *ln2_mean, *ln2_rstd; /* (N) */
    double *pooled;     /* (D) mean of norm2's rows */
    double *logits;     /* (C) pooled·W_cls + b_cls */
    double *probs;      /* (C) softmax(logits) */
    /* A language model (model->task lm: is_lm; causal is then always 1, and
     * pooled, logits and probs above are NULL, C = 0). V = vocabulary rows. */
    int is_lm, V;
    double *lm_logits;  /* (N, V) norm2·W_lm + b_lm, a row per position */
    double *next_probs; /* (V) softmax(lm_logits[N-1]) at T = 1: the next token's probabilities */
    int next_choice;    /* argmax of next_probs (greedy): the lowest vocabulary row among equals */
};

/* "rnn", "lstm", "attention": the rows of influence.csv. */
extern const char *const trace_model_name[TRACE_N_MODELS];

/* Work above this many multiply-adds (about a second) is reported to the
 * progress hook while it runs. */
#define TRACE_SLOW_WORK 2e9

/* Told how far a slow computation is: what ("the LSTM's influence"), and the
 * fraction done, 0 when it starts, 1 when it ends. */
typedef void trace_progress_fn(void *ctx, const char *what, double done);

/* Tokenizes sentence and runs the model. On failure *out is untouched. A
 * language model always runs causal (t->causal 1, whatever causal says). */
int trace_build(struct trace *out, const struct bundle *model, const char *sentence, int causal,
                struct error *err);
void trace_free(struct trace *t);
/* Fills row m of t->influence, once; later calls return at once. A model the
 * bundle lacks keeps its row of zeros. Returns 0, or -1 when out of memory
 * (the row stays zeros). */
int trace_influence(const struct trace *t, enum trace_model m);
/* Every row: the compare view and --print show all three. */
int trace_influence_all(const struct trace *t);
/* Roughly how many multiply-adds trace_influence(t, m) needs. */
double trace_influence_work(const struct trace *t, enum trace_model m);
/* Where trace_influence reports work above TRACE_SLOW_WORK; fn may be NULL. */
void trace_set_progress(const struct trace *t, trace_progress_fn *fn, void *ctx);

#endif
