/* The transfer view: what `attnstep transfer` wrote, opened from one of its
 * three models (DIR/scratch, DIR/feature or DIR/finetune, beside
 * DIR/comparison.csv). The three test-accuracy curves side by side up to the
 * epoch chosen with the step keys, and for each model a bar per matrix: the
 * mean |ΔW| from its epoch-0 snapshot to the snapshot at that epoch — the
 * frozen matrices of the feature-based model stay exactly 0 — with the notes'
 * two definitions. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "attnstep/history.h"
#include "attnstep/i18n.h"
#include "attnstep/utf8.h"
#include "theme.h"
#include "widgets.h"

/* As views.c's: a msgid with a context (xgettext knows the keyword). */
#define pgettext(ctx, msgid) transfer_pgettext(ctx "\004" msgid, msgid)

static const char *transfer_pgettext(const char *ctx_msgid, const char *msgid)
{
    const char *t = gettext(ctx_msgid);
    return t == ctx_msgid ? msgid : t;
}

enum { N_MODELS = 3, N_GROUPS = 9 };
static const char *const model_dir[N_MODELS] = {"scratch", "feature", "finetune"};

struct xfer_state {
    struct history hist[N_MODELS];
    int epochs; /* the last epoch every model has a training.csv row for */
    int epoch;  /* shown */
};

/* The parent of the model's directory holds comparison.csv: a transfer run. */
static int parent_path(const char *dir, const char *name, char *out, size_t size)
{
    return !dir || snprintf(out, size, "%s/../%s", dir, name) >= (int)size;
}

int view_transfer_applies(const struct app *a, const char **why)
{
    char path[4200];
    struct stat st;
    if (!parent_path(a->model_dir, "comparison.csv", path, sizeof path) && stat(path, &st) == 0)
        return 1;
    /* TRANSLATORS: why the transfer view shows nothing (wrapped, 60 cells wide); keep the command and
       file names as they are. */
    *why = _("the transfer view shows what 'attnstep transfer' wrote: open one of its three models, e.g. "
             "attnstep --model DIR/feature (beside DIR/comparison.csv)");
    return 0;
}

void view_transfer_free(struct app *a)
{
    if (!a->xfer)
        return;
    for (int m = 0; m < N_MODELS; m++)
        history_free(&a->xfer->hist[m]);
    free(a->xfer);
    a->xfer = NULL;
}

static struct xfer_state *state(struct app *a)
{
    if (a->xfer)
        return a->xfer;
    struct xfer_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->epochs = -1;
    for (int m = 0; m < N_MODELS; m++) {
        char dir[4200];
        struct error err;
        if (parent_path(a->model_dir, model_dir[m], dir, sizeof dir) || history_load(&s->hist[m], dir, &err) ||
            s->hist[m].n_snapshots < 1 || s->hist[m].n_epochs < 1) {
            for (int k = 0; k <= m; k++)
                history_free(&s->hist[k]);
            free(s);
            return NULL;
        }
        int last = s->hist[m].n_epochs - 1;
        if (s->epochs < 0 || last < s->epochs)
            s->epochs = last;
    }
    s->epoch = s->epochs;
    a->xfer = s;
    return s;
}

/* The snapshot of model m at or before epoch e. */
static const struct bundle *snapshot_at(const struct history *h, int e)
{
    int i = 0;
    while (i + 1 < h->n_snapshots && h->snapshot_epoch[i + 1] <= e)
        i++;
    return &h->snapshots[i];
}

/* Mean |ΔW| of matrix group g between b0 and b; *name its label. -1 when the shapes differ. */
static double delta(const struct bundle *b0, const struct bundle *b, int g, const char **name)
{
    static const char *const names[N_GROUPS] = {"E", "W_Q", "W_K", "W_V", "W_O", "γ, β", "W_ff1", "W_ff2", "W_cls"};
    *name = names[g];
    size_t D = (size_t)b->d_model, F = (size_t)b->enc.d_ff, C = (size_t)b->enc.n_labels;
    const double *x[4] = {NULL}, *y[4] = {NULL};
    size_t n[4] = {0};
    if (b0->d_model != b->d_model || b0->n_vocab != b->n_vocab || b0->enc.d_ff != b->enc.d_ff ||
        b0->enc.n_labels != b->enc.n_labels || !b->enc.present || !b0->enc.present)
        return -1;
    switch (g) {
    case 0: x[0] = b0->embed, y[0] = b->embed, n[0] = (size_t)b->n_vocab * D; break;
    case 1: case 2: case 3: case 4: x[0] = b0->w[g - 1], y[0] = b->w[g - 1], n[0] = D * D; break;
    case 5:
        x[0] = b0->enc.ln1_gamma, y[0] = b->enc.ln1_gamma, x[1] = b0->enc.ln1_beta, y[1] = b->enc.ln1_beta;
        x[2] = b0->enc.ln2_gamma, y[2] = b->enc.ln2_gamma, x[3] = b0->enc.ln2_beta, y[3] = b->enc.ln2_beta;
        n[0] = n[1] = n[2] = n[3] = D;
        break;
    case 6: x[0] = b0->enc.w_ff1, y[0] = b->enc.w_ff1, n[0] = D * F; break;
    case 7: x[0] = b0->enc.w_ff2, y[0] = b->enc.w_ff2, n[0] = F * D; break;
    default: x[0] = b0->enc.w_cls, y[0] = b->enc.w_cls, n[0] = D * C; break;
    }
    double sum = 0;
    size_t count = 0;
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < n[k]; i++)
            sum += fabs(y[k][i] - x[k][i]);
        count += n[k];
    }
    return count ? sum / (double)count : 0;
}

static const char *model_title(int m)
{
    /* TRANSLATORS: transfer view, the three models' titles over their curves and bars (at most 14 cells). */
    static const char *const t[N_MODELS] = {N_("scratch"), N_("feature-based"), N_("fine-tuned")};
    return _(t[m]);
}

/* One model's test accuracy up to the epoch shown, 0 to 100% (y, x, w, h). */
static void draw_accuracy(const struct xfer_state *s, int m, int y, int x, int w, int h)
{
    static const char *const blocks[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char *const ascii[] = {" ", ".", ".", "-", "-", "=", "=", "#", "#"};
    const struct history *hs = &s->hist[m];
    char title[128];
    double acc = hs->test_accuracy[s->epoch];
    if (acc >= 0)
        snprintf(title, sizeof title, "%s %.1f%%", model_title(m), 100 * acc);
    else
        snprintf(title, sizeof title, "%s", model_title(m));
    draw_text_cut(y, x, w, title, theme_attr(ROLE_LABEL));
    int rows = h - 1, px = x + 5, plotw = w - 6, span = s->epochs + 1;
    if (rows < 2 || plotw < 4)
        return;
    if (plotw > span * 3)
        plotw = span * 3;
    draw_text(y + 1, x, 4, "100%", theme_attr(ROLE_DIM));
    draw_text(y + rows, x + 2, 2, "0%", theme_attr(ROLE_DIM));
    for (int r = 0; r < rows; r++)
        draw_text(y + 1 + r, px - 1, 1, "│", theme_attr(ROLE_DIM));
    for (int c = 0; c < plotw; c++) {
        int e = (int)((double)c / plotw * span);
        if (e > s->epoch)
            break;
        double t = hs->test_accuracy[e] < 0 ? 0 : hs->test_accuracy[e];
        int levels = (int)(t * rows * 8);
        attr_t at = e == s->epoch ? theme_attr(ROLE_CURRENT) : theme_attr(ROLE_PANEL);
        for (int r = 0; r < rows; r++) {
            int fill = levels - (rows - 1 - r) * 8;
            fill = fill < 0 ? 0 : fill > 8 ? 8 : fill;
            draw_text(y + 1 + r, px + c, 1, widgets_utf8 ? blocks[fill] : ascii[fill], at);
        }
    }
}

/* One model's bars: mean |ΔW| per matrix from epoch 0, scaled to top. */
static void draw_moves(const struct xfer_state *s, int m, int y, int x, int w, int h, double top)
{
    const struct history *hs = &s->hist[m];
    const struct bundle *b0 = &hs->snapshots[0], *b = snapshot_at(hs, s->epoch);
    for (int g = 0; g < N_GROUPS && g < h; g++) {
        const char *name;
        double d = delta(b0, b, g, &name);
        char val[32];
        if (!(d > 0)) /* not one number has changed */
            /* TRANSLATORS: transfer view: a matrix that has not moved at all since epoch 0 (at most 8 cells). */
            snprintf(val, sizeof val, "%s", _("0 frozen"));
        else
            snprintf(val, sizeof val, "%.4f", d);
        draw_text(y + g, x, 6, name, theme_attr(ROLE_LABEL));
        int vw = utf8_width(val), bw = w - 7 - vw - 1;
        int len = d > 0 && top > 0 && bw > 0 ? (int)ceil(d / top * bw) : 0;
        for (int i = 0; i < len && i < bw; i++)
            draw_text(y + g, x + 7 + i, 1, widgets_utf8 ? "█" : "#", theme_attr(ROLE_OPERAND));
        draw_text(y + g, x + 7 + (len < bw ? len : bw) + 1, vw, val,
                  theme_attr(d > 0 ? ROLE_DIM : ROLE_WARN));
    }
}

void view_transfer_draw(struct app *a, int y, int h)
{
    struct xfer_state *s = state(a);
    int w = COLS;
    if (!s) {
        draw_wrapped(y, 1, w - 2, h, _("the transfer view cannot read the three models' snapshots and "
                                       "training.csv beside comparison.csv"), theme_attr(ROLE_WARN));
        return;
    }
    char head[256];
    /* TRANSLATORS: transfer view heading: the epoch shown and the last one. */
    snprintf(head, sizeof head, _("── Transfer: scratch, feature-based and fine-tuned · epoch %d of %d"), s->epoch,
             s->epochs);
    draw_heading(y, head);
    /* TRANSLATORS: transfer view, the notes' two definitions (wrapped to the screen's width). */
    const char *text = _("Feature-based transfer: the pre-trained model's outputs (here its mean-pooled vectors) are "
                         "the input features of a new model, the classifier, which alone is trained. Fine-tuning: "
                         "all of the pre-trained model's weights are adjusted on the new data (with a new classifier "
                         "where the classes are new). Scratch: the same kind of network, trained from random "
                         "weights.");
    int used = draw_wrapped(y + 1, 1, w - 2, 6, text, theme_attr(ROLE_NORMAL));
    int top_y = y + 2 + used, rest = y + h - top_y;
    int col = (w - 2) / N_MODELS;
    int curve_h = rest - N_GROUPS - 3;
    if (curve_h > 10)
        curve_h = 10;
    if (curve_h < 3 || col < 16) {
        draw_wrapped(top_y, 1, w - 2, rest, _("the window is too small for the transfer view"),
                     theme_attr(ROLE_WARN));
        return;
    }
    double top = 0;
    for (int m = 0; m < N_MODELS; m++)
        for (int g = 0; g < N_GROUPS; g++) {
            const char *name;
            double d = delta(&s->hist[m].snapshots[0], snapshot_at(&s->hist[m], s->epoch), g, &name);
            top = d > top ? d : top;
        }
    for (int m = 0; m < N_MODELS; m++)
        draw_accuracy(s, m, top_y, 1 + m * col, col - 2, curve_h);
    /* TRANSLATORS: transfer view, over the bars: what they measure (at most 60 cells). */
    draw_text_cut(top_y + curve_h + 1, 1, w - 2, _("mean |ΔW| per matrix since epoch 0 (test accuracy above)"),
                  theme_attr(ROLE_DIM));
    for (int m = 0; m < N_MODELS; m++)
        draw_moves(s, m, top_y + curve_h + 2, 1 + m * col, col - 2, N_GROUPS, top);
}

int view_transfer_key(struct app *a, int key)
{
    struct xfer_state *s = state(a);
    if (!s)
        return 0;
    int e = s->epoch;
    if (key == KEY_RIGHT || key == 'l' || key == ' ')
        e++;
    else if (key == KEY_LEFT || key == 'h')
        e--;
    else if (key == KEY_HOME || key == 'g')
        e = 0;
    else if (key == KEY_END || key == 'G')
        e = s->epochs;
    else
        return 0;
    s->epoch = e < 0 ? 0 : e > s->epochs ? s->epochs : e;
    return 1;
}

void view_transfer_status(struct app *a, int y)
{
    char left[256];
    /* TRANSLATORS: the transfer view's status line: ←→ move through the epochs. */
    const char *const hints[][2] = {
        {"←→", pgettext("key hint", "epochs")}, {"v", pgettext("key hint", "view")},
        {"?", pgettext("key hint", "help")}, {"q", pgettext("key hint", "quit")},
    };
    /* TRANSLATORS: the start of the transfer view's status line: the epoch shown, of how many. */
    snprintf(left, sizeof left, _(" epoch %d/%d │"), a->xfer ? a->xfer->epoch : 0, a->xfer ? a->xfer->epochs : 0);
    app_draw_hints(y, app_draw_status_left(a, y, left, 0), hints, 4, 2);
}
