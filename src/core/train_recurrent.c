/* Training the RNN and the LSTM as sentence classifiers: the final hidden
 * state h_N through a linear layer and softmax, cross-entropy, BPTT, Adam. */
#include "attnstep/train_recurrent.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attnstep/attention.h"
#include "attnstep/i18n.h"
#include "attnstep/recurrent.h"

/* ---- fresh weights ---------------------------------------------------------- */

int train_recurrent_init(struct bundle *b, int d_hidden, uint64_t seed, struct error *err)
{
    if (d_hidden < 1 || d_hidden > BUNDLE_MAX_D_MODEL)
        return error_set(err, _("--d-hidden must be between 1 and %d, got %d"), BUNDLE_MAX_D_MODEL, d_hidden);
    if (!b->enc.present || b->task != BUNDLE_TASK_CLASSIFY || b->enc.n_labels < 2)
        return error_set(err, "%s", _("recurrent classifiers need a classifier's classes (not --task lm)"));
    size_t D = (size_t)b->d_model, Dh = (size_t)d_hidden, C = (size_t)b->enc.n_labels;
    struct bundle_recurrent_weights fresh[BUNDLE_N_RECURRENT] = {{0}};
    int failed = 0;
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        struct bundle_recurrent_weights *r = &fresh[m];
        size_t G = m == BUNDLE_LSTM ? 4 : 1;
        r->gates = (int)G;
        r->w_x = malloc(D * G * Dh * sizeof(double));
        r->w_h = malloc(Dh * G * Dh * sizeof(double));
        r->b = calloc(G * Dh, sizeof(double));
        r->w_cls = malloc(Dh * C * sizeof(double));
        r->b_cls = calloc(C, sizeof(double));
        failed |= !r->w_x || !r->w_h || !r->b || !r->w_cls || !r->b_cls;
    }
    if (failed) {
        for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
            free(fresh[m].w_x);
            free(fresh[m].w_h);
            free(fresh[m].b);
            free(fresh[m].w_cls);
            free(fresh[m].b_cls);
        }
        return error_set(err, "%s", _("out of memory"));
    }
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        struct bundle_recurrent_weights *r = &fresh[m];
        size_t G = (size_t)r->gates;
        /* A stream apart from the transformer's, one per model. */
        uint64_t state = seed ^ (m == BUNDLE_RNN ? 0x52A11A7E5EEDull : 0x157A1157EEDull);
        for (size_t i = 0; i < D * G * Dh; i++)
            r->w_x[i] = bundle_random_uniform(&state, sqrt(6.0 / (double)(D + Dh)));
        for (size_t i = 0; i < Dh * G * Dh; i++)
            r->w_h[i] = bundle_random_uniform(&state, sqrt(6.0 / (double)(Dh + Dh)));
        for (size_t i = 0; i < Dh * C; i++)
            r->w_cls[i] = bundle_random_uniform(&state, sqrt(6.0 / (double)(Dh + C)));
        if (m == BUNDLE_LSTM)
            for (size_t j = 0; j < Dh; j++)
                r->b[Dh + j] = 1.0; /* remember by default, as bundle_init_random's LSTM */
        r->has_b = 1;
        r->present = 1;
        struct bundle_recurrent_weights *old = &b->rec[m];
        free(old->w_x);
        free(old->w_h);
        free(old->b);
        free(old->w_cls);
        free(old->b_cls);
        *old = *r;
    }
    b->d_hidden = d_hidden;
    return 0;
}

/* ---- the trainer -------------------------------------------------------------- */

int rec_trainer_init(struct rec_trainer *tr, struct bundle *b, int m, int max_len, double lr, struct error *err)
{
    memset(tr, 0, sizeof *tr);
    struct bundle_recurrent_weights *r = &b->rec[m];
    if (!r->present || !r->w_cls || b->enc.n_labels < 1)
        return error_set(err, "%s", _("training needs a model with recurrent classifiers"));
    tr->model = b;
    tr->m = m;
    tr->G = r->gates;
    tr->D = b->d_model;
    tr->Dh = b->d_hidden;
    tr->C = b->enc.n_labels;
    tr->max_len = max_len > 0 ? max_len : 1;
    tr->lr = lr;
    tr->beta1 = 0.9;
    tr->beta2 = 0.999;
    tr->eps = 1e-8;
    size_t D = (size_t)tr->D, Dh = (size_t)tr->Dh, G = (size_t)tr->G, C = (size_t)tr->C, L = (size_t)tr->max_len;
    static const char *const names[BUNDLE_N_RECURRENT][5] = {
        {"rnn_w_xh", "rnn_w_hh", "rnn_b", "rnn_w_cls", "rnn_b_cls"},
        {"lstm_w_x", "lstm_w_h", "lstm_b", "lstm_w_cls", "lstm_b_cls"}};
    double *w[5] = {r->w_x, r->w_h, r->b, r->w_cls, r->b_cls};
    size_t n[5] = {D * G * Dh, Dh * G * Dh, G * Dh, Dh * C, C}, total = 0;
    for (int i = 0; i < 5; i++) {
        tr->params[i] = (struct train_param){.name = names[m][i], .w = w[i], .n = n[i]};
        total += n[i];
    }
    tr->param_mem = calloc(3 * total, sizeof(double));
    tr->mem = calloc(L * D + 2 * L * G * Dh + 2 * L * Dh + 3 * C + 2 * Dh + G * Dh, sizeof(double));
    if (!tr->param_mem || !tr->mem) {
        rec_trainer_free(tr);
        return error_set(err, "%s", _("out of memory"));
    }
    double *p = tr->param_mem;
    for (int i = 0; i < 5; i++) {
        tr->params[i].g = p;
        tr->params[i].m = p + total;
        tr->params[i].v = p + 2 * total;
        p += n[i];
    }
    double *q = tr->mem;
#define TAKE(ptr, count) (ptr = q, q += (count))
    TAKE(tr->e, L * D); TAKE(tr->z, L * G * Dh); TAKE(tr->gates, L * G * Dh); TAKE(tr->c, L * Dh);
    TAKE(tr->h, L * Dh); TAKE(tr->logits, C); TAKE(tr->probs, C); TAKE(tr->dlogits, C); TAKE(tr->dh, Dh);
    TAKE(tr->dc, Dh); TAKE(tr->dz, G * Dh);
#undef TAKE
    b->rec[m].has_b = 1; /* a trained model learns its bias */
    return 0;
}

void rec_trainer_free(struct rec_trainer *tr)
{
    free(tr->param_mem);
    free(tr->mem);
    memset(tr, 0, sizeof *tr);
}

void rec_trainer_zero_grad(struct rec_trainer *tr)
{
    for (int i = 0; i < 5; i++)
        memset(tr->params[i].g, 0, tr->params[i].n * sizeof(double));
}

/* The forward pass over ids (n of them, at most max_len): logits and probs. */
static void rec_forward(struct rec_trainer *tr, const struct bundle *b, const int *ids, int n)
{
    const struct bundle_recurrent_weights *r = &b->rec[tr->m];
    int D = tr->D, Dh = tr->Dh, C = tr->C;
    for (int t = 0; t < n; t++)
        memcpy(tr->e + (size_t)t * D, b->embed + (size_t)ids[t] * D, (size_t)D * sizeof(double));
    if (tr->m == BUNDLE_LSTM)
        recurrent_lstm_forward(tr->z, tr->gates, tr->c, tr->h, tr->e, r->w_x, r->w_h, r->b, n, D, Dh);
    else
        recurrent_rnn_forward(tr->z, tr->h, tr->e, r->w_x, r->w_h, r->b, n, D, Dh);
    const double *hN = tr->h + (size_t)(n - 1) * Dh;
    double max = -INFINITY;
    for (int c = 0; c < C; c++) {
        double s = r->b_cls[c];
        for (int j = 0; j < Dh; j++)
            s += hN[j] * r->w_cls[(size_t)j * C + c];
        tr->logits[c] = s;
        max = s > max ? s : max;
    }
    double sum = 0.0;
    for (int c = 0; c < C; c++)
        sum += (tr->probs[c] = exp(tr->logits[c] - max));
    for (int c = 0; c < C; c++)
        tr->probs[c] /= sum;
}

static double loss_and_correct(const struct rec_trainer *tr, int label, int *correct)
{
    int best = 0;
    for (int c = 1; c < tr->C; c++)
        best = tr->probs[c] > tr->probs[best] ? c : best;
    *correct = best == label;
    /* −log softmax, from the logits (stable). */
    double max = -INFINITY, sum = 0.0;
    for (int c = 0; c < tr->C; c++)
        max = tr->logits[c] > max ? tr->logits[c] : max;
    for (int c = 0; c < tr->C; c++)
        sum += exp(tr->logits[c] - max);
    return -(tr->logits[label] - max - log(sum));
}

double rec_trainer_eval_example(struct rec_trainer *tr, const struct train_example *ex, int *correct)
{
    if (ex->n < 1) {
        *correct = 0;
        return 0.0;
    }
    rec_forward(tr, tr->model, ex->ids, ex->n);
    return loss_and_correct(tr, ex->label, correct);
}

double rec_trainer_step_example(struct rec_trainer *tr, const struct train_example *ex, double scale, int *correct)
{
    if (ex->n < 1) {
        *correct = 0;
        return 0.0;
    }
    const struct bundle_recurrent_weights *r = &tr->model->rec[tr->m];
    int N = ex->n, D = tr->D, Dh = tr->Dh, C = tr->C, G = tr->G, GD = G * Dh;
    double loss = rec_trainer_eval_example(tr, ex, correct);
    struct train_param *P = tr->params; /* w_x, w_h, b, w_cls, b_cls */
    /* loss = −log softmax(logits)[label]: its gradient is probs − one-hot. */
    for (int c = 0; c < C; c++)
        tr->dlogits[c] = scale * (tr->probs[c] - (c == ex->label ? 1.0 : 0.0));
    const double *hN = tr->h + (size_t)(N - 1) * Dh;
    for (int j = 0; j < Dh; j++) {
        double s = 0.0;
        for (int c = 0; c < C; c++) {
            P[3].g[(size_t)j * C + c] += hN[j] * tr->dlogits[c];
            s += r->w_cls[(size_t)j * C + c] * tr->dlogits[c];
        }
        tr->dh[j] = s;
        tr->dc[j] = 0.0;
    }
    for (int c = 0; c < C; c++)
        P[4].g[c] += tr->dlogits[c];
    /* Back through time: dh holds ∂loss/∂h_t (and dc ∂loss/∂c_t, LSTM). */
    for (int t = N - 1; t >= 0; t--) {
        const double *ht = tr->h + (size_t)t * Dh;
        if (tr->m == BUNDLE_LSTM) {
            const double *gt = tr->gates + (size_t)t * GD;
            for (int j = 0; j < Dh; j++) {
                double i = gt[j], f = gt[Dh + j], g = gt[2 * Dh + j], o = gt[3 * Dh + j];
                double ct = tr->c[(size_t)t * Dh + j], tc = tanh(ct);
                double c_prev = t ? tr->c[(size_t)(t - 1) * Dh + j] : 0.0;
                double gc = tr->dc[j] + tr->dh[j] * o * (1.0 - tc * tc);
                tr->dz[j] = gc * g * i * (1.0 - i);
                tr->dz[Dh + j] = gc * c_prev * f * (1.0 - f);
                tr->dz[2 * Dh + j] = gc * i * (1.0 - g * g);
                tr->dz[3 * Dh + j] = tr->dh[j] * tc * o * (1.0 - o);
                tr->dc[j] = gc * f;
            }
        } else {
            for (int j = 0; j < Dh; j++)
                tr->dz[j] = tr->dh[j] * (1.0 - ht[j] * ht[j]); /* tanh' */
        }
        const double *et = tr->e + (size_t)t * D, *hp = t ? tr->h + (size_t)(t - 1) * Dh : NULL;
        for (int k = 0; k < D; k++) {
            double *gw = P[0].g + (size_t)k * GD;
            for (int c = 0; c < GD; c++)
                gw[c] += et[k] * tr->dz[c];
        }
        for (int c = 0; c < GD; c++)
            P[2].g[c] += tr->dz[c];
        if (!hp)
            break; /* h_0 = 0: no W_h term, nothing further back */
        for (int k = 0; k < Dh; k++) {
            double *gw = P[1].g + (size_t)k * GD, s = 0.0;
            const double *wk = r->w_h + (size_t)k * GD;
            for (int c = 0; c < GD; c++) {
                gw[c] += hp[k] * tr->dz[c];
                s += wk[c] * tr->dz[c];
            }
            tr->dh[k] = s; /* ∂loss/∂h_{t-1} */
        }
    }
    return loss;
}

void rec_trainer_adam(struct rec_trainer *tr)
{
    tr->adam_t++;
    double c1 = 1.0 - pow(tr->beta1, (double)tr->adam_t), c2 = 1.0 - pow(tr->beta2, (double)tr->adam_t);
    for (int i = 0; i < 5; i++) {
        struct train_param *p = &tr->params[i];
        for (size_t k = 0; k < p->n; k++) {
            double g = p->g[k];
            p->m[k] = tr->beta1 * p->m[k] + (1.0 - tr->beta1) * g;
            p->v[k] = tr->beta2 * p->v[k] + (1.0 - tr->beta2) * g * g;
            p->w[k] -= tr->lr * (p->m[k] / c1) / (sqrt(p->v[k] / c2) + tr->eps);
        }
    }
}

double rec_train_accuracy(struct rec_trainer *tr, const struct train_set *set, double *loss)
{
    long right = 0;
    int correct;
    double sum = 0.0;
    for (int i = 0; i < set->n; i++) {
        sum += rec_trainer_eval_example(tr, &set->ex[i], &correct);
        right += correct;
    }
    if (loss)
        *loss = set->n ? sum / set->n : 0.0;
    return set->n ? (double)right / set->n : 0.0;
}

/* ---- the loop (train_fit's, step for step) ------------------------------------ */

static int stopped(const struct rec_trainer *tr)
{
    return tr->stop && *tr->stop;
}

int rec_train_fit(struct rec_trainer *tr, const struct train_set *train, const struct train_set *test, int epochs,
                  int batch, uint64_t seed, train_report report, void *ctx)
{
    int *order = malloc((size_t)(train->n ? train->n : 1) * sizeof *order);
    if (!order)
        return -1;
    for (int i = 0; i < train->n; i++)
        order[i] = i;
    uint64_t state = train_shuffle_start(seed); /* train_fit's: the same order of sentences */
    struct train_epoch e = {.epochs = epochs, .test_accuracy = -1.0, .train_perplexity = -1.0,
                            .test_perplexity = -1.0};
    int tested = test && test->n;
    if (report) {
        e.train_accuracy = rec_train_accuracy(tr, train, &e.loss);
        if (tested)
            e.test_accuracy = rec_train_accuracy(tr, test, NULL);
    }
    int stop = report && report(&e, tr->model, ctx);
    for (int epoch = 1; epoch <= epochs && !stop; epoch++) {
        train_shuffle(order, train->n, &state);
        double loss = 0.0;
        int correct;
        for (int start = 0; start < train->n && !stopped(tr); start += batch) {
            int end = start + batch < train->n ? start + batch : train->n;
            rec_trainer_zero_grad(tr);
            for (int k = start; k < end; k++)
                loss += rec_trainer_step_example(tr, &train->ex[order[k]], 1.0 / (double)(end - start), &correct);
            rec_trainer_adam(tr);
        }
        if (stopped(tr))
            break;
        e.epoch = epoch;
        e.loss = train->n ? loss / train->n : 0.0;
        if (report) {
            e.train_accuracy = rec_train_accuracy(tr, train, NULL);
            if (tested)
                e.test_accuracy = rec_train_accuracy(tr, test, NULL);
            stop = report(&e, tr->model, ctx);
        }
    }
    free(order);
    return 0;
}

/* ---- inference ---------------------------------------------------------------- */

int recurrent_classify(const struct bundle *b, int m, const int *ids, int n, double *probs)
{
    if (m < 0 || m >= BUNDLE_N_RECURRENT || !b->rec[m].present || !b->rec[m].w_cls || n < 1)
        return -1;
    struct rec_trainer tr = {0};
    size_t D = (size_t)b->d_model, Dh = (size_t)b->d_hidden, G = (size_t)b->rec[m].gates, C = (size_t)b->enc.n_labels;
    size_t L = (size_t)n;
    tr.m = m;
    tr.G = (int)G;
    tr.D = (int)D;
    tr.Dh = (int)Dh;
    tr.C = (int)C;
    tr.max_len = n;
    tr.mem = calloc(L * D + 2 * L * G * Dh + 2 * L * Dh + 2 * C, sizeof(double));
    if (!tr.mem)
        return -1;
    double *q = tr.mem;
    tr.e = q; q += L * D;
    tr.z = q; q += L * G * Dh;
    tr.gates = q; q += L * G * Dh;
    tr.c = q; q += L * Dh;
    tr.h = q; q += L * Dh;
    tr.logits = q; q += C;
    tr.probs = q;
    rec_forward(&tr, b, ids, n);
    int best = 0;
    for (size_t c = 0; c < C; c++) {
        probs[c] = tr.probs[c];
        best = tr.probs[c] > tr.probs[best] ? (int)c : best;
    }
    free(tr.mem);
    return best;
}

int recurrent_classify_state(const struct bundle *b, int m, const double *h_last, double *probs)
{
    if (m < 0 || m >= BUNDLE_N_RECURRENT || !b->rec[m].present || !b->rec[m].w_cls || !h_last)
        return -1;
    const struct bundle_recurrent_weights *r = &b->rec[m];
    int C = b->enc.n_labels, Dh = b->d_hidden, best = 0;
    double max = -INFINITY, sum = 0.0;
    for (int c = 0; c < C; c++) {
        double v = r->b_cls[c];
        for (int j = 0; j < Dh; j++)
            v += h_last[j] * r->w_cls[(size_t)j * (size_t)C + (size_t)c];
        probs[c] = v;
        max = v > max ? v : max;
    }
    for (int c = 0; c < C; c++)
        sum += (probs[c] = exp(probs[c] - max));
    for (int c = 0; c < C; c++) {
        probs[c] /= sum;
        best = probs[c] > probs[best] ? c : best;
    }
    return best;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int recurrent_bench_forward(const struct bundle *b, int N, int reps, double seconds[3])
{
    const struct bundle_recurrent_weights *rnn = &b->rec[BUNDLE_RNN], *lstm = &b->rec[BUNDLE_LSTM];
    if (!rnn->present || !lstm->present || N < 1 || reps < 1)
        return -1;
    size_t D = (size_t)b->d_model, Dh = (size_t)b->d_hidden, L = (size_t)N, H = (size_t)b->n_heads;
    double *e = malloc(L * D * sizeof *e), *buf = malloc((9 * L * Dh + 6 * L * D + 3 * H * L * L) * sizeof *buf);
    if (!e || !buf) {
        free(e);
        free(buf);
        return -1;
    }
    for (size_t t = 0; t < L; t++) /* the vocabulary's rows in turn */
        memcpy(e + t * D, b->embed + (t % (size_t)b->n_vocab) * D, D * sizeof *e);
    double *pre = buf, *h = pre + L * Dh, *z = h + L * Dh, *gates = z + 4 * L * Dh, *c = gates + 4 * L * Dh;
    double *q = buf + 9 * L * Dh, *k = q + L * D, *v = k + L * D, *concat = v + L * D, *out = concat + L * D;
    double *x = out + L * D, *scores = x + L * D, *scaled = scores + H * L * L, *weights = scaled + H * L * L;
    double *pe = malloc(L * D * sizeof *pe);
    if (!pe) {
        free(e);
        free(buf);
        return -1;
    }
    attention_positional(pe, N, (int)D);
    for (int i = 0; i < 3; i++)
        seconds[i] = INFINITY;
    for (int r = 0; r < reps; r++) {
        double t0 = now_seconds();
        recurrent_rnn_forward(pre, h, e, rnn->w_x, rnn->w_h, rnn->b, N, (int)D, (int)Dh);
        double t1 = now_seconds();
        recurrent_lstm_forward(z, gates, c, h, e, lstm->w_x, lstm->w_h, lstm->b, N, (int)D, (int)Dh);
        double t2 = now_seconds();
        for (size_t i = 0; i < L * D; i++)
            x[i] = e[i] + pe[i];
        attention_linear(q, x, b->w[BUNDLE_Q], b->b[BUNDLE_Q], N, (int)D, (int)D);
        attention_linear(k, x, b->w[BUNDLE_K], b->b[BUNDLE_K], N, (int)D, (int)D);
        attention_linear(v, x, b->w[BUNDLE_V], b->b[BUNDLE_V], N, (int)D, (int)D);
        attention_heads(scores, scaled, NULL, weights, concat, q, k, v, N, (int)D, (int)H, 0);
        attention_linear(out, concat, b->w[BUNDLE_O], b->b[BUNDLE_O], N, (int)D, (int)D);
        double t3 = now_seconds();
        seconds[0] = t1 - t0 < seconds[0] ? t1 - t0 : seconds[0];
        seconds[1] = t2 - t1 < seconds[1] ? t2 - t1 : seconds[1];
        seconds[2] = t3 - t2 < seconds[2] ? t3 - t2 : seconds[2];
    }
    free(e);
    free(buf);
    free(pe);
    return 0;
}
