/* The transfer view: what `attnstep transfer` wrote, opened from one of its
 * three models (DIR/scratch, DIR/feature or DIR/finetune, beside
 * DIR/comparison.csv). The three test-accuracy curves side by side up to the
 * epoch chosen with the step keys, and for each model a bar per matrix: the
 * mean |ΔW| from its epoch-0 snapshot to the snapshot at that epoch — the
 * frozen matrices of the feature-based model stay exactly 0 — with the notes'
 * two definitions. R retrains the three models live, in memory, from the
 * command recorded in the model's config.csv; the live result stays shown
 * until the sentence or the model changes (any key stops it: the recorded
 * run again). */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "attnstep/dataset.h"
#include "attnstep/history.h"
#include "attnstep/i18n.h"
#include "attnstep/train.h"
#include "attnstep/transfer.h"
#include "attnstep/utf8.h"
#include "term.h"
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
    int live;   /* the three models retrained in memory by R */
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
    int shown = s->epoch < hs->n_epochs ? s->epoch : hs->n_epochs - 1; /* live: as far as it has come */
    double acc = shown >= 0 ? hs->test_accuracy[shown] : -1;
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
        if (e > shown)
            break;
        double t = hs->test_accuracy[e] < 0 ? 0 : hs->test_accuracy[e];
        int levels = (int)(t * rows * 8);
        attr_t at = e == shown ? theme_attr(ROLE_CURRENT) : theme_attr(ROLE_PANEL);
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
    if (hs->n_snapshots < 1)
        return;
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
        for (int g = 0; s->hist[m].n_snapshots > 0 && g < N_GROUPS; g++) {
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

void view_transfer_goto(struct app *a, int e)
{
    struct xfer_state *s = state(a);
    if (s)
        s->epoch = e < 0 || e > s->epochs ? s->epochs : e;
}

/* ---- R: the three models retrained live ---------------------------------- */

struct live_run {
    struct app *a;
    struct xfer_state *s;
    int m;
    int stopped; /* by a key (or the terminal's stop signal) */
};

/* The recorded command in the model's config.csv (transfer_cmd.c writes it):
   "trained: attnstep transfer DATA --from B --test T --epochs E --lr LR --seed S (…)" or
   "trained: attnstep train DATA --test T --epochs E --lr LR --seed S --from B[ --freeze encoder]".
   0 when every part is there (paths without spaces). */
struct recorded {
    char data[2048], test[2048], from[2048];
    int epochs;
    double lr;
    unsigned long long seed;
};

static int parse_recorded(const char *desc, struct recorded *r)
{
    memset(r, 0, sizeof *r);
    if (!desc)
        return -1;
    const char *p = strstr(desc, "attnstep transfer ");
    p = p ? p + strlen("attnstep transfer ") : strstr(desc, "attnstep train ");
    if (!p)
        return -1;
    if (!strncmp(p, "attnstep train ", 15))
        p += 15;
    char tok[2048], key[2048] = "";
    int have = 0, n;
    while (sscanf(p, "%2047s%n", tok, &n) == 1 && tok[0] != '(') {
        p += n;
        if (!have++)
            snprintf(r->data, sizeof r->data, "%s", tok);
        else if (tok[0] == '-' && tok[1] == '-')
            snprintf(key, sizeof key, "%s", tok);
        else {
            if (!strcmp(key, "--from"))
                snprintf(r->from, sizeof r->from, "%s", tok);
            else if (!strcmp(key, "--test"))
                snprintf(r->test, sizeof r->test, "%s", tok);
            else if (!strcmp(key, "--epochs"))
                r->epochs = atoi(tok);
            else if (!strcmp(key, "--lr"))
                r->lr = strtod(tok, NULL);
            else if (!strcmp(key, "--seed"))
                r->seed = strtoull(tok, NULL, 10);
            key[0] = '\0';
        }
    }
    return r->data[0] && r->test[0] && r->from[0] && r->epochs > 0 && r->lr > 0 ? 0 : -1;
}

static int live_epoch(const struct train_epoch *e, const struct bundle *model, void *ctx)
{
    struct live_run *lv = ctx;
    struct history *h = &lv->s->hist[lv->m];
    struct error err;
    int k = h->n_snapshots;
    if (k > lv->s->epochs || bundle_clone(&h->snapshots[k], model, &err))
        return 1;
    h->snapshot_epoch[k] = e->epoch;
    h->loss[k] = e->loss;
    h->train_accuracy[k] = e->train_accuracy;
    h->test_accuracy[k] = e->test_accuracy;
    h->n_snapshots = h->n_epochs = k + 1;
    /* TRANSLATORS: the message line while R retrains the transfer view's three models live: the model
       (scratch, feature-based or fine-tuned), the epoch done, the last epoch. */
    snprintf(lv->a->message, sizeof lv->a->message, _("retraining live (in memory): %s, epoch %d of %d; any key "
                                                      "stops"), model_title(lv->m), e->epoch, e->epochs);
    app_draw(lv->a);
    refresh();
    napms(60); /* as the training view's R: slow enough to watch */
    nodelay(stdscr, TRUE);
    int key = getch();
    nodelay(stdscr, FALSE);
    lv->stopped = key != ERR || term_stop_signal != 0;
    return lv->stopped;
}

static void retrain_live(struct app *a)
{
    struct recorded r;
    if (parse_recorded(a->model ? a->model->description : NULL, &r)) {
        /* TRANSLATORS: the message after R in the transfer view of a model whose config.csv does not hold
           the "attnstep transfer" command that made it. */
        snprintf(a->message, sizeof a->message, "%s",
                 _("this model does not record the transfer command that made it (attnstep transfer does)"));
        return;
    }
    struct xfer_state *s = calloc(1, sizeof *s);
    struct error err = {{0}};
    int stopped = 0, failed = !s;
    size_t n = (size_t)r.epochs + 1;
    if (s) {
        s->epochs = s->epoch = r.epochs;
        s->live = 1;
    }
    for (int m = 0; !failed && !stopped && m < N_MODELS; m++) {
        struct history *h = &s->hist[m];
        h->snapshots = calloc(n, sizeof *h->snapshots);
        h->snapshot_epoch = calloc(n, sizeof *h->snapshot_epoch);
        h->loss = calloc(n, sizeof(double));
        h->train_accuracy = calloc(n, sizeof(double));
        h->test_accuracy = calloc(n, sizeof(double));
        if (!h->snapshots || !h->snapshot_epoch || !h->loss || !h->train_accuracy || !h->test_accuracy) {
            failed = 1;
            break;
        }
    }
    if (!failed) { /* the live state is shown while it grows */
        view_transfer_free(a);
        a->xfer = s;
    }
    for (int m = 0; !failed && !stopped && m < N_MODELS; m++) {
        struct dataset_job_spec spec = {
            .data = r.data, .test = r.test, .from = r.from, .name = model_dir[m], .d_model = 16, .heads = 2,
            .d_ff = 32, .lr = r.lr, .seed = r.seed, .merges = DATASET_MERGES, .scratch = m == 0,
            .freeze = m == 1 ? TRANSFER_FREEZE_ENCODER : TRANSFER_FREEZE_NONE,
        };
        struct dataset_job job;
        if (dataset_job_prepare(&job, &spec, &err)) {
            failed = 1;
            dataset_job_free(&job);
            break;
        }
        struct live_run lv = {a, s, m, 0};
        int fit = train_fit(&job.tr, &job.train_set, &job.test_set, r.epochs, 16, r.seed, live_epoch, &lv);
        stopped = lv.stopped;
        if (!stopped && (fit || s->hist[m].n_snapshots <= r.epochs))
            failed = 1;
        dataset_job_free(&job);
    }
    if (failed || stopped) { /* back to the recorded run, read again from its folder */
        if (a->xfer == s)
            a->xfer = NULL;
        if (s)
            for (int m = 0; m < N_MODELS; m++)
                history_free(&s->hist[m]);
        free(s);
        char why[160];
        if (stopped)
            /* TRANSLATORS: the message when a key stopped R's live retraining in the transfer view. */
            snprintf(a->message, sizeof a->message, "%s", _("retraining stopped: the recorded run is shown again"));
        else
            /* TRANSLATORS: the message when R's live retraining fails; %s: the reason (an error message). */
            snprintf(a->message, sizeof a->message, _("cannot retrain: %s"),
                     utf8_excerpt(why, err.msg[0] ? err.msg : _("out of memory"), 140));
        return;
    }
    /* TRANSLATORS: the message after R's live retraining in the transfer view: the three test accuracies
       in percent (scratch, feature-based, fine-tuned); nothing was written. */
    snprintf(a->message, sizeof a->message, _("retrained live, in memory (nothing written): test accuracy "
                                              "%.0f%%, %.0f%%, %.0f%%"),
             100 * s->hist[0].test_accuracy[r.epochs], 100 * s->hist[1].test_accuracy[r.epochs],
             100 * s->hist[2].test_accuracy[r.epochs]);
}

int view_transfer_key(struct app *a, int key)
{
    if (key == 'R') {
        retrain_live(a);
        return 1;
    }
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
    /* TRANSLATORS: the transfer view's status line: ←→ move through the epochs, R retrains live. */
    const char *const hints[][2] = {
        {"←→", pgettext("key hint", "epochs")}, {"R", pgettext("key hint", "retrain")},
        {"v", pgettext("key hint", "view")}, {"?", pgettext("key hint", "help")}, {"q", pgettext("key hint", "quit")},
    };
    /* TRANSLATORS: the start of the transfer view's status line: the epoch shown, of how many. */
    snprintf(left, sizeof left, _(" epoch %d/%d │"), a->xfer ? a->xfer->epoch : 0, a->xfer ? a->xfer->epochs : 0);
    app_draw_hints(y, app_draw_status_left(a, y, left, 0), hints, 5, 2);
}
