/* The views' table: each view behind one small interface (app.h's struct
 * view_ops). The app loop draws, routes keys and cycles through this table;
 * what a view does with its keys and its status line is said here or in its
 * own module. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attnstep/i18n.h"
#include "quiz_mode.h"
#include "theme.h"
#include "widgets.h"

/* As app.c's: a msgid with a context (xgettext knows the keyword). */
#define pgettext(ctx, msgid) views_pgettext(ctx "\004" msgid, msgid)

static const char *views_pgettext(const char *ctx_msgid, const char *msgid)
{
    const char *t = gettext(ctx_msgid);
    return t == ctx_msgid ? msgid : t;
}

#define N_HINTS(h) (int)(sizeof h / sizeof h[0])

/* A view's ←→ Home End at its first or last word or epoch. */
static void say_at_end(struct app *a, int key)
{
    int fwd = key == KEY_RIGHT || key == 'l' || key == ' ' || key == KEY_END || key == 'G';
    if (a->view == VIEW_COMPARE)
        /* TRANSLATORS: %d is the number of words of the sentence. */
        snprintf(a->message, sizeof a->message, fwd ? ngettext("all %d words are read (g or Home: start again)",
                                                             "all %d words are read (g or Home: start again)",
                                                             (unsigned long)a->trace.N)
                                                    : _("no word is read yet (→ or space: read the first)"), a->trace.N);
    else
        snprintf(a->message, sizeof a->message, fwd ? _("this is the last snapshot (g or Home: the first)")
                                                    : _("this is the first snapshot, the random start (→: later)"));
}

/* ---- compare ------------------------------------------------------------- */

static int compare_key(struct app *a, int key)
{
    int before = a->cmp_t;
    if (!view_compare_key(a, key))
        return 0;
    quiz_mode_compare_read(a);
    if (a->cmp_t == before && !a->message[0])
        say_at_end(a, key);
    return 1;
}

static void compare_status(struct app *a, int y)
{
    char left[512];
    /* TRANSLATORS: the RNN vs attention view's status line: ←→ read the
       next / previous word. */
    const char *const hints[][2] = {
        {"←→", pgettext("key hint", "read")}, {"v", pgettext("key hint", "view")},
        {"?", pgettext("key hint", "help")}, {"q", pgettext("key hint", "quit")},
    };
    /* TRANSLATORS: the start of the RNN vs attention view's status line:
       words read of the sentence's N, and the steps each needs for the
       whole sentence: the RNN one per word (N), attention one (key hints
       follow). */
    snprintf(left, sizeof left, ngettext(" word %d/%d │ RNN %d step, attention 1 │",
                                         " word %d/%d │ RNN %d steps, attention 1 │", (unsigned long)a->trace.N),
             a->cmp_t, a->trace.N, a->trace.N);
    app_draw_hints(y, app_draw_status_left(a, y, left, 1), hints, N_HINTS(hints), 2);
}

/* ---- training ------------------------------------------------------------ */

static int training_key(struct app *a, int key)
{
    app_history(a); /* read when the view first shows; a failure is on screen */
    int before = a->hist_i;
    if (!view_training_key(a, key))
        return 0;
    if (a->hist_i == before && key != 'R' && !a->message[0])
        say_at_end(a, key);
    return 1;
}

static void training_status(struct app *a, int y)
{
    char left[512];
    app_history(a);
    /* TRANSLATORS: key hints on the status line (bottom row), each shown
       as "KEY what" and dropped from the right when the row is full: one
       or two short words each. Training view: ←→ epochs, R retrain,
       n sentence, v view, ? help, q quit. */
    const char *const hints[][2] = {
        {"←→", pgettext("key hint", "epochs")}, {"R", pgettext("key hint", "retrain")},
        {"n", pgettext("key hint", "sentence")}, {"v", pgettext("key hint", "view")},
        {"?", pgettext("key hint", "help")}, {"q", pgettext("key hint", "quit")},
    };
    /* TRANSLATORS: the start of the training view's status line: the
       snapshot shown, of how many (key hints follow). */
    snprintf(left, sizeof left, _(" snapshot %d/%d │"), a->hist.n_snapshots ? a->hist_i + 1 : 0,
             a->hist.n_snapshots);
    /* no edit count: the snapshots come from the training history, which edits do not change */
    app_draw_hints(y, app_draw_status_left(a, y, left, 0), hints, N_HINTS(hints), 2);
}

/* A language model has no RNN to compare with (the classifiers keep their
 * note pointing to one that has). */
static int compare_applies(const struct app *a, const char **why)
{
    if (!a->trace.is_lm || a->trace.has_model[TRACE_RNN])
        return 1;
    /* TRANSLATORS: why the compare view shows nothing for a language model (wrapped, 60 cells wide);
       keep rnn_w_xh.csv. */
    *why = _("the compare view needs a model with an RNN (rnn_w_xh.csv) to read the sentence beside attention; "
             "this language model has none");
    return 0;
}

/* ---- the table ----------------------------------------------------------- */

/* In the order v cycles through them (enum view). */
const struct view_ops app_views[VIEW_COUNT] = {
    [VIEW_PIPELINE] = {"pipeline", NULL, view_pipeline_draw, NULL, NULL, NULL, NULL},
    [VIEW_HEATMAP] = {"heatmap", NULL, view_heatmap_draw, view_heatmap_key, NULL, NULL, NULL},
    [VIEW_COMPARE] = {"compare", compare_applies, view_compare_draw, compare_key, compare_status, NULL, NULL},
    [VIEW_TRAINING] = {"training", NULL, view_training_draw, training_key, training_status, NULL, NULL},
    [VIEW_GENERATE] = {"generate", view_generate_applies, view_generate_draw, view_generate_key,
                       view_generate_status, view_generate_reset, view_generate_free},
    [VIEW_TRANSFER] = {"transfer", view_transfer_applies, view_transfer_draw, view_transfer_key,
                       view_transfer_status, view_transfer_free, view_transfer_free},
};
