/* The compare view: the same sentence read two ways. On the left an RNN reads
 * one word per step, its hidden states piling up as rows, each step waiting
 * for the one before; on the right attention computes all N×N weights in one
 * parallel step. Below, how much each word still matters at the end. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attnstep/utf8.h"
#include "theme.h"


#define LABEL_MAX 10

static const char *token_label(const void *ctx, int i, char *buf)
{
    (void)buf;
    return ((const struct trace *)ctx)->tokens[i];
}

/* The RNN side: rows of h for the words read so far. */
static void draw_rnn(struct app *a, int y, int x, int w, int h)
{
    const struct trace *t = &a->trace;
    char line[160];
    static const char *const title[] = {"RNN: reads one word at a time", "RNN: one word at a time", "RNN"};
    draw_text_cut(y, x, w, text_choose(title, 3, w), theme_attr(ROLE_PANEL));
    if (!t->has_model[TRACE_RNN]) {
        char why[400];
        /* The bundled model that has them comes first (the line above the
         * status says how to open it): nothing to make. */
        snprintf(why, sizeof why, "This model has no RNN weights (rnn_w_xh.csv, rnn_w_hh.csv), so there is nothing "
                 "to compare yet. %s a model that has them:  attnstep --init-model DIR --d-hidden 8  and open it "
                 "with  attnstep --model DIR --compare", a->recurrent_model ? "Open the bundled random-en (below), "
                 "or make" : "Make");
        draw_wrapped(y + 2, x, w, h - 2, why, theme_attr(ROLE_WARN));
        return;
    }
    snprintf(line, sizeof line, "sequential step %d of %d: each waits for the one before", a->cmp_t, t->N);
    if (utf8_width(line) > w)
        snprintf(line, sizeof line, "sequential step %d of %d", a->cmp_t, t->N);
    draw_text_cut(y + 1, x, w, line, a->cmp_t ? theme_attr(ROLE_FORMULA) : theme_attr(ROLE_LABEL));
    int lw = a->token_w > LABEL_MAX ? LABEL_MAX : a->token_w;
    int rows = h - 3, cw = 2;
    int cols = (w - lw - 1) / cw < t->Dh ? (w - lw - 1) / cw : t->Dh;
    int r0 = t->N > rows && a->cmp_t > rows ? a->cmp_t - rows : 0;
    double lo, hi;
    app_range(a, MAT_RNN_H, -1, &lo, &hi);
    static const char *const htitle[] = {"h (memory after each word)", "h (memory)", "h"};
    const char *ht = text_choose(htitle, 3, w);
    int used = draw_text_cut(y + 2, x, w, ht, theme_attr(ROLE_LABEL));
    if (cols < t->Dh || rows < t->N) { /* what is in sight: words × memory dimensions */
        snprintf(line, sizeof line, " %d–%d/%d×1–%d/%d", r0 + 1, r0 + (rows < t->N ? rows : t->N), t->N, cols, t->Dh);
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
    static const char *const title[] = {"Attention: all words at once", "Attention: all at once", "Attention"};
    static const char *const done[] = {"1 parallel step: every weight (mean of heads)", "1 parallel step (mean of heads)",
                                       "1 parallel step"};
    static const char *const start[] = {"not started: one step does it all", "not started"};
    draw_text_cut(y, x, w, text_choose(title, 3, w), theme_attr(ROLE_PANEL));
    draw_text_cut(y + 1, x, w, a->cmp_t ? text_choose(done, 3, w) : text_choose(start, 2, w),
                  a->cmp_t ? theme_attr(ROLE_FORMULA) : theme_attr(ROLE_LABEL));
    int lw = a->token_w > LABEL_MAX ? LABEL_MAX : a->token_w;
    int rows = h - 3, cw = 2;
    int cols = (w - lw - 1) / cw < t->N ? (w - lw - 1) / cw : t->N;
    static const char *const atitle[] = {"A (row looks at column)", "A"};
    int used = draw_text_cut(y + 2, x, w, text_choose(atitle, 2, w), theme_attr(ROLE_LABEL));
    if (cols < t->N || rows < t->N) { /* a long sentence: what is in sight */
        snprintf(line, sizeof line, " 1–%d/%d×1–%d/%d", rows < t->N ? rows : t->N, t->N, cols, t->N);
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

static void draw_influence(struct app *a, int y, int h)
{
    const struct trace *t = &a->trace;
    char num[32];
    int lw = a->token_w > LABEL_MAX ? LABEL_MAX : a->token_w;
    static const char *const heading[] = {
        "── How much each word still matters at the end: ‖∂(last output)/∂e_i‖, bars scaled per model",
        "── How much each word matters at the end: ‖∂(last output)/∂e_i‖",
        "── How much each word matters at the end"};
    draw_heading(y, text_choose(heading, 3, COLS - 2));
    if (trace_influence_all(t)) { /* computed when first shown */
        draw_text(y + 1, 2, COLS - 4, "not enough memory to compute the influence", theme_attr(ROLE_WARN));
        return;
    }
    int colw = (COLS - 2 - lw - 2) / 3;
    static const enum trace_model order[] = {TRACE_RNN, TRACE_LSTM, TRACE_ATTENTION};
    static const char *const title[][3] = {{"RNN  (path: N−i steps)", "RNN (N−i steps)", "RNN"},
                                           {"LSTM (path: N−i steps)", "LSTM (N−i steps)", "LSTM"},
                                           {"attention (path: 1 step)", "attention (1 step)", "attention"}};
    for (int m = 0; m < 3; m++)
        draw_text_cut(y + 1, 1 + lw + 2 + m * colw, colw - 1, text_choose(title[m], 3, colw - 1),
                      theme_attr(ROLE_LABEL));
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
                static const char *const none[] = {"(not in this model)", "(none)"};
                draw_text_cut(ry, x, colw - 1, text_choose(none, 2, colw - 1), theme_attr(ROLE_DIM));
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
    draw_heading(y, "── RNN versus transformer: the same sentence, read two ways");
    int infl_h = t->N + 2 < h / 2 ? t->N + 3 : h / 2;
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
