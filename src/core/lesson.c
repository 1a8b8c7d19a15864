#include "attnstep/lesson.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/attention.h"
#include "attnstep/i18n.h"
#include "attnstep/textbuf.h"

/* ---- stages ----------------------------------------------------------- */

static void add_stage_rows(struct lesson *l, enum stage_kind kind, int head, int row0, int rows, int cols)
{
    struct lesson_stage *s = &l->stages[l->n_stages++];
    s->kind = kind;
    s->head = head;
    s->row0 = row0;
    s->rows = rows;
    s->cols = cols;
    s->steps = l->gran == GRAN_STAGE ? 1 : l->gran == GRAN_ROW ? rows : (long)rows * cols;
    s->first = l->n_steps;
    l->n_steps += s->steps;
}

static void add_stage(struct lesson *l, enum stage_kind kind, int head, int rows, int cols)
{
    add_stage_rows(l, kind, head, 0, rows, cols);
}

/* The first stage computing each matrix, so a cell's stage is found in O(1). */
static int index_stages(struct lesson *l)
{
    int H = l->trace->H;
    l->stage_of = malloc((size_t)MAT_COUNT * (size_t)(H + 1) * sizeof *l->stage_of);
    if (!l->stage_of)
        return -1;
    for (int i = 0; i < MAT_COUNT * (H + 1); i++)
        l->stage_of[i] = -1;
    for (int s = l->n_stages - 1; s >= 0; s--) {
        const struct lesson_stage *st = &l->stages[s];
        l->stage_of[(int)lesson_result(st->kind) * (H + 1) + st->head + 1] = s;
    }
    return 0;
}

/* Per word t: its input, then the recurrent model's stages for that word. */
static void add_recurrent_stages(struct lesson *l)
{
    const struct trace *t = l->trace;
    int rnn = l->model == TRACE_RNN;
    l->period = rnn ? 3 : 4;
    for (int w = 0; w < t->N; w++) {
        add_stage_rows(l, rnn ? STAGE_RNN_INPUT : STAGE_LSTM_INPUT, -1, w, 1, t->D);
        if (rnn) {
            add_stage_rows(l, STAGE_RNN_PRE, -1, w, 1, t->Dh);
            add_stage_rows(l, STAGE_RNN_H, -1, w, 1, t->Dh);
        } else {
            add_stage_rows(l, STAGE_LSTM_GATES, -1, w, 1, 4 * t->Dh);
            add_stage_rows(l, STAGE_LSTM_C, -1, w, 1, t->Dh);
            add_stage_rows(l, STAGE_LSTM_H, -1, w, 1, t->Dh);
        }
    }
    add_stage_rows(l, STAGE_INFLUENCE, -1, (int)l->model, 1, t->N);
}

/* The words of a model with tokenizer.csv, and the merges each one takes,
 * replayed once from the trace's pieces (so stepping never recomputes them). */
static int cut_words(struct lesson *l)
{
    const struct trace *t = l->trace;
    int N = t->N, W = N > 0 ? t->word[N - 1] + 1 : 0;
    l->n_words = W;
    l->word_text = calloc((size_t)W + 1, sizeof *l->word_text);
    l->word_token = calloc((size_t)W + 1, sizeof *l->word_token);
    l->merge_first = calloc((size_t)W + 1, sizeof *l->merge_first);
    l->word_first = calloc((size_t)W + 1, sizeof *l->word_first);
    size_t bytes = 1;
    for (int i = 0; i < N; i++)
        bytes += strlen(t->tokens[i]);
    /* a word of n code points takes at most n - 1 merges */
    l->merge_rank = malloc(bytes * sizeof *l->merge_rank);
    if (!l->word_text || !l->word_token || !l->merge_first || !l->word_first || !l->merge_rank)
        return -1;
    int n_merges = 0;
    for (int w = 0, i = 0; w < W; w++) {
        l->word_token[w] = i;
        size_t len = 0;
        int i1 = i;
        for (; i1 < N && t->word[i1] == w; i1++)
            len += strlen(t->tokens[i1]);
        char *text = malloc(len + 1);
        if (!text)
            return -1;
        text[0] = '\0';
        for (; i < i1; i++) {
            const char *piece = t->tokens[i];
            if (i > l->word_token[w] && !strncmp(piece, BPE_CONTINUATION, strlen(BPE_CONTINUATION)))
                piece += strlen(BPE_CONTINUATION);
            strcat(text, piece);
        }
        l->word_text[w] = text;
        struct bpe_word bw;
        struct error err;
        if (!text[0] || bpe_word_start(&bw, text, &err))
            return -1;
        for (int r; (r = bpe_word_best(&t->model->bpe, &bw)) >= 0;) {
            if (bpe_word_apply(&t->model->bpe, &bw, r) < 0) {
                bpe_word_free(&bw);
                return -1;
            }
            l->merge_rank[n_merges++] = r;
        }
        bpe_word_free(&bw);
        l->merge_first[w + 1] = n_merges;
        l->word_first[w + 1] = l->word_first[w] + (l->merge_first[w + 1] - l->merge_first[w]) + 2;
    }
    l->word_token[W] = N;
    return 0;
}

int lesson_word_merges(const struct lesson *l, int w)
{
    return l->merge_first[w + 1] - l->merge_first[w];
}

int lesson_cut(const struct lesson *l, int w, int k, struct lesson_cut *out)
{
    const struct bpe *b = &l->trace->model->bpe;
    struct error err;
    memset(out, 0, sizeof *out);
    out->rank = -1;
    if (bpe_word_start(&out->w, l->word_text[w], &err))
        return -1;
    const int *rank = l->merge_rank + l->merge_first[w];
    for (int m = 0; m + 1 < k; m++)
        if (bpe_word_apply(b, &out->w, rank[m]) < 0)
            goto fail;
    out->joined = calloc((size_t)out->w.n + 1, sizeof *out->joined);
    if (!out->joined)
        goto fail;
    if (k > 0) { /* where the k-th merge joins: left to right, without overlap, as bpe_word_apply does */
        int r = rank[k - 1], made = 0;
        for (int i = 0; i + 1 < out->w.n; i++)
            if (!strcmp(out->w.sym[i], b->left[r]) && !strcmp(out->w.sym[i + 1], b->right[r])) {
                out->joined[i - made] = 1;
                made++;
                i++;
            }
        if (bpe_word_apply(b, &out->w, r) < 0)
            goto fail;
        out->rank = r;
        out->count = made;
    }
    return 0;
fail:
    lesson_cut_free(out);
    return -1;
}

void lesson_cut_free(struct lesson_cut *c)
{
    bpe_word_free(&c->w);
    free(c->joined);
    memset(c, 0, sizeof *c);
}

int lesson_init(struct lesson *out, const struct trace *t, enum trace_model model, enum granularity gran,
                struct error *err)
{
    if (!t->has_model[model])
        /* TRANSLATORS: %s is RNN or LSTM. */
        return error_set(err, _("this model has no %s weights"), model == TRACE_RNN ? "RNN" : "LSTM");
    struct lesson l = {.trace = t, .gran = gran, .model = model};
    size_t n = model == TRACE_ATTENTION ? 4 + 8 * (size_t)t->H + 2 + 9 : 4 * (size_t)t->N + 1;
    l.stages = calloc(n, sizeof *l.stages);
    if (!l.stages)
        return error_set(err, _("out of memory"));
    if (model != TRACE_ATTENTION) {
        add_recurrent_stages(&l);
        if (index_stages(&l)) {
            lesson_free(&l);
            return error_set(err, _("out of memory"));
        }
        *out = l;
        return 0;
    }
    int N = t->N, D = t->D, DK = t->DK;
    if (t->model->has_tokenizer) {
        if (cut_words(&l)) {
            lesson_free(&l);
            return error_set(err, _("out of memory"));
        }
        /* a row per word; the widest word's steps as its columns, so a column
           past a word's last step means that word's pieces */
        int cols = 1;
        for (int w = 0; w < l.n_words; w++)
            if (lesson_word_merges(&l, w) + 2 > cols)
                cols = lesson_word_merges(&l, w) + 2;
        add_stage(&l, STAGE_TOKENS, -1, l.n_words, cols);
        if (gran == GRAN_CELL) { /* not rows × cols: each word its own number of steps */
            l.n_steps += l.word_first[l.n_words] - l.stages[0].steps;
            l.stages[0].steps = l.word_first[l.n_words];
        }
    } else {
        add_stage(&l, STAGE_TOKENS, -1, N, 1);
    }
    add_stage(&l, STAGE_EMBED, -1, N, D);
    if (t->model->positional)
        add_stage(&l, STAGE_POSITIONAL, -1, N, D);
    add_stage(&l, STAGE_X, -1, N, D);
    for (int h = 0; h < t->H; h++) {
        add_stage(&l, STAGE_Q, h, N, DK);
        add_stage(&l, STAGE_K, h, N, DK);
        add_stage(&l, STAGE_V, h, N, DK);
        add_stage(&l, STAGE_SCORES, h, N, N);
        add_stage(&l, STAGE_SCALED, h, N, N);
        if (t->causal)
            add_stage(&l, STAGE_MASKED, h, N, N);
        add_stage(&l, STAGE_WEIGHTS, h, N, N);
        add_stage(&l, STAGE_HEAD_OUT, h, N, DK);
    }
    add_stage(&l, STAGE_CONCAT, -1, N, D);
    add_stage(&l, STAGE_OUTPUT, -1, N, D);
    if (t->has_encoder) {
        add_stage(&l, STAGE_RESIDUAL1, -1, N, D);
        add_stage(&l, STAGE_NORM1, -1, N, D);
        add_stage(&l, STAGE_FFN_HIDDEN, -1, N, t->F);
        add_stage(&l, STAGE_FFN_OUTPUT, -1, N, D);
        add_stage(&l, STAGE_RESIDUAL2, -1, N, D);
        add_stage(&l, STAGE_NORM2, -1, N, D);
        if (t->is_lm) {
            add_stage(&l, STAGE_LM_LOGITS, -1, 1, t->V);
            add_stage(&l, STAGE_LM_PROBS, -1, 1, t->V);
            add_stage(&l, STAGE_LM_CHOICE, -1, 1, 1);
        } else {
            add_stage(&l, STAGE_POOLED, -1, 1, D);
            add_stage(&l, STAGE_LOGITS, -1, 1, t->C);
            add_stage(&l, STAGE_PROBS, -1, 1, t->C);
        }
    }
    if (index_stages(&l)) {
        lesson_free(&l);
        return error_set(err, _("out of memory"));
    }
    *out = l;
    return 0;
}

void lesson_free(struct lesson *l)
{
    if (!l)
        return;
    free(l->stages);
    free(l->stage_of);
    for (int w = 0; l->word_text && w < l->n_words; w++)
        free(l->word_text[w]);
    free(l->word_text);
    free(l->word_token);
    free(l->merge_first);
    free(l->merge_rank);
    free(l->word_first);
    memset(l, 0, sizeof *l);
}

struct lesson_pos lesson_at(const struct lesson *l, long step)
{
    if (step < 0)
        step = 0;
    if (step >= l->n_steps)
        step = l->n_steps - 1;
    int lo = 0, hi = l->n_stages - 1; /* the last stage whose first step <= step */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (l->stages[mid].first <= step)
            lo = mid;
        else
            hi = mid - 1;
    }
    const struct lesson_stage *s = &l->stages[lo];
    long off = step - s->first;
    struct lesson_pos p = {.step = step, .stage = lo, .row = -1, .col = -1};
    if (l->gran == GRAN_ROW) {
        p.row = s->row0 + (int)off;
    } else if (l->gran == GRAN_CELL && s->kind == STAGE_TOKENS && l->n_words) {
        int a = 0, b = l->n_words - 1; /* the last word whose first step <= off */
        while (a < b) {
            int mid = (a + b + 1) / 2;
            if (l->word_first[mid] <= off)
                a = mid;
            else
                b = mid - 1;
        }
        p.row = a;
        p.col = (int)(off - l->word_first[a]);
    } else if (l->gran == GRAN_CELL) {
        p.row = s->row0 + (int)(off / s->cols);
        p.col = (int)(off % s->cols);
    }
    return p;
}

long lesson_step_of(const struct lesson *l, int stage, int row, int col)
{
    const struct lesson_stage *s = &l->stages[stage];
    if (l->gran == GRAN_STAGE || row < 0)
        return s->first;
    row -= s->row0;
    if (l->gran == GRAN_CELL && s->kind == STAGE_TOKENS && l->n_words) {
        int last = lesson_word_merges(l, row) + 1; /* a column past the word's steps: its pieces */
        return s->first + l->word_first[row] + (col < 0 ? 0 : col > last ? last : col);
    }
    if (l->gran == GRAN_ROW || col < 0)
        return s->first + (l->gran == GRAN_ROW ? row : (long)row * s->cols);
    return s->first + (long)row * s->cols + col;
}

int lesson_revealed(const struct lesson *l, long step, int stage, int row, int col)
{
    const struct lesson_stage *s = &l->stages[stage];
    if (step >= s->first + s->steps)
        return 1;
    if (step < s->first)
        return 0;
    return lesson_step_of(l, stage, row, col) <= step;
}

int lesson_stage_of(const struct lesson *l, enum matrix_id m, int head, int row)
{
    int s = l->stage_of[(int)m * (l->trace->H + 1) + head + 1];
    if (s < 0)
        return -1;
    const struct lesson_stage *st = &l->stages[s];
    if (row >= st->row0 && row < st->row0 + st->rows)
        return s;
    /* A recurrent matrix is filled a row per word, `period` stages apart. */
    if (l->period && st->kind != STAGE_INFLUENCE && row > st->row0)
        return s + (row - st->row0) * l->period;
    return -1;
}

int lesson_cell_revealed(const struct lesson *l, long step, enum matrix_id m, int head, int row, int col)
{
    if (l->stage_of[(int)m * (l->trace->H + 1) + head + 1] < 0)
        return 1; /* a weight, or an input this lesson takes as given */
    if (m == MAT_TOKENS && l->n_words) { /* a piece: once its word's pieces are shown */
        int w = l->trace->word[row], s = l->stage_of[(int)m * (l->trace->H + 1) + head + 1];
        return lesson_revealed(l, step, s, w, lesson_word_merges(l, w) + 1);
    }
    int s = lesson_stage_of(l, m, head, row);
    return s < 0 ? 1 : lesson_revealed(l, step, s, row, col);
}

/* ---- matrices --------------------------------------------------------- */

enum matrix_id lesson_result(enum stage_kind kind)
{
    static const enum matrix_id result[STAGE_KIND_COUNT] = {
        [STAGE_TOKENS] = MAT_TOKENS, [STAGE_EMBED] = MAT_EMBED, [STAGE_POSITIONAL] = MAT_PE,
        [STAGE_X] = MAT_X, [STAGE_Q] = MAT_Q, [STAGE_K] = MAT_K, [STAGE_V] = MAT_V,
        [STAGE_SCORES] = MAT_SCORES, [STAGE_SCALED] = MAT_SCALED, [STAGE_MASKED] = MAT_MASKED,
        [STAGE_WEIGHTS] = MAT_WEIGHTS, [STAGE_HEAD_OUT] = MAT_HEAD_OUT, [STAGE_CONCAT] = MAT_CONCAT,
        [STAGE_OUTPUT] = MAT_OUTPUT,
        [STAGE_RNN_INPUT] = MAT_EMBED, [STAGE_RNN_PRE] = MAT_RNN_PRE, [STAGE_RNN_H] = MAT_RNN_H,
        [STAGE_LSTM_INPUT] = MAT_EMBED, [STAGE_LSTM_GATES] = MAT_LSTM_GATES, [STAGE_LSTM_C] = MAT_LSTM_C,
        [STAGE_LSTM_H] = MAT_LSTM_H, [STAGE_INFLUENCE] = MAT_INFLUENCE,
        [STAGE_RESIDUAL1] = MAT_RESIDUAL1, [STAGE_NORM1] = MAT_NORM1, [STAGE_FFN_HIDDEN] = MAT_FFN_HIDDEN,
        [STAGE_FFN_OUTPUT] = MAT_FFN_OUTPUT, [STAGE_RESIDUAL2] = MAT_RESIDUAL2, [STAGE_NORM2] = MAT_NORM2,
        [STAGE_POOLED] = MAT_POOLED, [STAGE_LOGITS] = MAT_LOGITS, [STAGE_PROBS] = MAT_PROBS,
        [STAGE_LM_LOGITS] = MAT_LM_LOGITS, [STAGE_LM_PROBS] = MAT_NEXT_PROBS, [STAGE_LM_CHOICE] = MAT_NEXT_CHOICE,
    };
    return result[kind];
}

const char *lesson_matrix_symbol(enum matrix_id m)
{
    static const char *const symbol[MAT_COUNT] = {
        [MAT_TOKENS] = "tokens", [MAT_EMBED_TABLE] = "E", [MAT_EMBED] = "e", [MAT_PE] = "p", [MAT_X] = "x",
        [MAT_WQ] = "W_Q", [MAT_WK] = "W_K", [MAT_WV] = "W_V", [MAT_WO] = "W_O",
        [MAT_Q] = "Q", [MAT_K] = "K", [MAT_V] = "V", [MAT_SCORES] = "S", [MAT_SCALED] = "S'",
        [MAT_MASKED] = "M", [MAT_WEIGHTS] = "A", [MAT_HEAD_OUT] = "O", [MAT_CONCAT] = "C", [MAT_OUTPUT] = "Y",
        [MAT_RNN_WX] = "W_xh", [MAT_RNN_WH] = "W_hh", [MAT_RNN_PRE] = "a", [MAT_RNN_H] = "h",
        [MAT_LSTM_WX] = "W_x", [MAT_LSTM_WH] = "W_h", [MAT_LSTM_GATES] = "gates", [MAT_LSTM_C] = "c",
        [MAT_LSTM_H] = "h", [MAT_INFLUENCE] = "influence",
        [MAT_RESIDUAL1] = "r1", [MAT_NORM1] = "n1", [MAT_W_FF1] = "W_ff1", [MAT_FFN_HIDDEN] = "ff1",
        [MAT_W_FF2] = "W_ff2", [MAT_FFN_OUTPUT] = "ff2", [MAT_RESIDUAL2] = "r2", [MAT_NORM2] = "n2",
        [MAT_POOLED] = "pooled", [MAT_W_CLS] = "W_cls", [MAT_LOGITS] = "logits", [MAT_PROBS] = "P",
        [MAT_W_LM] = "W_lm", [MAT_LM_LOGITS] = "logits", [MAT_NEXT_PROBS] = "P",
    };
    /* Two names are words, not symbols a formula uses. */
    if (m == MAT_TOKENS)
        /* TRANSLATORS: the name of the token table (a panel title on the screen). */
        return _("tokens");
    if (m == MAT_INFLUENCE)
        /* TRANSLATORS: the name of the table of each word's influence on the
           output (a panel title on the screen, the corner of the printed table). */
        return _("influence");
    if (m == MAT_NEXT_CHOICE)
        /* TRANSLATORS: a language model's chosen next token (a panel title on
           the screen, the corner of the printed table); about 8 cells. */
        return _("next");
    return symbol[m];
}

struct matview lesson_matrix(const struct lesson *l, enum matrix_id m, int head)
{
    const struct trace *t = l->trace;
    const struct bundle *b = t->model;
    size_t N = (size_t)t->N, D = (size_t)t->D, h = head < 0 ? 0 : (size_t)head, hoff = h * (size_t)t->DK;
    struct matview v = {.rows = t->N, .cols = t->D, .stride = D, .row_labels = LABEL_TOKEN, .col_labels = LABEL_DIM};
    switch (m) {
    case MAT_TOKENS: v.cols = 1; v.stride = 1; break;
    case MAT_EMBED_TABLE: v.data = b->embed; v.rows = b->n_vocab; v.row_labels = LABEL_VOCAB_ROW; break;
    case MAT_EMBED: v.data = t->embed; break;
    case MAT_PE: v.data = t->pe; break;
    case MAT_X: v.data = t->x; break;
    case MAT_WQ: case MAT_WK: case MAT_WV: case MAT_WO:
        v.data = b->w[m - MAT_WQ];
        v.rows = t->D;
        v.row_labels = LABEL_DIM;
        break;
    case MAT_Q: case MAT_K: case MAT_V: case MAT_HEAD_OUT:
        v.data = (m == MAT_Q ? t->q : m == MAT_K ? t->k : m == MAT_V ? t->v : t->concat) + hoff;
        v.cols = t->DK;
        break;
    case MAT_SCORES: case MAT_SCALED: case MAT_MASKED: case MAT_WEIGHTS: {
        const double *base = m == MAT_SCORES ? t->scores : m == MAT_SCALED ? t->scaled
                           : m == MAT_MASKED ? t->masked : t->weights;
        v.data = base ? base + h * N * N : NULL;
        v.cols = t->N;
        v.stride = N;
        v.col_labels = LABEL_TOKEN;
        break;
    }
    case MAT_CONCAT: v.data = t->concat; break;
    case MAT_OUTPUT: v.data = t->out; break;
    case MAT_RNN_WX: case MAT_RNN_WH: case MAT_LSTM_WX: case MAT_LSTM_WH: {
        const struct bundle_recurrent_weights *r = &b->rec[m <= MAT_RNN_WH ? BUNDLE_RNN : BUNDLE_LSTM];
        int wx = m == MAT_RNN_WX || m == MAT_LSTM_WX;
        v.data = wx ? r->w_x : r->w_h;
        v.rows = wx ? t->D : t->Dh;
        v.cols = r->gates * t->Dh;
        v.stride = (size_t)v.cols;
        v.row_labels = LABEL_DIM;
        v.col_labels = r->gates > 1 ? LABEL_GATE : LABEL_DIM;
        break;
    }
    case MAT_RNN_PRE: case MAT_RNN_H: case MAT_LSTM_C: case MAT_LSTM_H:
        v.data = m == MAT_RNN_PRE ? t->rnn_pre : m == MAT_RNN_H ? t->rnn_h : m == MAT_LSTM_C ? t->lstm_c : t->lstm_h;
        v.cols = t->Dh;
        v.stride = (size_t)t->Dh;
        break;
    case MAT_LSTM_GATES:
        v.data = t->lstm_gates;
        v.cols = 4 * t->Dh;
        v.stride = (size_t)v.cols;
        v.col_labels = LABEL_GATE;
        break;
    case MAT_RESIDUAL1: case MAT_NORM1: case MAT_FFN_OUTPUT: case MAT_RESIDUAL2: case MAT_NORM2:
        v.data = m == MAT_RESIDUAL1 ? t->residual1 : m == MAT_NORM1 ? t->norm1 : m == MAT_FFN_OUTPUT ? t->ffn_out
               : m == MAT_RESIDUAL2 ? t->residual2 : t->norm2;
        break;
    case MAT_FFN_HIDDEN:
        v.data = t->ffn_hidden;
        v.cols = t->F;
        v.stride = (size_t)t->F;
        break;
    case MAT_W_FF1: case MAT_W_FF2: case MAT_W_CLS:
        v.data = m == MAT_W_FF1 ? b->enc.w_ff1 : m == MAT_W_FF2 ? b->enc.w_ff2 : b->enc.w_cls;
        v.rows = m == MAT_W_FF2 ? t->F : t->D;
        v.cols = m == MAT_W_FF1 ? t->F : m == MAT_W_FF2 ? t->D : t->C;
        v.stride = (size_t)v.cols;
        v.row_labels = LABEL_DIM;
        v.col_labels = m == MAT_W_CLS ? LABEL_CLASS : LABEL_DIM;
        break;
    case MAT_POOLED:
        v.data = t->pooled;
        v.rows = 1;
        v.row_labels = LABEL_MEAN;
        break;
    case MAT_LOGITS: case MAT_PROBS:
        v.data = m == MAT_LOGITS ? t->logits : t->probs;
        v.rows = 1;
        v.cols = t->C;
        v.stride = (size_t)t->C;
        v.row_labels = LABEL_SENTENCE;
        v.col_labels = LABEL_CLASS;
        break;
    case MAT_W_LM:
        v.data = b->w_lm;
        v.cols = b->task == BUNDLE_TASK_LM ? b->n_vocab : 0;
        v.stride = (size_t)v.cols;
        v.row_labels = LABEL_DIM;
        v.col_labels = LABEL_VOCAB;
        break;
    case MAT_LM_LOGITS: case MAT_NEXT_PROBS:
        v.data = m == MAT_NEXT_PROBS ? t->next_probs : t->lm_logits ? t->lm_logits + (N - 1) * (size_t)t->V : NULL;
        v.rows = 1;
        v.cols = t->V;
        v.stride = (size_t)t->V;
        v.row_labels = LABEL_LAST;
        v.col_labels = LABEL_VOCAB;
        break;
    case MAT_NEXT_CHOICE:
        v.data = t->next_probs ? t->next_probs + t->next_choice : NULL;
        v.rows = 1;
        v.cols = 1;
        v.stride = 1;
        v.row_labels = LABEL_LAST;
        v.col_labels = LABEL_CHOSEN;
        break;
    case MAT_INFLUENCE:
        trace_influence_all(t); /* computed when first shown; zeros only if out of memory */
        v.data = t->influence;
        v.rows = TRACE_N_MODELS;
        v.cols = t->N;
        v.stride = N;
        v.row_labels = LABEL_MODEL;
        v.col_labels = LABEL_TOKEN;
        break;
    case MAT_COUNT: break;
    }
    return v;
}

const char *lesson_label(const struct lesson *l, enum label_kind kind, int i, char *buf)
{
    if (kind == LABEL_TOKEN)
        return l->trace->tokens[i];
    if (kind == LABEL_MODEL) {
        /* TRANSLATORS: the row labels of the influence table (screen and
           --print), at most 9 cells: the RNN, the LSTM and attention. The
           English keeps the export's lowercase names "rnn" and "lstm". */
        const char *name[TRACE_N_MODELS] = {_("rnn"), _("lstm"), _("attention")};
        return name[i];
    }
    if (kind == LABEL_CLASS)
        return l->trace->model->enc.labels[i];
    if (kind == LABEL_VOCAB || kind == LABEL_CHOSEN)
        return l->trace->model->vocab[kind == LABEL_VOCAB ? i : l->trace->next_choice];
    if (kind == LABEL_LAST)
        return l->trace->tokens[l->trace->N - 1];
    /* TRANSLATORS: the row label of the pooled vector (the mean of the rows
       above it) and of the logits and probabilities (one row: the sentence),
       in the printed tables and on the screen; keep them short (about 8 cells). */
    if (kind == LABEL_MEAN || kind == LABEL_SENTENCE)
        return kind == LABEL_MEAN ? _("mean") : _("sentence");
    if (kind == LABEL_GATE) /* the LSTM's four blocks: i0 … f0 … g0 … o0 … */
        snprintf(buf, 32, "%c%d", "ifgo"[i / l->trace->Dh % 4], i % l->trace->Dh);
    else
        snprintf(buf, 32, kind == LABEL_DIM ? "d%d" : "%d", i);
    return buf;
}

/* ---- operands --------------------------------------------------------- */

int lesson_operands(const struct lesson *l, struct lesson_pos pos, struct lesson_operand *out)
{
    const struct lesson_stage *s = &l->stages[pos.stage];
    const struct trace *t = l->trace;
    int i = pos.row, j = pos.col, h = s->head, n = 0;
    int gcol = j < 0 ? -1 : h * t->DK + j; /* the column in the full-width matrices */
#define OPERAND(m, hh, r, c) (out[n++] = (struct lesson_operand){(m), (hh), (r), (c)})
    switch (s->kind) {
    case STAGE_TOKENS:
        break;
    case STAGE_EMBED:
        OPERAND(MAT_EMBED_TABLE, -1, i < 0 ? -1 : t->ids[i], j);
        break;
    case STAGE_POSITIONAL:
        break;
    case STAGE_X:
        OPERAND(MAT_EMBED, -1, i, j);
        if (t->model->positional)
            OPERAND(MAT_PE, -1, i, j);
        break;
    case STAGE_Q: case STAGE_K: case STAGE_V:
        OPERAND(MAT_X, -1, i, -1);
        OPERAND(MAT_WQ + (s->kind - STAGE_Q), -1, -1, gcol);
        break;
    case STAGE_SCORES:
        OPERAND(MAT_Q, h, i, -1);
        OPERAND(MAT_K, h, j, -1);
        break;
    case STAGE_SCALED:
        OPERAND(MAT_SCORES, h, i, j);
        break;
    case STAGE_MASKED:
        OPERAND(MAT_SCALED, h, i, j);
        break;
    case STAGE_WEIGHTS:
        OPERAND(t->causal ? MAT_MASKED : MAT_SCALED, h, i, -1);
        break;
    case STAGE_HEAD_OUT:
        OPERAND(MAT_WEIGHTS, h, i, -1);
        OPERAND(MAT_V, h, -1, j);
        break;
    case STAGE_CONCAT:
        OPERAND(MAT_HEAD_OUT, j < 0 ? -1 : j / t->DK, i, j < 0 ? -1 : j % t->DK);
        break;
    case STAGE_OUTPUT:
        OPERAND(MAT_CONCAT, -1, i, -1);
        OPERAND(MAT_WO, -1, -1, j);
        break;
    case STAGE_RNN_INPUT: case STAGE_LSTM_INPUT:
        OPERAND(MAT_EMBED_TABLE, -1, t->ids[s->row0], j);
        break;
    case STAGE_RNN_PRE: case STAGE_LSTM_GATES: {
        int rnn = s->kind == STAGE_RNN_PRE;
        OPERAND(MAT_EMBED, -1, s->row0, -1);
        OPERAND(rnn ? MAT_RNN_WX : MAT_LSTM_WX, -1, -1, j);
        if (s->row0 > 0)
            OPERAND(rnn ? MAT_RNN_H : MAT_LSTM_H, -1, s->row0 - 1, -1);
        OPERAND(rnn ? MAT_RNN_WH : MAT_LSTM_WH, -1, -1, j);
        break;
    }
    case STAGE_RNN_H:
        OPERAND(MAT_RNN_PRE, -1, s->row0, j);
        break;
    case STAGE_LSTM_C:
        OPERAND(MAT_LSTM_GATES, -1, s->row0, -1);
        if (s->row0 > 0)
            OPERAND(MAT_LSTM_C, -1, s->row0 - 1, j);
        break;
    case STAGE_LSTM_H:
        OPERAND(MAT_LSTM_GATES, -1, s->row0, j < 0 ? -1 : 3 * t->Dh + j);
        OPERAND(MAT_LSTM_C, -1, s->row0, j);
        break;
    case STAGE_RESIDUAL1:
        OPERAND(MAT_X, -1, i, j);
        OPERAND(MAT_OUTPUT, -1, i, j);
        break;
    case STAGE_NORM1: case STAGE_NORM2:
        OPERAND(s->kind == STAGE_NORM1 ? MAT_RESIDUAL1 : MAT_RESIDUAL2, -1, i, -1);
        break;
    case STAGE_FFN_HIDDEN:
        OPERAND(MAT_NORM1, -1, i, -1);
        OPERAND(MAT_W_FF1, -1, -1, j);
        break;
    case STAGE_FFN_OUTPUT:
        OPERAND(MAT_FFN_HIDDEN, -1, i, -1);
        OPERAND(MAT_W_FF2, -1, -1, j);
        break;
    case STAGE_RESIDUAL2:
        OPERAND(MAT_NORM1, -1, i, j);
        OPERAND(MAT_FFN_OUTPUT, -1, i, j);
        break;
    case STAGE_POOLED:
        OPERAND(MAT_NORM2, -1, -1, j);
        break;
    case STAGE_LOGITS:
        OPERAND(MAT_POOLED, -1, 0, -1);
        OPERAND(MAT_W_CLS, -1, -1, j);
        break;
    case STAGE_PROBS:
        OPERAND(MAT_LOGITS, -1, 0, -1);
        break;
    case STAGE_LM_LOGITS:
        OPERAND(MAT_NORM2, -1, t->N - 1, -1);
        OPERAND(MAT_W_LM, -1, -1, j);
        break;
    case STAGE_LM_PROBS:
        OPERAND(MAT_LM_LOGITS, -1, 0, -1);
        break;
    case STAGE_LM_CHOICE:
        OPERAND(MAT_NEXT_PROBS, -1, 0, t->next_choice);
        break;
    case STAGE_INFLUENCE:
    case STAGE_KIND_COUNT:
        break;
    }
#undef OPERAND
    return n;
}

/* ---- formulas --------------------------------------------------------- */

/* Four decimals below 100, four significant digits above, never e-notation:
 * a first-year student reads 0.0001, not 6.088e-05, and redoing a step with
 * the numbers shown (S / √d_k: -21.153 / 2.8284) gets the result shown. Trailing zeros go ("0.5",
 * "2"), except where a number that is not 0 rounds to nothing: "0.0000" says
 * "tiny", where "0" would claim exactly zero (and "-0.0000" a sign that does
 * not matter). */
void lesson_format_number(double v, char *buf, size_t size)
{
    if (isinf(v) || isnan(v)) {
        snprintf(buf, size, "%s", isnan(v) ? "nan" : v < 0 ? "-∞" : "∞");
        return;
    }
    if (fpclassify(v) == FP_ZERO) {
        snprintf(buf, size, "0");
        return;
    }
    if (fabs(v) >= 1e15) { /* beyond any trained weight: plain digits would not fit */
        snprintf(buf, size, "%.4g", v);
        return;
    }
    int decimals = 4; /* 0.4213, 2.8284, 1.0001 (not "1" beside 0.9999), 21.1534, then 123.4, 1234 */
    for (double p = 100; decimals > 0 && fabs(v) >= p; p *= 10)
        decimals -= decimals == 4 ? 3 : 1;
    char num[32];
    snprintf(num, sizeof num, "%.*f", decimals, v);
    if (!strpbrk(num, "123456789")) {
        snprintf(buf, size, "0.0000");
        return;
    }
    char *dot = strchr(num, '.');
    if (dot) {
        char *end = num + strlen(num);
        while (end[-1] == '0')
            *--end = '\0';
        if (end[-1] == '.')
            end[-1] = '\0';
    }
    snprintf(buf, size, "%s", num);
}

/* A constant given exactly, without e-notation: 1e-05 as "0.00001". */
static void put_plain(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.15f", v);
    if (strchr(buf, '.')) {
        char *end = buf + strlen(buf);
        while (end[-1] == '0')
            *--end = '\0';
        if (end[-1] == '.')
            end[-1] = '\0';
    }
}

/* A probability in per cent: "93%", and never "100%" or "0%" for what is
 * not certain: "99.99%", "> 99.99%". */
void lesson_format_percent(double p, char *buf, size_t size)
{
    double v = 100.0 * p;
    if (v >= 99.995 && p < 1)
        snprintf(buf, size, "> 99.99%%");
    else if (v < 0.005 && p > 0)
        snprintf(buf, size, "< 0.01%%");
    else if ((v >= 99.5 && p < 1) || (v < 0.5 && p > 0))
        snprintf(buf, size, "%.2f%%", v);
    else
        snprintf(buf, size, "%.0f%%", v);
}

static void put_num(struct textbuf *t, double v)
{
    char num[32];
    lesson_format_number(v, num, sizeof num);
    textbuf_put(t, "%s", num);
}

/* A number after a plus or minus sign: "− (-0.5)", never "− -0.5"; one
 * shown without a sign ("0.0000") needs no brackets. */
static void put_subtrahend(struct textbuf *t, double v)
{
    char num[32];
    lesson_format_number(v, num, sizeof num);
    textbuf_put(t, num[0] == '-' ? "(%s)" : "%s", num);
}

/* Long sums and vectors show their first terms, an ellipsis and the last term. */
#define SHOWN_HEAD 3
#define MAX_TERMS 5    /* a sum of products longer than this is elided */
#define MAX_ENTRIES 8  /* likewise a vector */
static int elided(int k, int n, int max)
{
    return n > max && k >= SHOWN_HEAD && k < n - 1;
}

/* (a0)(b0) + (a1)(b1) + … ; a and b step by their strides. A sum longer
 * than max shows its first `head` terms, an ellipsis and the last. */
static void put_products_shown(struct textbuf *t, const double *a, size_t sa, const double *b, size_t sb, int n,
                               int head, int max)
{
    for (int k = 0; k < n; k++) {
        if (n > max && k >= head && k < n - 1) {
            if (k == head)
                textbuf_put(t, " + …");
            continue;
        }
        if (k)
            textbuf_put(t, " + ");
        textbuf_put(t, "(");
        put_num(t, a[(size_t)k * sa]);
        textbuf_put(t, ")(");
        put_num(t, b[(size_t)k * sb]);
        textbuf_put(t, ")");
    }
}

static void put_products(struct textbuf *t, const double *a, size_t sa, const double *b, size_t sb, int n)
{
    put_products_shown(t, a, sa, b, sb, n, SHOWN_HEAD, MAX_TERMS);
}

/* a0 + a1 + … + a(n-1), elided like the other sums. */
static void put_products_sum(struct textbuf *t, const double *a, size_t sa, int n)
{
    for (int k = 0; k < n; k++) {
        if (elided(k, n, MAX_TERMS)) {
            if (k == SHOWN_HEAD)
                textbuf_put(t, " + …");
            continue;
        }
        if (k)
            textbuf_put(t, " + ");
        put_subtrahend(t, a[(size_t)k * sa]);
    }
}

static void put_vector(struct textbuf *t, const double *v, size_t stride, int n)
{
    textbuf_put(t, "[");
    for (int k = 0; k < n; k++) {
        if (elided(k, n, MAX_ENTRIES)) {
            if (k == SHOWN_HEAD)
                textbuf_put(t, ", …");
            continue;
        }
        if (k)
            textbuf_put(t, ", ");
        put_num(t, v[(size_t)k * stride]);
    }
    textbuf_put(t, "]");
}

static double at(struct matview v, int r, int c)
{
    return v.data[(size_t)r * v.stride + (size_t)c];
}

/* "Q[movie,d2]" or "Q[movie]" or "Q". */
static void put_ref(struct textbuf *t, const struct lesson *l, enum matrix_id m, struct matview v, int r, int c)
{
    char b1[32], b2[32];
    textbuf_put(t, "%s", lesson_matrix_symbol(m));
    if (r >= 0 && c >= 0)
        textbuf_put(t, "[%s,%s]", lesson_label(l, v.row_labels, r, b1), lesson_label(l, v.col_labels, c, b2));
    else if (r >= 0)
        textbuf_put(t, "[%s]", lesson_label(l, v.row_labels, r, b1));
}

/* The symbols of a word cut part way, " · " between them. */
static void put_symbols(struct textbuf *t, const struct lesson_cut *c)
{
    for (int k = 0; k < c->w.n; k++)
        textbuf_put(t, "%s%s", k ? " · " : " ", c->w.sym[k]);
}

/* Word w's pieces with their vocabulary rows. */
static void put_pieces(struct textbuf *t, const struct lesson *l, int w)
{
    const struct trace *tr = l->trace;
    for (int i = l->word_token[w]; i < l->word_token[w + 1]; i++) {
        textbuf_put(t, i > l->word_token[w] ? ", " : " ");
        if (strcmp(tr->model->vocab[tr->ids[i]], tr->tokens[i]) != 0)
            /* TRANSLATORS: a piece of a word (%s, "##" before a piece that does
               not begin its word) the vocabulary lacks; %d is the row of <unk>. */
            textbuf_put(t, _("%s (<unk>, row %d)"), tr->tokens[i], tr->ids[i]);
        else
            /* TRANSLATORS: a piece of a word (%s) and its row of the vocabulary. */
            textbuf_put(t, _("%s (row %d)"), tr->tokens[i], tr->ids[i]);
    }
}

/* "좋 + 아 → 좋아 (merge 12)": merge numbers count tokenizer.csv's rows from 1. */
static void put_merge(struct textbuf *t, const struct lesson *l, int rank, int count)
{
    const struct bpe *b = &l->trace->model->bpe;
    if (count > 1)
        /* TRANSLATORS: a merge of the subword tokenizer: left + right → joined,
           its number (its row of tokenizer.csv, from 1) and in how many places
           of the word it joined (always 2 or more). */
        textbuf_put(t, ngettext("%s + %s → %s%s (merge %d, %d places)", "%s + %s → %s%s (merge %d, %d places)",
                        (unsigned long)count), b->left[rank], b->right[rank], b->left[rank], b->right[rank],
            rank + 1, count);
    else
        /* TRANSLATORS: a merge of the subword tokenizer: left + right → joined,
           and its number (its row of tokenizer.csv, counted from 1). */
        textbuf_put(t, _("%s + %s → %s%s (merge %d)"), b->left[rank], b->right[rank], b->left[rank], b->right[rank],
            rank + 1);
}

/* The tokens stage of a model with tokenizer.csv, word w: at col < 0 all of
 * it; col 0 its code points, col k its k-th merge, the last its pieces. */
static void formula_word(struct textbuf *t, const struct lesson *l, int w, int col)
{
    int m = lesson_word_merges(l, w);
    /* TRANSLATORS: the start of a step of the tokens stage: the word's number
       (from 1), how many words, and the word itself. */
    textbuf_put(t, _("word %d of %d, \"%s\":"), w + 1, l->n_words, l->word_text[w]);
    if (col < 0) {
        const int *rank = l->merge_rank + l->merge_first[w];
        if (!m)
            /* TRANSLATORS: in the tokens stage: no merge of tokenizer.csv joins
               any two of the word's characters. */
            textbuf_put(t, " %s", _("no merge applies"));
        for (int k = 0; k < m; k++) {
            textbuf_put(t, k ? ", " : " ");
            struct lesson_cut c;
            if (lesson_cut(l, w, k + 1, &c))
                return;
            put_merge(t, l, rank[k], c.count);
            lesson_cut_free(&c);
        }
        textbuf_put(t, "  ⇒");
        put_pieces(t, l, w);
        return;
    }
    if (col > m) {
        int n = l->word_token[w + 1] - l->word_token[w];
        /* TRANSLATORS: the last step of a word in the tokens stage, followed
           by its pieces and their rows: "2 pieces: 좋아 (row 41), ##요 (row 9)". */
        textbuf_put(t, ngettext(" %d piece:", " %d pieces:", (unsigned long)n), n);
        put_pieces(t, l, w);
        return;
    }
    struct lesson_cut c;
    if (lesson_cut(l, w, col, &c))
        return;
    if (col == 0) {
        /* TRANSLATORS: the first step of a word in the tokens stage, followed by
           its characters (Unicode code points; a Hangul syllable is one). */
        textbuf_put(t, ngettext(" %d symbol, one per character:", " %d symbols, one per character:", (unsigned long)c.w.n),
            c.w.n);
    } else {
        textbuf_put(t, " ");
        put_merge(t, l, c.rank, c.count);
        textbuf_put(t, " ⇒");
    }
    put_symbols(t, &c);
    lesson_cut_free(&c);
}

static void formula_tokens(struct textbuf *t, const struct lesson *l, int i)
{
    const struct trace *tr = l->trace;
    if (i < 0) {
        /* TRANSLATORS: the first step of the lesson, followed by the tokens
           themselves ("5 tokens: the movie was not good"). */
        textbuf_put(t, ngettext("%d token:", "%d tokens:", tr->N), tr->N);
        for (int k = 0; k < tr->N && k < 12; k++)
            textbuf_put(t, " %s", tr->tokens[k]);
        if (tr->N > 12)
            textbuf_put(t, " …");
        /* TRANSLATORS: %d is the number of tokens in the model's vocabulary. */
        textbuf_put(t, _("  (each looked up in a vocabulary of %d)"), tr->model->n_vocab);
        return;
    }
    const char *vocab_tok = tr->model->vocab[tr->ids[i]];
    if (strcmp(vocab_tok, tr->tokens[i]) != 0)
        /* TRANSLATORS: the token at position %d (from 0) is %s, a word of the
           sentence in any language; the last %d is the row of <unk>. */
        textbuf_put(t, _("position %d: \"%s\" is not in the vocabulary → <unk>, row %d"), i, tr->tokens[i], tr->ids[i]);
    else
        /* TRANSLATORS: the token at position %d (from 0) is %s; the last %d is
           its row of the vocabulary (and of the embedding table). */
        textbuf_put(t, _("position %d: \"%s\" → vocabulary row %d"), i, tr->tokens[i], tr->ids[i]);
}

static void formula_positional(struct textbuf *t, const struct lesson *l, struct matview res, int i, int j)
{
    int D = l->trace->D;
    if (i < 0) {
        textbuf_put(t, "p[pos,2i] = sin(pos / 10000^(2i/%d)),  p[pos,2i+1] = cos(pos / 10000^(2i/%d))", D, D);
        return;
    }
    put_ref(t, l, MAT_PE, res, i, j);
    if (j < 0) {
        textbuf_put(t, " = [sin(%d/10000^(0/%d)), cos(%d/10000^(0/%d)), …] = ", i, D, i, D);
        put_vector(t, res.data + (size_t)i * res.stride, 1, res.cols);
        return;
    }
    textbuf_put(t, " = %s(%d / 10000^(%d/%d)) = %s(", j % 2 ? "cos" : "sin", i, j - j % 2, D, j % 2 ? "cos" : "sin");
    put_num(t, attention_positional_angle(i, j, D));
    textbuf_put(t, ") = ");
    put_num(t, at(res, i, j));
}

/* Q, K, V and the output projection: a row times a weight column, plus bias. */
static void formula_linear(struct textbuf *t, const struct lesson *l, const struct lesson_stage *s,
                           struct matview res, int i, int j)
{
    const struct trace *tr = l->trace;
    int proj = s->kind == STAGE_OUTPUT ? BUNDLE_O : BUNDLE_Q + (int)(s->kind - STAGE_Q);
    enum matrix_id in_m = s->kind == STAGE_OUTPUT ? MAT_CONCAT : MAT_X;
    struct matview in = lesson_matrix(l, in_m, -1);
    const double *w = tr->model->w[proj], *b = tr->model->b[proj];
    int has_b = tr->model->has_b[proj];
    int off = s->kind == STAGE_OUTPUT ? 0 : s->head * tr->DK;
    const char *wname = lesson_matrix_symbol(MAT_WQ + proj);
    const char *bname[] = {"b_Q", "b_K", "b_V", "b_O"};
    char cols[48] = "", bcols[48] = ""; /* a head's slice of W's columns, and of b */
    if (s->cols != tr->D) {
        snprintf(cols, sizeof cols, "[:,%d…%d]", off, off + s->cols - 1); /* both ends included */
        snprintf(bcols, sizeof bcols, "[%d…%d]", off, off + s->cols - 1);
    }
    if (i < 0) {
        textbuf_put(t, "%s = %s·%s%s%s%s%s   (%d×%d · %d×%d → %d×%d)", lesson_matrix_symbol(lesson_result(s->kind)),
            lesson_matrix_symbol(in_m), wname, cols, has_b ? " + " : "", has_b ? bname[proj] : "",
            has_b ? bcols : "", tr->N, tr->D, tr->D, s->cols, tr->N, s->cols);
        return;
    }
    put_ref(t, l, lesson_result(s->kind), res, i, j);
    textbuf_put(t, " = ");
    put_ref(t, l, in_m, in, i, -1);
    if (j < 0) {
        textbuf_put(t, "·%s%s%s%s%s = ", wname, cols, has_b ? " + " : "", has_b ? bname[proj] : "", has_b ? bcols : "");
        put_vector(t, res.data + (size_t)i * res.stride, 1, res.cols);
        return;
    }
    if (has_b)
        textbuf_put(t, "·%s[:,%d] + %s[%d] = ", wname, off + j, bname[proj], off + j);
    else
        textbuf_put(t, "·%s[:,%d] = ", wname, off + j);
    put_products(t, in.data + (size_t)i * in.stride, 1, w + off + j, (size_t)tr->D, tr->D);
    if (has_b) {
        textbuf_put(t, " + ");
        put_subtrahend(t, b[off + j]);
    }
    textbuf_put(t, " = ");
    put_num(t, at(res, i, j));
}

static void formula_weights(struct textbuf *t, const struct lesson *l, struct matview res, struct matview src,
                            enum matrix_id src_m, int i, int j)
{
    if (i < 0) {
        textbuf_put(t, "A[i,j] = exp(%s[i,j] − m_i) / Σ_k exp(%s[i,k] − m_i),  m_i = max_k %s[i,k]",
            lesson_matrix_symbol(src_m), lesson_matrix_symbol(src_m), lesson_matrix_symbol(src_m));
        /* TRANSLATORS: after the softmax formula of the attention weights A. */
        textbuf_put(t, "%s", _("   (each row sums to 1)"));
        return;
    }
    const double *row = src.data + (size_t)i * src.stride;
    double max = -INFINITY, sum = 0.0;
    for (int k = 0; k < src.cols; k++)
        if (row[k] > max)
            max = row[k];
    for (int k = 0; k < src.cols; k++)
        sum += isinf(row[k]) ? 0.0 : exp(row[k] - max);
    put_ref(t, l, MAT_WEIGHTS, res, i, j);
    if (j < 0) {
        textbuf_put(t, " = softmax(");
        put_vector(t, row, 1, src.cols);
        textbuf_put(t, ") = ");
        put_vector(t, res.data + (size_t)i * res.stride, 1, res.cols);
        return;
    }
    if (isinf(row[j])) {
        textbuf_put(t, " = exp(-∞) / Σ = 0");
        /* TRANSLATORS: an attention weight that the causal mask sets to 0: the
           word %s at position %d comes after the word %s at position %d.
           Words may be English or Korean: write so that no particle depends
           on the word's last sound. */
        textbuf_put(t, _("   (masked: \"%s\" at position %d comes after \"%s\" at %d)"), l->trace->tokens[j], j,
            l->trace->tokens[i], i);
        return;
    }
    textbuf_put(t, " = exp(");
    put_num(t, row[j]);
    textbuf_put(t, " − ");
    put_subtrahend(t, max);
    textbuf_put(t, ") / Σ_k exp(%s[%s,k] − ", lesson_matrix_symbol(src_m), l->trace->tokens[i]);
    put_subtrahend(t, max);
    textbuf_put(t, ") = ");
    put_num(t, exp(row[j] - max));
    textbuf_put(t, " / ");
    put_num(t, sum);
    textbuf_put(t, " = ");
    put_num(t, at(res, i, j));
}

/* "e[movie]·W_xh[:,1] + h[the]·W_hh[:,1] + b" with the products written out:
 * the recurrent pre-activation of word w, column j (of G·Dh). */
static void put_recurrent_sum(struct textbuf *t, const struct lesson *l, int w, int j, int rnn)
{
    const struct trace *tr = l->trace;
    const struct bundle_recurrent_weights *r = &tr->model->rec[rnn ? BUNDLE_RNN : BUNDLE_LSTM];
    const double *h = rnn ? tr->rnn_h : tr->lstm_h;
    size_t width = (size_t)r->gates * (size_t)tr->Dh;
    /* two sums: each shows one term fewer, so the formula nearly always fits three lines of 76 cells */
    int head = w > 0 ? SHOWN_HEAD - 1 : SHOWN_HEAD, max = w > 0 ? MAX_TERMS - 1 : MAX_TERMS;
    put_products_shown(t, tr->embed + (size_t)w * tr->D, 1, r->w_x + j, width, tr->D, head, max);
    if (w > 0) {
        textbuf_put(t, "  +  ");
        put_products_shown(t, h + (size_t)(w - 1) * tr->Dh, 1, r->w_h + j, width, tr->Dh, head, max);
    }
    if (r->has_b) {
        textbuf_put(t, " + ");
        put_subtrahend(t, r->b[j]);
    }
}

static void formula_recurrent(struct textbuf *t, const struct lesson *l, const struct lesson_stage *s,
                              struct matview res, int j)
{
    const struct trace *tr = l->trace;
    int w = s->row0, Dh = tr->Dh;
    const char *tok = tr->tokens[w], *prev = w > 0 ? tr->tokens[w - 1] : "h_0";
    const double *row = res.data + (size_t)w * res.stride;
    switch (s->kind) {
    case STAGE_RNN_INPUT: case STAGE_LSTM_INPUT:
        /* TRANSLATORS: "word 2 of 5, "movie": " — a recurrent model reads word
           %d (counted from 1) of the sentence's %d words, the word %s; the
           formula of its input follows. */
        textbuf_put(t, _("word %d of %d, \"%s\": "), w + 1, tr->N, tok);
        textbuf_put(t, "e[%s", tok);
        if (j >= 0) {
            textbuf_put(t, ",d%d] = E[%d,d%d] = ", j, tr->ids[w], j);
            put_num(t, row[j]);
        } else {
            textbuf_put(t, "] = E[%d] = ", tr->ids[w]);
            put_vector(t, row, 1, res.cols);
        }
        break;
    case STAGE_RNN_PRE:
        if (j < 0) {
            textbuf_put(t, "a[%s] = e[%s]·W_xh + %s%s%s·W_hh%s = ", tok, tok, w ? "h[" : "", w ? prev : "h_0",
                w ? "]" : "", tr->model->rec[BUNDLE_RNN].has_b ? " + b" : "");
            put_vector(t, row, 1, res.cols);
            if (!w)
                /* TRANSLATORS: after the RNN's first pre-activation: the memory before the first word. */
                textbuf_put(t, "%s", _("   (h_0 = 0: nothing read yet)"));
            break;
        }
        /* the value before its long sum, as for the LSTM's gates */
        textbuf_put(t, "a[%s,d%d] = ", tok, j);
        put_num(t, row[j]);
        textbuf_put(t, " = e[%s]·W_xh[:,%d]", tok, j);
        if (w)
            textbuf_put(t, " + h[%s]·W_hh[:,%d]", prev, j);
        if (tr->model->rec[BUNDLE_RNN].has_b)
            textbuf_put(t, " + b[%d]", j);
        textbuf_put(t, " = ");
        put_recurrent_sum(t, l, w, j, 1);
        break;
    case STAGE_RNN_H:
        if (j < 0) {
            textbuf_put(t, "h[%s] = tanh(a[%s]) = ", tok, tok);
            put_vector(t, row, 1, res.cols);
            break;
        }
        textbuf_put(t, "h[%s,d%d] = tanh(a[%s,d%d]) = tanh(", tok, j, tok, j);
        put_num(t, tr->rnn_pre[(size_t)w * Dh + j]);
        textbuf_put(t, ") = ");
        put_num(t, row[j]);
        break;
    case STAGE_LSTM_GATES: {
        if (j < 0) {
            textbuf_put(t, "z = e[%s]·W_x + %s%s%s·W_h%s;  gates[%s] = [σ(z_i) | σ(z_f) | tanh(z_g) | σ(z_o)] = ", tok,
                w ? "h[" : "", prev, w ? "]" : "", tr->model->rec[BUNDLE_LSTM].has_b ? " + b" : "", tok);
            put_vector(t, row, 1, res.cols);
            break;
        }
        char gate = "ifgo"[j / Dh];
        /* TRANSLATORS: the LSTM's gates, before their symbol i, f, g or o, as in
           "forget gate f[movie,d3] = σ(z) = …"; g is the candidate value for the cell. */
        static const char *const gate_name[] = {N_("input gate"), N_("forget gate"),
                                                /* TRANSLATORS: g, the LSTM's candidate value for the cell
                                                   (tanh, not a gate), in "candidate g[movie,d3] = …". */
                                                N_("candidate"),
                                                /* TRANSLATORS: the LSTM's output gate o. */
                                                N_("output gate")};
        /* The result first: the pipeline view shows three lines, and the sum
         * that makes z is the part a narrow screen may cut. W_x's columns are
         * labelled as the gates are (f0 …), so the formula names them so too. */
        int k = j % Dh;
        const char *fn = gate == 'g' ? "tanh" : "σ";
        textbuf_put(t, "%s %c[%s,d%d] = %s(z) = %s(", _(gate_name[j / Dh]), gate, tok, k, fn, fn);
        put_num(t, tr->lstm_z[(size_t)w * 4 * Dh + j]);
        textbuf_put(t, ") = ");
        put_num(t, row[j]);
        textbuf_put(t, "; z = e[%s]·W_x[:,%c%d]", tok, gate, k);
        if (w)
            textbuf_put(t, " + h[%s]·W_h[:,%c%d]", prev, gate, k);
        if (tr->model->rec[BUNDLE_LSTM].has_b)
            textbuf_put(t, " + b[%c%d]", gate, k);
        textbuf_put(t, " = ");
        put_recurrent_sum(t, l, w, j, 0);
        break;
    }
    case STAGE_LSTM_C: {
        const double *g = tr->lstm_gates + (size_t)w * 4 * Dh;
        const char *open = w ? "c[" : "c_0", *name = w ? prev : "", *close = w ? "]" : "";
        if (j < 0) {
            textbuf_put(t, "c[%s] = f ⊙ %s%s%s + i ⊙ g = ", tok, open, name, close);
            put_vector(t, row, 1, res.cols);
            if (!w)
                /* TRANSLATORS: after the LSTM's first cell state: the cell before the first word. */
                textbuf_put(t, "%s", _("   (c_0 = 0: nothing stored yet)"));
            break;
        }
        double c_prev = w ? tr->lstm_c[(size_t)(w - 1) * Dh + j] : 0.0;
        /* TRANSLATORS: one entry of the LSTM's cell state: c[word,dj] is entry dj
           ("at d3") of f ⊙ c[previous word] + i ⊙ g. The %s%s%s is "c[previous
           word]" or "c_0"; keep every symbol and the "= (" at the end. */
        textbuf_put(t, _("c[%s,d%d] = (f ⊙ %s%s%s + i ⊙ g) at d%d = ("), tok, j, open, name, close, j);
        put_num(t, g[Dh + j]);
        textbuf_put(t, ")(");
        put_num(t, c_prev);
        textbuf_put(t, ") + (");
        put_num(t, g[j]);
        textbuf_put(t, ")(");
        put_num(t, g[2 * Dh + j]);
        textbuf_put(t, ") = ");
        put_num(t, row[j]);
        break;
    }
    case STAGE_LSTM_H: {
        const double *g = tr->lstm_gates + (size_t)w * 4 * Dh;
        if (j < 0) {
            textbuf_put(t, "h[%s] = o ⊙ tanh(c[%s]) = ", tok, tok);
            put_vector(t, row, 1, res.cols);
            break;
        }
        /* TRANSLATORS: one entry of the LSTM's hidden state: h[word,dj] is entry
           dj ("at d3") of o ⊙ tanh(c[word]); keep every symbol and the "= (". */
        textbuf_put(t, _("h[%s,d%d] = (o ⊙ tanh(c[%s])) at d%d = ("), tok, j, tok, j);
        put_num(t, g[3 * Dh + j]);
        textbuf_put(t, ")tanh(");
        put_num(t, tr->lstm_c[(size_t)w * Dh + j]);
        textbuf_put(t, ") = ");
        put_num(t, row[j]);
        break;
    }
    default:
        break;
    }
}

static void formula_influence(struct textbuf *t, const struct lesson *l, const struct lesson_stage *s,
                              struct matview res, int j)
{
    const struct trace *tr = l->trace;
    int m = s->row0;
    const char *y = m == TRACE_ATTENTION ? "y" : "h_N";
    /* TRANSLATORS: what y (attention) or h_N (RNN, LSTM) is, in the influence formula. */
    const char *what = m == TRACE_ATTENTION ? _("the last word's output") : _("the final hidden state");
    const double *row = res.data + (size_t)m * res.stride;
    char num[32];
    if (j < 0) {
        /* TRANSLATORS: the first %s and the third are y or h_N, the second what
           it is ("the last word's output"); a vector of numbers follows. */
        textbuf_put(t, _("influence of each word i on %s (%s) = ‖∂%s/∂e_i‖ (Frobenius norm) = "), y, what, y);
        put_vector(t, row, 1, tr->N);
        return;
    }
    lesson_format_number(row[j], num, sizeof num);
    textbuf_put(t, "‖∂%s/∂e[%s]‖ = %s   (", y, tr->tokens[j], num);
    if (m == TRACE_ATTENTION)
        /* TRANSLATORS: in brackets after a word's influence: the path from word
           %d (counted from 1) to the output y is one attention step. */
        textbuf_put(t, _("1 attention step from word %d to the end"), j + 1);
    else
        /* TRANSLATORS: in brackets after a word's influence: the first %d is how
           many recurrent steps lie between word %d (counted from 1) and h_N. */
        textbuf_put(t, ngettext("%d recurrent step from word %d to the end", "%d recurrent steps from word %d to the end",
                        (unsigned long)(tr->N - 1 - j)),
            tr->N - 1 - j, j + 1);
    textbuf_put(t, ")");
}

/* "prediction: positive, 93%" */
static void put_prediction(struct textbuf *t, const struct trace *tr)
{
    int best = 0;
    for (int c = 1; c < tr->C; c++)
        best = tr->probs[c] > tr->probs[best] ? c : best;
    char pct[32];
    lesson_format_percent(tr->probs[best], pct, sizeof pct);
    /* TRANSLATORS: the model's answer after the probabilities: the first %s is
       a class label from the model (English "negative", or Korean "부정" in a
       Korean model), the second its probability ("93%"). Keep no particle
       after the label: it may be in either language. */
    textbuf_put(t, _("   →  prediction: %s, %s"), tr->model->enc.labels[best], pct);
}

static void formula_layernorm(struct textbuf *t, const struct lesson *l, struct matview res, int i, int j, int second)
{
    const struct trace *tr = l->trace;
    const struct bundle_encoder *e = &tr->model->enc;
    const char *out = second ? "n2" : "n1", *in = second ? "r2" : "r1";
    const double *mean = second ? tr->ln2_mean : tr->ln1_mean, *rstd = second ? tr->ln2_rstd : tr->ln1_rstd;
    const double *gamma = second ? e->ln2_gamma : e->ln1_gamma, *beta = second ? e->ln2_beta : e->ln1_beta;
    const double *src = second ? tr->residual2 : tr->residual1;
    char eps[64];
    put_plain(eps, sizeof eps, e->norm_eps);
    if (i < 0) {
        textbuf_put(t, "%s[i] = (%s[i] − μ_i) / √(σ²_i + ε) ⊙ γ + β,  ", out, in);
        /* TRANSLATORS: in the layer normalisation formula: μ_i and σ²_i are the
           mean and variance of the %d entries of row i, the sum divided by %d
           (the same number: not by one less). */
        textbuf_put(t, _("μ_i and σ²_i: the mean and variance of row i's %d entries (dividing by %d)"), tr->D, tr->D);
        textbuf_put(t, ",  ε = %s", eps);
        return;
    }
    double var = 1.0 / (rstd[i] * rstd[i]) - e->norm_eps;
    if (j < 0) {
        textbuf_put(t, "%s[%s] = LayerNorm(%s[%s]):  μ = ", out, tr->tokens[i], in, tr->tokens[i]);
        put_num(t, mean[i]);
        textbuf_put(t, ", σ² = ");
        put_num(t, var);
        textbuf_put(t, "  →  ");
        put_vector(t, res.data + (size_t)i * res.stride, 1, res.cols);
        return;
    }
    textbuf_put(t, "%s[%s,d%d] = γ[d%d]·(%s[%s,d%d] − μ)/√(σ² + ε) + β[d%d] = (", out, tr->tokens[i], j, j, in,
        tr->tokens[i], j, j);
    put_num(t, gamma[j]);
    textbuf_put(t, ")·(");
    put_num(t, src[(size_t)i * tr->D + j]);
    textbuf_put(t, " − ");
    put_subtrahend(t, mean[i]);
    textbuf_put(t, ")/√(");
    put_num(t, var);
    textbuf_put(t, " + %s) + ", eps);
    put_subtrahend(t, beta[j]);
    textbuf_put(t, " = ");
    put_num(t, at(res, i, j));
}

static void formula_encoder(struct textbuf *t, const struct lesson *l, const struct lesson_stage *s,
                            struct matview res, int i, int j)
{
    const struct trace *tr = l->trace;
    const struct bundle_encoder *e = &tr->model->enc;
    const char *act = e->gelu ? "gelu" : "relu";
    switch (s->kind) {
    case STAGE_RESIDUAL1: case STAGE_RESIDUAL2: {
        int first = s->kind == STAGE_RESIDUAL1;
        const double *a = first ? tr->x : tr->norm1, *b = first ? tr->out : tr->ffn_out;
        const char *out = first ? "r1" : "r2", *an = first ? "x" : "n1", *bn = first ? "Y" : "ff2";
        if (i < 0) {
            textbuf_put(t, "%s = %s + %s", out, an, bn);
            /* TRANSLATORS: after "r1 = x + Y" (and "r2 = n1 + ff2"). */
            textbuf_put(t, "%s", _("   (the residual connection: add the layer's input back)"));
        } else if (j < 0) {
            textbuf_put(t, "%s[%s] = %s[%s] + %s[%s] = ", out, tr->tokens[i], an, tr->tokens[i], bn, tr->tokens[i]);
            put_vector(t, res.data + (size_t)i * res.stride, 1, res.cols);
        } else {
            textbuf_put(t, "%s[%s,d%d] = %s[%s,d%d] + %s[%s,d%d] = ", out, tr->tokens[i], j, an, tr->tokens[i], j, bn,
                tr->tokens[i], j);
            put_num(t, a[(size_t)i * tr->D + j]);
            textbuf_put(t, " + ");
            put_subtrahend(t, b[(size_t)i * tr->D + j]);
            textbuf_put(t, " = ");
            put_num(t, at(res, i, j));
        }
        break;
    }
    case STAGE_NORM1: case STAGE_NORM2:
        formula_layernorm(t, l, res, i, j, s->kind == STAGE_NORM2);
        break;
    case STAGE_FFN_HIDDEN: case STAGE_FFN_OUTPUT: {
        /* ff1 = act(n1·W_ff1 + b_ff1), ff2 = ff1·W_ff2 + b_ff2 */
        int hidden = s->kind == STAGE_FFN_HIDDEN;
        const double *in = hidden ? tr->norm1 : tr->ffn_hidden, *w = hidden ? e->w_ff1 : e->w_ff2;
        const double *bias = hidden ? e->b_ff1 : e->b_ff2;
        int K = hidden ? tr->D : tr->F, C = hidden ? tr->F : tr->D;
        const char *out = hidden ? "ff1" : "ff2", *inn = hidden ? "n1" : "ff1", *wn = hidden ? "W_ff1" : "W_ff2";
        const char *bn = hidden ? "b_ff1" : "b_ff2";
        const char *open = hidden ? act : "", *paren = hidden ? "(" : "", *close = hidden ? ")" : "";
        if (i < 0) {
            textbuf_put(t, "%s = %s%s%s·%s + %s%s   (%d×%d · %d×%d → %d×%d)", out, open, paren, inn, wn, bn, close, tr->N, K,
                K, C, tr->N, C);
        } else if (j < 0) {
            textbuf_put(t, "%s[%s] = %s%s%s[%s]·%s + %s%s = ", out, tr->tokens[i], open, paren, inn, tr->tokens[i], wn, bn,
                close);
            put_vector(t, res.data + (size_t)i * res.stride, 1, res.cols);
        } else {
            textbuf_put(t, "%s[%s,d%d] = %s%s%s[%s]·%s[:,%d] + %s[%d]%s = %s%s", out, tr->tokens[i], j, open, paren, inn,
                tr->tokens[i], wn, j, bn, j, close, open, paren);
            put_products(t, in + (size_t)i * K, 1, w + j, (size_t)C, K);
            textbuf_put(t, " + ");
            put_subtrahend(t, bias[j]);
            if (hidden) {
                textbuf_put(t, ") = %s(", act);
                put_num(t, tr->ffn_pre[(size_t)i * tr->F + j]);
                textbuf_put(t, ")");
            }
            textbuf_put(t, " = ");
            put_num(t, at(res, i, j));
        }
        break;
    }
    case STAGE_POOLED:
        if (j < 0) {
            /* TRANSLATORS: mean pooling; %d is the number of rows of n2 (one per
               word); a vector of numbers follows the "= ". */
            textbuf_put(t, _("pooled = the mean of n2's %d rows: one vector for the whole sentence = "), tr->N);
            put_vector(t, tr->pooled, 1, tr->D);
        } else {
            textbuf_put(t, "pooled[d%d] = (", j);
            put_products_sum(t, tr->norm2 + j, (size_t)tr->D, tr->N);
            textbuf_put(t, ") / %d = ", tr->N);
            put_num(t, tr->pooled[j]);
        }
        break;
    case STAGE_LOGITS:
        if (j < 0) {
            textbuf_put(t, "logits = pooled·W_cls + b_cls = ");
            put_vector(t, tr->logits, 1, tr->C);
        } else {
            textbuf_put(t, "logits[%s] = pooled·W_cls[:,%d] + b_cls[%d] = ", e->labels[j], j, j);
            put_products(t, tr->pooled, 1, e->w_cls + j, (size_t)tr->C, tr->D);
            textbuf_put(t, " + ");
            put_subtrahend(t, e->b_cls[j]);
            textbuf_put(t, " = ");
            put_num(t, tr->logits[j]);
        }
        break;
    case STAGE_PROBS: {
        double max = -INFINITY, sum = 0;
        for (int c = 0; c < tr->C; c++)
            max = tr->logits[c] > max ? tr->logits[c] : max;
        for (int c = 0; c < tr->C; c++)
            sum += exp(tr->logits[c] - max);
        if (j < 0) {
            textbuf_put(t, "P = softmax(logits) = ");
            put_vector(t, tr->probs, 1, tr->C);
        } else {
            textbuf_put(t, "P(%s) = exp(logits[%s] − max) / Σ_c exp(logits[c] − max) = exp(", e->labels[j], e->labels[j]);
            put_num(t, tr->logits[j]);
            textbuf_put(t, " − ");
            put_subtrahend(t, max);
            textbuf_put(t, ") / ");
            put_num(t, sum);
            textbuf_put(t, " = ");
            put_num(t, exp(tr->logits[j] - max));
            textbuf_put(t, " / ");
            put_num(t, sum);
            textbuf_put(t, " = ");
            put_num(t, tr->probs[j]);
        }
        if (j < 0 || j == tr->C - 1)
            put_prediction(t, tr);
        break;
    }
    default:
        break;
    }
}

/* The lm head, on the last position: its logits, the next-token
 * probabilities, the choice. */
static void formula_lm(struct textbuf *t, const struct lesson *l, const struct lesson_stage *s, int j)
{
    const struct trace *tr = l->trace;
    const struct bundle *b = tr->model;
    int V = tr->V, D = tr->D, last = tr->N - 1;
    const char *tok = tr->tokens[last];
    const double *logits = tr->lm_logits + (size_t)last * (size_t)V, *norm2 = tr->norm2 + (size_t)last * (size_t)D;
    switch (s->kind) {
    case STAGE_LM_LOGITS:
        if (j < 0) {
            textbuf_put(t, b->has_b_lm ? "logits = n2[%s]·W_lm + b_lm = " : "logits = n2[%s]·W_lm = ", tok);
            put_vector(t, logits, 1, V);
            /* TRANSLATORS: after the logits of a language model: %d is the vocabulary's size. */
            textbuf_put(t, _("   (one per vocabulary token: %d)"), V);
        } else {
            textbuf_put(t, "logits[%s] = n2[%s]·W_lm[:,%s]", b->vocab[j], tok, b->vocab[j]);
            if (b->has_b_lm)
                textbuf_put(t, " + b_lm[%s]", b->vocab[j]);
            textbuf_put(t, " = ");
            put_products(t, norm2, 1, b->w_lm + j, (size_t)V, D);
            if (b->has_b_lm) {
                textbuf_put(t, " + ");
                put_subtrahend(t, b->b_lm[j]);
            }
            textbuf_put(t, " = ");
            put_num(t, logits[j]);
        }
        break;
    case STAGE_LM_PROBS: {
        double max = -INFINITY, sum = 0;
        for (int v = 0; v < V; v++)
            max = logits[v] > max ? logits[v] : max;
        for (int v = 0; v < V; v++)
            sum += exp(logits[v] - max);
        if (j < 0) {
            textbuf_put(t, "P = softmax(logits) = ");
            put_vector(t, tr->next_probs, 1, V);
        } else {
            textbuf_put(t, "P(%s) = exp(logits[%s] − max) / Σ_v exp(logits[v] − max) = exp(", b->vocab[j],
                        b->vocab[j]);
            put_num(t, logits[j]);
            textbuf_put(t, " − ");
            put_subtrahend(t, max);
            textbuf_put(t, ") / ");
            put_num(t, sum);
            textbuf_put(t, " = ");
            put_num(t, exp(logits[j] - max));
            textbuf_put(t, " / ");
            put_num(t, sum);
            textbuf_put(t, " = ");
            put_num(t, tr->next_probs[j]);
        }
        break;
    }
    case STAGE_LM_CHOICE: {
        char num[32], pct[32];
        lesson_format_number(tr->next_probs[tr->next_choice], num, sizeof num);
        lesson_format_percent(tr->next_probs[tr->next_choice], pct, sizeof pct);
        /* TRANSLATORS: a language model's choice of the next token: the first %s is
           the chosen token, then its probability at T = 1 as a number and in per
           cent, then the sentence's last token. argmax, P and T are symbols; the
           greedy choice (T = 0) always takes the most probable token. */
        textbuf_put(t, _("next = argmax P = %s   (P = %s, %s at T = 1: the most probable token after \"%s\", the greedy choice)"),
                    b->vocab[tr->next_choice], num, pct, tok);
        break;
    }
    default:
        break;
    }
}

void lesson_formula(const struct lesson *l, struct lesson_pos pos, char *buf, size_t size)
{
    struct textbuf t = {buf, size, 0};
    buf[0] = '\0';
    const struct lesson_stage *s = &l->stages[pos.stage];
    const struct trace *tr = l->trace;
    int i = pos.row, j = pos.col, h = s->head;
    enum matrix_id rm = lesson_result(s->kind);
    struct matview res = lesson_matrix(l, rm, h);
    switch (s->kind) {
    case STAGE_TOKENS:
        if (l->n_words && i >= 0)
            formula_word(&t, l, i, j);
        else
            formula_tokens(&t, l, i);
        break;
    case STAGE_EMBED: {
        struct matview e = lesson_matrix(l, MAT_EMBED_TABLE, -1);
        if (i < 0) {
            /* TRANSLATORS: %d×%d is the size of e (tokens × d_model). */
            textbuf_put(&t, _("e = for each token, its row of the embedding table E   (%d×%d)"), tr->N, tr->D);
            break;
        }
        put_ref(&t, l, MAT_EMBED, res, i, j);
        textbuf_put(&t, " = ");
        put_ref(&t, l, MAT_EMBED_TABLE, e, tr->ids[i], j);
        textbuf_put(&t, " = ");
        if (j < 0)
            put_vector(&t, res.data + (size_t)i * res.stride, 1, res.cols);
        else
            put_num(&t, at(res, i, j));
        break;
    }
    case STAGE_POSITIONAL:
        formula_positional(&t, l, res, i, j);
        break;
    case STAGE_X:
        if (i < 0) {
            /* TRANSLATORS: %d×%d is the size of x (tokens × d_model). */
            textbuf_put(&t, tr->model->positional ? "x = e + p   (%d×%d)" : _("x = e   (%d×%d; this model adds no positions)"),
                tr->N, tr->D);
            break;
        }
        put_ref(&t, l, MAT_X, res, i, j);
        if (j < 0) {
            textbuf_put(&t, tr->model->positional ? " = e[%s] + p[%s] = " : " = e[%s] = ", tr->tokens[i], tr->tokens[i]);
            put_vector(&t, res.data + (size_t)i * res.stride, 1, res.cols);
            break;
        }
        if (tr->model->positional)
            textbuf_put(&t, " = e[%s,d%d] + p[%s,d%d]", tr->tokens[i], j, tr->tokens[i], j);
        else
            textbuf_put(&t, " = e[%s,d%d]", tr->tokens[i], j);
        textbuf_put(&t, " = ");
        put_num(&t, tr->embed[(size_t)i * tr->D + j]);
        if (tr->model->positional) {
            textbuf_put(&t, " + ");
            put_subtrahend(&t, tr->pe[(size_t)i * tr->D + j]);
        }
        textbuf_put(&t, " = ");
        put_num(&t, at(res, i, j));
        break;
    case STAGE_Q: case STAGE_K: case STAGE_V: case STAGE_OUTPUT:
        formula_linear(&t, l, s, res, i, j);
        break;
    case STAGE_SCORES: {
        struct matview q = lesson_matrix(l, MAT_Q, h), k = lesson_matrix(l, MAT_K, h);
        if (i < 0) {
            textbuf_put(&t, "S = Q·Kᵀ   (%d×%d · %d×%d → %d×%d)", tr->N, tr->DK, tr->DK, tr->N, tr->N, tr->N);
            break;
        }
        put_ref(&t, l, MAT_SCORES, res, i, j);
        if (j < 0) {
            textbuf_put(&t, " = Q[%s]·Kᵀ = ", tr->tokens[i]);
            put_vector(&t, res.data + (size_t)i * res.stride, 1, res.cols);
            break;
        }
        textbuf_put(&t, " = Q[%s]·K[%s] = ", tr->tokens[i], tr->tokens[j]);
        put_products(&t, q.data + (size_t)i * q.stride, 1, k.data + (size_t)j * k.stride, 1, tr->DK);
        textbuf_put(&t, " = ");
        put_num(&t, at(res, i, j));
        break;
    }
    case STAGE_SCALED: {
        struct matview sc = lesson_matrix(l, MAT_SCORES, h);
        char root[32];
        lesson_format_number(sqrt((double)tr->DK), root, sizeof root);
        if (i < 0) {
            textbuf_put(&t, "S' = S / √d_k = S / √%d = S / %s", tr->DK, root);
            break;
        }
        put_ref(&t, l, MAT_SCALED, res, i, j);
        if (j < 0) {
            textbuf_put(&t, " = S[%s] / %s = ", tr->tokens[i], root);
            put_vector(&t, res.data + (size_t)i * res.stride, 1, res.cols);
            break;
        }
        textbuf_put(&t, " = S[%s,%s] / √%d = ", tr->tokens[i], tr->tokens[j], tr->DK);
        put_num(&t, at(sc, i, j));
        textbuf_put(&t, " / %s = ", root);
        put_num(&t, at(res, i, j));
        break;
    }
    case STAGE_MASKED:
        if (i < 0) {
            /* TRANSLATORS: the causal mask, for all rows i and columns j at once. */
            textbuf_put(&t, "%s", _("M[i,j] = S'[i,j] if j ≤ i, −∞ if j > i   (no word sees the words after it)"));
            break;
        }
        put_ref(&t, l, MAT_MASKED, res, i, j);
        if (j < 0) {
            if (i == tr->N - 1)
                /* TRANSLATORS: the causal mask's last row, "M[good] = S'[good], …";
                   %s is a word; a vector of numbers follows the "= ". */
                textbuf_put(&t, _(" = S'[%s], nothing hidden: no word comes after it = "), tr->tokens[i]);
            else
                /* TRANSLATORS: a row of the causal mask, "M[the] = S'[the] with the
                   4 later words set to −∞ = [ … ]": %s is a word, %d how many
                   words come after it. */
                textbuf_put(&t, ngettext(" = S'[%s] with the %d later word set to −∞ = ",
                                 " = S'[%s] with the %d later words set to −∞ = ", (unsigned long)(tr->N - 1 - i)),
                    tr->tokens[i], tr->N - 1 - i);
            put_vector(&t, res.data + (size_t)i * res.stride, 1, res.cols);
        } else if (j > i) {
            textbuf_put(&t, " = −∞");
            /* TRANSLATORS: a cell the causal mask hides: the word %s at position
               %d comes after the word %s at position %d. Words may be English or
               Korean: write so that no particle depends on the word's last sound. */
            textbuf_put(&t, _("   (\"%s\" at position %d comes after \"%s\" at %d: hidden)"), tr->tokens[j], j,
                tr->tokens[i], i);
        } else {
            textbuf_put(&t, " = S'[%s,%s] = ", tr->tokens[i], tr->tokens[j]);
            put_num(&t, at(res, i, j));
            if (i == j)
                /* TRANSLATORS: a diagonal cell of the causal mask, kept. */
                textbuf_put(&t, "%s", _("   (a word may look at itself: kept)"));
            else
                /* TRANSLATORS: a cell the causal mask keeps: the word %s at position
                   %d comes before the word %s at position %d. Write so that no
                   particle depends on the word's last sound. */
                textbuf_put(&t, _("   (\"%s\" at position %d comes before \"%s\" at %d: kept)"), tr->tokens[j], j,
                    tr->tokens[i], i);
        }
        break;
    case STAGE_WEIGHTS: {
        enum matrix_id src_m = tr->causal ? MAT_MASKED : MAT_SCALED;
        formula_weights(&t, l, res, lesson_matrix(l, src_m, h), src_m, i, j);
        break;
    }
    case STAGE_HEAD_OUT: {
        struct matview a = lesson_matrix(l, MAT_WEIGHTS, h), v = lesson_matrix(l, MAT_V, h);
        if (i < 0) {
            textbuf_put(&t, "O = A·V   (%d×%d · %d×%d → %d×%d)", tr->N, tr->N, tr->N, tr->DK, tr->N, tr->DK);
            break;
        }
        put_ref(&t, l, MAT_HEAD_OUT, res, i, j);
        if (j < 0) {
            textbuf_put(&t, " = A[%s]·V = ", tr->tokens[i]);
            put_vector(&t, res.data + (size_t)i * res.stride, 1, res.cols);
            break;
        }
        textbuf_put(&t, " = Σ_j A[%s,j]·V[j,d%d] = ", tr->tokens[i], j);
        put_products(&t, a.data + (size_t)i * a.stride, 1, v.data + j, v.stride, tr->N);
        textbuf_put(&t, " = ");
        put_num(&t, at(res, i, j));
        break;
    }
    case STAGE_CONCAT:
        if (i < 0) {
            /* TRANSLATORS: the heads' outputs O side by side; the first %d is the
               last head's number, %d×%d the size of C (tokens × d_model). */
            textbuf_put(&t, tr->H == 1 ? _("C = [O of head %d]   (%d×%d)")
                    /* TRANSLATORS: two heads' O side by side; %d is 2, %d×%d the size of C. */
                    : tr->H == 2 ? _("C = [O of head 1 | O of head %d]   (%d×%d)")
                                 /* TRANSLATORS: heads 1 to %d side by side; %d×%d the size of C. */
                                 : _("C = [O of head 1 | … | O of head %d]   (%d×%d)"),
                tr->H, tr->N, tr->D);
            break;
        }
        put_ref(&t, l, MAT_CONCAT, res, i, j);
        if (j < 0) {
            /* TRANSLATORS: a row of C, "C[movie] = O[movie] of heads 1 to 2, side
               by side = [ … ]": %s is a word, %d the number of heads. */
            textbuf_put(&t, _(" = O[%s] of heads 1 to %d, side by side = "), tr->tokens[i], tr->H);
            put_vector(&t, res.data + (size_t)i * res.stride, 1, res.cols);
            break;
        }
        /* TRANSLATORS: one entry of C: entry d%d of head %d's O for the word %s. */
        textbuf_put(&t, _(" = head %d's O[%s,d%d] = "), j / tr->DK + 1, tr->tokens[i], j % tr->DK);
        put_num(&t, at(res, i, j));
        break;
    case STAGE_RNN_INPUT: case STAGE_RNN_PRE: case STAGE_RNN_H:
    case STAGE_LSTM_INPUT: case STAGE_LSTM_GATES: case STAGE_LSTM_C: case STAGE_LSTM_H:
        formula_recurrent(&t, l, s, res, j);
        break;
    case STAGE_INFLUENCE:
        formula_influence(&t, l, s, res, j);
        break;
    case STAGE_RESIDUAL1: case STAGE_NORM1: case STAGE_FFN_HIDDEN: case STAGE_FFN_OUTPUT:
    case STAGE_RESIDUAL2: case STAGE_NORM2: case STAGE_POOLED: case STAGE_LOGITS: case STAGE_PROBS:
        formula_encoder(&t, l, s, res, i, j);
        break;
    case STAGE_LM_LOGITS: case STAGE_LM_PROBS: case STAGE_LM_CHOICE:
        formula_lm(&t, l, s, j);
        break;
    case STAGE_KIND_COUNT:
        break;
    }
}
