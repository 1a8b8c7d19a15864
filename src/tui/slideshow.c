/* The slides of a lesson on the screen: paging, switching the app to each
 * slide's model and sentence, and the note panel. */
#include "slideshow.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"
#include "attnstep/narration.h"
#include "theme.h"

/* ':' then a stage number or the start of a stage's name, Enter: the jump
 * prompt, on the message line while it is typed. One screen per process. */
static struct {
    int on;
    char text[64];
} jump;

/* The app takes model m's history (and gives back the one it held). */
static int take_history(struct app *a, struct slideshow *sh, int m)
{
    for (int i = 0; a->hist_built && i < a->hist.n_snapshots; i++)
        if (a->hist_built[i])
            trace_free(&a->hist_traces[i]);
    free(a->hist_traces);
    free(a->hist_built);
    if (sh->model >= 0)
        sh->slides->models[sh->model].hist = a->hist; /* a live retraining stays with its model */
    else
        history_free(&a->hist);
    a->hist = sh->slides->models[m].hist;
    memset(&sh->slides->models[m].hist, 0, sizeof a->hist);
    sh->model = m;
    int n = a->hist.n_snapshots;
    a->hist_traces = calloc((size_t)(n ? n : 1), sizeof *a->hist_traces);
    a->hist_built = calloc((size_t)(n ? n : 1), sizeof *a->hist_built);
    return a->hist_traces && a->hist_built ? 0 : -1;
}

void slideshow_goto(struct app *a, int k)
{
    struct slideshow *sh = a->show;
    const struct slides *s = sh->slides;
    k = k < 0 ? 0 : k >= s->n_slides ? s->n_slides - 1 : k;
    const struct slide *sl = &s->slide[k];
    const struct show_model *sm = &sh->models[sl->model];
    if (sl->model != sh->model && take_history(a, sh, sl->model)) {
        snprintf(a->message, sizeof a->message, "%s", _("out of memory"));
        return;
    }
    a->examples = sm->examples;
    a->example_unknown = sm->example_unknown;
    a->n_examples = sm->n_examples;
    a->retrain = sm->retrain;
    struct error err;
    /* Checked when the lesson was read, so this only fails for want of memory. */
    if (app_use(a, &s->models[sl->model].bundle, sl->sentence, sh->causal, &err)) {
        snprintf(a->message, sizeof a->message, "%.300s", err.msg);
        return;
    }
    sh->k = k;
    /* the transfer view reads the model's folder, as main.c gives it for --model */
    if (a->model_dir != s->models[sl->model].dir) {
        view_transfer_free(a);
        a->model_dir = s->models[sl->model].dir;
    }
    int v = app_view_find(slides_view_name(sl->view)); /* the lesson names a view of the table */
    a->view = (enum view)(v >= 0 ? v : VIEW_PIPELINE);
    a->help = 0;
    a->message[0] = '\0';
    switch (sl->view) {
    case SLIDE_PIPELINE: /* the stage from its first step, as ] goes there */
        if (sl->stage > 0 && sl->stage <= a->lesson.n_stages)
            app_goto(a, a->lesson.stages[sl->stage - 1].first);
        break;
    case SLIDE_HEATMAP: /* the stage complete: a whole matrix of weights, or of scores */
        if (sl->stage > 0 && sl->stage <= a->lesson.n_stages) {
            const struct lesson_stage *st = &a->lesson.stages[sl->stage - 1];
            app_goto(a, st->first + st->steps - 1);
            a->heat_scores = st->kind == STAGE_SCALED || st->kind == STAGE_MASKED;
        }
        break;
    case SLIDE_COMPARE:
        a->cmp_t = sl->stage <= a->trace.N ? sl->stage : a->trace.N;
        a->playing = 0;
        break;
    case SLIDE_TRAINING:
        a->hist_i = sl->stage > 0 && sl->stage <= a->hist.n_snapshots ? sl->stage - 1 : 0;
        a->playing = 0;
        break;
    case SLIDE_GENERATE: /* k words greedily after the sentence, from its prompt */
        view_generate_free(a);
        a->gen_opts = (struct app_gen_opts){sl->stage, 0.0, 0, 1};
        a->playing = 0;
        break;
    case SLIDE_TRANSFER: /* epoch k; empty: the last */
        view_transfer_goto(a, sl->stage > 0 ? sl->stage : -1);
        break;
    default:
        break;
    }
}

static void jump_prompt(struct app *a)
{
    /* TRANSLATORS: the prompt after ':' (the jump key) on the message line, followed by what is typed: in
       the compare view (a number of words read), the training view (a snapshot), the other views (a stage). */
    const char *what = a->view == VIEW_COMPARE    ? _("jump to words read: ")
                       : a->view == VIEW_TRAINING ? _("jump to snapshot: ")
                                                  : _("jump to stage: ");
    /* TRANSLATORS: follows what is typed after the jump prompt. */
    snprintf(a->message, sizeof a->message, "%s%s%s", what, jump.text,
             _("_  (a number, or the start of a stage's name; Enter: go, Esc: cancel)"));
}

/* Case-insensitive (ASCII) prefix. */
static int starts_with(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++) {
        int c = (unsigned char)*s, p = (unsigned char)*prefix;
        if (!c || (c | (c < 128 ? 0x20 : 0)) != (p | (p < 128 ? 0x20 : 0)))
            return 0;
    }
    return 1;
}

/* Whether a word of title starts with prefix (ASCII letters in any case). */
static int word_starts_with(const char *title, const char *prefix)
{
    for (const char *w = title; w; w = strchr(w, ' ') ? strchr(w, ' ') + 1 : NULL)
        if (starts_with(w, prefix))
            return 1;
    return 0;
}

static void jump_go(struct app *a)
{
    const char *t = jump.text;
    char *end;
    long n = strtol(t, &end, 10);
    int number = *t && !*end;
    if (a->view == VIEW_COMPARE || a->view == VIEW_TRAINING) {
        int max = a->view == VIEW_COMPARE ? a->trace.N : a->hist.n_snapshots;
        if (!number || n < 1 || n > max)
            /* TRANSLATORS: after ':' and Enter in the compare or training view: what was typed, the largest
               number there (words of the sentence, or snapshots). */
            snprintf(a->message, sizeof a->message, _("'%s' is not a number from 1 to %d here"), t, max);
        else if (a->view == VIEW_COMPARE)
            a->cmp_t = (int)n;
        else
            a->hist_i = (int)n - 1;
        return;
    }
    int stage = -1;
    if (number) {
        stage = n >= 1 && n <= a->lesson.n_stages ? (int)n - 1 : -1;
    } else if (*t) { /* the next stage with that name, after the one shown: again for the next head */
        int from = lesson_at(&a->lesson, a->step).stage;
        for (int k = 1; k <= a->lesson.n_stages && stage < 0; k++) {
            int sg = (from + k) % a->lesson.n_stages;
            const char *title = narration_stage(a->lesson.stages[sg].kind)->title;
            if (word_starts_with(_(title), t) || word_starts_with(title, t))
                stage = sg;
        }
    }
    if (stage < 0)
        /* TRANSLATORS: after ':' and Enter: what was typed, then the lesson's number of stages. */
        snprintf(a->message, sizeof a->message, _("no stage '%s': give a number from 1 to %d or the start of a "
                                                  "stage's name"), t, a->lesson.n_stages);
    else
        app_goto(a, a->lesson.stages[stage].first);
}

static int jump_key(struct app *a, int key)
{
    size_t len = strlen(jump.text);
    if (key == 27) {
        jump.on = 0;
    } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        jump.on = 0;
        jump_go(a);
    } else {
        if ((key == KEY_BACKSPACE || key == 127 || key == 8) && len)
            jump.text[--len] = '\0';
        else if (key >= ' ' && key < 256 && key != 127 && len + 1 < sizeof jump.text)
            jump.text[len] = (char)key, jump.text[len + 1] = '\0';
        jump_prompt(a);
    }
    return 1;
}

int slideshow_key(struct app *a, int key)
{
    if (jump.on)
        return jump_key(a, key);
    if (key == ':') {
        jump.on = 1;
        a->help = 0;
        jump.text[0] = '\0';
        jump_prompt(a);
        return 1;
    }
    if (key != KEY_NPAGE && key != KEY_PPAGE)
        return 0;
    struct slideshow *sh = a->show;
    if (!sh)
        /* TRANSLATORS: the message after PgDn or PgUp when no lesson is open. */
        snprintf(a->message, sizeof a->message, "%s", _("PgDn and PgUp page through a lesson's slides: "
                                                        "attnstep --lesson FILE"));
    else if (key == KEY_NPAGE && sh->k + 1 >= sh->slides->n_slides)
        /* TRANSLATORS: the message after PgDn on the lesson's last slide. */
        snprintf(a->message, sizeof a->message, "%s", _("this is the lesson's last slide (PgUp: the one before)"));
    else if (key == KEY_PPAGE && sh->k == 0)
        /* TRANSLATORS: the message after PgUp on the lesson's first slide. */
        snprintf(a->message, sizeof a->message, "%s", _("this is the lesson's first slide (PgDn: the next)"));
    else
        slideshow_goto(a, sh->k + (key == KEY_NPAGE ? 1 : -1));
    return 1;
}

/* At most a quarter of the screen below the title for the note, at least a line. */
static int note_lines(int cols, int lines, const char *note)
{
    if (!*note)
        return 0;
    int max = (lines - 3) / 4, n = wrapped_lines(cols - 4, note);
    max = max < 1 ? 1 : max;
    return n < max ? n : max;
}

int slideshow_height(const struct app *a)
{
    if (!a->show)
        return 0;
    return 1 + note_lines(COLS, LINES, a->show->slides->slide[a->show->k].note);
}

void slideshow_draw(struct app *a, int y, int h)
{
    const struct slideshow *sh = a->show;
    const struct slide *sl = &sh->slides->slide[sh->k];
    char head[256];
    for (int i = 0; i < h; i++)
        draw_fill(y + i, 0, COLS, A_NORMAL);
    /* TRANSLATORS: the heading of the lesson's note panel (--lesson): the slide shown, of how many, and the
       keys that page; a line of ─ follows. Fits 60 cells. */
    snprintf(head, sizeof head, _("── slide %d of %d · PgDn next · PgUp back"), sh->k + 1, sh->slides->n_slides);
    draw_heading(y, head);
    draw_wrapped(y + 1, 2, COLS - 4, h - 1, sl->note, theme_attr(ROLE_NORMAL));
}

void slideshow_done(struct app *a)
{
    struct slideshow *sh = a->show;
    if (!sh || sh->model < 0)
        return;
    for (int i = 0; a->hist_built && i < a->hist.n_snapshots; i++)
        if (a->hist_built[i]) {
            trace_free(&a->hist_traces[i]);
            a->hist_built[i] = 0;
        }
    sh->slides->models[sh->model].hist = a->hist;
    memset(&a->hist, 0, sizeof a->hist);
    sh->model = -1;
}
