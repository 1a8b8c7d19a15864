/* forward.h — one sentence through attention and (when the model has one) the
 * encoder block and classifier: the forward pass written once, used by the
 * trace (to show it) and by training (to learn from it).
 *
 * Dimension letters: N = tokens, D = d_model, H = heads, F = d_ff, C = classes,
 * V = vocabulary rows. */
#ifndef ATTNSTEP_FORWARD_H
#define ATTNSTEP_FORWARD_H

#include "attnstep/bundle.h"

/* The caller's buffers; the encoder ones are used only when b->enc.present. */
struct forward_acts {
    double *embed, *pe, *x;             /* (N, D) */
    double *q, *k, *v;                  /* (N, D) heads side by side */
    double *scores, *scaled, *weights;  /* (H, N, N) */
    double *masked;                     /* (H, N, N), only when causal */
    double *concat, *out;               /* (N, D) */
    double *residual1, *norm1;          /* (N, D) */
    double *ln1_mean, *ln1_rstd;        /* (N) */
    double *ffn_pre, *ffn_hidden;       /* (N, F) */
    double *ffn_out, *residual2, *norm2;/* (N, D) */
    double *ln2_mean, *ln2_rstd;        /* (N) */
    double *pooled;                     /* (D) */
    double *logits, *probs;             /* (C) classifier only */
    double *lm_logits;                  /* (N, V) language model only: norm2·W_lm + b_lm */
    double *next_probs;                 /* (V) language model only: softmax(lm_logits[N-1]), T = 1; may be NULL */
    /* kernel_attention_scratch(N, D, H) doubles: the heads run kernel_attention_heads (the
     * trainer's); NULL: attention_heads, the plain loops (the screen's). Same numbers either way. */
    double *heads_scratch;
};

/* Runs the model on vocabulary rows ids (N). pe_ready: a->pe already holds
 * the positional encoding for these N positions (training computes it once).
 * A language model (b->task lm) always runs with the causal mask, whatever
 * causal says, and ends in the lm head instead of pooling and a classifier. */
void forward_run(struct forward_acts *a, const struct bundle *b, const int *ids, int N, int causal, int pe_ready);

#endif
