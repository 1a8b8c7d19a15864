#include "attnstep/trace.h"

#include <stdlib.h>
#include <string.h>

#include "attnstep/attention.h"
#include "attnstep/forward.h"
#include "attnstep/i18n.h"
#include "attnstep/recurrent.h"
#include "attnstep/tokenizer.h"

const char *const trace_model_name[TRACE_N_MODELS] = {"rnn", "lstm", "attention"};

struct trace_lazy {
    int done[TRACE_N_MODELS]; /* row m of influence is computed */
    trace_progress_fn *progress;
    void *ctx;
};

/* The recurrent models' forward passes; -1 when out of memory. */
static int build_recurrent(struct trace *t, const struct bundle *model)
{
    size_t N = (size_t)t->N, Dh = (size_t)model->d_hidden;
    const struct bundle_recurrent_weights *rnn = &model->rec[BUNDLE_RNN], *lstm = &model->rec[BUNDLE_LSTM];
    t->Dh = model->d_hidden;
    if (!(t->influence = calloc(N * TRACE_N_MODELS, sizeof(double))) || !(t->lazy = calloc(1, sizeof *t->lazy)))
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
    }
    return 0;
}

double trace_influence_work(const struct trace *t, enum trace_model m)
{
    double N = t->N, D = t->D, Dh = t->Dh;
    if (!t->has_model[m])
        return 0.0;
    if (m == TRACE_ATTENTION)
        return 1.5 * D * D * D + 2.0 * N * D * D; /* three Gram products, then each word */
    return (m == TRACE_LSTM ? 4.0 : 1.0) * N * Dh * Dh * (D + Dh);
}

void trace_set_progress(const struct trace *t, trace_progress_fn *fn, void *ctx)
{
    t->lazy->progress = fn;
    t->lazy->ctx = ctx;
}

struct progress_relay {
    const struct trace_lazy *lazy;
    const char *what;
};

static void relay(void *ctx, double done)
{
    const struct progress_relay *r = ctx;
    r->lazy->progress(r->lazy->ctx, r->what, done);
}

int trace_influence(const struct trace *t, enum trace_model m)
{
    /* TRANSLATORS: what is being computed, in a progress line ("computing %s: 45%"). */
    static const char *const what_en[TRACE_N_MODELS] = {N_("the RNN's influence"), N_("the LSTM's influence"),
                                                        N_("attention's influence")};
    const char *what = _(what_en[m]);
    struct trace_lazy *lz = t->lazy;
    if (!t->has_model[m] || lz->done[m])
        return 0;
    const struct bundle *model = t->model;
    double *row = t->influence + (size_t)m * (size_t)t->N;
    struct progress_relay r = {lz, what};
    int slow = lz->progress && trace_influence_work(t, m) > TRACE_SLOW_WORK;
    void (*fn)(void *, double) = slow ? relay : NULL;
    if (slow)
        lz->progress(lz->ctx, what, 0.0);
    int rc;
    if (m == TRACE_RNN) {
        const struct bundle_recurrent_weights *w = &model->rec[BUNDLE_RNN];
        rc = recurrent_rnn_influence(row, t->rnn_h, w->w_x, w->w_h, t->N, t->D, t->Dh, fn, &r);
    } else if (m == TRACE_LSTM) {
        const struct bundle_recurrent_weights *w = &model->rec[BUNDLE_LSTM];
        rc = recurrent_lstm_influence(row, t->lstm_gates, t->lstm_c, w->w_x, w->w_h, t->N, t->D, t->Dh, fn, &r);
    } else {
        rc = attention_influence(row, t->q, t->k, t->v, t->weights, model->w[BUNDLE_Q], model->w[BUNDLE_K],
                                 model->w[BUNDLE_V], model->w[BUNDLE_O], t->N, t->D, t->H);
        if (slow)
            lz->progress(lz->ctx, what, 1.0);
    }
    if (rc) {
        memset(row, 0, (size_t)t->N * sizeof *row);
        return -1;
    }
    lz->done[m] = 1;
    return 0;
}

int trace_influence_all(const struct trace *t)
{
    int rc = 0;
    for (int m = 0; m < TRACE_N_MODELS; m++)
        rc |= trace_influence(t, (enum trace_model)m);
    return rc;
}

/* Room for the encoder block and the classifier, when the model has them. */
static int alloc_encoder(struct trace *t, const struct bundle *model)
{
    const struct bundle_encoder *e = &model->enc;
    if (!e->present)
        return 0;
    size_t N = (size_t)t->N, D = (size_t)t->D, F = (size_t)e->d_ff, C = (size_t)e->n_labels;
    size_t V = (size_t)model->n_vocab;
    int lm = model->task == BUNDLE_TASK_LM;
    t->has_encoder = 1;
    t->F = e->d_ff;
    t->C = lm ? 0 : e->n_labels;
    t->is_lm = lm;
    t->V = lm ? model->n_vocab : 0;
    struct { double **p; size_t n; } bufs[] = {
        {&t->residual1, N * D}, {&t->norm1, N * D}, {&t->ln1_mean, N}, {&t->ln1_rstd, N}, {&t->ffn_pre, N * F},
        {&t->ffn_hidden, N * F}, {&t->ffn_out, N * D}, {&t->residual2, N * D}, {&t->norm2, N * D},
        {&t->ln2_mean, N}, {&t->ln2_rstd, N}, {&t->pooled, D}, {&t->logits, C}, {&t->probs, C},
        {&t->lm_logits, N * V}, {&t->next_probs, V},
    };
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        int classifier = bufs[i].p == &t->pooled || bufs[i].p == &t->logits || bufs[i].p == &t->probs;
        int head = bufs[i].p == &t->lm_logits || bufs[i].p == &t->next_probs;
        if (lm ? classifier : head)
            continue;
        if (!(*bufs[i].p = calloc(bufs[i].n, sizeof(double))))
            return -1;
    }
    return 0;
}

int trace_build(struct trace *out, const struct bundle *model, const char *sentence, int causal,
                struct error *err)
{
    struct tokens toks;
    if (tokenizer_pieces(&toks, sentence, model->lowercase, model->has_tokenizer ? &model->bpe : NULL, err))
        return -1;
    size_t N = (size_t)toks.n, D = (size_t)model->d_model, H = (size_t)model->n_heads;
    size_t Dh = (size_t)model->d_hidden;
    size_t F = (size_t)model->enc.d_ff;
    int lm = model->task == BUNDLE_TASK_LM;
    size_t V = lm ? (size_t)model->n_vocab : 0;
    causal = causal || lm;
    size_t bytes = (N * D * 12 + H * N * N * (causal ? 4 : 3) + N * Dh * 12 + N * F * 2 + 7 * N + N * V + V) *
                   sizeof(double);
    if (bytes > TRACE_MAX_BYTES) {
        tokenizer_free(&toks);
        /* TRANSLATORS: the sentence's tokens, the model's heads, the memory they need and the
           most allowed (both in MiB). */
        return error_set(err,
                         ngettext("sentence: %zu tokens with %zu head need %zu MiB, more than the %zu MiB allowed",
                                  "sentence: %zu tokens with %zu heads need %zu MiB, more than the %zu MiB allowed",
                                  H),
                         N, H, bytes >> 20, TRACE_MAX_BYTES >> 20);
    }
    struct trace t = {
        .model = model, .N = (int)N, .D = (int)D, .H = (int)H, .DK = (int)(D / H), .causal = causal,
        .tokens = toks.text, .word = toks.word,
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
        return error_set(err, _("out of memory"));
    }
    for (size_t i = 0; i < N; i++) {
        int id = bundle_lookup(model, t.tokens[i]);
        t.ids[i] = id < 0 ? model->unk_id : id;
    }
    if (alloc_encoder(&t, model)) {
        trace_free(&t);
        return error_set(err, _("out of memory"));
    }
    struct forward_acts a = {
        .embed = t.embed, .pe = t.pe, .x = t.x, .q = t.q, .k = t.k, .v = t.v, .scores = t.scores,
        .scaled = t.scaled, .weights = t.weights, .masked = t.masked, .concat = t.concat, .out = t.out,
        .residual1 = t.residual1, .norm1 = t.norm1, .ln1_mean = t.ln1_mean, .ln1_rstd = t.ln1_rstd,
        .ffn_pre = t.ffn_pre, .ffn_hidden = t.ffn_hidden, .ffn_out = t.ffn_out, .residual2 = t.residual2,
        .norm2 = t.norm2, .ln2_mean = t.ln2_mean, .ln2_rstd = t.ln2_rstd, .pooled = t.pooled,
        .logits = t.logits, .probs = t.probs, .lm_logits = t.lm_logits, .next_probs = t.next_probs,
    };
    forward_run(&a, model, t.ids, t.N, causal, 0);
    for (int v = 1; t.is_lm && v < t.V; v++)
        if (t.next_probs[v] > t.next_probs[t.next_choice])
            t.next_choice = v;
    if (build_recurrent(&t, model)) {
        trace_free(&t);
        return error_set(err, _("out of memory"));
    }
    *out = t;
    return 0;
}

void trace_free(struct trace *t)
{
    if (!t)
        return;
    struct tokens toks = {.n = t->N, .text = t->tokens, .word = t->word};
    tokenizer_free(&toks);
    free(t->ids);
    double *bufs[] = {t->embed, t->pe, t->x, t->q, t->k, t->v, t->scores, t->scaled,
                      t->masked, t->weights, t->concat, t->out, t->rnn_pre, t->rnn_h, t->lstm_z,
                      t->lstm_gates, t->lstm_c, t->lstm_h, t->influence,
                      t->residual1, t->norm1, t->ln1_mean, t->ln1_rstd, t->ffn_pre, t->ffn_hidden, t->ffn_out,
                      t->residual2, t->norm2, t->ln2_mean, t->ln2_rstd, t->pooled, t->logits, t->probs,
                      t->lm_logits, t->next_probs};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    free(t->lazy);
    memset(t, 0, sizeof *t);
}
