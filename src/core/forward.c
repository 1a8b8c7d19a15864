#include "attnstep/forward.h"

#include <string.h>

#include "attnstep/attention.h"
#include "attnstep/encoder.h"
#include "attnstep/kernel_attention.h"

void forward_run(struct forward_acts *a, const struct bundle *b, const int *ids, int N, int causal, int pe_ready)
{
    size_t D = (size_t)b->d_model;
    int lm = b->task == BUNDLE_TASK_LM;
    causal = causal || lm; /* a language model never sees the words after its position */
    for (int i = 0; i < N; i++)
        memcpy(a->embed + (size_t)i * D, b->embed + (size_t)ids[i] * D, D * sizeof(double));
    if (!pe_ready) {
        if (b->positional)
            attention_positional(a->pe, N, b->d_model);
        else
            memset(a->pe, 0, (size_t)N * D * sizeof(double));
    }
    for (size_t i = 0; i < (size_t)N * D; i++)
        a->x[i] = a->embed[i] + a->pe[i];
    attention_linear(a->q, a->x, b->w[BUNDLE_Q], b->b[BUNDLE_Q], N, b->d_model, b->d_model);
    attention_linear(a->k, a->x, b->w[BUNDLE_K], b->b[BUNDLE_K], N, b->d_model, b->d_model);
    attention_linear(a->v, a->x, b->w[BUNDLE_V], b->b[BUNDLE_V], N, b->d_model, b->d_model);
    if (a->heads_scratch)
        kernel_attention_heads(a->scores, a->scaled, causal ? a->masked : NULL, a->weights, a->concat, a->q, a->k,
                               a->v, N, b->d_model, b->n_heads, causal, a->heads_scratch);
    else
        attention_heads(a->scores, a->scaled, causal ? a->masked : NULL, a->weights, a->concat, a->q, a->k, a->v,
                        N, b->d_model, b->n_heads, causal);
    attention_linear(a->out, a->concat, b->w[BUNDLE_O], b->b[BUNDLE_O], N, b->d_model, b->d_model);
    const struct bundle_encoder *e = &b->enc;
    if (!e->present)
        return;
    for (size_t i = 0; i < (size_t)N * D; i++)
        a->residual1[i] = a->x[i] + a->out[i];
    encoder_layernorm(a->norm1, a->ln1_mean, a->ln1_rstd, a->residual1, e->ln1_gamma, e->ln1_beta, e->norm_eps, N,
                      b->d_model);
    attention_linear(a->ffn_pre, a->norm1, e->w_ff1, e->b_ff1, N, b->d_model, e->d_ff);
    encoder_activation(a->ffn_hidden, a->ffn_pre, N * e->d_ff, e->gelu);
    attention_linear(a->ffn_out, a->ffn_hidden, e->w_ff2, e->b_ff2, N, e->d_ff, b->d_model);
    for (size_t i = 0; i < (size_t)N * D; i++)
        a->residual2[i] = a->norm1[i] + a->ffn_out[i];
    encoder_layernorm(a->norm2, a->ln2_mean, a->ln2_rstd, a->residual2, e->ln2_gamma, e->ln2_beta, e->norm_eps, N,
                      b->d_model);
    if (lm) {
        int V = b->n_vocab;
        attention_linear(a->lm_logits, a->norm2, b->w_lm, b->b_lm, N, b->d_model, V);
        if (a->next_probs)
            encoder_softmax(a->next_probs, a->lm_logits + (size_t)(N - 1) * (size_t)V, V);
        return;
    }
    encoder_mean_rows(a->pooled, a->norm2, N, b->d_model);
    attention_linear(a->logits, a->pooled, e->w_cls, e->b_cls, 1, b->d_model, e->n_labels);
    encoder_softmax(a->probs, a->logits, e->n_labels);
}
