#include "attnstep/export.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "attnstep/bundle.h"
#include "attnstep/csvout.h"
#include "attnstep/decode.h"
#include "attnstep/fsutil.h"
#include "attnstep/i18n.h"

#define PATH_SIZE 4096

/* Opens dir/name for writing. */
static int open_in(struct csvout *w, const char *dir, const char *name, struct error *err)
{
    char path[PATH_SIZE];
    if (fsutil_interrupted)
        return -1; /* export_write says why */
    if (fsutil_join(path, sizeof path, dir, name))
        /* TRANSLATORS: an error reason after "attnstep: DIR: ": the folder
           given to --export and a file name are together too long a path. */
        return error_file(err, dir, _("path is too long"));
    return csvout_open(w, path, err);
}

/* The header row: `first`, then the names, or d0, d1, … when names is NULL. */
static void put_header(struct csvout *w, const char *first, int n, char *const *names)
{
    char head[16];
    csvout_text(w, first);
    for (int i = 0; i < n; i++) {
        if (names) {
            csvout_text(w, names[i]);
        } else {
            snprintf(head, sizeof head, "d%d", i);
            csvout_text(w, head);
        }
    }
    csvout_end_row(w);
}

/* A labelled N×cols matrix: header "token," then the column names, or d0, d1, … when names is NULL. */
static int write_matrix_named(const struct trace *t, const char *dir, const char *name, const double *m,
                              int cols, size_t stride, char *const *names, struct error *err)
{
    struct csvout w;
    if (open_in(&w, dir, name, err))
        return -1;
    put_header(&w, "token", cols, names);
    for (int r = 0; r < t->N; r++) {
        csvout_text(&w, t->tokens[r]);
        for (int c = 0; c < cols; c++)
            csvout_number(&w, m[(size_t)r * stride + (size_t)c]);
        csvout_end_row(&w);
    }
    return csvout_close(&w, err);
}

/* A labelled N×cols matrix: header "token,d0,…" or "token,<tokens…>". */
static int write_matrix(const struct trace *t, const char *dir, const char *name, const double *m,
                        int cols, size_t stride, int token_cols, struct error *err)
{
    return write_matrix_named(t, dir, name, m, cols, stride, token_cols ? t->tokens : NULL, err);
}

static int write_tokens(const struct trace *t, const char *dir, struct error *err)
{
    char num[16];
    struct csvout w;
    if (open_in(&w, dir, "tokens.csv", err))
        return -1;
    csvout_text(&w, "position");
    csvout_text(&w, "token");
    csvout_text(&w, "id");
    csvout_text(&w, "word");
    csvout_end_row(&w);
    for (int i = 0; i < t->N; i++) {
        snprintf(num, sizeof num, "%d", i);
        csvout_text(&w, num);
        csvout_text(&w, t->tokens[i]);
        snprintf(num, sizeof num, "%d", t->ids[i]);
        csvout_text(&w, num);
        snprintf(num, sizeof num, "%d", t->word[i]);
        csvout_text(&w, num);
        csvout_end_row(&w);
    }
    return csvout_close(&w, err);
}

/* A one-row file: header "token,d0,…" (or the class names), the row labelled `label`. */
static int write_summary(const char *dir, const char *name, const char *label, const double *v, int n,
                         char *const *names, struct error *err)
{
    struct csvout w;
    if (open_in(&w, dir, name, err))
        return -1;
    put_header(&w, "token", n, names);
    csvout_text(&w, label);
    for (int i = 0; i < n; i++)
        csvout_number(&w, v[i]);
    csvout_end_row(&w);
    return csvout_close(&w, err);
}

struct ranked {
    double p;
    int id;
};

/* Most likely first; equal probabilities in vocabulary order. */
static int by_probability(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->p > y->p || x->p < y->p)
        return x->p > y->p ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* A language model's head: lm_logits.csv (header token,<vocabulary tokens>,
 * a row per position) and next_token.csv (header token,probability: every
 * vocabulary token at T = 1 after the last position, most likely first). */
static int write_lm(const struct trace *t, const char *dir, struct error *err)
{
    const struct bundle *b = t->model;
    size_t V = (size_t)t->V;
    struct csvout w;
    if (write_matrix_named(t, dir, "lm_logits.csv", t->lm_logits, t->V, V, b->vocab, err))
        return -1;
    struct ranked *r = malloc((V ? V : 1) * sizeof *r);
    if (!r)
        return error_set(err, _("out of memory"));
    for (size_t v = 0; v < V; v++)
        r[v] = (struct ranked){t->next_probs[v], (int)v};
    qsort(r, V, sizeof *r, by_probability);
    if (open_in(&w, dir, "next_token.csv", err)) {
        free(r);
        return -1;
    }
    csvout_text(&w, "token");
    csvout_text(&w, "probability");
    csvout_end_row(&w);
    for (size_t v = 0; v < V; v++) {
        csvout_text(&w, b->vocab[r[v].id]);
        csvout_number(&w, r[v].p);
        csvout_end_row(&w);
    }
    free(r);
    return csvout_close(&w, err);
}

int export_skips_influence(const struct trace *t, enum trace_model m)
{
    return m != TRACE_ATTENTION && t->has_model[m] && t->Dh > EXPORT_INFLUENCE_MAX_HIDDEN;
}

/* influence.csv: header model,<tokens…>; a row per model the bundle has,
 * except the recurrent ones of a model too wide to wait for. */
static int write_influence(const struct trace *t, const char *dir, struct error *err)
{
    struct csvout w;
    for (int m = 0; m < TRACE_N_MODELS; m++)
        if (!export_skips_influence(t, (enum trace_model)m) && trace_influence(t, (enum trace_model)m))
            return error_set(err, _("out of memory"));
    if (open_in(&w, dir, "influence.csv", err))
        return -1;
    put_header(&w, "model", t->N, t->tokens);
    for (int m = 0; m < TRACE_N_MODELS; m++) {
        if (!t->has_model[m] || export_skips_influence(t, (enum trace_model)m))
            continue;
        csvout_text(&w, trace_model_name[m]);
        for (int i = 0; i < t->N; i++)
            csvout_number(&w, t->influence[(size_t)m * (size_t)t->N + (size_t)i]);
        csvout_end_row(&w);
    }
    return csvout_close(&w, err);
}

/* A trained recurrent classifier (issue 13): rnn_logits.csv / lstm_logits.csv
 * = h_N·W_cls + b_cls, and their softmax in rnn_probabilities.csv /
 * lstm_probabilities.csv, each one row labelled "sentence". */
static int write_recurrent_cls(const struct trace *t, int m, const char *dir, struct error *err)
{
    const struct bundle_recurrent_weights *r = &t->model->rec[m];
    const double *h = m == BUNDLE_RNN ? t->rnn_h : t->lstm_h;
    int C = t->model->enc.n_labels, Dh = t->Dh;
    if (!h || C < 1 || t->N < 1)
        return 0;
    double *logits = malloc(2 * (size_t)C * sizeof *logits), *probs = logits + C;
    if (!logits)
        return error_set(err, "%s", _("out of memory"));
    const double *hN = h + (size_t)(t->N - 1) * (size_t)Dh;
    double max = -INFINITY, sum = 0.0;
    for (int c = 0; c < C; c++) {
        double v = r->b_cls[c];
        for (int j = 0; j < Dh; j++)
            v += hN[j] * r->w_cls[(size_t)j * (size_t)C + (size_t)c];
        logits[c] = v;
        max = v > max ? v : max;
    }
    for (int c = 0; c < C; c++)
        sum += (probs[c] = exp(logits[c] - max));
    for (int c = 0; c < C; c++)
        probs[c] /= sum;
    const char *name = m == BUNDLE_RNN ? "rnn" : "lstm";
    char lf[32], pf[40];
    snprintf(lf, sizeof lf, "%s_logits.csv", name);
    snprintf(pf, sizeof pf, "%s_probabilities.csv", name);
    int rc = write_summary(dir, lf, "sentence", logits, C, t->model->enc.labels, err) ||
             write_summary(dir, pf, "sentence", probs, C, t->model->enc.labels, err);
    free(logits);
    return rc ? -1 : 0;
}

static int write_all(const struct trace *t, const char *dir, int *n_files, struct error *err)
{
    size_t D = (size_t)t->D, N = (size_t)t->N, NN = N * N;
    int n = 0;
    if (write_tokens(t, dir, err) ||
        write_matrix(t, dir, "embeddings.csv", t->embed, t->D, D, 0, err) ||
        write_matrix(t, dir, "positional.csv", t->pe, t->D, D, 0, err) ||
        write_matrix(t, dir, "x.csv", t->x, t->D, D, 0, err))
        return -1;
    n += 4;
    for (int h = 0; h < t->H; h++) {
        size_t off = (size_t)h * (size_t)t->DK;
        const struct { const char *what; const double *m; int cols; size_t stride; int token_cols; } mats[] = {
            {"q", t->q + off, t->DK, D, 0},
            {"k", t->k + off, t->DK, D, 0},
            {"v", t->v + off, t->DK, D, 0},
            {"scores", t->scores + h * NN, t->N, N, 1},
            {"scaled", t->scaled + h * NN, t->N, N, 1},
            {"masked", t->masked ? t->masked + h * NN : NULL, t->N, N, 1},
            {"weights", t->weights + h * NN, t->N, N, 1},
            {"output", t->concat + off, t->DK, D, 0},
        };
        for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++) {
            if (!mats[i].m)
                continue;
            char name[64];
            snprintf(name, sizeof name, "head%d_%s.csv", h + 1, mats[i].what);
            if (write_matrix(t, dir, name, mats[i].m, mats[i].cols, mats[i].stride, mats[i].token_cols, err))
                return -1;
            n++;
        }
    }
    if (write_matrix(t, dir, "concat.csv", t->concat, t->D, D, 0, err) ||
        write_matrix(t, dir, "output.csv", t->out, t->D, D, 0, err) ||
        bundle_write_weights(t->model, dir, err) || bundle_write_tokenizer(t->model, dir, err))
        return -1;
    n += 2 + 1 + BUNDLE_N_PROJ + t->model->has_tokenizer;
    for (int m = 0; m < BUNDLE_N_PROJ; m++)
        n += t->model->has_b[m];
    size_t Dh = (size_t)t->Dh, G = 4 * Dh;
    const struct { const char *name; const double *m; size_t stride; } rec[] = {
        {"rnn_h.csv", t->rnn_h, Dh},
        {"lstm_i.csv", t->lstm_gates, G}, {"lstm_f.csv", t->lstm_gates ? t->lstm_gates + Dh : NULL, G},
        {"lstm_g.csv", t->lstm_gates ? t->lstm_gates + 2 * Dh : NULL, G},
        {"lstm_o.csv", t->lstm_gates ? t->lstm_gates + 3 * Dh : NULL, G},
        {"lstm_c.csv", t->lstm_c, Dh}, {"lstm_h.csv", t->lstm_h, Dh},
    };
    for (size_t i = 0; i < sizeof rec / sizeof rec[0]; i++) {
        if (!rec[i].m)
            continue;
        if (write_matrix(t, dir, rec[i].name, rec[i].m, t->Dh, rec[i].stride, 0, err))
            return -1;
        n++;
    }
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        const struct bundle_recurrent_weights *r = &t->model->rec[m];
        n += r->present ? 2 + r->has_b : 0;
        if (r->present && r->w_cls && write_recurrent_cls(t, m, dir, err))
            return -1;
        n += r->present && r->w_cls ? 4 : 0; /* w_cls, b_cls and their logits, probabilities */
    }
    if (write_influence(t, dir, err))
        return -1;
    n++;
    if (t->has_encoder) {
        if (write_matrix(t, dir, "residual1.csv", t->residual1, t->D, D, 0, err) ||
            write_matrix(t, dir, "norm1.csv", t->norm1, t->D, D, 0, err) ||
            write_matrix(t, dir, "ffn_hidden.csv", t->ffn_hidden, t->F, (size_t)t->F, 0, err) ||
            write_matrix(t, dir, "ffn_output.csv", t->ffn_out, t->D, D, 0, err) ||
            write_matrix(t, dir, "residual2.csv", t->residual2, t->D, D, 0, err) ||
            write_matrix(t, dir, "norm2.csv", t->norm2, t->D, D, 0, err))
            return -1;
        n += 6;
        if (t->is_lm) {
            if (write_lm(t, dir, err))
                return -1;
            n += 2 + BUNDLE_N_BLOCK_FILES + 1 + t->model->has_b_lm; /* and w_lm.csv, b_lm.csv */
        } else {
            if (write_summary(dir, "pooled.csv", "mean", t->pooled, t->D, NULL, err) ||
                write_summary(dir, "logits.csv", "sentence", t->logits, t->C, t->model->enc.labels, err) ||
                write_summary(dir, "probabilities.csv", "sentence", t->probs, t->C, t->model->enc.labels, err))
                return -1;
            n += 3 + BUNDLE_N_ENCODER_FILES;
        }
    }
    if (n_files)
        *n_files = n;
    return 0;
}

int export_write(const struct trace *t, const char *dir, int force, int *n_files, struct error *err)
{
    char staging[PATH_SIZE];
    if (fsutil_check_target(dir, force, err) || fsutil_make_staging(dir, staging, sizeof staging, err))
        return -1;
    if (write_all(t, staging, n_files, err)) {
        fsutil_discard(staging);
        if (fsutil_interrupted)
            fsutil_interrupted_error(dir, err);
        return -1;
    }
    return fsutil_commit(staging, dir, force, err);
}

/* generated.csv: header step,token,probability; step from 1, the probability
 * at T = 1 given the sequence before the token. */
static int write_generated(const struct decode *d, const struct decode_step *steps, int n, const char *dir,
                           struct error *err)
{
    char num[16];
    struct csvout w;
    if (open_in(&w, dir, "generated.csv", err))
        return -1;
    csvout_text(&w, "step");
    csvout_text(&w, "token");
    csvout_text(&w, "probability");
    csvout_end_row(&w);
    for (int k = 0; k < n; k++) {
        snprintf(num, sizeof num, "%d", k + 1);
        csvout_text(&w, num);
        csvout_text(&w, d->model->vocab[steps[k].id]);
        csvout_number(&w, steps[k].prob);
        csvout_end_row(&w);
    }
    return csvout_close(&w, err);
}

int export_write_generated(const struct trace *t, const struct decode *d, const struct decode_step *steps, int n,
                           const char *dir, int force, int *n_files, struct error *err)
{
    char staging[PATH_SIZE];
    if (fsutil_check_target(dir, force, err) || fsutil_make_staging(dir, staging, sizeof staging, err))
        return -1;
    if (write_all(t, staging, n_files, err) || write_generated(d, steps, n, staging, err)) {
        fsutil_discard(staging);
        if (fsutil_interrupted)
            fsutil_interrupted_error(dir, err);
        return -1;
    }
    if (n_files)
        ++*n_files;
    return fsutil_commit(staging, dir, force, err);
}
