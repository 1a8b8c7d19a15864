#include "attnstep/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/attention.h"
#include "attnstep/encoder.h"
#include "attnstep/i18n.h"
#include "attnstep/kernel_linear.h"
#include "attnstep/kernel_attention.h"

/* ---- backward passes (llm.c style: gradients are added, +=) --------------- */

/* For out (N, C) = inp (N, K)·w (K, C) + b: dinp += dout·wᵀ, dw += inpᵀ·dout, db += Σ dout.
 * dinp may be NULL (the input is not trained). */
void train_linear_backward(double *restrict dinp, double *restrict dw, double *restrict db,
                           const double *restrict dout, const double *restrict inp, const double *restrict w, int N,
                           int K, int C)
{
    for (int n = 0; n < N; n++) {
        const double *go = dout + (size_t)n * C, *x = inp + (size_t)n * K;
        for (int k = 0; k < K; k++) {
            const double *wk = w + (size_t)k * C;
            double *dwk = dw + (size_t)k * C, sum = 0.0;
            for (int c = 0; c < C; c++) {
                sum += wk[c] * go[c];
                dwk[c] += x[k] * go[c];
            }
            if (dinp)
                dinp[(size_t)n * K + k] += sum;
        }
        if (db)
            for (int c = 0; c < C; c++)
                db[c] += go[c];
    }
}

/* For out = γ·x̂ + β with x̂ = (inp − mean)·rstd per row. */
static void layernorm_backward(double *dinp, double *dgamma, double *dbeta, const double *dout, const double *inp,
                               const double *mean, const double *rstd, const double *gamma, int N, int D)
{
    for (int n = 0; n < N; n++) {
        const double *go = dout + (size_t)n * D, *x = inp + (size_t)n * D;
        double mean_g = 0.0, mean_gx = 0.0;
        for (int d = 0; d < D; d++) {
            double xhat = (x[d] - mean[n]) * rstd[n], gx = go[d] * gamma[d];
            mean_g += gx;
            mean_gx += gx * xhat;
            dgamma[d] += go[d] * xhat;
            dbeta[d] += go[d];
        }
        mean_g /= D;
        mean_gx /= D;
        for (int d = 0; d < D; d++) {
            double xhat = (x[d] - mean[n]) * rstd[n];
            dinp[(size_t)n * D + d] += rstd[n] * (go[d] * gamma[d] - mean_g - xhat * mean_gx);
        }
    }
}

/* relu' or gelu' = Φ(x) + x·φ(x). */
static void activation_backward(double *dinp, const double *dout, const double *inp, int n, int gelu)
{
    for (int i = 0; i < n; i++) {
        double x = inp[i], d;
        if (gelu)
            d = 0.5 * (1.0 + erf(x / sqrt(2.0))) + x * exp(-0.5 * x * x) / 2.5066282746310002 /* √(2π) */;
        else
            d = x > 0 ? 1.0 : 0.0;
        dinp[i] += dout[i] * d;
    }
}

/* Through every head: dconcat (N, D) → dq, dk, dv (N, D), added. drow is (N) scratch.
 * kernel_heads_backward (kernel_attention.c) sums the same, bit for bit, faster: the trainer runs that one. */
void train_heads_backward(double *dq, double *dk, double *dv, double *drow, const double *dconcat, const double *q,
                           const double *k, const double *v, const double *weights, int N, int D, int H)
{
    int DK = D / H;
    double scale = 1.0 / sqrt((double)DK);
    for (int h = 0; h < H; h++) {
        size_t hc = (size_t)h * DK;
        for (int i = 0; i < N; i++) {
            const double *a = weights + ((size_t)h * N + i) * N, *go = dconcat + (size_t)i * D + hc;
            double dot = 0.0;
            for (int j = 0; j < N; j++) {
                const double *vj = v + (size_t)j * D + hc;
                double g = 0.0;
                for (int m = 0; m < DK; m++) {
                    g += go[m] * vj[m];
                    dv[(size_t)j * D + hc + m] += a[j] * go[m];
                }
                drow[j] = g;
                dot += a[j] * g;
            }
            const double *qi = q + (size_t)i * D + hc;
            for (int j = 0; j < N; j++) {
                double ds = a[j] * (drow[j] - dot) * scale; /* softmax, then 1/√d_k */
                const double *kj = k + (size_t)j * D + hc;
                for (int m = 0; m < DK; m++) {
                    dq[(size_t)i * D + hc + m] += ds * kj[m];
                    dk[(size_t)j * D + hc + m] += ds * qi[m];
                }
            }
        }
    }
}

/* ---- the trainer ---------------------------------------------------------- */

static void add_param(struct trainer *tr, const char *name, double *w, size_t n)
{
    struct train_param *p = &tr->params[tr->n_params++];
    p->name = name;
    p->w = w;
    p->n = n;
}

int trainer_init(struct trainer *tr, struct bundle *b, int max_len, double lr, struct error *err)
{
    memset(tr, 0, sizeof *tr);
    if (!b->enc.present)
        return error_set(err, _("training needs a model with an encoder block and a classifier"));
    tr->model = b;
    tr->max_len = max_len;
    tr->lr = lr;
    tr->beta1 = 0.9;
    tr->beta2 = 0.999;
    tr->eps = 1e-8;
    struct bundle_encoder *e = &b->enc;
    int lm = b->task == BUNDLE_TASK_LM;
    size_t D = (size_t)b->d_model, F = (size_t)e->d_ff, C = (size_t)e->n_labels, L = (size_t)max_len;
    size_t H = (size_t)b->n_heads, V = (size_t)b->n_vocab, LV = lm ? L * V : 0;
    static const char *const wname[] = {"w_q", "w_k", "w_v", "w_o"}, *const bname[] = {"b_q", "b_k", "b_v", "b_o"};
    add_param(tr, "embeddings", b->embed, V * D);
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        add_param(tr, wname[m], b->w[m], D * D);
        add_param(tr, bname[m], b->b[m], D);
        b->has_b[m] = 1; /* a trained model learns its biases */
    }
    add_param(tr, "ln1_gamma", e->ln1_gamma, D);
    add_param(tr, "ln1_beta", e->ln1_beta, D);
    add_param(tr, "w_ff1", e->w_ff1, D * F);
    add_param(tr, "b_ff1", e->b_ff1, F);
    add_param(tr, "w_ff2", e->w_ff2, F * D);
    add_param(tr, "b_ff2", e->b_ff2, D);
    add_param(tr, "ln2_gamma", e->ln2_gamma, D);
    add_param(tr, "ln2_beta", e->ln2_beta, D);
    if (lm) {
        add_param(tr, "w_lm", b->w_lm, D * V);
        add_param(tr, "b_lm", b->b_lm, V);
        b->has_b_lm = 1;
    } else {
        add_param(tr, "w_cls", e->w_cls, D * C);
        add_param(tr, "b_cls", e->b_cls, C);
    }
    size_t total = 0;
    for (int i = 0; i < tr->n_params; i++)
        total += tr->params[i].n;
    tr->param_mem = calloc(3 * total, sizeof(double));
    size_t acts = 13 * L * D + 4 * H * L * L + 2 * L * F + 4 * L + D + 2 * C + LV;
    size_t grads = 10 * L * D + 2 * L * F + D + C + L + LV;
    tr->acts_mem = calloc(acts, sizeof(double));
    tr->grad_mem = calloc(grads, sizeof(double));
    tr->heads_mem = malloc(kernel_attention_scratch(max_len, b->d_model, b->n_heads) * sizeof(double));
    if (!tr->param_mem || !tr->acts_mem || !tr->grad_mem || !tr->heads_mem) {
        trainer_free(tr);
        return error_set(err, _("out of memory"));
    }
    double *p = tr->param_mem;
    for (int i = 0; i < tr->n_params; i++) {
        tr->params[i].g = p;
        tr->params[i].m = p + total;
        tr->params[i].v = p + 2 * total;
        p += tr->params[i].n;
    }
    struct forward_acts *a = &tr->acts;
    double *q = tr->acts_mem;
#define TAKE(ptr, n) (ptr = q, q += (n))
    TAKE(a->embed, L * D); TAKE(a->pe, L * D); TAKE(a->x, L * D); TAKE(a->q, L * D); TAKE(a->k, L * D);
    TAKE(a->v, L * D); TAKE(a->concat, L * D); TAKE(a->out, L * D); TAKE(a->residual1, L * D);
    TAKE(a->norm1, L * D); TAKE(a->ffn_out, L * D); TAKE(a->residual2, L * D); TAKE(a->norm2, L * D);
    TAKE(a->scores, H * L * L); TAKE(a->scaled, H * L * L); TAKE(a->weights, H * L * L); TAKE(a->masked, H * L * L);
    TAKE(a->ffn_pre, L * F); TAKE(a->ffn_hidden, L * F);
    TAKE(a->ln1_mean, L); TAKE(a->ln1_rstd, L); TAKE(a->ln2_mean, L); TAKE(a->ln2_rstd, L);
    TAKE(a->pooled, D); TAKE(a->logits, C); TAKE(a->probs, C); TAKE(a->lm_logits, LV);
    a->next_probs = NULL; /* the lm loss needs every position's logits, not the last one's probabilities */
    a->heads_scratch = tr->heads_mem; /* the fast attention kernels, forward and backward */
    q = tr->grad_mem;
    TAKE(tr->dx, L * D); TAKE(tr->dq, L * D); TAKE(tr->dk, L * D); TAKE(tr->dv, L * D); TAKE(tr->dconcat, L * D);
    TAKE(tr->dout, L * D); TAKE(tr->dr1, L * D); TAKE(tr->dn1, L * D); TAKE(tr->dr2, L * D); TAKE(tr->dn2, L * D);
    TAKE(tr->dffpre, L * F); TAKE(tr->dffh, L * F);
    TAKE(tr->dpooled, D); TAKE(tr->dlogits, C); TAKE(tr->drow, L); TAKE(tr->dlm, LV);
#undef TAKE
    /* Positions depend on nothing learned: computed once for the longest sentence. */
    if (b->positional)
        attention_positional(a->pe, max_len, b->d_model);
    return 0;
}

void trainer_free(struct trainer *tr)
{
    free(tr->stack.mem);
    free(tr->stack.row0);
    free(tr->stack.w0);
    free(tr->param_mem);
    free(tr->acts_mem);
    free(tr->grad_mem);
    free(tr->heads_mem);
    memset(tr, 0, sizeof *tr);
}

void trainer_zero_grad(struct trainer *tr)
{
    for (int i = 0; i < tr->n_params; i++)
        memset(tr->params[i].g, 0, tr->params[i].n * sizeof(double));
}

/* Cross-entropy from the logits (log-sum-exp, stable) and the argmax. */
static double loss_of(const double *logits, int C, int label, int *correct)
{
    double max = logits[0];
    int best = 0;
    for (int c = 1; c < C; c++)
        if (logits[c] > max) {
            max = logits[c];
            best = c;
        }
    double sum = 0.0;
    for (int c = 0; c < C; c++)
        sum += exp(logits[c] - max);
    *correct = best == label;
    return max + log(sum) - logits[label];
}

/* A language model: Σ over positions p of −log P(ids[p + 1]) and the count of
 * right argmaxes, from lm_logits (n, V); with dlm, also scale·(softmax −
 * one-hot) per position. */
static double lm_loss(const double *lm_logits, int V, const struct train_example *ex, double scale, double *dlm,
                      int *correct)
{
    int right = 0, ok;
    double sum = 0.0;
    for (int p = 0; p < ex->n; p++) {
        const double *z = lm_logits + (size_t)p * V;
        int target = ex->ids[p + 1];
        double nll = loss_of(z, V, target, &ok);
        sum += nll;
        right += ok;
        if (dlm) { /* softmax = exp(z − logsumexp), and logsumexp = nll + z[target] */
            double lse = nll + z[target], *g = dlm + (size_t)p * V;
            for (int v = 0; v < V; v++)
                g[v] = scale * (exp(z[v] - lse) - (v == target ? 1.0 : 0.0));
        }
    }
    *correct = right;
    return sum;
}

double trainer_eval_example(struct trainer *tr, const struct train_example *ex, int *correct)
{
    forward_run(&tr->acts, tr->model, ex->ids, ex->n, 0, 1);
    if (tr->model->task == BUNDLE_TASK_LM)
        return lm_loss(tr->acts.lm_logits, tr->model->n_vocab, ex, 0.0, NULL, correct);
    return loss_of(tr->acts.logits, tr->model->enc.n_labels, ex->label, correct);
}

/* The parameters, in trainer_init's order. */
enum { EMB, WQ, BQ, WK, BK, WV, BV, WO, BO, G1, B1, WF1, BF1, WF2, BF2, G2, B2, WC, BC };

double trainer_step_example(struct trainer *tr, const struct train_example *ex, double scale, int *correct)
{
    struct bundle *b = tr->model;
    struct bundle_encoder *e = &b->enc;
    const struct forward_acts *a = &tr->acts;
    int N = ex->n, D = b->d_model, F = e->d_ff, C = e->n_labels, H = b->n_heads;
    size_t ND = (size_t)N * D, NF = (size_t)N * F;
    struct train_param *P = tr->params;
    double loss;
    if (b->task == BUNDLE_TASK_LM) {
        /* The lm head: P[WC], P[BC] are W_lm and b_lm. loss = Σ_p −log softmax(logits[p])[next]. */
        forward_run(&tr->acts, b, ex->ids, N, 1, 1);
        loss = lm_loss(a->lm_logits, b->n_vocab, ex, scale, tr->dlm, correct);
        memset(tr->dn2, 0, ND * sizeof(double));
        train_linear_backward(tr->dn2, P[WC].g, P[BC].g, tr->dlm, a->norm2, b->w_lm, N, D, b->n_vocab);
    } else {
        loss = trainer_eval_example(tr, ex, correct);
        /* loss = −log softmax(logits)[label]: its gradient is probs − one-hot. */
        for (int c = 0; c < C; c++)
            tr->dlogits[c] = scale * (a->probs[c] - (c == ex->label ? 1.0 : 0.0));
        memset(tr->dpooled, 0, (size_t)D * sizeof(double));
        train_linear_backward(tr->dpooled, P[WC].g, P[BC].g, tr->dlogits, a->pooled, e->w_cls, 1, D, C);
        if (tr->classifier_only) /* feature-based transfer: nothing below the classifier learns */
            return loss;
        for (int n = 0; n < N; n++) /* the mean spreads its gradient evenly over the rows */
            for (int d = 0; d < D; d++)
                tr->dn2[(size_t)n * D + d] = tr->dpooled[d] / N;
    }
    memset(tr->dr2, 0, ND * sizeof(double));
    layernorm_backward(tr->dr2, P[G2].g, P[B2].g, tr->dn2, a->residual2, a->ln2_mean, a->ln2_rstd, e->ln2_gamma, N, D);
    /* residual2 = norm1 + ffn_out: both get dr2. */
    memcpy(tr->dn1, tr->dr2, ND * sizeof(double));
    memset(tr->dffh, 0, NF * sizeof(double));
    train_linear_backward(tr->dffh, P[WF2].g, P[BF2].g, tr->dr2, a->ffn_hidden, e->w_ff2, N, F, D);
    memset(tr->dffpre, 0, NF * sizeof(double));
    activation_backward(tr->dffpre, tr->dffh, a->ffn_pre, N * F, e->gelu);
    train_linear_backward(tr->dn1, P[WF1].g, P[BF1].g, tr->dffpre, a->norm1, e->w_ff1, N, D, F);
    memset(tr->dr1, 0, ND * sizeof(double));
    layernorm_backward(tr->dr1, P[G1].g, P[B1].g, tr->dn1, a->residual1, a->ln1_mean, a->ln1_rstd, e->ln1_gamma, N, D);
    /* residual1 = x + out: both get dr1. */
    memcpy(tr->dx, tr->dr1, ND * sizeof(double));
    memset(tr->dconcat, 0, ND * sizeof(double));
    train_linear_backward(tr->dconcat, P[WO].g, P[BO].g, tr->dr1, a->concat, b->w[BUNDLE_O], N, D, D);
    memset(tr->dq, 0, ND * sizeof(double));
    memset(tr->dk, 0, ND * sizeof(double));
    memset(tr->dv, 0, ND * sizeof(double));
    if (a->heads_scratch)
        kernel_heads_backward(tr->dq, tr->dk, tr->dv, tr->dconcat, a->q, a->k, a->v, a->weights, N, D, H,
                              a->heads_scratch);
    else
        train_heads_backward(tr->dq, tr->dk, tr->dv, tr->drow, tr->dconcat, a->q, a->k, a->v, a->weights, N, D, H);
    train_linear_backward(tr->dx, P[WQ].g, P[BQ].g, tr->dq, a->x, b->w[BUNDLE_Q], N, D, D);
    train_linear_backward(tr->dx, P[WK].g, P[BK].g, tr->dk, a->x, b->w[BUNDLE_K], N, D, D);
    train_linear_backward(tr->dx, P[WV].g, P[BV].g, tr->dv, a->x, b->w[BUNDLE_V], N, D, D);
    /* x = embedding + PE, and PE is fixed: the embedding rows get dx. */
    for (int n = 0; n < N; n++) {
        double *row = P[EMB].g + (size_t)ex->ids[n] * D;
        for (int d = 0; d < D; d++)
            row[d] += tr->dx[(size_t)n * D + d];
    }
    return loss;
}

/* ---- mini-batches stacked -------------------------------------------------- */

/* The rows stacked at a time are chosen so that their activations (about
 * this many doubles, 1 MB) stay in the core's own cache between the forward
 * pass and the backward pass: a mini-batch of short sentences goes in one or
 * two pieces, sentences of 200 tokens one by one (each is matrix enough). */
#define STACK_CHUNK ((size_t)1 << 17)

int trainer_reserve_batch(struct trainer *tr, int batch)
{
    struct train_stack *st = &tr->stack;
    const struct bundle *b = tr->model;
    const struct bundle_encoder *e = &b->enc;
    int lm = b->task == BUNDLE_TASK_LM;
    size_t D = (size_t)b->d_model, F = (size_t)e->d_ff, C = lm ? 0 : (size_t)e->n_labels;
    size_t H = (size_t)b->n_heads, V = lm ? (size_t)b->n_vocab : 0, L = (size_t)tr->max_len;
    size_t per_row = 20 * D + 4 * F + 4 + 2 * V + H * L; /* H·L: a row's share of the attention weights */
    size_t wide = F > D ? F : D, out = lm ? V : C;
    out = out > wide ? out : wide;
    size_t cap = batch > 0 ? (size_t)batch : 1, rows = STACK_CHUNK / per_row;
    rows = rows < L ? L : rows; /* at least the longest sentence */
    rows = rows > cap * L ? cap * L : rows;
    cap = cap < rows ? cap : rows;
    if (st->mem && (size_t)st->cap >= cap && (size_t)st->rows >= rows)
        return 0;
    free(st->mem);
    free(st->row0);
    free(st->w0);
    memset(st, 0, sizeof *st);
    for (;;) { /* if memory is short, fewer rows at a time: the same results */
        st->mem = malloc((rows * per_row + cap * (2 * D + 3 * C) + out * wide) * sizeof(double));
        st->row0 = malloc((cap + 1) * sizeof *st->row0);
        st->w0 = malloc((cap + 1) * sizeof *st->w0);
        if (st->mem && st->row0 && st->w0)
            break;
        free(st->mem);
        free(st->row0);
        free(st->w0);
        st->mem = NULL;
        st->row0 = NULL;
        st->w0 = NULL;
        if (rows == L)
            return -1;
        rows = rows / 2 > L ? rows / 2 : L;
        cap = cap < rows ? cap : rows;
    }
    st->cap = (int)cap;
    st->rows = (int)rows;
    size_t R = rows;
    struct forward_acts *a = &st->acts;
    double *q = st->mem;
#define TAKE(ptr, n) (ptr = q, q += (n))
    TAKE(a->x, R * D); TAKE(a->q, R * D); TAKE(a->k, R * D); TAKE(a->v, R * D); TAKE(a->concat, R * D);
    TAKE(a->out, R * D); TAKE(a->residual1, R * D); TAKE(a->norm1, R * D); TAKE(a->ffn_out, R * D);
    TAKE(a->residual2, R * D); TAKE(a->norm2, R * D);
    TAKE(a->ffn_pre, R * F); TAKE(a->ffn_hidden, R * F);
    TAKE(a->ln1_mean, R); TAKE(a->ln1_rstd, R); TAKE(a->ln2_mean, R); TAKE(a->ln2_rstd, R);
    TAKE(a->weights, H * L * R); /* Σ H·N² ≤ H·L·Σ N */
    TAKE(a->pooled, cap * D); TAKE(a->logits, cap * C); TAKE(a->probs, cap * C);
    TAKE(a->lm_logits, R * V);
    TAKE(st->dx, R * D); TAKE(st->dq, R * D); TAKE(st->dk, R * D); TAKE(st->dv, R * D); TAKE(st->dconcat, R * D);
    TAKE(st->dr1, R * D); TAKE(st->dn1, R * D); TAKE(st->dr2, R * D); TAKE(st->dn2, R * D);
    TAKE(st->dffpre, R * F); TAKE(st->dffh, R * F); TAKE(st->dpooled, cap * D); TAKE(st->dlogits, cap * C);
    TAKE(st->dlm, R * V); TAKE(st->wt, out * wide);
#undef TAKE
    a->embed = NULL; /* x is made straight from the embedding rows and the positions */
    a->pe = tr->acts.pe;
    a->scores = tr->acts.scores; /* shown on screen, not needed backward: one sentence's scratch */
    a->scaled = tr->acts.scaled;
    a->masked = tr->acts.masked;
    a->heads_scratch = tr->acts.heads_scratch; /* one sentence at a time, like the scores */
    a->next_probs = NULL;
    return 0;
}

/* forward_run for count sentences stacked (count ≤ cap): the same operations
 * on the same numbers, the linear layers over every row at once. */
static void stack_forward(struct trainer *tr, const struct train_example *const *ex, int count)
{
    struct train_stack *st = &tr->stack;
    struct forward_acts *a = &st->acts;
    const struct bundle *b = tr->model;
    const struct bundle_encoder *e = &b->enc;
    int D = b->d_model, H = b->n_heads, F = e->d_ff, lm = b->task == BUNDLE_TASK_LM;
    st->row0[0] = 0;
    st->w0[0] = 0;
    for (int s = 0; s < count; s++) {
        int N = ex[s]->n;
        st->row0[s + 1] = st->row0[s] + N;
        st->w0[s + 1] = st->w0[s] + (size_t)H * N * N;
        for (int i = 0; i < N; i++) {
            const double *emb = b->embed + (size_t)ex[s]->ids[i] * D, *pe = a->pe + (size_t)i * D;
            double *x = a->x + (size_t)(st->row0[s] + i) * D;
            for (int d = 0; d < D; d++)
                x[d] = emb[d] + pe[d];
        }
    }
    int R = st->row0[count];
    size_t RD = (size_t)R * D;
    kernel_linear_forward(a->q, a->x, b->w[BUNDLE_Q], b->b[BUNDLE_Q], R, D, D);
    kernel_linear_forward(a->k, a->x, b->w[BUNDLE_K], b->b[BUNDLE_K], R, D, D);
    kernel_linear_forward(a->v, a->x, b->w[BUNDLE_V], b->b[BUNDLE_V], R, D, D);
    for (int s = 0; s < count; s++) {
        size_t r = (size_t)st->row0[s] * D;
        if (a->heads_scratch)
            kernel_attention_heads(a->scores, a->scaled, lm ? a->masked : NULL, a->weights + st->w0[s], a->concat + r,
                                   a->q + r, a->k + r, a->v + r, ex[s]->n, D, H, lm, a->heads_scratch);
        else
            attention_heads(a->scores, a->scaled, lm ? a->masked : NULL, a->weights + st->w0[s], a->concat + r,
                            a->q + r, a->k + r, a->v + r, ex[s]->n, D, H, lm);
    }
    kernel_linear_forward(a->out, a->concat, b->w[BUNDLE_O], b->b[BUNDLE_O], R, D, D);
    for (size_t i = 0; i < RD; i++)
        a->residual1[i] = a->x[i] + a->out[i];
    encoder_layernorm(a->norm1, a->ln1_mean, a->ln1_rstd, a->residual1, e->ln1_gamma, e->ln1_beta, e->norm_eps, R, D);
    kernel_linear_forward(a->ffn_pre, a->norm1, e->w_ff1, e->b_ff1, R, D, F);
    encoder_activation(a->ffn_hidden, a->ffn_pre, R * F, e->gelu);
    kernel_linear_forward(a->ffn_out, a->ffn_hidden, e->w_ff2, e->b_ff2, R, F, D);
    for (size_t i = 0; i < RD; i++)
        a->residual2[i] = a->norm1[i] + a->ffn_out[i];
    encoder_layernorm(a->norm2, a->ln2_mean, a->ln2_rstd, a->residual2, e->ln2_gamma, e->ln2_beta, e->norm_eps, R, D);
    if (lm) {
        kernel_linear_forward(a->lm_logits, a->norm2, b->w_lm, b->b_lm, R, D, b->n_vocab);
        return;
    }
    int C = e->n_labels;
    for (int s = 0; s < count; s++)
        encoder_mean_rows(a->pooled + (size_t)s * D, a->norm2 + (size_t)st->row0[s] * D, ex[s]->n, D);
    kernel_linear_forward(a->logits, a->pooled, e->w_cls, e->b_cls, count, D, C);
    for (int s = 0; s < count; s++)
        encoder_softmax(a->probs + (size_t)s * C, a->logits + (size_t)s * C, C);
}

/* trainer_step_example's backward pass, over count stacked sentences. Every
 * parameter's gradient gets its terms in the same order as there, sentence
 * after sentence and row after row, since the rows are stacked in the batch's
 * order: the linear layers' dw and db (kernel_linear adds them row by row),
 * LayerNorm's γ and β (row by row), the embedding rows (row by row) and the
 * classifier (one pooled row per sentence). */
static void stack_step(struct trainer *tr, const struct train_example *const *ex, int count, double scale,
                       double *losses, int *correct)
{
    struct train_stack *st = &tr->stack;
    const struct forward_acts *a = &st->acts;
    struct bundle *b = tr->model;
    struct bundle_encoder *e = &b->enc;
    struct train_param *P = tr->params;
    int D = b->d_model, F = e->d_ff, C = e->n_labels, H = b->n_heads, V = b->n_vocab, ok;
    stack_forward(tr, ex, count);
    int R = st->row0[count];
    size_t RD = (size_t)R * D, RF = (size_t)R * F;
    if (b->task == BUNDLE_TASK_LM) {
        for (int s = 0; s < count; s++) {
            size_t r = (size_t)st->row0[s] * V;
            double loss = lm_loss(a->lm_logits + r, V, ex[s], scale, st->dlm + r, &ok);
            if (losses)
                losses[s] = loss;
            if (correct)
                correct[s] = ok;
        }
        memset(st->dn2, 0, RD * sizeof(double));
        kernel_linear_backward(st->dn2, P[WC].g, P[BC].g, st->wt, st->dlm, a->norm2, b->w_lm, R, D, V);
    } else {
        for (int s = 0; s < count; s++) {
            double loss = loss_of(a->logits + (size_t)s * C, C, ex[s]->label, &ok);
            if (losses)
                losses[s] = loss;
            if (correct)
                correct[s] = ok;
            for (int c = 0; c < C; c++)
                st->dlogits[(size_t)s * C + c] = scale * (a->probs[(size_t)s * C + c] - (c == ex[s]->label ? 1.0 : 0.0));
        }
        memset(st->dpooled, 0, (size_t)count * D * sizeof(double));
        kernel_linear_backward(st->dpooled, P[WC].g, P[BC].g, st->wt, st->dlogits, a->pooled, e->w_cls, count, D, C);
        if (tr->classifier_only)
            return;
        for (int s = 0; s < count; s++) {
            int N = ex[s]->n;
            const double *dp = st->dpooled + (size_t)s * D;
            for (int n = 0; n < N; n++)
                for (int d = 0; d < D; d++)
                    st->dn2[(size_t)(st->row0[s] + n) * D + d] = dp[d] / N;
        }
    }
    memset(st->dr2, 0, RD * sizeof(double));
    layernorm_backward(st->dr2, P[G2].g, P[B2].g, st->dn2, a->residual2, a->ln2_mean, a->ln2_rstd, e->ln2_gamma, R, D);
    memcpy(st->dn1, st->dr2, RD * sizeof(double));
    memset(st->dffh, 0, RF * sizeof(double));
    kernel_linear_backward(st->dffh, P[WF2].g, P[BF2].g, st->wt, st->dr2, a->ffn_hidden, e->w_ff2, R, F, D);
    memset(st->dffpre, 0, RF * sizeof(double));
    activation_backward(st->dffpre, st->dffh, a->ffn_pre, R * F, e->gelu);
    kernel_linear_backward(st->dn1, P[WF1].g, P[BF1].g, st->wt, st->dffpre, a->norm1, e->w_ff1, R, D, F);
    memset(st->dr1, 0, RD * sizeof(double));
    layernorm_backward(st->dr1, P[G1].g, P[B1].g, st->dn1, a->residual1, a->ln1_mean, a->ln1_rstd, e->ln1_gamma, R, D);
    memcpy(st->dx, st->dr1, RD * sizeof(double));
    memset(st->dconcat, 0, RD * sizeof(double));
    kernel_linear_backward(st->dconcat, P[WO].g, P[BO].g, st->wt, st->dr1, a->concat, b->w[BUNDLE_O], R, D, D);
    memset(st->dq, 0, RD * sizeof(double));
    memset(st->dk, 0, RD * sizeof(double));
    memset(st->dv, 0, RD * sizeof(double));
    for (int s = 0; s < count; s++) {
        size_t r = (size_t)st->row0[s] * D;
        if (a->heads_scratch)
            kernel_heads_backward(st->dq + r, st->dk + r, st->dv + r, st->dconcat + r, a->q + r, a->k + r, a->v + r,
                                  a->weights + st->w0[s], ex[s]->n, D, H, a->heads_scratch);
        else
            train_heads_backward(st->dq + r, st->dk + r, st->dv + r, tr->drow, st->dconcat + r, a->q + r, a->k + r,
                                 a->v + r, a->weights + st->w0[s], ex[s]->n, D, H);
    }
    kernel_linear_backward(st->dx, P[WQ].g, P[BQ].g, st->wt, st->dq, a->x, b->w[BUNDLE_Q], R, D, D);
    kernel_linear_backward(st->dx, P[WK].g, P[BK].g, st->wt, st->dk, a->x, b->w[BUNDLE_K], R, D, D);
    kernel_linear_backward(st->dx, P[WV].g, P[BV].g, st->wt, st->dv, a->x, b->w[BUNDLE_V], R, D, D);
    for (int s = 0; s < count; s++)
        for (int n = 0; n < ex[s]->n; n++) {
            double *row = P[EMB].g + (size_t)ex[s]->ids[n] * D;
            const double *g = st->dx + (size_t)(st->row0[s] + n) * D;
            for (int d = 0; d < D; d++)
                row[d] += g[d];
        }
}

/* How many of the count sentences ex fit in the stack at once (at least one). */
static int stack_take(const struct trainer *tr, const struct train_example *const *ex, int count)
{
    int n = 1, rows = ex[0]->n;
    while (n < count && n < tr->stack.cap && rows + ex[n]->n <= tr->stack.rows)
        rows += ex[n++]->n;
    return n;
}

void trainer_step_batch(struct trainer *tr, const struct train_example *const *ex, int count, double scale,
                        double *losses, int *correct)
{
    for (int start = 0, n; start < count; start += n) { /* pieces that fit, in order */
        n = stack_take(tr, ex + start, count - start);
        stack_step(tr, ex + start, n, scale, losses ? losses + start : NULL, correct ? correct + start : NULL);
    }
}

void train_adam_update(double *w, double *m, double *v, const double *g, size_t n, double lr, double beta1,
                       double beta2, double c1, double c2, double eps)
{
    for (size_t k = 0; k < n; k++) {
        m[k] = beta1 * m[k] + (1.0 - beta1) * g[k];
        v[k] = beta2 * v[k] + (1.0 - beta2) * g[k] * g[k];
        w[k] -= lr * (m[k] / c1) / (sqrt(v[k] / c2) + eps);
    }
}

void trainer_adam(struct trainer *tr)
{
    tr->adam_t++;
    double c1 = 1.0 - pow(tr->beta1, (double)tr->adam_t), c2 = 1.0 - pow(tr->beta2, (double)tr->adam_t);
    for (int i = 0; i < tr->n_params; i++) {
        struct train_param *p = &tr->params[i];
        if (!p->frozen) /* train_adam_update, many weights at once */
            kernel_linear_adam(p->w, p->m, p->v, p->g, p->n, tr->lr, tr->beta1, tr->beta2, c1, c2, tr->eps);
    }
}

/* ---- the loop ------------------------------------------------------------- */

/* trainer_eval_example for count stacked sentences (count ≤ cap): losses and
 * right predictions, each sentence's. */
static void stack_eval(struct trainer *tr, const struct train_example *const *ex, int count, double *losses,
                       int *correct)
{
    const struct train_stack *st = &tr->stack;
    const struct bundle *b = tr->model;
    stack_forward(tr, ex, count);
    for (int s = 0; s < count; s++) {
        if (b->task == BUNDLE_TASK_LM)
            losses[s] = lm_loss(st->acts.lm_logits + (size_t)st->row0[s] * b->n_vocab, b->n_vocab, ex[s], 0.0, NULL,
                                &correct[s]);
        else
            losses[s] = loss_of(st->acts.logits + (size_t)s * b->enc.n_labels, b->enc.n_labels, ex[s]->label,
                                &correct[s]);
    }
}

double train_accuracy(struct trainer *tr, const struct train_set *set, double *loss)
{
    long right = 0, count = 0;
    int correct[64];
    double sum = 0.0, losses[64];
    const struct train_example *ex[64];
    /* Stacked when train_fit has sized the buffers, 64 sentences at most at a time: the same sums either way. */
    for (int i = 0; i < set->n;) {
        int n = set->n - i < 64 ? set->n - i : 64;
        if (tr->stack.cap > 0) {
            for (int k = 0; k < n; k++)
                ex[k] = &set->ex[i + k];
            n = stack_take(tr, ex, n);
            stack_eval(tr, ex, n, losses, correct);
        } else {
            n = 1;
            losses[0] = trainer_eval_example(tr, &set->ex[i], &correct[0]);
        }
        for (int k = 0; k < n; k++, i++) {
            sum += losses[k];
            right += correct[k];
            count += set->lm ? set->ex[i].n : 1; /* a language model: every position is a prediction */
        }
    }
    if (loss)
        *loss = count ? sum / (double)count : 0.0;
    return count ? (double)right / (double)count : 0.0;
}

/* The epoch's figures on a set: accuracy, and (a language model) perplexity. */
static void measure(struct trainer *tr, const struct train_set *set, double *accuracy, double *loss, double *ppl)
{
    double mean;
    *accuracy = train_accuracy(tr, set, &mean);
    if (loss)
        *loss = mean;
    if (ppl)
        *ppl = set->lm ? exp(mean) : -1.0;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t train_shuffle_start(uint64_t seed)
{
    return seed * 0x2545F4914F6CDD1Dull + 1;
}

void train_shuffle(int *order, int n, uint64_t *state)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(splitmix(state) % (uint64_t)(i + 1));
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
}

static int stopped(const struct trainer *tr)
{
    return tr->stop && *tr->stop;
}

int train_fit(struct trainer *tr, const struct train_set *train, const struct train_set *test, int epochs, int batch,
              uint64_t seed, train_report report, void *ctx)
{
    int *order = malloc((size_t)(train->n ? train->n : 1) * sizeof *order);
    int most = batch < train->n ? batch : train->n; /* sentences per step */
    most = most > 0 ? most : 1;
    const struct train_example **batch_ex = malloc((size_t)most * sizeof *batch_ex);
    double *losses = malloc((size_t)most * sizeof *losses);
    if (!order || !batch_ex || !losses || trainer_reserve_batch(tr, most)) {
        free(order);
        free(batch_ex);
        free(losses);
        return -1;
    }
    for (int i = 0; i < train->n; i++)
        order[i] = i;
    uint64_t state = train_shuffle_start(seed);
    struct train_epoch e = {.epochs = epochs, .test_accuracy = -1.0, .train_perplexity = -1.0,
                            .test_perplexity = -1.0};
    int tested = test && test->n;
    if (report) { /* nobody would see the accuracy: without a report only the training steps run */
        measure(tr, train, &e.train_accuracy, &e.loss, &e.train_perplexity);
        if (tested)
            measure(tr, test, &e.test_accuracy, NULL, &e.test_perplexity);
    }
    int stop = report && report(&e, tr->model, ctx);
    for (int epoch = 1; epoch <= epochs && !stop; epoch++) {
        train_shuffle(order, train->n, &state);
        double loss = 0.0;
        long count = 0;
        for (int start = 0; start < train->n && !stopped(tr); start += batch) {
            int end = start + batch < train->n ? start + batch : train->n;
            /* The batch's loss is its mean over sentences, or for a language
             * model over the tokens predicted (token-weighted). */
            long weight = 0;
            for (int k = start; k < end; k++)
                weight += train->lm ? train->ex[order[k]].n : 1;
            trainer_zero_grad(tr);
            /* trainer_step_example for each sentence in turn, stacked: the same numbers, sooner */
            for (int k = start; k < end; k++)
                batch_ex[k - start] = &train->ex[order[k]];
            trainer_step_batch(tr, batch_ex, end - start, weight ? 1.0 / (double)weight : 0.0, losses, NULL);
            for (int k = start; k < end; k++)
                loss += losses[k - start];
            count += weight;
            trainer_adam(tr);
        }
        if (stopped(tr))
            break; /* asked to stop: not worth measuring a half-done epoch */
        e.epoch = epoch;
        e.loss = count ? loss / (double)count : 0.0;
        if (report) {
            measure(tr, train, &e.train_accuracy, NULL, &e.train_perplexity);
            if (tested)
                measure(tr, test, &e.test_accuracy, NULL, &e.test_perplexity);
            stop = report(&e, tr->model, ctx);
        }
    }
    free(order);
    free(batch_ex);
    free(losses);
    return 0;
}

/* ---- fresh models --------------------------------------------------------- */

/* The encoder block, then a classifier over n_labels classes or (lm) an lm
 * head over the vocabulary: one random stream, the classifier's unchanged. */
static int add_block(struct bundle *b, int d_ff, int gelu, const char *const *labels, int n_labels, int lm,
                     uint64_t seed, struct error *err)
{
    if (d_ff < 1 || d_ff > 16 * BUNDLE_MAX_D_MODEL)
        /* TRANSLATORS: the largest --d-ff allowed, then the value given. */
        return error_set(err, _("--d-ff must be between 1 and %d, got %d"), 16 * BUNDLE_MAX_D_MODEL, d_ff);
    if (!lm && n_labels < 2)
        /* TRANSLATORS: %d is the number of classes (distinct labels) in the data. */
        return error_set(err, _("a classifier needs at least two classes, the data has %d"), n_labels);
    struct bundle_encoder e = {.d_ff = d_ff, .gelu = gelu, .norm_eps = 1e-5, .n_labels = lm ? 0 : n_labels};
    size_t D = (size_t)b->d_model, F = (size_t)d_ff, C = lm ? 0 : (size_t)n_labels, V = (size_t)b->n_vocab;
    double **bufs[] = {&e.ln1_gamma, &e.ln1_beta, &e.ln2_gamma, &e.ln2_beta, &e.b_ff2};
    int failed = 0;
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        failed |= !(*bufs[i] = calloc(D, sizeof(double)));
    failed |= !(e.w_ff1 = malloc(D * F * sizeof(double))) || !(e.b_ff1 = calloc(F, sizeof(double)));
    failed |= !(e.w_ff2 = malloc(F * D * sizeof(double)));
    if (lm) {
        failed |= !(b->w_lm = malloc(D * V * sizeof(double))) || !(b->b_lm = calloc(V, sizeof(double)));
    } else {
        failed |= !(e.labels = calloc(C, sizeof *e.labels));
        failed |= !(e.w_cls = malloc(D * C * sizeof(double))) || !(e.b_cls = calloc(C, sizeof(double)));
        for (size_t i = 0; !failed && i < C; i++)
            failed |= !(e.labels[i] = strdup(labels[i]));
    }
    if (failed) {
        b->enc = e; /* bundle_free releases what was allocated */
        return error_set(err, _("out of memory"));
    }
    uint64_t state = seed ^ 0x5DEECE66Dull; /* a stream apart from the attention weights' */
    for (size_t i = 0; i < D; i++)
        e.ln1_gamma[i] = e.ln2_gamma[i] = 1.0;
    for (size_t i = 0; i < D * F; i++)
        e.w_ff1[i] = bundle_random_uniform(&state, sqrt(6.0 / (double)(D + F)));
    for (size_t i = 0; i < F * D; i++)
        e.w_ff2[i] = bundle_random_uniform(&state, sqrt(6.0 / (double)(D + F)));
    for (size_t i = 0; i < D * C; i++)
        e.w_cls[i] = bundle_random_uniform(&state, sqrt(6.0 / (double)(D + C)));
    for (size_t i = 0; lm && i < D * V; i++)
        b->w_lm[i] = bundle_random_uniform(&state, sqrt(6.0 / (double)(D + V)));
    e.present = 1;
    b->enc = e;
    for (int m = 0; m < BUNDLE_N_PROJ; m++)
        b->has_b[m] = 1;
    if (lm) {
        b->task = BUNDLE_TASK_LM;
        b->has_b_lm = 1;
    }
    return 0;
}

int train_add_classifier(struct bundle *b, int d_ff, int gelu, const char *const *labels, int n_labels, uint64_t seed,
                         struct error *err)
{
    return add_block(b, d_ff, gelu, labels, n_labels, 0, seed, err);
}

int train_init_lm(struct bundle *out, const char *name, int d_model, int n_heads, int d_ff, int gelu,
                  const char *const *vocab, int n_vocab, uint64_t seed, struct error *err)
{
    int has_eos = 0;
    for (int i = 0; i < n_vocab; i++)
        has_eos |= !strcmp(vocab[i], "<eos>");
    const char **tokens = malloc((size_t)(n_vocab + 1) * sizeof *tokens);
    if (!tokens)
        return error_set(err, _("out of memory"));
    for (int i = 0; i < n_vocab; i++)
        tokens[i] = vocab[i];
    if (!has_eos)
        tokens[n_vocab] = "<eos>"; /* the last row: <unk> comes first, then the data's tokens */
    struct bundle b;
    int rc = bundle_init_random(&b, name, d_model, n_heads, 0, seed, tokens, n_vocab + !has_eos, err);
    free(tokens);
    if (rc)
        return -1;
    if (add_block(&b, d_ff, gelu, NULL, 0, 1, seed, err)) {
        bundle_free(&b);
        return -1;
    }
    *out = b;
    return 0;
}

/* ---- the bigram baseline --------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* How many times key occurs in the sorted keys (n of them). */
static long count_of(const uint64_t *keys, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first key ≥ key */
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < n && keys[end] == key)
        end++;
    return (long)(end - lo);
}

double train_bigram_perplexity(const struct train_set *train, const struct train_set *test, int n_vocab, int eos)
{
    size_t n_pairs = 0;
    for (int i = 0; i < train->n; i++)
        n_pairs += (size_t)train->ex[i].n + 1;
    uint64_t *pairs = malloc((n_pairs ? n_pairs : 1) * sizeof *pairs);
    long *ctx = calloc((size_t)n_vocab, sizeof *ctx);
    if (!pairs || !ctx || !test || test->n_targets <= 0) {
        free(pairs);
        free(ctx);
        return -1.0;
    }
    /* Every training sentence as <eos> w1 … wn <eos>: the bigrams "v w" (as
     * v·V + w, sorted for counting) and c(v), the bigrams that start with v. */
    size_t k = 0;
    for (int i = 0; i < train->n; i++) {
        const struct train_example *ex = &train->ex[i];
        int prev = eos;
        for (int p = 0; p <= ex->n; p++) { /* ids[n] is <eos> */
            pairs[k++] = (uint64_t)prev * (uint64_t)n_vocab + (uint64_t)ex->ids[p];
            ctx[prev]++;
            prev = ex->ids[p];
        }
    }
    qsort(pairs, n_pairs, sizeof *pairs, cmp_u64);
    /* The same targets as the model: position p predicts ids[p + 1]. */
    double nll = 0.0;
    for (int i = 0; i < test->n; i++) {
        const struct train_example *ex = &test->ex[i];
        for (int p = 0; p < ex->n; p++) {
            int v = ex->ids[p], w = ex->ids[p + 1];
            long c = count_of(pairs, n_pairs, (uint64_t)v * (uint64_t)n_vocab + (uint64_t)w);
            nll -= log((double)(c + 1) / (double)(ctx[v] + n_vocab));
        }
    }
    free(pairs);
    free(ctx);
    return exp(nll / (double)test->n_targets);
}

int train_init_model(struct bundle *out, const char *name, int d_model, int n_heads, int d_ff, int gelu,
                     const char *const *labels, int n_labels, const char *const *vocab, int n_vocab, uint64_t seed,
                     struct error *err)
{
    struct bundle b;
    if (bundle_init_random(&b, name, d_model, n_heads, 0, seed, vocab, n_vocab, err))
        return -1;
    if (train_add_classifier(&b, d_ff, gelu, labels, n_labels, seed, err)) {
        bundle_free(&b);
        return -1;
    }
    *out = b;
    return 0;
}
