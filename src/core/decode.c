#include "attnstep/decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/attention.h"
#include "attnstep/encoder.h"
#include "attnstep/i18n.h"

/* The cache may not need more memory than this (as a trace). */
#define DECODE_MAX_BYTES ((size_t)1 << 30)

size_t decode_tri(int i)
{
    return (size_t)i * ((size_t)i + 1) / 2;
}

/* The per-position arrays and their row widths, in one table for growing and popping. */
struct rows {
    double **p;
    size_t width;
};

static int row_table(struct decode *d, struct rows *r)
{
    size_t D = (size_t)d->D, F = (size_t)d->F;
    struct rows t[] = {
        {&d->x, D}, {&d->q, D}, {&d->k, D}, {&d->v, D}, {&d->concat, D}, {&d->out, D}, {&d->residual1, D},
        {&d->norm1, D}, {&d->ffn_pre, F}, {&d->ffn_hidden, F}, {&d->ffn_out, D}, {&d->residual2, D},
        {&d->norm2, D}, {&d->ln_stats, 4}, {&d->logits, (size_t)d->V},
    };
    memcpy(r, t, sizeof t);
    return (int)(sizeof t / sizeof t[0]);
}

#define N_ROWS 15

static size_t bytes_for(const struct decode *d, int cap)
{
    size_t per_row = (size_t)d->D * 11 + (size_t)d->F * 2 + 4 + (size_t)d->V;
    return ((size_t)cap * per_row + 2 * (size_t)d->H * decode_tri(cap)) * sizeof(double) +
           (size_t)cap * sizeof(int);
}

int decode_init(struct decode *d, const struct bundle *model, struct error *err)
{
    if (model->task != BUNDLE_TASK_LM || !model->w_lm || !model->enc.present)
        /* TRANSLATORS: an error reason: generation needs a model whose config.csv says task,lm. */
        return error_set(err, "%s", _("this model is not a language model (config.csv has no task,lm)"));
    memset(d, 0, sizeof *d);
    d->model = model;
    d->D = model->d_model;
    d->H = model->n_heads;
    d->DK = d->D / d->H;
    d->F = model->enc.d_ff;
    d->V = model->n_vocab;
    return 0;
}

void decode_free(struct decode *d)
{
    if (!d)
        return;
    struct rows r[N_ROWS];
    int n = row_table(d, r);
    for (int i = 0; i < n; i++)
        free(*r[i].p);
    free(d->ids);
    free(d->scores);
    free(d->weights);
    memset(d, 0, sizeof *d);
}

/* Room for at least `want` tokens; -1 (nothing lost) when memory runs out. */
static int grow(struct decode *d, int want, struct error *err)
{
    if (want <= d->cap)
        return 0;
    int cap = d->cap ? d->cap : 16;
    while (cap < want)
        cap = cap > DECODE_MAX_TOKENS / 2 ? DECODE_MAX_TOKENS : cap * 2;
    size_t bytes = bytes_for(d, cap);
    if (bytes > DECODE_MAX_BYTES) {
        cap = want; /* exactly what is needed, in case that fits */
        bytes = bytes_for(d, cap);
    }
    if (bytes > DECODE_MAX_BYTES)
        /* TRANSLATORS: generation's memory limit; first %d: the tokens (prompt and generated), then
           the memory they need and the most allowed, both in MiB. */
        return error_set(err, _("%d tokens need %zu MiB, more than the %zu MiB allowed"), want, bytes >> 20,
                         DECODE_MAX_BYTES >> 20);
    struct rows r[N_ROWS];
    int n = row_table(d, r);
    for (int i = 0; i < n; i++) {
        double *p = realloc(*r[i].p, (size_t)cap * r[i].width * sizeof(double));
        if (!p)
            return error_set(err, "%s", _("out of memory"));
        *r[i].p = p;
    }
    int *ids = realloc(d->ids, (size_t)cap * sizeof *ids);
    if (!ids)
        return error_set(err, "%s", _("out of memory"));
    d->ids = ids;
    double **tri[] = {&d->scores, &d->weights};
    for (int i = 0; i < 2; i++) {
        double *p = realloc(*tri[i], (size_t)d->H * decode_tri(cap) * sizeof(double));
        if (!p)
            return error_set(err, "%s", _("out of memory"));
        *tri[i] = p;
    }
    d->cap = cap;
    return 0;
}

const double *decode_logits(const struct decode *d, int p)
{
    return d->logits + (size_t)p * (size_t)d->V;
}

const double *decode_weights(const struct decode *d, int p, int h)
{
    return d->weights + decode_tri(p) * (size_t)d->H + (size_t)h * ((size_t)p + 1);
}

/* Position i's attention over keys 0..i, head by head: the arithmetic of
 * attention_heads for row i with the causal mask (the masked keys, j > i, add
 * exact zeros there, so leaving them out changes no bit). */
static void attend(struct decode *d, int i)
{
    int D = d->D, DK = d->DK;
    double scale = 1.0 / sqrt((double)DK);
    for (int h = 0; h < d->H; h++) {
        double *s_row = d->scores + decode_tri(i) * (size_t)d->H + (size_t)h * ((size_t)i + 1);
        double *w_row = d->weights + decode_tri(i) * (size_t)d->H + (size_t)h * ((size_t)i + 1);
        const double *qi = d->q + (size_t)i * D + (size_t)h * DK;
        double max = -INFINITY;
        for (int j = 0; j <= i; j++) {
            const double *kj = d->k + (size_t)j * D + (size_t)h * DK;
            double dot = 0.0;
            for (int c = 0; c < DK; c++)
                dot += qi[c] * kj[c];
            s_row[j] = dot;
            double scaled = dot * scale;
            if (scaled > max)
                max = scaled;
        }
        double sum = 0.0;
        for (int j = 0; j <= i; j++) {
            w_row[j] = exp(s_row[j] * scale - max);
            sum += w_row[j];
        }
        for (int j = 0; j <= i; j++)
            w_row[j] /= sum;
        double *o = d->concat + (size_t)i * D + (size_t)h * DK;
        for (int c = 0; c < DK; c++) {
            double acc = 0.0;
            for (int j = 0; j <= i; j++)
                acc += w_row[j] * d->v[(size_t)j * D + (size_t)h * DK + c];
            o[c] = acc;
        }
    }
}

int decode_push(struct decode *d, int id, struct error *err)
{
    const struct bundle *b = d->model;
    const struct bundle_encoder *e = &b->enc;
    if (d->n >= DECODE_MAX_TOKENS)
        return error_set(err, _("%d tokens need %zu MiB, more than the %zu MiB allowed"), d->n + 1,
                         bytes_for(d, d->n + 1) >> 20, DECODE_MAX_BYTES >> 20);
    if (grow(d, d->n + 1, err))
        return -1;
    int i = d->n, D = d->D, F = d->F;
    size_t r = (size_t)i * D;
    double *x = d->x + r;
    const double *emb = b->embed + (size_t)id * D;
    for (int c = 0; c < D; c++) {
        double pe = 0.0;
        if (b->positional) {
            double a = attention_positional_angle(i, c, D);
            pe = (c % 2 == 0) ? sin(a) : cos(a);
        }
        x[c] = emb[c] + pe;
    }
    d->ids[i] = id;
    attention_linear(d->q + r, x, b->w[BUNDLE_Q], b->b[BUNDLE_Q], 1, D, D);
    attention_linear(d->k + r, x, b->w[BUNDLE_K], b->b[BUNDLE_K], 1, D, D);
    attention_linear(d->v + r, x, b->w[BUNDLE_V], b->b[BUNDLE_V], 1, D, D);
    attend(d, i);
    attention_linear(d->out + r, d->concat + r, b->w[BUNDLE_O], b->b[BUNDLE_O], 1, D, D);
    for (int c = 0; c < D; c++)
        d->residual1[r + c] = x[c] + d->out[r + c];
    double *st = d->ln_stats + (size_t)i * 4;
    encoder_layernorm(d->norm1 + r, st, st + 1, d->residual1 + r, e->ln1_gamma, e->ln1_beta, e->norm_eps, 1, D);
    size_t rf = (size_t)i * F;
    attention_linear(d->ffn_pre + rf, d->norm1 + r, e->w_ff1, e->b_ff1, 1, D, F);
    encoder_activation(d->ffn_hidden + rf, d->ffn_pre + rf, F, e->gelu);
    attention_linear(d->ffn_out + r, d->ffn_hidden + rf, e->w_ff2, e->b_ff2, 1, F, D);
    for (int c = 0; c < D; c++)
        d->residual2[r + c] = d->norm1[r + c] + d->ffn_out[r + c];
    encoder_layernorm(d->norm2 + r, st + 2, st + 3, d->residual2 + r, e->ln2_gamma, e->ln2_beta, e->norm_eps, 1,
                      D);
    attention_linear(d->logits + (size_t)i * d->V, d->norm2 + r, b->w_lm, b->b_lm, 1, D, d->V);
    d->n++;
    return 0;
}

void decode_pop(struct decode *d)
{
    if (d->n == 0)
        return;
    int i = --d->n;
    struct rows r[N_ROWS];
    int n = row_table(d, r);
    for (int k = 0; k < n; k++)
        memset(*r[k].p + (size_t)i * r[k].width, 0, r[k].width * sizeof(double));
    size_t start = decode_tri(i) * (size_t)d->H, len = (size_t)d->H * ((size_t)i + 1);
    memset(d->scores + start, 0, len * sizeof(double));
    memset(d->weights + start, 0, len * sizeof(double));
    d->ids[i] = 0;
}

int decode_argmax(const double *logits, int V)
{
    int best = 0;
    for (int i = 1; i < V; i++)
        if (logits[i] > logits[best])
            best = i;
    return best;
}

struct ranked {
    double logit;
    int id;
};

/* Largest logit first; equal logits: the lower row first. */
static int by_logit(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->logit > y->logit)
        return -1;
    if (x->logit < y->logit)
        return 1;
    return (x->id > y->id) - (x->id < y->id);
}

int decode_distribution(double *probs, const double *logits, int V, double T, int top_k)
{
    if (T <= 0.0) {
        memset(probs, 0, (size_t)V * sizeof *probs);
        probs[decode_argmax(logits, V)] = 1.0;
        return 0;
    }
    /* probs first marks the kept tokens: 1 kept, 0 not */
    if (top_k > 0 && top_k < V) {
        struct ranked *r = malloc((size_t)V * sizeof *r);
        if (!r)
            return -1;
        for (int i = 0; i < V; i++)
            r[i] = (struct ranked){logits[i], i};
        qsort(r, (size_t)V, sizeof *r, by_logit);
        memset(probs, 0, (size_t)V * sizeof *probs);
        for (int i = 0; i < top_k; i++)
            probs[r[i].id] = 1.0;
        free(r);
    } else {
        for (int i = 0; i < V; i++)
            probs[i] = 1.0;
    }
    double max = -INFINITY, sum = 0.0;
    for (int i = 0; i < V; i++)
        if (probs[i] > 0.0 && logits[i] > max)
            max = logits[i];
    for (int i = 0; i < V; i++) {
        probs[i] = probs[i] > 0.0 ? exp((logits[i] - max) / T) : 0.0;
        sum += probs[i];
    }
    for (int i = 0; i < V; i++)
        probs[i] /= sum;
    return 0;
}

double decode_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0; /* 2^53 */
}

int decode_pick(const double *probs, int V, double u)
{
    double cum = 0.0;
    int last = 0;
    for (int i = 0; i < V; i++) {
        if (probs[i] <= 0.0)
            continue;
        cum += probs[i];
        last = i;
        if (cum > u)
            return i;
    }
    return last;
}

int decode_generate(struct decode *d, const struct decode_sampling *s, int max_new, struct decode_step *steps,
                    int *n_steps, struct error *err)
{
    *n_steps = 0;
    if (d->n == 0 || max_new <= 0)
        return 0;
    double *probs = malloc((size_t)d->V * sizeof *probs);
    if (!probs)
        return error_set(err, "%s", _("out of memory"));
    uint64_t state = s->seed;
    int rc = 0;
    for (int k = 0; k < max_new; k++) {
        const double *logits = decode_logits(d, d->n - 1);
        struct decode_step st = {.draw = -1.0};
        if (s->temperature <= 0.0) {
            st.id = decode_argmax(logits, d->V);
        } else {
            if (decode_distribution(probs, logits, d->V, s->temperature, s->top_k)) {
                rc = error_set(err, "%s", _("out of memory"));
                break;
            }
            st.draw = decode_uniform(&state);
            st.id = decode_pick(probs, d->V, st.draw);
        }
        encoder_softmax(probs, logits, d->V);
        st.prob = probs[st.id];
        if (decode_push(d, st.id, err)) {
            rc = -1;
            break;
        }
        steps[(*n_steps)++] = st;
        if (st.id == d->model->eos_id)
            break;
    }
    free(probs);
    return rc;
}
