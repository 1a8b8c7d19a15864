/* The compare view: the same sentence read two ways. On the left an RNN reads
 * one word per step, its hidden states piling up as rows, each step waiting
 * for the one before; on the right attention computes all N×N weights in one
 * parallel step. Below, how much each word still matters at the end. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attnstep/i18n.h"
#include "attnstep/train_recurrent.h"
#include "attnstep/utf8.h"
#include "theme.h"


#define LABEL_MAX 10

static const char *token_label(const void *ctx, int i, char *buf)
{
    (void)buf;
    return ((const struct trace *)ctx)->tokens[i];
}

/* The first of n wordings (marked with N_) that fits in w cells once
 * translated, else the shortest: text_choose over the translations. */
static const char *choose(const char *const *wordings, int n, int w)
{
    const char *tr[4];
    for (int i = 0; i < n && i < 4; i++)
        tr[i] = _(wordings[i]);
    return text_choose(tr, n < 4 ? n : 4, w);
}

/* The RNN side: rows of h for the words read so far. */
static void draw_rnn(struct app *a, int y, int x, int w, int h)
{
    const struct trace *t = &a->trace;
    char line[160];
    /* TRANSLATORS: compare view, the title of the RNN's half (about 38 cells at 80 columns, 30 at 64), in
       three lengths: the first that fits is shown. */
    static const char *const title[] = {N_("RNN: reads one word at a time"), N_("RNN: one word at a time"), "RNN"};
    draw_text_cut(y, x, w, choose(title, 3, w), theme_attr(ROLE_PANEL));
    if (!t->has_model[TRACE_RNN]) {
        /* The bundled model that has them comes first (the line above the
         * status says how to open it): nothing to make. */
        const char *why = a->recurrent_model
            /* TRANSLATORS: compare view of a model without an RNN, when the bundled random-en (named on the
               message line below) has one. Wrapped in half the screen; keep the commands as they are, with
               two spaces around each. */
            ? _("This model has no RNN weights (rnn_w_xh.csv, rnn_w_hh.csv), so there is nothing to compare yet. "
                "Open the bundled random-en (below), or make a model that has them:  attnstep --init-model DIR "
                "--d-hidden 8  and open it with  attnstep --model DIR --compare")
            /* TRANSLATORS: as above, when the bundled random-en is not installed. */
            : _("This model has no RNN weights (rnn_w_xh.csv, rnn_w_hh.csv), so there is nothing to compare yet. "
                "Make a model that has them:  attnstep --init-model DIR --d-hidden 8  and open it with  attnstep "
                "--model DIR --compare");
        if (a->recurrent_model && wrapped_lines(w, why) > h - 1)
            /* TRANSLATORS: the same, shorter, where the text above does not fit (half a 64x18 screen:
               about 6 lines of 30 cells). */
            why = _("This model has no RNN weights (rnn_w_xh.csv, rnn_w_hh.csv), so there is nothing to compare "
                    "yet. Open the bundled random-en (below).");
        /* the line under the title is free: no RNN steps to count */
        draw_wrapped(y + 1, x, w, h - 1, why, theme_attr(ROLE_WARN));
        return;
    }
    /* TRANSLATORS: compare view, under the RNN's title: the word the RNN has read (0 before the first) and
       the number of words; each word is one step that needs the step before it. */
    snprintf(line, sizeof line, _("sequential step %d of %d: each waits for the one before"), a->cmp_t, t->N);
    if (utf8_width(line) > w)
        /* TRANSLATORS: the same, where the one above does not fit in half the screen. */
        snprintf(line, sizeof line, _("sequential step %d of %d"), a->cmp_t, t->N);
    draw_text_cut(y + 1, x, w, line, a->cmp_t ? theme_attr(ROLE_FORMULA) : theme_attr(ROLE_LABEL));
    int lw = a->token_w > LABEL_MAX ? LABEL_MAX : a->token_w;
    int rows = h - 3, cw = 2;
    int cols = (w - lw - 1) / cw < t->Dh ? (w - lw - 1) / cw : t->Dh;
    int r0 = t->N > rows && a->cmp_t > rows ? a->cmp_t - rows : 0;
    double lo, hi;
    app_range(a, MAT_RNN_H, -1, &lo, &hi);
    /* TRANSLATORS: compare view, the label over the RNN's hidden states, one row per word read (h: the
       hidden state, the RNN's memory), in three lengths; a range like " 1–5/5×1–8/8" may follow it. */
    static const char *const htitle[] = {N_("h (memory after each word)"), N_("h (memory)"), "h"};
    line[0] = '\0';
    if (cols < t->Dh || rows < t->N) /* what is in sight: words × memory dimensions */
        snprintf(line, sizeof line, " %d–%d/%d×1–%d/%d", r0 + 1, r0 + (rows < t->N ? rows : t->N), t->N, cols, t->Dh);
    /* the longest title that leaves room for the range */
    const char *ht = choose(htitle, 3, w - utf8_width(line));
    int used = draw_text_cut(y + 2, x, w, ht, theme_attr(ROLE_LABEL));
    if (line[0]) {
        if (used + utf8_width(line) > w)
            snprintf(line, sizeof line, " …");
        draw_text(y + 2, x + used, w - used, line, theme_attr(ROLE_DIM));
    }
    struct axis rowax;
    axis_fit(&rowax, token_label, t, t->N, lw);
    for (int k = 0; k < rows && r0 + k < t->N; k++) {
        int wd = r0 + k, ry = y + 3 + k;
        attr_t la = wd == a->cmp_t - 1 ? theme_attr(ROLE_CURRENT) : theme_attr(ROLE_LABEL);
        draw_text(ry, x, lw, axis_label(&rowax, wd, line, sizeof line), la);
        for (int j = 0; j < cols; j++) {
            if (wd < a->cmp_t)
                draw_heat_cell(ry, x + lw + 1 + j * cw, cw, (t->rnn_h[(size_t)wd * t->Dh + j] - lo) / (hi - lo));
            else
                draw_text(ry, x + lw + 1 + j * cw, 1, "·", theme_attr(ROLE_DIM));
        }
    }
}

/* The attention side: every weight at once, after one parallel step. */
static void draw_attention(struct app *a, int y, int x, int w, int h)
{
    const struct trace *t = &a->trace;
    char line[160];
    /* TRANSLATORS: compare view, the title of attention's half, in three lengths (the first that fits). */
    static const char *const title[] = {N_("Attention: all words at once"), N_("Attention: all at once"),
                                        N_("Attention")};
    /* TRANSLATORS: compare view, under attention's title once a word is read: attention computed every
       weight in one parallel step (the heatmap shows the mean of the heads), in three lengths. */
    static const char *const done[] = {N_("1 parallel step: every weight (mean of heads)"),
                                       N_("1 parallel step (mean of heads)"), N_("1 parallel step")};
    /* TRANSLATORS: compare view, under attention's title before the first step, in two lengths. */
    static const char *const start[] = {N_("not started: one step does it all"), N_("not started")};
    draw_text_cut(y, x, w, choose(title, 3, w), theme_attr(ROLE_PANEL));
    draw_text_cut(y + 1, x, w, a->cmp_t ? choose(done, 3, w) : choose(start, 2, w),
                  a->cmp_t ? theme_attr(ROLE_FORMULA) : theme_attr(ROLE_LABEL));
    int lw = a->token_w > LABEL_MAX ? LABEL_MAX : a->token_w;
    int rows = h - 3, cw = 2;
    int cols = (w - lw - 1) / cw < t->N ? (w - lw - 1) / cw : t->N;
    /* TRANSLATORS: compare view, the label over the attention weights A (each row's word looks at each
       column's word); a range like " 1–5/5×1–5/5" may follow it. */
    static const char *const atitle[] = {N_("A (row looks at column)"), "A"};
    line[0] = '\0';
    if (cols < t->N || rows < t->N) /* a long sentence: what is in sight */
        snprintf(line, sizeof line, " 1–%d/%d×1–%d/%d", rows < t->N ? rows : t->N, t->N, cols, t->N);
    int used = draw_text_cut(y + 2, x, w, choose(atitle, 2, w - utf8_width(line)), theme_attr(ROLE_LABEL));
    if (line[0]) {
        if (used + utf8_width(line) > w)
            snprintf(line, sizeof line, " …");
        draw_text(y + 2, x + used, w - used, line, theme_attr(ROLE_DIM));
    }
    struct axis rowax;
    axis_fit(&rowax, token_label, t, t->N, lw);
    for (int i = 0; i < rows && i < t->N; i++) {
        int ry = y + 3 + i;
        draw_text(ry, x, lw, axis_label(&rowax, i, line, sizeof line), theme_attr(ROLE_LABEL));
        for (int j = 0; j < cols; j++) {
            if (!a->cmp_t) {
                draw_text(ry, x + lw + 1 + j * cw, 1, "·", theme_attr(ROLE_DIM));
                continue;
            }
            double sum = 0;
            for (int hh = 0; hh < t->H; hh++)
                sum += t->weights[((size_t)hh * t->N + i) * t->N + j];
            draw_heat_cell(ry, x + lw + 1 + j * cw, cw, sum / t->H);
        }
    }
}

/* A horizontal bar of value/max in w cells, in eighths where UTF-8 allows. */
static void bar(int y, int x, int w, double value, double max)
{
    static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    double cells = max > 0 ? value / max * w : 0;
    int full = (int)cells, part = (int)((cells - full) * 8);
    char buf[256] = "";
    for (int i = 0; i < full && i < w && strlen(buf) + 4 < sizeof buf; i++)
        strcat(buf, widgets_utf8 ? "█" : "#");
    if (full < w && part > 0 && widgets_utf8)
        strcat(buf, eighths[part]);
    if (!buf[0])
        strcat(buf, widgets_utf8 ? "▏" : "|"); /* a hairline: the word is there, its influence is not */
    draw_text(y, x, w, buf, theme_attr(ROLE_PANEL));
}

/* ---- trained models (issue 13): predictions, held-out accuracy, narration -- */

/* Does any of the three models classify (a trained recurrent classifier, or
 * the transformer's own)? Then a row of predictions sits under the titles. */
static int has_predictions(const struct app *a)
{
    const struct trace *t = &a->trace;
    const struct bundle *b = t->model;
    return (t->has_encoder && !t->is_lm && t->probs) || (b->rec[BUNDLE_RNN].w_cls && t->rnn_h) ||
           (b->rec[BUNDLE_LSTM].w_cls && t->lstm_h);
}

/* Both recurrent models present and trained (their classifiers in the bundle). */
static int recurrent_trained(const struct app *a)
{
    const struct bundle *b = a->trace.model;
    return b->rec[BUNDLE_RNN].w_cls && b->rec[BUNDLE_LSTM].w_cls && a->trace.rnn_h && a->trace.lstm_h;
}

/* A held-out accuracy as "96%", or "–" when unknown. */
static const char *percent(double v, char *buf, size_t size)
{
    if (v >= 0)
        snprintf(buf, size, "%.0f%%", 100 * v);
    else
        snprintf(buf, size, "–");
    return buf;
}

/* The transformer's held-out accuracy after its last epoch, or -1. */
static double transformer_accuracy(const struct app *a)
{
    const struct history *hs = &a->hist;
    return hs->n_epochs > 0 && hs->test_accuracy ? hs->test_accuracy[hs->n_epochs - 1] : -1.0;
}

/* What the trained numbers show, or what random ones do not: true either way. */
static const char *narration(const struct app *a, int brief, char *buf, size_t size)
{
    const struct trace *t = &a->trace;
    if (!t->has_model[TRACE_RNN] && !t->has_model[TRACE_LSTM])
        return NULL;
    if (recurrent_trained(a)) {
        char r[16], l[16], at[16];
        if (brief)
            snprintf(buf, size,
                     /* TRANSLATORS: the same, short, where the text above does not fit. */
                     _("Trained on the same data. Held-out accuracy: RNN %s, LSTM %s, transformer %s."),
                     percent(a->hist.recurrent_test_accuracy[BUNDLE_RNN], r, sizeof r),
                     percent(a->hist.recurrent_test_accuracy[BUNDLE_LSTM], l, sizeof l),
                     percent(transformer_accuracy(a), at, sizeof at));
        else
        snprintf(buf, size,
                 /* TRANSLATORS: compare view, under the influence bars of a model whose RNN and LSTM were
                    trained (train --recurrent): the held-out accuracy of the RNN, the LSTM and the transformer
                    (whose attention layer the third column shows), each like "96%" or "–" when unknown. Wrapped to the screen's width. */
                 _("Trained on the same data. Held-out accuracy: RNN %s, LSTM %s, transformer %s. The bars "
                   "are about this sentence only, each column scaled to its longest bar: a short bar means that "
                   "model's last output depends on the word less than on the word with the longest bar."),
                 percent(a->hist.recurrent_test_accuracy[BUNDLE_RNN], r, sizeof r),
                 percent(a->hist.recurrent_test_accuracy[BUNDLE_LSTM], l, sizeof l),
                 percent(transformer_accuracy(a), at, sizeof at));
        return buf;
    }
    /* TRANSLATORS: compare view, under the influence bars of a model whose RNN/LSTM weights are random
       (no trained classifier). Wrapped to the screen's width; keep the command as it is. */
    if (brief)
        /* TRANSLATORS: the same, short, where the text above does not fit. */
        snprintf(buf, size, "%s", _("These RNN and LSTM weights are random, not trained."));
    else
        snprintf(buf, size, "%s", _("These RNN and LSTM weights are random, not trained: the bars show what an "
                                    "untrained model does, not what training makes of it (see train --recurrent)."));
    return buf;
}

/* Under a column's title: the model's prediction for the sentence and its
 * held-out accuracy, or why it has none. */
static void draw_prediction(const struct app *a, enum trace_model m, int y, int x, int w)
{
    const struct trace *t = &a->trace;
    const struct bundle *b = t->model;
    char line[160];
    double probs[256];
    int best = -1, C = b->enc.n_labels;
    double acc = -1;
    if (m == TRACE_ATTENTION) {
        if (t->has_encoder && !t->is_lm && t->probs) {
            best = 0;
            for (int c = 1; c < t->C; c++)
                best = t->probs[c] > t->probs[best] ? c : best;
            probs[best] = t->probs[best];
            C = t->C;
        }
        acc = transformer_accuracy(a);
    } else if (C <= 256) {
        int r = m == TRACE_RNN ? BUNDLE_RNN : BUNDLE_LSTM;
        const double *h = m == TRACE_RNN ? t->rnn_h : t->lstm_h;
        best = h && t->N > 0 ? recurrent_classify_state(b, r, h + (size_t)(t->N - 1) * (size_t)t->Dh, probs) : -1;
        acc = a->hist.recurrent_test_accuracy[r];
    }
    if (!t->has_model[m])
        return; /* the column already says the model is not there */
    if (best < 0 || best >= C) {
        /* TRANSLATORS: compare view, under an influence column's title when that model has no trained
           classifier (random recurrent weights, or attention without an encoder block), in three lengths. */
        static const char *const none[] = {N_("(random weights, no classifier)"), N_("(no classifier)"), "–"};
        draw_text_cut(y, x, w, choose(none, 3, w), theme_attr(ROLE_DIM));
        return;
    }
    const char *label = b->enc.labels[best];
    if (acc >= 0)
        /* TRANSLATORS: compare view, under an influence column's title: the class the model predicts for
           this sentence, its probability, and the model's accuracy on held-out (test) sentences. */
        snprintf(line, sizeof line, _("%s %.0f%% · test %.0f%%"), label, 100 * probs[best], 100 * acc);
    if (acc < 0 || utf8_width(line) > w)
        snprintf(line, sizeof line, "%s %.0f%%", label, 100 * probs[best]);
    draw_text_cut(y, x, w, line, theme_attr(ROLE_FORMULA));
}

static void draw_influence(struct app *a, int y, int h)
{
    const struct trace *t = &a->trace;
    char num[32];
    int lw = a->token_w > LABEL_MAX ? LABEL_MAX : a->token_w;
    /* TRANSLATORS: compare view, the heading over the influence bars, in three lengths (the first that
       fits the screen's width less 2 is shown): how much the last output changes with each word's embedding
       e_i, each model's bars scaled to its own largest value. Keep the formula as it is. */
    static const char *const heading[] = {
        N_("── How much each word still matters at the end: ‖∂(last output)/∂e_i‖, bars scaled per model"),
        N_("── How much each word matters at the end: ‖∂(last output)/∂e_i‖"),
        N_("── How much each word matters at the end")};
    draw_heading(y, choose(heading, 3, COLS - 2));
    if (quiz_mode_hides_influence(a)) {
        /* TRANSLATORS: compare view in quiz mode, in place of the influence bars until the student has
           predicted them. */
        draw_wrapped(y + 1, 2, COLS - 4, h - 1, _("Quiz: read every word (→ to the end), then predict which word "
                     "matters most; the bars are shown after."), theme_attr(ROLE_LABEL));
        return;
    }
    if (trace_influence_all(t)) { /* computed when first shown */
        /* TRANSLATORS: compare view, in place of the influence bars. */
        draw_text_cut(y + 1, 2, COLS - 4, _("not enough memory to compute the influence"), theme_attr(ROLE_WARN));
        return;
    }
    int colw = (COLS - 2 - lw - 2) / 3;
    static const enum trace_model order[] = {TRACE_RNN, TRACE_LSTM, TRACE_ATTENTION};
    /* TRANSLATORS: compare view, the titles of the three influence columns, each in three lengths (the
       first that fits a third of the screen is shown): the path from word i to the end is N−i steps long in
       the RNN and the LSTM (N words), 1 step in attention. "RNN  (" has two spaces to line up with "LSTM (". */
    static const char *const title[][3] = {{N_("RNN  (path: N−i steps)"), N_("RNN (N−i steps)"), "RNN"},
                                           {N_("LSTM (path: N−i steps)"), N_("LSTM (N−i steps)"), "LSTM"},
                                           {N_("attention (path: 1 step)"), N_("attention (1 step)"),
                                            N_("attention")}};
    for (int m = 0; m < 3; m++)
        draw_text_cut(y + 1, 1 + lw + 2 + m * colw, colw - 1, choose(title[m], 3, colw - 1),
                      theme_attr(ROLE_LABEL));
    int pred = has_predictions(a);
    for (int m = 0; pred && m < 3; m++)
        draw_prediction(a, order[m], y + 2, 1 + lw + 2 + m * colw, colw - 1);
    y += pred;
    h -= pred;
    /* The narration below the bars: when the bars keep the rows they need. */
    char said[1024];
    int need = t->N <= h - 2 ? t->N : h - 2, nl = 0;
    const char *narr = NULL;
    for (int brief = 0; brief < 2 && !nl; brief++) { /* the whole text, else the short one, else none */
        narr = narration(a, brief, said, sizeof said);
        nl = narr ? wrapped_lines(COLS - 4, narr) : 0;
        if (nl > 3 || h - 2 - nl < need)
            nl = 0;
    }
    if (nl) {
        draw_wrapped(y + h - nl, 2, COLS - 4, nl, narr, theme_attr(ROLE_NORMAL));
        h -= nl + (h - 2 - nl > need); /* a blank row above it when there is one */
    }
    struct axis rowax;
    axis_fit(&rowax, token_label, t, t->N, lw);
    double max[3] = {0, 0, 0}; /* each model's largest influence: its full bar */
    for (int m = 0; m < 3; m++)
        for (int j = 0; j < t->N; j++) {
            double v = t->influence[(size_t)order[m] * (size_t)t->N + (size_t)j];
            max[m] = v > max[m] ? v : max[m];
        }
    int rows = h - 2;
    /* Long sentences: the first words are the point, then the last ones. */
    int head = t->N <= rows ? t->N : rows / 2, tail = t->N <= rows ? 0 : rows - head - 1;
    for (int k = 0; k < head + tail + (tail ? 1 : 0); k++) {
        int ry = y + 2 + k;
        if (tail && k == head) {
            draw_text(ry, 1, lw, "…", theme_attr(ROLE_DIM));
            continue;
        }
        int i = k < head ? k : t->N - (head + tail + 1 - k);
        char lab[64];
        draw_text(ry, 1, lw, axis_label(&rowax, i, lab, sizeof lab), theme_attr(ROLE_LABEL));
        for (int m = 0; m < 3; m++) {
            int x = 1 + lw + 2 + m * colw;
            if (!t->has_model[order[m]]) {
                /* TRANSLATORS: compare view, in an influence column of a model the bundle lacks (an
                   RNN or an LSTM), in two lengths. */
                static const char *const none[] = {N_("(not in this model)"), N_("(none)")};
                draw_text_cut(ry, x, colw - 1, choose(none, 2, colw - 1), theme_attr(ROLE_DIM));
                continue;
            }
            const double *row = t->influence + (size_t)order[m] * (size_t)t->N;
            lesson_format_number(row[i], num, sizeof num); /* plain decimals, never 6.1e-05 */
            int steps = order[m] == TRACE_ATTENTION ? 1 : t->N - 1 - i;
            char path[24];
            snprintf(path, sizeof path, "%d", steps);
            int barw = colw - 1 - 8 - 4;
            bar(ry, x, barw > 1 ? barw : 1, row[i], max[m]);
            draw_text(ry, x + barw + 1, 7, num, theme_attr(ROLE_NORMAL));
            draw_text(ry, x + barw + 9, 4, path, theme_attr(ROLE_DIM));
        }
    }
}

void view_compare_draw(struct app *a, int y, int h)
{
    const struct trace *t = &a->trace;
    /* TRANSLATORS: the compare view's heading (62 cells at the smallest, 64 columns). */
    draw_heading(y, _("── RNN versus transformer: the same sentence, read two ways"));
    int infl_h = t->N + 2 < h / 2 ? t->N + 3 : h / 2;
    char said[1024];
    const char *narr = narration(a, 0, said, sizeof said);
    if (narr) { /* room for the predictions and the narration (issue 13) */
        int n = wrapped_lines(COLS - 4, narr);
        if (n > 3)
            n = wrapped_lines(COLS - 4, narration(a, 1, said, sizeof said));
        /* the predictions' row, the narration (the spare row above it) */
        int extra = has_predictions(a) + (n > 3 ? 3 : n);
        int most = h * 3 / 5;
        infl_h = infl_h + extra < most ? infl_h + extra : most > infl_h ? most : infl_h;
    }
    int top_h = h - 1 - infl_h;
    int half = (COLS - 3) / 2;
    draw_rnn(a, y + 1, 1, half, top_h);
    draw_attention(a, y + 1, 2 + half + 1, COLS - half - 4, top_h);
    draw_influence(a, y + 1 + top_h, infl_h);
    a->n_hits = 0;
}

int view_compare_key(struct app *a, int key)
{
    switch (key) {
    case KEY_RIGHT: case 'l': case ' ':
        a->cmp_t = a->cmp_t < a->trace.N ? a->cmp_t + 1 : a->cmp_t;
        return 1;
    case KEY_LEFT: case 'h': case KEY_BACKSPACE: case 127: case 8:
        a->cmp_t = a->cmp_t > 0 ? a->cmp_t - 1 : 0;
        return 1;
    case KEY_HOME: case 'g':
        a->cmp_t = 0;
        return 1;
    case KEY_END: case 'G':
        a->cmp_t = a->trace.N;
        return 1;
    default:
        return 0;
    }
}
