#include "attnstep/trace.h"

#include <stdlib.h>
#include <string.h>

#include "attnstep/attention.h"
#include "attnstep/recurrent.h"
#include "attnstep/tokenizer.h"

const char *const trace_model_name[TRACE_N_MODELS] = {"rnn", "lstm", "attention"};

/* The recurrent models and every model's influence; -1 when out of memory. */
static int build_recurrent(struct trace *t, const struct bundle *model)
{
    size_t N = (size_t)t->N, Dh = (size_t)model->d_hidden;
    const struct bundle_recurrent_weights *rnn = &model->rec[BUNDLE_RNN], *lstm = &model->rec[BUNDLE_LSTM];
    t->Dh = model->d_hidden;
    if (!(t->influence = calloc(N * TRACE_N_MODELS, sizeof(double))))
        return -1;
    t->has_model[TRACE_ATTENTION] = 1;
    t->has_model[TRACE_RNN] = rnn->present;
    t->has_model[TRACE_LSTM] = lstm->present;
    if (rnn->present) {
        t->rnn_pre = calloc(N * Dh, sizeof(double));
        t->rnn_h = calloc(N * Dh, sizeof(double));
        if (!t->rnn_pre || !t->rnn_h)
            return -1;
        recurrent_rnn_forward(t->rnn_pre, t->rnn_h, t->embed, rnn->w_x, rnn->w_h, rnn->b, t->N, t->D, t->Dh);
        if (recurrent_rnn_influence(t->influence + TRACE_RNN * N, t->rnn_h, rnn->w_x, rnn->w_h, t->N, t->D, t->Dh))
            return -1;
    }
    if (lstm->present) {
        t->lstm_z = calloc(N * 4 * Dh, sizeof(double));
        t->lstm_gates = calloc(N * 4 * Dh, sizeof(double));
        t->lstm_c = calloc(N * Dh, sizeof(double));
        t->lstm_h = calloc(N * Dh, sizeof(double));
        if (!t->lstm_z || !t->lstm_gates || !t->lstm_c || !t->lstm_h)
            return -1;
        recurrent_lstm_forward(t->lstm_z, t->lstm_gates, t->lstm_c, t->lstm_h, t->embed, lstm->w_x, lstm->w_h,
                               lstm->b, t->N, t->D, t->Dh);
        if (recurrent_lstm_influence(t->influence + TRACE_LSTM * N, t->lstm_gates, t->lstm_c, lstm->w_x, lstm->w_h,
                                     t->N, t->D, t->Dh))
            return -1;
    }
    return attention_influence(t->influence + TRACE_ATTENTION * N, t->q, t->k, t->v, t->weights, model->w[BUNDLE_Q],
                               model->w[BUNDLE_K], model->w[BUNDLE_V], model->w[BUNDLE_O], t->N, t->D, t->H);
}

int trace_build(struct trace *out, const struct bundle *model, const char *sentence, int causal,
                struct error *err)
{
    struct tokens toks;
    if (tokenizer_split(&toks, sentence, model->lowercase, err))
        return -1;
    size_t N = (size_t)toks.n, D = (size_t)model->d_model, H = (size_t)model->n_heads;
    size_t Dh = (size_t)model->d_hidden;
    size_t bytes = (N * D * 8 + H * N * N * (causal ? 4 : 3) + N * Dh * 12 + 3 * N) * sizeof(double);
    if (bytes > TRACE_MAX_BYTES) {
        tokenizer_free(&toks);
        return error_set(err, "sentence: %zu tokens with %zu heads need %zu MiB, more than the %zu MiB allowed",
                         N, H, bytes >> 20, TRACE_MAX_BYTES >> 20);
    }
    struct trace t = {
        .model = model, .N = (int)N, .D = (int)D, .H = (int)H, .DK = (int)(D / H), .causal = causal,
        .tokens = toks.text,
    };
    t.ids = malloc(N * sizeof *t.ids);
    double **nd[] = {&t.embed, &t.pe, &t.x, &t.q, &t.k, &t.v, &t.concat, &t.out};
    double **hnn[] = {&t.scores, &t.scaled, &t.weights, &t.masked};
    int failed = !t.ids;
    for (size_t i = 0; i < sizeof nd / sizeof nd[0]; i++)
        failed |= !(*nd[i] = calloc(N * D, sizeof(double)));
    for (size_t i = 0; i < (causal ? 4u : 3u); i++)
        failed |= !(*hnn[i] = calloc(H * N * N, sizeof(double)));
    if (failed) {
        trace_free(&t);
        return error_set(err, "out of memory");
    }
    for (size_t i = 0; i < N; i++) {
        int id = bundle_lookup(model, t.tokens[i]);
        t.ids[i] = id < 0 ? model->unk_id : id;
        memcpy(t.embed + i * D, model->embed + (size_t)t.ids[i] * D, D * sizeof(double));
    }
    if (model->positional)
        attention_positional(t.pe, t.N, t.D);
    for (size_t i = 0; i < N * D; i++)
        t.x[i] = t.embed[i] + t.pe[i];
    attention_linear(t.q, t.x, model->w[BUNDLE_Q], model->b[BUNDLE_Q], t.N, t.D, t.D);
    attention_linear(t.k, t.x, model->w[BUNDLE_K], model->b[BUNDLE_K], t.N, t.D, t.D);
    attention_linear(t.v, t.x, model->w[BUNDLE_V], model->b[BUNDLE_V], t.N, t.D, t.D);
    attention_heads(t.scores, t.scaled, t.masked, t.weights, t.concat, t.q, t.k, t.v, t.N, t.D, t.H, causal);
    attention_linear(t.out, t.concat, model->w[BUNDLE_O], model->b[BUNDLE_O], t.N, t.D, t.D);
    if (build_recurrent(&t, model)) {
        trace_free(&t);
        return error_set(err, "out of memory");
    }
    *out = t;
    return 0;
}

void trace_free(struct trace *t)
{
    if (!t)
        return;
    struct tokens toks = {.n = t->N, .text = t->tokens};
    tokenizer_free(&toks);
    free(t->ids);
    double *bufs[] = {t->embed, t->pe, t->x, t->q, t->k, t->v, t->scores, t->scaled,
                      t->masked, t->weights, t->concat, t->out, t->rnn_pre, t->rnn_h, t->lstm_z,
                      t->lstm_gates, t->lstm_c, t->lstm_h, t->influence};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    memset(t, 0, sizeof *t);
}
