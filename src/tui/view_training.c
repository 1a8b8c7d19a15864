/* The training view: the model's snapshots from random initialisation to the
 * end, scrubbed with the step keys. For the chosen sentence: a head's
 * attention heatmap, the prediction, and W_Q, W_K, W_V as colour cells, beside
 * the loss and accuracy curves and a narration of the training loop. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "attnstep/dataset.h"
#include "attnstep/train.h"
#include "attnstep/utf8.h"
#include "term.h"
#include "theme.h"

extern int widgets_utf8;

#define LABEL_MAX 10

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

/* What this snapshot shows, in the two lines of 76 cells an 80-column screen
 * gives it. Nothing here names a word of one language: the example comes from
 * the sentence and the snapshot on screen. */
static const char *narration(const struct app *a, int epoch, const struct trace *t, int head, char *buf, size_t size)
{
    const struct bundle *last = &a->hist.snapshots[a->hist.n_snapshots - 1];
    if (epoch == 0 && last->description && strstr(last->description, " --from "))
        return "Start: the weights of the model this training began from (--from), before any update.";
    if (epoch == 0)
        return "Random start: every weight is random, nothing is learned yet. The heatmap and the prediction, "
               "however sure, are accidents of random numbers.";
    if (epoch <= 2)
        return "Each epoch: every training sentence once, in batches of 16: predict, measure the loss, "
               "backpropagate, and Adam nudges every weight.";
    if (epoch < a->hist.snapshot_epoch[a->hist.n_snapshots - 1] && t) {
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
        snprintf(buf, size, "The loss falls, though not at every epoch. Head %d attends most to \"%s\": where a "
                 "head looks, not why the model answers.", head + 1, t->tokens[best]);
        return buf;
    }
    return "Trained. Nobody wrote W_Q, W_K or W_V by hand: they are where gradient descent on the training "
           "loss (cross-entropy) ended up.";
}

/* Loss (left) and accuracy (right) over the epochs, the current one marked. */
static void draw_curves(struct app *a, int y, int h, int epoch)
{
    const struct history *hs = &a->hist;
    static const char *const blocks[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char *const ascii[] = {" ", ".", ".", "-", "-", "=", "=", "#", "#"};
    int half = (COLS - 4) / 2, n = hs->n_epochs;
    if (n == 0 || h < 3)
        return;
    double max_loss = 0;
    for (int i = 0; i < n; i++)
        max_loss = hs->loss[i] > max_loss ? hs->loss[i] : max_loss;
    char title[96];
    snprintf(title, sizeof title, "loss %.3f", hs->loss[epoch < n ? epoch : n - 1]);
    draw_text(y, 2, half, title, theme_attr(ROLE_LABEL));
    int tests = hs->test_accuracy[0] >= 0;
    if (tests)
        snprintf(title, sizeof title, "accuracy: train %.0f%%  test %.0f%%", 100 * hs->train_accuracy[epoch < n ? epoch : n - 1],
                 100 * hs->test_accuracy[epoch < n ? epoch : n - 1]);
    else
        snprintf(title, sizeof title, "accuracy: train %.0f%%", 100 * hs->train_accuracy[epoch < n ? epoch : n - 1]);
    draw_text(y, 3 + half, half, title, theme_attr(ROLE_LABEL));
    int rows = h - 2, width = half - 2;
    for (int side = 0; side < 2; side++) {
        int x0 = side ? 3 + half : 2;
        for (int c = 0; c < width && c < n * 4; c++) {
            int e = (int)((double)c / width * n);
            e = e >= n ? n - 1 : e;
            double v = side ? (tests ? hs->test_accuracy[e] : hs->train_accuracy[e]) : hs->loss[e] / (max_loss > 0 ? max_loss : 1);
            double levels = v * rows * 8;
            for (int r = 0; r < rows; r++) {
                int fill = (int)levels - (rows - 1 - r) * 8;
                fill = fill < 0 ? 0 : fill > 8 ? 8 : fill;
                attr_t at = e <= epoch ? theme_attr(ROLE_PANEL) : theme_attr(ROLE_DIM);
                draw_text(y + 1 + r, x0 + c, 1, widgets_utf8 ? blocks[fill] : ascii[fill], at);
            }
            if (e == epoch && (c == 0 || (int)((double)(c - 1) / width * n) != e))
                draw_text(y + 1 + rows, x0 + c, 1, "▲", theme_attr(ROLE_CURRENT));
        }
    }
}

void view_training_draw(struct app *a, int y, int h)
{
    char line[256];
    const struct history *hs = &a->hist;
    if (hs->n_snapshots == 0) {
        draw_heading(y, "── Training: watching attention learn");
        draw_wrapped(y + 2, 2, COLS - 4, h - 3,
                     "This model has no training history (a snapshots/ folder beside its weights). Train one and "
                     "open it:  attnstep train assets/data/sentiment-en-train.csv --test "
                     "assets/data/sentiment-en-test.csv --out my-model  then  attnstep --model my-model  and press v.",
                     theme_attr(ROLE_WARN));
        a->n_hits = 0;
        return;
    }
    int i = a->hist_i, epoch = hs->snapshot_epoch[i];
    snprintf(line, sizeof line, "── Training: watching attention learn · epoch %d of %d (snapshot %d of %d)", epoch,
             hs->snapshot_epoch[hs->n_snapshots - 1], i + 1, hs->n_snapshots);
    draw_heading(y, line);
    const struct trace *t = snapshot_trace(a, i);
    int head = !t || a->head < 0 || a->head >= t->H ? 0 : a->head;
    char said[512];
    draw_wrapped(y + 1, 2, COLS - 4, 2, narration(a, epoch, t, head, said, sizeof said), theme_attr(ROLE_NORMAL));
    if (!t) {
        draw_text(y + 4, 2, COLS - 4, "this snapshot cannot read the sentence", theme_attr(ROLE_WARN));
        return;
    }
    int curves_h = h >= 26 ? 7 : h >= 20 ? 5 : 0;
    int top = y + 4, avail = h - 4 - curves_h;
    /* Left: the heatmap of one head. */
    int lw = a->token_w > LABEL_MAX ? LABEL_MAX : a->token_w;
    int cw = 3, N = t->N;
    int rows = N < avail - 2 ? N : avail - 2, cols = N < (COLS / 2 - lw - 4) / cw ? N : (COLS / 2 - lw - 4) / cw;
    snprintf(line, sizeof line, "attention, head %d of %d", head + 1, t->H);
    draw_text(top, 2, COLS / 2, line, theme_attr(ROLE_PANEL));
    for (int c = 0; c < cols; c++)
        draw_text(top + 1, 3 + lw + c * cw, cw - 1, t->tokens[c], theme_attr(ROLE_LABEL));
    for (int r = 0; r < rows; r++) {
        draw_text(top + 2 + r, 2, lw, t->tokens[r], theme_attr(ROLE_LABEL));
        for (int c = 0; c < cols; c++)
            draw_heat_cell(top + 2 + r, 3 + lw + c * cw, cw - 1, t->weights[((size_t)head * N + r) * N + c]);
    }
    /* Right: the prediction and the three projections. */
    int rx = COLS / 2 + 1, rw = COLS - rx - 2;
    draw_text(top, rx, rw, "prediction", theme_attr(ROLE_PANEL));
    int best = 0;
    for (int c = 0; c < t->C; c++)
        best = t->probs[c] > t->probs[best] ? c : best;
    for (int c = 0; c < t->C && c < 4; c++) {
        const char *name = t->model->enc.labels[c];
        draw_text(top + 1 + c, rx, 10, name, c == best ? theme_attr(ROLE_HEADER) : theme_attr(ROLE_LABEL));
        int bw = rw - 18, full = (int)(t->probs[c] * bw + 0.5);
        char bar[512] = "";
        for (int k = 0; k < bw && strlen(bar) + 4 < sizeof bar; k++)
            strcat(bar, k < full ? (widgets_utf8 ? "█" : "#") : (widgets_utf8 ? "░" : "."));
        draw_text(top + 1 + c, rx + 11, bw, bar, c == best ? theme_attr(ROLE_PANEL) : theme_attr(ROLE_DIM));
        snprintf(line, sizeof line, "%3.0f%%", 100 * t->probs[c]);
        draw_text(top + 1 + c, rx + 12 + bw, 5, line, theme_attr(ROLE_NORMAL));
    }
    int wy = top + 2 + (t->C < 4 ? t->C : 4);
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
            draw_text(wy, wx, wcols, names[m], theme_attr(ROLE_LABEL));
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

struct live {
    struct app *a;
    double start;
};

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
    h->train_accuracy[k] = e->train_accuracy;
    h->test_accuracy[k] = e->test_accuracy;
    h->n_snapshots = h->n_epochs = k + 1;
    a->hist_i = k;
    snprintf(a->message, sizeof a->message, " retraining from random: epoch %d of %d, loss %.3f", e->epoch, e->epochs,
             e->loss);
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
        snprintf(a->message, sizeof a->message, " this model does not record how it was trained (attnstep train does)");
        return;
    }
    struct dataset_job_spec spec = {
        .data = r->data, .test = r->test[0] ? r->test : NULL, .name = "live", .d_model = r->d_model,
        .heads = r->heads, .d_ff = r->d_ff, .lr = r->lr, .seed = r->seed,
    };
    struct dataset_job job;
    int ok = 0;
    if (dataset_job_prepare(&job, &spec, &err))
        goto done;
    /* The new history replaces the loaded one; its traces are rebuilt as shown. */
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
    if (!h->snapshots || !h->snapshot_epoch || !h->loss || !h->train_accuracy || !h->test_accuracy ||
        !a->hist_traces || !a->hist_built) {
        error_set(&err, "out of memory");
        goto done;
    }
    struct live lv = {a, now()};
    if (train_fit(&job.tr, &job.train_set, &job.test_set, r->epochs, 16, r->seed, live_epoch, &lv))
        goto done;
    int last = h->n_snapshots - 1;
    if (last >= 0 && h->test_accuracy[last] >= 0)
        snprintf(a->message, sizeof a->message, " retrained from random in %.1f s: train %.0f%%, test %.0f%%",
                 now() - lv.start, 100 * h->train_accuracy[last], 100 * h->test_accuracy[last]);
    else if (last >= 0)
        snprintf(a->message, sizeof a->message, " retrained from random in %.1f s: train %.0f%%", now() - lv.start,
                 100 * h->train_accuracy[last]);
    ok = 1;
done:
    if (!ok && err.msg[0])
        snprintf(a->message, sizeof a->message, " cannot retrain: %.140s", err.msg);
    dataset_job_free(&job);
}
