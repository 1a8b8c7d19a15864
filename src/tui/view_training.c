/* The training view: the model's snapshots from random initialisation to the
 * end, scrubbed with the step keys. For the chosen sentence: a head's
 * attention heatmap, the prediction, and W_Q, W_K, W_V as colour cells, beside
 * the loss and accuracy curves and a narration of the training loop. On a
 * language model: the next-token candidates as the prediction, and the
 * held-out perplexity curve with the bigram baseline's level instead of the
 * accuracy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "attnstep/dataset.h"
#include "attnstep/i18n.h"
#include "attnstep/train.h"
#include "attnstep/utf8.h"
#include "term.h"
#include "theme.h"


#define LABEL_MAX 10

static const char *token_label(const void *ctx, int i, char *buf)
{
    (void)buf;
    return ((const struct trace *)ctx)->tokens[i];
}

/* What the prediction panel lists: a classifier's classes, or a language
 * model's most likely next tokens, each with its probability. */
struct choices {
    int n;
    const char *name[4];
    double p[4];
};

static const char *choice_label(const void *ctx, int i, char *buf)
{
    (void)buf;
    return ((const struct choices *)ctx)->name[i];
}

static void choices_of(const struct trace *t, struct choices *c)
{
    c->n = 0;
    if (!t->is_lm) {
        for (int k = 0; k < t->C && k < 4; k++) {
            c->name[c->n] = t->model->enc.labels[k];
            c->p[c->n++] = t->probs[k];
        }
        return;
    }
    int taken[4];
    for (int k = 0; k < 4 && k < t->V; k++) { /* the four most likely, the lower row first among equals */
        int best = -1;
        for (int v = 0; v < t->V; v++) {
            int used = 0;
            for (int j = 0; j < k; j++)
                used |= taken[j] == v;
            if (!used && (best < 0 || t->next_probs[v] > t->next_probs[best]))
                best = v;
        }
        taken[k] = best;
        c->name[c->n] = t->model->vocab[best];
        c->p[c->n++] = t->next_probs[best];
    }
}

/* The snapshot's trace for the sentence, computed the first time it is shown. */
static const struct trace *snapshot_trace(struct app *a, int i)
{
    if (!a->hist_built[i]) {
        struct error err;
        if (trace_build(&a->hist_traces[i], &a->hist.snapshots[i], a->sentence, 0, &err))
            return NULL;
        a->hist_built[i] = 1;
    }
    return &a->hist_traces[i];
}

struct live {
    struct app *a;
    double start;
    int epochs; /* planned */
};

/* The live retraining in progress (NULL when none): while it runs, the
 * history holds only the epochs done so far. */
static const struct live *running;

/* The epoch the history ends at: the planned last one while training runs. */
static int final_epoch(const struct app *a)
{
    return running ? running->epochs : a->hist.snapshot_epoch[a->hist.n_snapshots - 1];
}

/* What this snapshot shows, in two to four lines across the screen (76 cells
 * each on an 80-column screen). Nothing here names a word of one language:
 * the example comes from the sentence and the snapshot on screen. */
static const char *narration(const struct app *a, int epoch, const struct trace *t, int head, char *buf, size_t size)
{
    const struct bundle *last = &a->hist.snapshots[a->hist.n_snapshots - 1];
    if (epoch == 0 && last->description && strstr(last->description, " --from "))
        /* TRANSLATORS: training view, epoch 0 of a model trained with --from
           BUNDLE. Each narration of this view gets 2 to 4 lines of 76 cells on
           an 80x24 screen (a Hangul syllable takes two cells). */
        return _("Start: the weights of the model this training began from (--from), before any update.");
    if (epoch == 0)
        /* TRANSLATORS: training view, epoch 0 (random weights); γ is LayerNorm's gain. */
        return _("Random start: random matrices (biases 0, LayerNorm's γ 1): nothing is learned yet. The heatmap "
                 "and the prediction, however sure, are accidents of random numbers.");
    if (epoch <= 2)
        /* TRANSLATORS: training view, epochs 1 and 2; 16 is the batch size. */
        return _("Each epoch: every training sentence once, in batches of 16: predict, measure the loss, "
                 "backpropagate, and Adam nudges every weight.");
    if ((running || epoch < final_epoch(a)) && t) { /* "Trained." only once training is over */
        int best = 0; /* the word this head attends to most, over all the sentence's words */
        double most = -1;
        for (int c = 0; c < t->N; c++) {
            double sum = 0;
            for (int r = 0; r < t->N; r++)
                sum += t->weights[((size_t)head * t->N + r) * t->N + c];
            if (sum > most) {
                most = sum;
                best = c;
            }
        }
        /* Two whole sentences, one after the other. */
        const char *loss = a->hist.loss[epoch] < a->hist.loss[0]
                               /* TRANSLATORS: training view, an epoch between the third and the last; the
                                  sentence "Head %d attends most to ..." follows it. */
                               ? _("The loss has fallen since the start, though not at every epoch.")
                               /* TRANSLATORS: training view, as above, when the loss is not below epoch 0's. */
                               : _("The loss has not fallen since the start.");
        int n = snprintf(buf, size, "%s ", loss);
        if (n < 0 || (size_t)n >= size)
            return loss;
        /* TRANSLATORS: training view, after the sentence about the loss. %d: the head's number (1, 2, ...);
           %s: the word (token) of the sentence on screen that this head's attention weights add up to the
           most for, over all the sentence's words. */
        snprintf(buf + n, size - (size_t)n, _("Head %d attends most to \"%s\": where a head looks, not why the model "
                                              "answers."), head + 1, t->tokens[best]);
        return buf;
    }
    /* TRANSLATORS: training view, the last epoch, once training is over. */
    return _("Trained. Nobody wrote W_Q, W_K or W_V by hand: they are where Adam, a kind of gradient descent, "
             "left them on the training loss (cross-entropy).");
}

/* One curve in the box (y, x, w, h): its title, a value axis (lo at the
 * bottom, hi at the top), the bars, and an epoch axis under them with the
 * current epoch marked. v[e] for the epochs done so far (n), span epochs wide. */
static void draw_curve(int y, int x, int w, int h, const char *title, const double *v, int n, int span,
                       double lo, double hi, const char *lo_label, const char *hi_label, int epoch, double level)
{
    static const char *const blocks[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char *const ascii[] = {" ", ".", ".", "-", "-", "=", "=", "#", "#"};
    char buf[32];
    int yl = utf8_width(hi_label) > utf8_width(lo_label) ? utf8_width(hi_label) : utf8_width(lo_label);
    int rows = h - 2, px = x + yl + 1, plotw = w - yl - 1;
    if (plotw > span * 4)
        plotw = span * 4;
    draw_text_cut(y, x, w, title, theme_attr(ROLE_LABEL));
    if (rows < 1 || plotw < 4)
        return;
    draw_text(y + 1, x + yl - utf8_width(hi_label), yl, hi_label, theme_attr(ROLE_DIM));
    draw_text(y + rows, x + yl - utf8_width(lo_label), yl, lo_label, theme_attr(ROLE_DIM));
    for (int r = 0; r < rows; r++)
        draw_text(y + 1 + r, px - 1, 1, "│", theme_attr(ROLE_DIM));
    /* The epoch axis: 0 at the left, the last epoch at the right. */
    int ay = y + 1 + rows;
    draw_text(ay, px - 1, 1, "└", theme_attr(ROLE_DIM));
    draw_text(ay, px, plotw, "0", theme_attr(ROLE_DIM));
    snprintf(buf, sizeof buf, "%d", span - 1);
    draw_text(ay, px + plotw - utf8_width(buf), plotw, buf, theme_attr(ROLE_DIM));
    /* TRANSLATORS: training view, the label under the epoch axis of the loss and accuracy curves, centred
       between 0 and the last epoch; at most 8 cells. */
    const char *axis = _("epochs");
    int aw = utf8_width(axis);
    if (plotw >= aw + 8)
        draw_text(ay, px + plotw / 2 - (aw + 1) / 2, aw, axis, theme_attr(ROLE_DIM));
    for (int c = 0; c < plotw; c++) {
        int e = (int)((double)c / plotw * span);
        if (e >= n)
            break; /* not trained yet */
        double t = hi > lo ? (v[e] - lo) / (hi - lo) : 0;
        double levels = (t < 0 ? 0 : t > 1 ? 1 : t) * rows * 8;
        /* the epoch on screen stands out as a highlighted column */
        attr_t at = e == epoch ? theme_attr(ROLE_CURRENT) : e < epoch ? theme_attr(ROLE_PANEL) : theme_attr(ROLE_DIM);
        /* level (when in range): a dashed line across the empty cells at its height */
        int line_r = level > lo && level < hi ? rows - 1 - (int)((level - lo) / (hi - lo) * rows) : -1;
        for (int r = 0; r < rows; r++) {
            int fill = (int)levels - (rows - 1 - r) * 8;
            fill = fill < 0 ? 0 : fill > 8 ? 8 : fill;
            if (fill == 0 && r == line_r)
                draw_text(y + 1 + r, px + c, 1, widgets_utf8 ? "╌" : "-", theme_attr(ROLE_WARN));
            else
                draw_text(y + 1 + r, px + c, 1, widgets_utf8 ? blocks[fill] : ascii[fill], at);
        }
    }
}

/* A language model: the perplexity (held-out when tested) with the bigram's
 * level as a dashed line. The scale tops at twice the bigram's perplexity (or
 * the largest after epoch 0): the random start, near V, would flatten the
 * rest; a bar past the top is drawn full and the top label says "+". */
static void draw_perplexity(const struct history *hs, int x, int y, int w, int h, int n, int span, int e, int epoch)
{
    int tests = hs->test_perplexity[0] >= 0;
    const double *v = tests ? hs->test_perplexity : hs->train_perplexity;
    double bigram = tests && hs->bigram_perplexity > 0 ? hs->bigram_perplexity : -1, hi = 0, most = 0;
    for (int i = 0; i < n; i++) {
        most = v[i] > most ? v[i] : most;
        if (i > 0 || n == 1)
            hi = v[i] > hi ? v[i] : hi;
    }
    if (bigram > 0)
        hi = 2 * bigram;
    hi = hi > 1 ? hi : 1;
    char title[160], top[32];
    snprintf(top, sizeof top, most > hi ? "%.0f+" : "%.0f", hi);
    if (bigram > 0) {
        /* TRANSLATORS: training view of a language model, the title over the perplexity curve: the held-out
           (test) perplexity at the epoch on screen, then the add-one bigram baseline's, drawn as a dashed
           line. Used where it fits (58 cells on a 120-column screen). */
        snprintf(title, sizeof title, _("test perplexity %.2f, bigram %.2f (dashed line)"), v[e], bigram);
        if (utf8_width(title) > w)
            /* TRANSLATORS: the same title where the one above does not fit (38 cells on an 80-column
               screen): test perplexity, then the bigram's. */
            snprintf(title, sizeof title, _("test ppl %.2f (bigram %.2f ╌)"), v[e], bigram);
    } else if (tests) {
        /* TRANSLATORS: as above, without a bigram figure: the held-out perplexity at the epoch on screen. */
        snprintf(title, sizeof title, _("test perplexity %.2f"), v[e]);
    } else {
        /* TRANSLATORS: as above, for a model trained without test sentences: the perplexity on the
           training sentences. */
        snprintf(title, sizeof title, _("train perplexity %.2f"), v[e]);
    }
    draw_curve(y, x, w, h, title, v, n, span, 0, hi, "0", top, epoch, bigram);
}

/* Loss (left) and accuracy (right) over the epochs, the current one marked. */
static void draw_curves(struct app *a, int y, int h, int epoch)
{
    const struct history *hs = &a->hist;
    int half = (COLS - 4) / 2, n = hs->n_epochs, span = final_epoch(a) + 1;
    if (n == 0 || h < 3)
        return;
    span = span > n ? span : n;
    int e = epoch < n ? epoch : n - 1;
    double max_loss = 0;
    for (int i = 0; i < n; i++)
        max_loss = hs->loss[i] > max_loss ? hs->loss[i] : max_loss;
    char title[160], top[32];
    /* TRANSLATORS: training view, the title over the loss curve: the loss (%.3f) at the epoch on screen (%d).
       Half the screen wide: at most 38 cells on an 80-column screen. */
    snprintf(title, sizeof title, _("loss %.3f at epoch %d"), hs->loss[e], e);
    snprintf(top, sizeof top, "%.2f", max_loss > 0 ? max_loss : 1);
    draw_curve(y, 2, half, h, title, hs->loss, n, span, 0, max_loss > 0 ? max_loss : 1, "0", top, epoch, -1);
    if (hs->lm && hs->train_perplexity) {
        draw_perplexity(hs, 3 + half, y, half, h, n, span, e, epoch);
        return;
    }
    int tests = hs->test_accuracy[0] >= 0;
    if (tests) {
        /* TRANSLATORS: training view, the title over the accuracy curve when the model was tested: the
           accuracy on the training sentences, then on the test sentences, in percent; the curve drawn under
           it is the test accuracy. Used where it fits (58 cells on a 120-column screen). */
        snprintf(title, sizeof title, _("accuracy: train %.0f%%  test %.0f%% (test curve)"),
                 100 * hs->train_accuracy[e], 100 * hs->test_accuracy[e]);
        if (utf8_width(title) > half)
            /* TRANSLATORS: training view, the same title where the one above does not fit (38 cells on
               an 80-column screen): the test accuracy (the curve drawn), then the training accuracy. */
            snprintf(title, sizeof title, _("test accuracy %.0f%% (train %.0f%%)"), 100 * hs->test_accuracy[e],
                     100 * hs->train_accuracy[e]);
    } else {
        /* TRANSLATORS: training view, the title over the accuracy curve of a model trained without test
           sentences: the accuracy on the training sentences, in percent. */
        snprintf(title, sizeof title, _("accuracy: train %.0f%%"), 100 * hs->train_accuracy[e]);
    }
    draw_curve(y, 3 + half, half, h, title, tests ? hs->test_accuracy : hs->train_accuracy, n, span, 0, 1, "0%",
               "100%", epoch, -1);
}

void view_training_draw(struct app *a, int y, int h)
{
    char line[256];
    const struct history *hs = &a->hist;
    if (app_history(a)) { /* the snapshots, read the first time the view shows */
        char why[sizeof a->hist_error + 160];
        draw_heading(y, _("── Training: watching attention learn"));
        /* TRANSLATORS: training view, when the model's snapshots/ could not be read as the view opened; %s is
           why (an error message, often "PATH: reason"). */
        snprintf(why, sizeof why, _("The training history could not be read: %s"), a->hist_error);
        draw_wrapped(y + 2, 2, COLS - 4, h - 3, why, theme_attr(ROLE_WARN));
        a->n_hits = 0;
        return;
    }
    if (hs->n_snapshots == 0) {
        /* TRANSLATORS: the training view's heading (a model without a training history). */
        draw_heading(y, _("── Training: watching attention learn"));
        /* TRANSLATORS: training view of a model without a training history. Keep the two commands exactly
           as they are, with two spaces around each: the text wraps at spaces. */
        draw_wrapped(y + 2, 2, COLS - 4, h - 3,
                     _("This model has no training history (a snapshots/ folder beside its weights). Train one and "
                       "open it:  attnstep train assets/data/sentiment-en-train.csv --test "
                       "assets/data/sentiment-en-test.csv --out my-model  then  attnstep --model my-model  and press v."),
                     theme_attr(ROLE_WARN));
        a->n_hits = 0;
        return;
    }
    int i = a->hist_i, epoch = hs->snapshot_epoch[i];
    if (running) {
        /* TRANSLATORS: the training view's heading while R retrains the model live: the epoch done so far
           and the last epoch. */
        snprintf(line, sizeof line, _("── Training… epoch %d of %d, retraining from random"), epoch, final_epoch(a));
    } else {
        /* TRANSLATORS: the training view's heading: the epoch of the snapshot on screen, the last epoch, the
           snapshot's number and the number of snapshots. */
        snprintf(line, sizeof line, _("── Training: watching attention learn · epoch %d of %d (snapshot %d of %d)"),
                 epoch, final_epoch(a), i + 1, hs->n_snapshots);
        if (utf8_width(line) > COLS - 2)
            /* TRANSLATORS: the same heading where the one above does not fit the screen (62 cells at the
               smallest, 64 columns). */
            snprintf(line, sizeof line, _("── Training · epoch %d of %d (snapshot %d of %d)"), epoch, final_epoch(a),
                     i + 1, hs->n_snapshots);
    }
    draw_heading(y, line);
    const struct trace *t = snapshot_trace(a, i);
    int head = !t || a->head < 0 || a->head >= t->H ? 0 : a->head;
    char said[1024];
    const char *say = narration(a, epoch, t, head, said, sizeof said);
    /* Two lines, up to four where the sentence needs them (a narration cut
     * short drops a fact) while the heatmap keeps three rows in sight. */
    int curves_h = h >= 26 ? 7 : h >= 20 ? 5 : 0;
    int narr_h = wrapped_lines(COLS - 4, say);
    int spare = h - 4 - curves_h - ((t && t->N < 3 ? t->N : 3) + 2);
    narr_h = narr_h > 4 ? 4 : narr_h;
    narr_h = narr_h > 2 + spare ? 2 + spare : narr_h;
    narr_h = narr_h < 2 ? 2 : narr_h;
    draw_wrapped(y + 1, 2, COLS - 4, narr_h, say, theme_attr(ROLE_NORMAL));
    if (!t) {
        /* TRANSLATORS: training view, when a snapshot's vocabulary or width cannot take the sentence. */
        draw_text_cut(y + 2 + narr_h, 2, COLS - 4, _("this snapshot cannot read the sentence"), theme_attr(ROLE_WARN));
        return;
    }
    int top = y + 2 + narr_h, avail = h - 2 - narr_h - curves_h;
    /* Left: the heatmap of one head. */
    int lw = a->token_w > LABEL_MAX ? LABEL_MAX : a->token_w;
    int N = t->N, hw = COLS / 2 - 2;
    int cw = a->token_w + 1 > LABEL_MAX + 1 ? LABEL_MAX + 1 : a->token_w + 1; /* whole labels where there is room */
    while (cw > 3 && N * cw > hw - lw - 1)
        cw--;
    int cols = N < (hw - lw - 1) / cw ? N : (hw - lw - 1) / cw;
    struct axis rowax, colax;
    axis_fit(&rowax, token_label, t, N, lw);
    axis_fit(&colax, token_label, t, N, cw - 1);
    char legend[2048] = "", lab[64];
    int legend_h = 0;
    if (colax.bare && cols > 0) { /* numbered columns: the words they stand for, below */
        axis_legend(&colax, 0, cols, legend, sizeof legend);
        legend_h = wrapped_lines(hw, legend) > 2 ? 2 : wrapped_lines(hw, legend);
    }
    int rows = N < avail - 2 - legend_h ? N : avail - 2 - legend_h;
    if (rows < N || cols < N) { /* a long sentence: say how much is in sight */
        /* TRANSLATORS: training view, over the heatmap of a long sentence: the head, the number of heads,
           then the rows and columns in sight (words 1 to %d by 1 to %d) of the sentence's %d words. */
        snprintf(line, sizeof line, _("attention, head %d of %d · words 1–%d×1–%d of %d"), head + 1, t->H, rows,
                 cols, N);
        if (utf8_width(line) > hw)
            /* TRANSLATORS: the same, shorter, for a narrow screen (half of it: 30 cells at the minimum
               size): the head, the number of heads, the words in sight by the sentence's words. */
            snprintf(line, sizeof line, _("head %d/%d · words 1–%d×1–%d of %d"), head + 1, t->H, rows, cols, N);
    } else
        /* TRANSLATORS: training view, over the heatmap: the head shown and the number of heads. */
        snprintf(line, sizeof line, _("attention, head %d of %d"), head + 1, t->H);
    draw_text_cut(top, 2, hw, line, theme_attr(ROLE_PANEL));
    for (int c = 0; c < cols; c++)
        draw_text(top + 1, 3 + lw + c * cw, cw - 1, axis_label(&colax, c, lab, sizeof lab), theme_attr(ROLE_LABEL));
    for (int r = 0; r < rows; r++) {
        draw_text(top + 2 + r, 2, lw, axis_label(&rowax, r, lab, sizeof lab), theme_attr(ROLE_LABEL));
        for (int c = 0; c < cols; c++)
            draw_heat_cell(top + 2 + r, 3 + lw + c * cw, cw - 1, t->weights[((size_t)head * N + r) * N + c]);
    }
    if (legend_h && rows > 0)
        draw_wrapped(top + 2 + rows, 2, hw, legend_h, legend, theme_attr(ROLE_DIM));
    /* Right: the prediction and the three projections. */
    int rx = COLS / 2 + 1, rw = COLS - rx - 2;
    struct choices ch;
    choices_of(t, &ch);
    if (t->is_lm)
        /* TRANSLATORS: training view of a language model, over the most likely next tokens after the
           sentence on screen, with their probabilities, for the snapshot on screen. */
        draw_text_cut(top, rx, rw, _("next token after the sentence"), theme_attr(ROLE_PANEL));
    else
        /* TRANSLATORS: training view, over the class probabilities of the snapshot on screen. */
        draw_text_cut(top, rx, rw, _("prediction"), theme_attr(ROLE_PANEL));
    int best = 0;
    for (int c = 0; c < ch.n; c++)
        best = ch.p[c] > ch.p[best] ? c : best;
    struct axis classes;
    axis_fit(&classes, choice_label, &ch, ch.n, 10);
    for (int c = 0; c < ch.n; c++) {
        const char *name = axis_label(&classes, c, lab, sizeof lab);
        draw_text(top + 1 + c, rx, 10, name, c == best ? theme_attr(ROLE_HEADER) : theme_attr(ROLE_LABEL));
        int bw = rw - 21, full = (int)(ch.p[c] * bw + 0.5);
        char bar[512] = "";
        for (int k = 0; k < bw && strlen(bar) + 4 < sizeof bar; k++)
            strcat(bar, k < full ? (widgets_utf8 ? "█" : "#") : (widgets_utf8 ? "░" : "."));
        draw_text(top + 1 + c, rx + 11, bw, bar, c == best ? theme_attr(ROLE_PANEL) : theme_attr(ROLE_DIM));
        lesson_format_percent(ch.p[c], line, sizeof line); /* "99.99%", never a rounded "100%" */
        draw_text(top + 1 + c, rx + 12 + bw + 8 - utf8_width(line), 8, line, theme_attr(ROLE_NORMAL));
    }
    int wy = top + 2 + ch.n;
    int D = t->D, cell = 1, gap = 2;
    int room = avail - (wy - top) - 1;
    if (room >= 4 && rw >= 3 * 4 + 2 * gap) {
        const struct bundle *final = &hs->snapshots[hs->n_snapshots - 1];
        static const char *const names[] = {"W_Q", "W_K", "W_V"};
        int show = D < room ? D : room, wcols = D < (rw - 2 * gap) / 3 ? D : (rw - 2 * gap) / 3;
        for (int m = 0; m < 3; m++) {
            double scale = 0; /* the trained weights' range, so every snapshot shares one colour scale */
            for (int k = 0; k < D * D; k++)
                scale = fabs(final->w[m][k]) > scale ? fabs(final->w[m][k]) : scale;
            int wx = rx + m * (wcols * cell + gap);
            draw_text_cut(wy, wx, wcols, names[m], theme_attr(ROLE_LABEL));
            for (int r = 0; r < show; r++)
                for (int c = 0; c < wcols; c++)
                    draw_heat_cell(wy + 1 + r, wx + c * cell, cell,
                         scale > 0 ? 0.5 + 0.5 * t->model->w[m][(size_t)r * D + c] / scale : 0.5);
        }
    }
    if (curves_h)
        draw_curves(a, y + h - curves_h, curves_h, epoch);
    a->n_hits = 0;
}

int view_training_key(struct app *a, int key)
{
    int n = a->hist.n_snapshots;
    if (key == 'R') {
        app_retrain_live(a);
        return 1;
    }
    if (n == 0)
        return 0;
    switch (key) {
    case KEY_RIGHT: case 'l': case ' ': a->hist_i = a->hist_i + 1 < n ? a->hist_i + 1 : a->hist_i; return 1;
    case KEY_LEFT: case 'h': case KEY_BACKSPACE: case 127: case 8: a->hist_i = a->hist_i > 0 ? a->hist_i - 1 : 0; return 1;
    case KEY_HOME: case 'g': a->hist_i = 0; return 1;
    case KEY_END: case 'G': a->hist_i = n - 1; return 1;
    default: return 0;
    }
}

/* ---- retraining in front of the class ------------------------------------ */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* After each epoch: keep a copy of the weights, log the figures, redraw. */
static int live_epoch(const struct train_epoch *e, const struct bundle *model, void *ctx)
{
    struct live *lv = ctx;
    struct app *a = lv->a;
    struct history *h = &a->hist;
    struct error err;
    int k = h->n_snapshots;
    if (bundle_clone(&h->snapshots[k], model, &err))
        return 1;
    h->snapshot_epoch[k] = e->epoch;
    h->loss[k] = e->loss;
    h->train_accuracy[k] = h->lm ? -1 : e->train_accuracy;
    h->test_accuracy[k] = h->lm ? -1 : e->test_accuracy;
    if (h->lm) {
        h->train_perplexity[k] = e->train_perplexity;
        h->test_perplexity[k] = e->test_perplexity;
    }
    h->n_snapshots = h->n_epochs = k + 1;
    a->hist_i = k;
    /* TRANSLATORS: the message line while R retrains the model live: the epoch done, the last epoch, the
       loss after it. Wraps over at most 3 lines. */
    snprintf(a->message, sizeof a->message, _("training… epoch %d of %d, loss %.3f (from random; wait for the end)"),
             e->epoch, e->epochs, e->loss);
    app_draw(a);
    refresh();
    napms(60); /* fast enough for a class to wait, slow enough to watch */
    return term_stop_signal != 0;
}

void app_retrain_live(struct app *a)
{
    const struct app_retrain *r = &a->retrain;
    struct error err = {{0}};
    if (!r->available) {
        /* TRANSLATORS: the message after R in the training view of a model whose config.csv does not hold
           the "attnstep train" command that made it. */
        snprintf(a->message, sizeof a->message, "%s",
                 _("this model does not record how it was trained (attnstep train does)"));
        return;
    }
    struct dataset_job_spec spec = {
        .data = r->data, .test = r->test[0] ? r->test : NULL, .name = "live", .d_model = r->d_model,
        .heads = r->heads, .d_ff = r->d_ff, .lr = r->lr, .seed = r->seed,
        .word_tokenizer = r->word_tokenizer, .merges = r->merges, .lm = r->lm,
    };
    struct dataset_job job;
    int ok = 0;
    if (dataset_job_prepare(&job, &spec, &err))
        goto done;
    /* The new history replaces the loaded one (or the one not read yet); its traces are rebuilt as shown. */
    a->hist_pending = 0;
    a->hist_error[0] = '\0';
    for (int i = 0; a->hist_built && i < a->hist.n_snapshots; i++)
        if (a->hist_built[i])
            trace_free(&a->hist_traces[i]);
    history_free(&a->hist);
    free(a->hist_traces);
    free(a->hist_built);
    size_t n = (size_t)r->epochs + 1;
    struct history *h = &a->hist;
    h->snapshots = calloc(n, sizeof *h->snapshots);
    h->snapshot_epoch = calloc(n, sizeof *h->snapshot_epoch);
    h->loss = calloc(n, sizeof(double));
    h->train_accuracy = calloc(n, sizeof(double));
    h->test_accuracy = calloc(n, sizeof(double));
    a->hist_traces = calloc(n, sizeof *a->hist_traces);
    a->hist_built = calloc(n, sizeof *a->hist_built);
    h->lm = r->lm;
    h->bigram_perplexity = job.bigram_perplexity;
    if (r->lm) {
        h->train_perplexity = calloc(n, sizeof(double));
        h->test_perplexity = calloc(n, sizeof(double));
    }
    if (!h->snapshots || !h->snapshot_epoch || !h->loss || !h->train_accuracy || !h->test_accuracy ||
        !a->hist_traces || !a->hist_built || (r->lm && (!h->train_perplexity || !h->test_perplexity))) {
        error_set(&err, "%s", _("out of memory"));
        goto done;
    }
    struct live lv = {a, now(), r->epochs};
    running = &lv;
    int failed = train_fit(&job.tr, &job.train_set, &job.test_set, r->epochs, 16, r->seed, live_epoch, &lv);
    running = NULL;
    if (failed)
        goto done;
    int last = h->n_snapshots - 1;
    if (last >= 0 && h->lm && h->test_perplexity[last] >= 0 && h->bigram_perplexity > 0)
        /* TRANSLATORS: the message after a live retraining (R) of a language model: the seconds it took,
           then the held-out (test) perplexity and the add-one bigram baseline's. */
        snprintf(a->message, sizeof a->message, _("retrained from random in %.1f s: test perplexity %.2f, bigram "
                                                  "%.2f"), now() - lv.start, h->test_perplexity[last],
                 h->bigram_perplexity);
    else if (last >= 0 && h->lm)
        /* TRANSLATORS: as above, for a language model trained without test sentences: the perplexity on the
           training sentences. */
        snprintf(a->message, sizeof a->message, _("retrained from random in %.1f s: train perplexity %.2f"),
                 now() - lv.start, h->train_perplexity[last]);
    else if (last >= 0 && h->test_accuracy[last] >= 0)
        /* TRANSLATORS: the message after a live retraining (R): the seconds it took, then the accuracy on
           the training sentences and on the test sentences, in percent. */
        snprintf(a->message, sizeof a->message, _("retrained from random in %.1f s: train %.0f%%, test %.0f%%"),
                 now() - lv.start, 100 * h->train_accuracy[last], 100 * h->test_accuracy[last]);
    else if (last >= 0)
        /* TRANSLATORS: as above, for a model trained without test sentences. */
        snprintf(a->message, sizeof a->message, _("retrained from random in %.1f s: train %.0f%%"), now() - lv.start,
                 100 * h->train_accuracy[last]);
    ok = 1;
done:
    if (!ok && err.msg[0]) {
        char why[160];
        /* TRANSLATORS: the message when a live retraining (R) fails; %s: the reason (an error message). */
        snprintf(a->message, sizeof a->message, _("cannot retrain: %s"), utf8_excerpt(why, err.msg, 140));
    }
    dataset_job_free(&job);
}
