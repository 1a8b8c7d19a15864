/* The interactive session: state, keys, the screen frame around the views,
 * the main loop and the off-screen benchmark. */
#include "app.h"

#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "attnstep/fsutil.h"
#include "attnstep/i18n.h"
#include "attnstep/train_recurrent.h"
#include "attnstep/narration.h"
#include "attnstep/utf8.h"
#include "snapshot.h"
#include "slideshow.h"
#include "term.h"
#include "theme.h"


/* A msgid with a context, as gettext.h defines pgettext (xgettext knows the
 * keyword): the short words of the status line and the help's "Keys" also
 * name other things elsewhere (Keys is a stage's title). */
#define pgettext(ctx, msgid) tui_pgettext(ctx "\004" msgid, msgid)

static const char *tui_pgettext(const char *ctx_msgid, const char *msgid)
{
    const char *t = gettext(ctx_msgid);
    return t == ctx_msgid ? msgid : t;
}

/* A translated format, never NULL: with -fsanitize=undefined GCC checks
 * printf's format for NULL, and its format-overflow pass then warns of a
 * "null format string" on the checking path. */
#define FMT(translated) nonnull_format(translated)

__attribute__((format_arg(1), returns_nonnull)) static const char *nonnull_format(const char *s)
{
    return s ? s : "";
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- state ------------------------------------------------------------- */

/* The influence is computed when a view first shows it; on a wide model that
 * takes seconds, so the status line says how far it is meanwhile. */
static void influence_progress(void *ctx, const char *what, double done)
{
    (void)ctx;
    char line[96];
    /* TRANSLATORS: the status line (bottom row, 64+ cells) while a slow
       computation runs; %s is what is computed ("the RNN's influence"). */
    snprintf(line, sizeof line, _(" computing %s: %3.0f%%"), _(what), 100.0 * done);
    draw_fill(LINES - 1, 0, COLS, theme_attr(ROLE_STATUS));
    draw_text(LINES - 1, 0, COLS, line, theme_attr(ROLE_STATUS));
    refresh();
}

static int build(struct app *a, enum trace_model model, int causal, enum granularity gran, struct error *err)
{
    struct trace t;
    struct lesson l;
    if (trace_build(&t, a->model, a->sentence, causal, err))
        return -1;
    size_t nrange = (size_t)MAT_COUNT * (size_t)(t.H + 1) * 2;
    double *range = malloc(nrange * sizeof *range);
    if (!range) {
        trace_free(&t);
        return error_set(err, _("out of memory"));
    }
    for (size_t i = 0; i < nrange; i++)
        range[i] = NAN;
    if (!t.has_model[model])
        model = TRACE_ATTENTION;
    if (lesson_init(&l, &t, model, gran, err)) {
        free(range);
        trace_free(&t);
        return -1;
    }
    lesson_free(&a->lesson);
    trace_free(&a->trace);
    free(a->range);
    a->trace = t;
    trace_set_progress(&a->trace, influence_progress, NULL);
    l.trace = &a->trace;
    a->lesson = l;
    a->range = range;
    a->causal = a->trace.causal; /* a language model is always causal */
    a->gran = gran;
    a->lesson_model = model;
    a->place = (struct app_place){-1, -1, -1}; /* a new lesson: Tab starts from where it is */
    a->token_w = 1;
    for (int i = 0; i < a->trace.N; i++) {
        int w = utf8_width(a->trace.tokens[i]);
        a->token_w = w > a->token_w ? w : a->token_w;
    }
    edit_mode_rebase(a);
    quiz_mode_reset(a);
    for (int v = 0; v < VIEW_COUNT; v++)
        if (app_views[v].reset)
            app_views[v].reset(a);
    return 0;
}

int app_init(struct app *a, const struct bundle *model, const char *sentence, int causal, enum granularity gran,
             struct error *err)
{
    memset(a, 0, sizeof *a);
    a->model = model;
    a->sentence = sentence;
    a->interval = 1.0;
    if (build(a, TRACE_ATTENTION, causal, gran, err))
        return -1;
    app_goto(a, 0);
    return 0;
}

int app_load_history(struct app *a, const char *dir, struct error *err)
{
    /* Only the logs (the compare view's accuracies, the curves): the
     * snapshots are most of a trained model's bytes and wait for a view. */
    if (history_load_logs(&a->hist, dir, err))
        return -1;
    a->model_dir = dir;
    a->hist_pending = history_has_snapshots(dir);
    a->hist_traces = calloc(1, sizeof *a->hist_traces);
    a->hist_built = calloc(1, sizeof *a->hist_built);
    if (!a->hist_traces || !a->hist_built)
        return error_set(err, _("out of memory"));
    return 0;
}

/* A warning to print once the screen ends (taken over: w is freed with the app). */
static void keep_warning(struct app *a, char *w)
{
    char **p = realloc(a->late_warnings, (size_t)(a->n_late_warnings + 1) * sizeof *p);
    if (!p) {
        free(w); /* a warning lost to a full memory is not worth failing for */
        return;
    }
    a->late_warnings = p;
    a->late_warnings[a->n_late_warnings++] = w;
}

/* Roughly the bytes reading dir's snapshots parses: its entries times its
 * own vocab.csv (most of a snapshot), from one readdir and one stat. */
static double snapshots_bytes(const char *dir)
{
    char path[4096];
    struct stat st;
    if (fsutil_join(path, sizeof path, dir, "vocab.csv") || stat(path, &st))
        return 0;
    double vocab = (double)st.st_size;
    DIR *d = fsutil_join(path, sizeof path, dir, "snapshots") ? NULL : opendir(path);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n * vocab;
}

/* Above this, reading the snapshots takes long enough (a tenth of a second
 * or more) to say so on the screen while it runs. */
#define HISTORY_SLOW_BYTES 4e6

int app_history(struct app *a)
{
    if (!a->hist_pending)
        return a->hist_error[0] ? -1 : 0;
    a->hist_pending = 0;
    if (a->live && snapshots_bytes(a->model_dir) > HISTORY_SLOW_BYTES) {
        /* TRANSLATORS: the status line (bottom row, 64+ cells) while the training view reads the model's
           snapshots the first time it opens; a large model takes a moment. */
        const char *line = _(" reading the training snapshots…");
        draw_fill(LINES - 1, 0, COLS, theme_attr(ROLE_STATUS));
        draw_text(LINES - 1, 0, COLS, line, theme_attr(ROLE_STATUS));
        refresh();
    }
    struct error err;
    int before = a->hist.n_warnings;
    int n = 0;
    struct trace *traces = NULL;
    int *built = NULL;
    if (history_load_snapshots(&a->hist, a->model_dir, &err) == 0) {
        n = a->hist.n_snapshots;
        traces = calloc((size_t)(n ? n : 1), sizeof *traces);
        built = calloc((size_t)(n ? n : 1), sizeof *built);
        if (!traces || !built)
            error_set(&err, "%s", _("out of memory"));
    }
    if (!traces || !built) {
        free(traces);
        free(built);
        /* what was loaded goes; the logs stay (the compare view shows them) */
        for (int i = 0; a->hist.snapshots && i < a->hist.n_snapshots; i++)
            bundle_free(&a->hist.snapshots[i]);
        free(a->hist.snapshots);
        free(a->hist.snapshot_epoch);
        a->hist.snapshots = NULL;
        a->hist.snapshot_epoch = NULL;
        a->hist.n_snapshots = 0;
        utf8_excerpt(a->hist_error, err.msg, sizeof a->hist_error - 4);
    } else {
        free(a->hist_traces);
        free(a->hist_built);
        a->hist_traces = traces;
        a->hist_built = built;
        a->hist_i = n ? n - 1 : 0;
    }
    /* The warnings: on stderr now, or, on the screen, the first on the
     * message line and all of them on stderr once the screen ends. */
    int n_new = a->hist.n_warnings - before;
    if (a->live && n_new > 0 && !a->hist_error[0]) {
        char first[400];
        utf8_excerpt(first, a->hist.warnings[before], 300);
        if (n_new == 1)
            /* TRANSLATORS: the message line when the training view opens and a snapshot (or a stray entry of
               snapshots/) was skipped; %s is "PATH: what was ignored and why". */
            snprintf(a->message, sizeof a->message, _("warning: %s (repeated on stderr when attnstep ends)"), first);
        else
            /* TRANSLATORS: as above, with more than one: %s is the first, %d how many more. */
            snprintf(a->message, sizeof a->message,
                     ngettext("warning: %s, and %d more (all on stderr when attnstep ends)",
                              "warning: %s, and %d more (all on stderr when attnstep ends)",
                              (unsigned long)(n_new - 1)),
                     first, n_new - 1);
    }
    for (int i = before; i < a->hist.n_warnings; i++) {
        if (a->live) {
            keep_warning(a, a->hist.warnings[i]);
        } else {
            /* TRANSLATORS: on stderr (before or after the screen, or with --bench); %s is the reason. */
            fprintf(stderr, FMT(_("attnstep: warning: %s\n")), a->hist.warnings[i]);
            free(a->hist.warnings[i]);
        }
    }
    a->hist.n_warnings = before; /* printed, or kept by the app */
    return a->hist_error[0] ? -1 : 0;
}

void app_print_warnings(struct app *a, FILE *to)
{
    for (int i = 0; i < a->n_late_warnings; i++) {
        fprintf(to, FMT(_("attnstep: warning: %s\n")), a->late_warnings[i]);
        free(a->late_warnings[i]);
    }
    free(a->late_warnings);
    a->late_warnings = NULL;
    a->n_late_warnings = 0;
}

int app_use(struct app *a, const struct bundle *model, const char *sentence, int causal, struct error *err)
{
    edit_mode_reset(a); /* edits belong to the model they were made on */
    const struct bundle *old_model = a->model;
    const char *old_sentence = a->sentence;
    a->model = model;
    a->sentence = sentence;
    if (build(a, TRACE_ATTENTION, causal, a->gran, err)) {
        a->model = old_model;
        a->sentence = old_sentence;
        return -1;
    }
    for (int i = 0; a->hist_built && i < a->hist.n_snapshots; i++) /* the snapshots read the old sentence */
        if (a->hist_built[i]) {
            trace_free(&a->hist_traces[i]);
            a->hist_built[i] = 0;
        }
    a->mask_untrained = narration_trained_without_mask(model);
    a->head = 0;
    a->heat_scores = 0;
    a->sel_row = a->sel_col = 0;
    a->cmp_t = 0;
    a->example_i = -1;
    for (int i = 0; i < a->n_examples; i++)
        if (!strcmp(a->examples[i], sentence))
            a->example_i = i;
    app_goto(a, 0);
    return 0;
}

void app_free(struct app *a)
{
    for (int i = 0; a->hist_built && i < a->hist.n_snapshots; i++)
        if (a->hist_built[i])
            trace_free(&a->hist_traces[i]);
    free(a->hist_traces);
    free(a->hist_built);
    history_free(&a->hist);
    for (int i = 0; i < a->n_late_warnings; i++)
        free(a->late_warnings[i]);
    free(a->late_warnings);
    lesson_free(&a->lesson);
    trace_free(&a->trace);
    free(a->range);
    a->range = NULL;
    edit_mode_free(a);
    for (int v = 0; v < VIEW_COUNT; v++)
        if (app_views[v].done)
            app_views[v].done(a);
}

int app_rebuild(struct app *a, struct error *err)
{
    long step = a->step;
    int pan_r = a->pan_r, pan_c = a->pan_c, sel_row = a->sel_row, sel_col = a->sel_col, head = a->head;
    struct app_place place = a->place;
    if (build(a, a->lesson_model, a->causal, a->gran, err))
        return -1;
    app_goto(a, step);
    a->place = place;
    a->pan_r = pan_r;
    a->pan_c = pan_c;
    a->sel_row = sel_row;
    a->sel_col = sel_col;
    a->head = head;
    return 0;
}

int app_is_attention_stage(enum stage_kind kind)
{
    return kind == STAGE_SCORES || kind == STAGE_SCALED || kind == STAGE_MASKED || kind == STAGE_WEIGHTS;
}

int app_stage_of(const struct app *a, enum matrix_id m, int head)
{
    for (int s = 0; s < a->lesson.n_stages; s++) {
        const struct lesson_stage *st = &a->lesson.stages[s];
        if (lesson_result(st->kind) == m && st->head == head)
            return s;
    }
    return -1;
}

void app_range(struct app *a, enum matrix_id m, int head, double *lo, double *hi)
{
    /* Computed once per matrix: a frame then costs what is visible, not N². */
    double *r = a->range + ((size_t)m * (size_t)(a->trace.H + 1) + (size_t)(head + 1)) * 2;
    if (isnan(r[0])) {
        struct matview v = lesson_matrix(&a->lesson, m, head);
        double l = INFINITY, u = -INFINITY;
        for (int i = 0; v.data && i < v.rows; i++)
            for (int j = 0; j < v.cols; j++) {
                double x = v.data[(size_t)i * v.stride + (size_t)j];
                if (isfinite(x)) {
                    l = x < l ? x : l;
                    u = x > u ? x : u;
                }
            }
        r[0] = isfinite(l) ? l : 0;
        r[1] = isfinite(u) ? u : 1;
    }
    *lo = r[0];
    *hi = r[1];
}

void app_goto(struct app *a, long s)
{
    if (s < 0)
        s = 0;
    if (s >= a->lesson.n_steps)
        s = a->lesson.n_steps - 1;
    a->step = s;
    a->pan_r = a->pan_c = 0;
    struct lesson_pos p = lesson_at(&a->lesson, s);
    const struct lesson_stage *st = &a->lesson.stages[p.stage];
    if (app_is_attention_stage(st->kind) && p.row >= 0) {
        a->sel_row = p.row;
        a->sel_col = p.col >= 0 ? p.col : a->sel_col;
    }
    if (st->head >= 0 && a->head >= 0)
        a->head = st->head;
}

/* The step of the new lesson (another causal setting) that shows as close to
 * the same as the old one: a coarse step maps to the end of what it covered. */
static long same_place(const struct app *a, enum stage_kind kind, int head, int row, int col)
{
    int stage = -1;
    for (int s = 0; s < a->lesson.n_stages; s++) {
        const struct lesson_stage *st = &a->lesson.stages[s];
        if (st->kind != kind || st->head != head)
            continue;
        if (stage < 0)
            stage = s;
        if (row >= st->row0 && row < st->row0 + st->rows) { /* a recurrent lesson has one per word */
            stage = s;
            break;
        }
    }
    if (stage < 0 && kind == STAGE_MASKED) { /* the mask is gone: stay at the scaled scores */
        for (int s = 0; s < a->lesson.n_stages && stage < 0; s++)
            if (a->lesson.stages[s].kind == STAGE_SCALED && a->lesson.stages[s].head == head)
                stage = s;
    }
    if (stage < 0)
        return 0;
    const struct lesson_stage *st = &a->lesson.stages[stage];
    return lesson_step_of(&a->lesson, stage, row < 0 ? st->row0 + st->rows - 1 : row, col < 0 ? st->cols - 1 : col);
}

static void rebuild(struct app *a, enum trace_model model, int causal, enum granularity gran)
{
    struct lesson_pos p = lesson_at(&a->lesson, a->step);
    const struct lesson_stage *st = &a->lesson.stages[p.stage];
    enum stage_kind kind = st->kind;
    int head = st->head;
    struct error err;
    if (build(a, model, causal, gran, &err)) {
        snprintf(a->message, sizeof a->message, "%.150s", err.msg);
        return;
    }
    app_goto(a, same_place(a, kind, head, p.row, p.col));
}

/* Tab: cell → row → stage → cell. The stages stay the same, only their steps
 * change, so the place is kept exactly: a finer step remembers its row and
 * cell, and coming back from a coarser one finds them again. */
static void next_granularity(struct app *a)
{
    static const enum granularity next[] = {[GRAN_CELL] = GRAN_ROW, [GRAN_ROW] = GRAN_STAGE, [GRAN_STAGE] = GRAN_CELL};
    struct lesson_pos p = lesson_at(&a->lesson, a->step);
    struct app_place place = a->place;
    if (p.stage != place.stage || (p.row >= 0 && p.row != place.row))
        place = (struct app_place){p.stage, p.row, p.col};
    else if (p.col >= 0)
        place.col = p.col;
    struct error err;
    if (build(a, a->lesson_model, a->causal, next[a->gran], &err)) {
        snprintf(a->message, sizeof a->message, "%.150s", err.msg);
        return;
    }
    a->place = place;
    const struct lesson_stage *st = &a->lesson.stages[place.stage];
    int row = place.row >= 0 ? place.row : st->row0 + st->rows - 1;
    int col = place.col >= 0 ? place.col : st->cols - 1;
    app_goto(a, lesson_step_of(&a->lesson, place.stage, row, col));
}

/* ---- drawing ----------------------------------------------------------- */

static void draw_title(struct app *a)
{
    char buf[256], right[192];
    draw_fill(0, 0, COLS, theme_attr(ROLE_TITLE));
    snprintf(buf, sizeof buf, " attnstep · %s · ", a->model->name);
    int used = draw_text(0, 0, COLS, buf, theme_attr(ROLE_TITLE));
    /* TRANSLATORS: the right end of the title bar (top row): how the words
       see each other, then " · ▶ playing" while autoplay runs. Keep them short:
       the sentence shares the row. */
    snprintf(right, sizeof right, " %s%s ", a->causal ? _("causal (decoder)") : _("bidirectional"),
             a->playing ? _(" · ▶ playing") : "");
    int rw = utf8_width(right);
    int room = COLS - used - rw;
    /* The sentence as far as it fits; a cut one ends in "…" (a token and
     * the "…" after it must fit, unless it is the last). */
    for (int i = 0; i < a->trace.N; i++) {
        int tw = utf8_width(a->trace.tokens[i]);
        if (tw + (i + 1 < a->trace.N ? 2 : 0) > room) {
            draw_text(0, used, room, widgets_utf8 ? "…" : "...", theme_attr(ROLE_TITLE));
            break;
        }
        used += draw_text(0, used, room, a->trace.tokens[i], theme_attr(ROLE_TITLE)) + 1;
        room -= tw + 1;
    }
    draw_text(0, COLS - rw, rw, right, theme_attr(ROLE_TITLE));
}

/* Cells at the right of the status line kept for the quiz's tally. */
static int status_reserved;

void app_draw_hints(int y, int x, const char *const (*hints)[2], int n, int gap)
{
    for (int i = 0; i < n; i++) {
        const char *what = hints[i][1];
        int sep = i ? gap : 1;
        int need = sep + utf8_width(hints[i][0]) + 1 + utf8_width(what);
        if (x + need > COLS - status_reserved)
            break;
        x += sep;
        x += draw_text(y, x, COLS - x, hints[i][0], theme_attr(ROLE_KEY)) + 1;
        x += draw_text(y, x, COLS - x, what, theme_attr(ROLE_STATUS));
    }
}

#define draw_hints app_draw_hints
#define N_HINTS(h) (int)(sizeof h / sizeof h[0])

int app_draw_status_left(struct app *a, int y, const char *left, int edits)
{
    if (!edits)
        return draw_text(y, 0, COLS - status_reserved, left, theme_attr(ROLE_STATUS));
    int used = draw_text(y, 0, COLS - status_reserved, left, theme_attr(ROLE_STATUS));
    size_t n = strlen(left);
    return used + edit_mode_status(a, y, used, n >= 3 && !strcmp(left + n - 3, "│"));
}

static void draw_status(struct app *a)
{
    int y = LINES - 1;
    char left[512];
    draw_fill(y, 0, COLS, theme_attr(ROLE_STATUS));
    if (app_views[a->view].status) {
        app_views[a->view].status(a, y);
        return;
    }
    struct lesson_pos p = lesson_at(&a->lesson, a->step);
    const struct lesson_stage *st = &a->lesson.stages[p.stage];
    char heads[64], title[256];
    if (st->head >= 0)
        /* TRANSLATORS: status line item: the head whose stage is shown, of how many. */
        snprintf(heads, sizeof heads, _("head %d/%d"), st->head + 1, a->trace.H);
    else
        /* TRANSLATORS: status line item: the model's number of heads. */
        snprintf(heads, sizeof heads, ngettext("%d head", "%d heads", (unsigned long)a->trace.H), a->trace.H);
    /* TRANSLATORS: the causal mask's state, at the end of the status line
       ("causal on" / "causal off"). */
    const char *mask = a->causal ? pgettext("causal mask", "on") : pgettext("causal mask", "off");
    /* The stage's title gives way (shortened with "…") so the numbers after it stay in sight. */
    snprintf(title, sizeof title, "%s", _(narration_stage(st->kind)->title));
    for (int pass = 0; pass < 2; pass++) {
        /* TRANSLATORS: the status line (bottom row): stage k of K and its
           title, step s of S, the heads item, how much a step shows (stage,
           row or cell) and the causal mask's state (on/off). It must fit in
           64 cells with a short title (a Hangul syllable takes two); a long
           title is shortened with "…" to make room. */
        snprintf(left, sizeof left, FMT(_(" stage %d/%d %s │ step %ld/%ld │ %s │ %s │ causal %s ")), p.stage + 1,
                 a->lesson.n_stages, title, a->step + 1, a->lesson.n_steps, heads, _(narration_granularity(a->gran)),
                 mask);
        int over = utf8_width(left) + edit_mode_status_width(a) - (COLS - status_reserved);
        if (over <= 0 || pass)
            break;
        char cut[256];
        text_cut(title, utf8_width(title) - over, cut, sizeof cut);
        int kept = -1; /* characters left before the "…" */
        for (const char *c = cut; *c; c++)
            kept += ((unsigned char)*c & 0xC0) != 0x80;
        /* One letter or syllable and "…" ("출…" of 출력 투영) says nothing:
           then the title goes (the heading above still names the stage). */
        snprintf(title, sizeof title, "%s", kept >= 2 ? cut : "");
    }
    /* TRANSLATORS: the pipeline and heatmap status line: ←→ step, [ ] stage,
       Tab detail (how much a step shows), v view, 1-9 head, p play
       (autoplay), ? help, q quit. */
    const char *const hints[][2] = {
        {"←→", pgettext("key hint", "step")}, {"[ ]", pgettext("key hint", "stage")},
        {"Tab", pgettext("key hint", "detail")}, {"v", pgettext("key hint", "view")},
        {"1-9", pgettext("key hint", "head")}, {"p", pgettext("key hint", "play")},
        {"?", pgettext("key hint", "help")}, {"q  Q", pgettext("key hint", "quit")},
    };
    draw_hints(y, app_draw_status_left(a, y, left, 1), hints, N_HINTS(hints), 1);
}

/* What stays true while it is on screen: a classifier trained without the
 * mask, predicting under it; a comparison with no RNN to compare. */
static const char *standing_note(struct app *a)
{
    if (a->view == VIEW_COMPARE && !a->trace.has_model[TRACE_RNN] && a->recurrent_model) {
        /* TRANSLATORS: a note above the status line, wrapped to at most 3
           lines of the screen's width (60 cells at the minimum size); %s is
           the path of the bundled random-en model. */
        snprintf(a->note, sizeof a->note, _("no RNN in this model; the bundled random-en has an RNN and an LSTM: "
                 "attnstep --model %s --compare"), a->recurrent_model);
        return a->note;
    }
    if (!a->causal || !a->mask_untrained || a->view != VIEW_PIPELINE)
        return NULL;
    enum stage_kind k = a->lesson.stages[lesson_at(&a->lesson, a->step).stage].kind;
    if (k != STAGE_POOLED && k != STAGE_LOGITS && k != STAGE_PROBS)
        return NULL;
    /* TRANSLATORS: a note above the status line at the prediction stages,
       wrapped to at most 3 lines of 60 cells. */
    return _("this model was trained without the causal mask: its prediction under the mask is not meaningful "
             "(m: mask off)");
}

/* A message (why a key was refused, what just happened) on its own lines
 * above the status line, so it never runs into the status fields. */
static void draw_message(struct app *a)
{
    const char *msg = a->message;
    while (*msg == ' ')
        msg++;
    if (!*msg)
        msg = standing_note(a);
    if (!msg)
        return;
    int w = COLS - 4, n = wrapped_lines(w, msg);
    n = n > 3 ? 3 : n;
    for (int i = 0; i < n; i++)
        draw_fill(LINES - 1 - n + i, 0, COLS, theme_attr(ROLE_KEY));
    draw_text(LINES - 1 - n, 1, 2, widgets_utf8 ? "▸" : ">", theme_attr(ROLE_KEY));
    draw_wrapped(LINES - 1 - n, 3, w, n, msg, theme_attr(ROLE_KEY));
}

/* Every key, with what it does and where. */
static const char *const help_keys[][2] = {
    /* TRANSLATORS: the help overlay ('?'): what each key does, one entry
       each in a box as wide as the screen allows; it wraps at spaces and
       scrolls when taller than the screen. The keys themselves stay. Views:
       pipeline, heatmap, RNN vs attention (compare), training. */
    {"→  l  space", N_("next step; compare view: read the next word; training view: later epoch")},
    {"←  h  Backspace", N_("previous step (or word, or epoch)")},
    {"]  [", N_("next / previous stage (pipeline and heatmap)")},
    {"Home g  End G", N_("first / last step")},
    {"Tab", N_("detail of a step: cell → row → stage → cell")},
    {"v", N_("view: pipeline → heatmap → RNN vs attention → training → generation (language models) → "
                    "transfer (models attnstep transfer wrote)")},
    {"r", N_("lesson: attention → RNN → LSTM (models that have them)")},
    {"n  N", N_("next / previous example sentence")},
    {"1–9", N_("show head 1–9")},
    {"0", N_("heatmap: the mean of the heads")},
    {"m", N_("causal mask on / off")},
    {"p", N_("autoplay: play / pause")},
    {"+  -", N_("autoplay faster / slower (= and _ too)")},
    {"s", N_("heatmap: weights ⇄ scores")},
    {"↑  ↓", N_("pan rows; in this help: scroll (PgUp PgDn Home End too)")},
    {"<  >  ,  .", N_("pan columns")},
    {"R", N_("training view: retrain from random, live; transfer view: the three models, live")},
    /* TRANSLATORS: the help: keys of the generation view (language models). */
    {"Enter", N_("generation view: add the next word (greedy: the most likely; sample: the next draw of the seeded "
                 "stream); ← or Backspace takes it back, Home back to the prompt")},
    {"t  T", N_("generation view: temperature down / up by 0.1 (T ≥ 0)")},
    {"k  K", N_("generation view: top-k down / up (all: every word)")},
    {"c", N_("generation view: greedy ⇄ sample")},
    {"a", N_("quiz on / off: predict a result before it is shown (Enter answers, Esc skips)")},
    {"e", N_("what if: select a weight of the stage shown (↑↓←→ cell, Tab matrix), e again edits it, Enter "
             "applies, Esc leaves")},
    {"E", N_("what if, by name: type one edit as --set writes it (biases, norms, any weight)")},
    {"u  U", N_("undo the last edit / all edits")},
    {"S", N_("snapshot: write the screen to attnstep-NNN.svg in the current folder, for a slide")},
    {"PgDn  PgUp", N_("lesson (--lesson FILE): next / previous slide")},
    {":", N_("jump: type a stage's number or the start of its name, then Enter (compare view: words read; "
             "training view: snapshot)")},
    /* TRANSLATORS: in the key column of the help: the mouse, not a key (11 cells at most). */
    {N_("mouse click"), N_("on a cell: jump to the step that computes it")},
    {"?  Esc", N_("open / close this help")},
    {"q  Q", N_("quit")},
};
#define HELP_N (int)(sizeof help_keys / sizeof help_keys[0])
#define HELP_MAX_LINES 128

struct help_line {
    const char *keys; /* NULL on a continuation line */
    char what[512];   /* a Hangul syllable is 3 bytes and 2 cells: room for a 200-cell box */
};

/* The help wrapped to w cells of description, one entry after another;
 * returns the number of lines. */
static int help_layout(int w, struct help_line *out)
{
    int n = 0;
    for (int e = 0; e < HELP_N && n < HELP_MAX_LINES; e++) {
        const char *p = _(help_keys[e][1]);
        out[n].keys = _(help_keys[e][0]);
        out[n].what[0] = '\0';
        int line_w = 0;
        while (*p) {
            const char *end = strchr(p, ' ');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            char word[sizeof out->what];
            snprintf(word, sizeof word, "%.*s", (int)len, p);
            int ww = utf8_width(word);
            if (line_w && line_w + 1 + ww > w) {
                if (++n >= HELP_MAX_LINES)
                    return n;
                out[n].keys = NULL;
                out[n].what[0] = '\0';
                line_w = 0;
            }
            size_t used = strlen(out[n].what);
            snprintf(out[n].what + used, sizeof out->what - used, "%s%s", line_w ? " " : "", word);
            line_w += (line_w ? 1 : 0) + ww;
            p += len;
            while (*p == ' ')
                p++;
        }
        n++;
    }
    return n;
}

/* The help: as wide as it needs up to the screen, as tall as the screen
 * between title and status; what does not fit scrolls with ↑ ↓. */
static void draw_help(struct app *a)
{
    static struct help_line lines[HELP_MAX_LINES];
    int keys_w = 0, what_w = 0;
    for (int e = 0; e < HELP_N; e++) {
        int k = utf8_width(_(help_keys[e][0])), d = utf8_width(_(help_keys[e][1]));
        keys_w = k > keys_w ? k : keys_w;
        what_w = d > what_w ? d : what_w;
    }
    int w = 2 + keys_w + 2 + what_w + 2;
    w = w > COLS - 2 ? COLS - 2 : w;
    int n = help_layout(w - 2 - keys_w - 2 - 2, lines);
    int h = n + 3 > LINES - 2 ? LINES - 2 : n + 3; /* title, lines, footer, a blank */
    int shown = h - 3, y = 1 + (LINES - 2 - h) / 2, x = (COLS - w) / 2;
    if (a->help_top > n - shown)
        a->help_top = n - shown;
    if (a->help_top < 0)
        a->help_top = 0;
    attr_t at = theme_attr(ROLE_TITLE);
    for (int i = 0; i < h; i++)
        draw_fill(y + i, x, w, at);
    /* TRANSLATORS: the help overlay's title, at its top left: the keys of
       the keyboard (not the attention keys). */
    draw_text(y, x + 2, w - 4, pgettext("help overlay", "Keys"), at);
    /* TRANSLATORS: at the top right of the help overlay; with the title it
       must fit in 58 cells. */
    const char *close = _("Esc closes · q quits");
    draw_text(y, x + w - 2 - utf8_width(close), utf8_width(close), close, at);
    for (int i = 0; i < shown; i++) {
        const struct help_line *l = &lines[a->help_top + i];
        if (l->keys)
            draw_text(y + 1 + i, x + 2, keys_w, l->keys, at);
        draw_text(y + 1 + i, x + 2 + keys_w + 2, w - 2 - keys_w - 2 - 2, l->what, at);
    }
    char foot[256] = "";
    int above = a->help_top > 0, below = a->help_top + shown < n;
    if (above || below)
        /* TRANSLATORS: the help overlay's last line when it scrolls: arrows
           saying where more is (↑, ↓ or ↑↓), the lines shown of how many, and
           the scroll keys. At most 58 cells. */
        snprintf(foot, sizeof foot, _("%s more · lines %d–%d of %d · ↑ ↓ PgUp PgDn scroll"),
                 above && below ? "↑↓" : below ? "↓" : "↑", a->help_top + 1, a->help_top + shown, n);
    draw_text(y + h - 1, x + 2, w - 4, foot, at);
}

/* s as lines of at most w cells, broken at spaces (a word wider than w
 * stays whole on its own line); returns how many of max it filled. */
static int too_small_lines(const char *s, int w, char (*out)[192], int max)
{
    int n = 0;
    while (*s && n < max) {
        const char *end = s, *p = s;
        while (*p) {
            const char *q = strchr(p, ' ');
            size_t len = q ? (size_t)(q - s) : strlen(s);
            char line[192];
            snprintf(line, sizeof line, "%.*s", (int)len, s);
            if (end != s && utf8_width(line) > w)
                break;
            end = s + len;
            if (!q)
                break;
            p = q + 1;
        }
        snprintf(out[n++], sizeof out[0], "%.*s", (int)(end - s), s);
        s = end;
        while (*s == ' ')
            s++;
    }
    return n;
}

/* A view reached by --view or a lesson that has nothing to show for this
 * model: its reason, where it would be. */
static void draw_not_applies(struct app *a, int y, int h, const char *why)
{
    /* TRANSLATORS: the view's place on screen when it does not apply to the model; %s is the view's
       name as --view writes it (pipeline, heatmap, compare, training, generate), which stays. */
    char head[160];
    snprintf(head, sizeof head, _("── the %s view does not apply to this model"), app_views[a->view].name);
    draw_heading(y, head);
    draw_wrapped(y + 2, 2, COLS - 4, h - 3 > 1 ? h - 3 : 1, why, A_NORMAL);
    /* TRANSLATORS: under the reason a view does not apply. */
    draw_wrapped(y + 2 + (wrapped_lines(COLS - 4, why) < h - 4 ? wrapped_lines(COLS - 4, why) : h - 4) + 1, 2,
                 COLS - 4, 1, _("v: the next view that applies"), theme_attr(ROLE_KEY));
    a->n_hits = 0;
}

void app_draw(struct app *a)
{
    erase();
    if (COLS < APP_MIN_W || LINES < APP_MIN_H) {
        char msg[3][192], lines[8][192];
        int parts = 0, n = 0;
        /* TRANSLATORS: centred on a screen smaller than the minimum; the
           numbers are the minimum width×height. */
        snprintf(msg[parts++], sizeof msg[0], _("terminal too small (need %d×%d)"), APP_MIN_W, APP_MIN_H);
        if (utf8_width(msg[0]) > COLS) { /* a narrow terminal gets it on two lines */
            /* TRANSLATORS: the same message on two lines, for a narrow screen. */
            snprintf(msg[0], sizeof msg[0], "%s", _("terminal too small"));
            snprintf(msg[parts++], sizeof msg[0], _("(need %d×%d)"), APP_MIN_W, APP_MIN_H);
        }
        /* TRANSLATORS: under the message above: the screen's size now. */
        snprintf(msg[parts++], sizeof msg[0], FMT(_("now %d×%d")), COLS, LINES);
        int warn = 0; /* lines of the message proper, before "now" */
        for (int i = 0; i < parts; i++) { /* still too wide: more lines, broken between words */
            n += too_small_lines(msg[i], COLS, lines + n, 8 - n);
            warn = i < parts - 1 ? n : warn;
        }
        for (int i = 0; i < n; i++) {
            int w = utf8_width(lines[i]);
            draw_text(LINES / 2 - 1 + i - (n > 3 ? (n - 3) / 2 : 0), COLS > w ? (COLS - w) / 2 : 0, COLS, lines[i],
                      i < warn ? theme_attr(ROLE_WARN) : A_NORMAL);
        }
        a->n_hits = 0;
        return;
    }
    draw_title(a);
    long step = a->step;
    a->step = quiz_mode_shown_step(a); /* a question holds its step's reveal */
    int note_h = slideshow_height(a); /* a lesson's note panel, above the status line */
    const char *why = NULL;
    if (app_view_applies(a, a->view, &why))
        app_views[a->view].draw(a, 2, LINES - 3 - note_h);
    else
        draw_not_applies(a, 2, LINES - 3 - note_h, why);
    a->step = step;
    status_reserved = quiz_mode_status_width(a);
    if (note_h)
        slideshow_draw(a, LINES - 1 - note_h, note_h);
    draw_status(a);
    draw_message(a);
    edit_mode_draw(a);
    quiz_mode_draw(a);
    if (a->help)
        draw_help(a);
}

/* ---- the views' table ---------------------------------------------------- */

int app_view_find(const char *name)
{
    for (int v = 0; v < VIEW_COUNT; v++)
        if (!strcmp(app_views[v].name, name))
            return v;
    return -1;
}

int app_view_applies(const struct app *a, int v, const char **why)
{
    const char *unused;
    return !app_views[v].applies || app_views[v].applies(a, why ? why : &unused);
}

/* ---- keys -------------------------------------------------------------- */

static void click(struct app *a, int y, int x)
{
    for (int i = 0; i < a->n_hits; i++) {
        const struct app_hit *h = &a->hits[i];
        if (y < h->at.y || y >= h->at.y + h->at.rows || x < h->at.x || x >= h->at.x + h->at.cols * h->at.cell_w)
            continue;
        int r = h->at.r0 + (y - h->at.y), c = h->at.c0 + (x - h->at.x) / h->at.cell_w;
        if (h->transpose) {
            int tmp = r;
            r = c;
            c = tmp;
        }
        c += h->col_offset;
        enum matrix_id m = h->matrix;
        int stage = app_stage_of(a, m, m >= MAT_Q && m <= MAT_HEAD_OUT ? h->head : -1);
        if (stage < 0) {
            edit_mode_click(a, m, r, c); /* selected for editing (e) */
            /* TRANSLATORS: after a click on a weight matrix; %s is its symbol (W_Q, W_O...). */
            snprintf(a->message, sizeof a->message, _("%s is a weight of the model: given, not computed in this lesson"),
                     lesson_matrix_symbol(m));
            return;
        }
        if (m == MAT_TOKENS && a->lesson.n_words) { /* a piece: the step that shows its word's pieces */
            r = a->trace.word[r];
            c = lesson_word_merges(&a->lesson, r) + 1;
        }
        app_goto(a, lesson_step_of(&a->lesson, stage, r, c));
        if (a->view == VIEW_HEATMAP) {
            a->sel_row = r;
            a->sel_col = c;
        }
        return;
    }
}

static void next_stage(struct app *a, int dir)
{
    struct lesson_pos p = lesson_at(&a->lesson, a->step);
    const struct lesson_stage *st = &a->lesson.stages[p.stage];
    if (dir > 0)
        app_goto(a, p.stage + 1 < a->lesson.n_stages ? a->lesson.stages[p.stage + 1].first : a->lesson.n_steps - 1);
    else if (a->step > st->first)
        app_goto(a, st->first);
    else if (p.stage > 0)
        app_goto(a, a->lesson.stages[p.stage - 1].first);
}

/* n / N: the next or previous example sentence, in every view. */
static void next_sentence(struct app *a, int dir)
{
    if (!a->n_examples) {
        snprintf(a->message, sizeof a->message, _("no example sentences for this model: none in assets/sentences.csv "
                   "uses words its vocabulary knows"));
        return;
    }
    const char *old = a->sentence;
    int old_i = a->example_i;
    for (int tries = 0; tries < a->n_examples; tries++) {
        a->example_i = a->example_i < 0 && dir < 0 ? a->n_examples - 1
                                                   : (a->example_i + dir + a->n_examples) % a->n_examples;
        a->sentence = a->examples[a->example_i];
        struct error err;
        if (build(a, a->lesson_model, a->causal, a->gran, &err) == 0) {
            for (int i = 0; a->hist_built && i < a->hist.n_snapshots; i++)
                if (a->hist_built[i]) {
                    trace_free(&a->hist_traces[i]);
                    a->hist_built[i] = 0;
                }
            a->cmp_t = 0;
            app_goto(a, 0);
            int unknown = a->example_unknown ? a->example_unknown[a->example_i] : 0;
            /* TRANSLATORS: after n / N: which example sentence of how many. */
            int n = snprintf(a->message, sizeof a->message, _("example %d of %d"), a->example_i + 1, a->n_examples);
            if (unknown)
                snprintf(a->message + n, sizeof a->message - (size_t)n,
                         /* TRANSLATORS: follows "example 2 of 9": how many of the sentence's tokens (the
                            first number) of its N (the second) are not in the vocabulary. */
                         ngettext(" · partly unknown: %d of its %d tokens is not in this model's vocabulary "
                                  "(read as <unk>)",
                                  " · partly unknown: %d of its %d tokens are not in this model's vocabulary "
                                  "(read as <unk>)", (unsigned long)unknown),
                         unknown, a->trace.N);
            return;
        }
    }
    a->sentence = old;
    a->example_i = old_i;
}

/* r: the attention lesson, then the RNN's and the LSTM's where the model has them. */
static void next_lesson(struct app *a)
{
    enum trace_model m = a->lesson_model;
    for (int k = 0; k < TRACE_N_MODELS; k++) {
        m = m == TRACE_ATTENTION ? TRACE_RNN : m == TRACE_RNN ? TRACE_LSTM : TRACE_ATTENTION;
        if (a->trace.has_model[m])
            break;
    }
    if (m == a->lesson_model) {
        if (a->recurrent_model)
            snprintf(a->message, sizeof a->message, _("r: this model has no RNN or LSTM to switch to; the bundled "
                     "random-en has both: attnstep --model %s"), a->recurrent_model);
        else
            snprintf(a->message, sizeof a->message, _("r: this model has no RNN or LSTM to switch to; "
                     "attnstep --init-model DIR --d-hidden 8 makes a model that has them"));
        return;
    }
    rebuild(a, m, a->causal, a->gran);
    app_goto(a, 0);
}

static void select_head(struct app *a, int head)
{
    if (head >= a->trace.H) {
        /* TRANSLATORS: the digit pressed, the head it asks for, the model's number of heads. */
        snprintf(a->message, sizeof a->message, ngettext("%d: there is no head %d, this model has %d head",
                                                         "%d: there is no head %d, this model has %d heads",
                                                         (unsigned long)a->trace.H),
                 head + 1, head + 1, a->trace.H);
        return;
    }
    if (head < 0 && a->view != VIEW_HEATMAP) {
        snprintf(a->message, sizeof a->message, _("0: the mean of the heads is shown in the heatmap only (v); "
                 "here 1–%d pick a head"), a->trace.H);
        return;
    }
    struct lesson_pos p = lesson_at(&a->lesson, a->step);
    const struct lesson_stage *st = &a->lesson.stages[p.stage];
    if (a->view == VIEW_PIPELINE && st->head < 0) {
        if (a->lesson_model != TRACE_ATTENTION)
            snprintf(a->message, sizeof a->message, _("%d: the RNN and the LSTM have no heads (r: the attention "
                     "lesson)"), head + 1);
        else
            /* TRANSLATORS: the digit pressed and the title of the stage shown. */
            snprintf(a->message, sizeof a->message, _("%d: %s is not one head's stage; each head has its own, from "
                     "Queries to Head output (or v: the heatmap)"), head + 1, _(narration_stage(st->kind)->title));
        return;
    }
    a->head = head;
    if (head < 0)
        return;
    /* In a head's stage, show the same stage and cell of the chosen head. */
    if (st->head >= 0 && st->head != head)
        app_goto(a, same_place(a, st->kind, head, p.row, p.col));
}

static void toggle_mask(struct app *a)
{
    if (a->lesson_model != TRACE_ATTENTION && a->view == VIEW_PIPELINE) {
        /* TRANSLATORS: %s is RNN or LSTM. */
        snprintf(a->message, sizeof a->message, _("m: the %s reads left to right and never sees a later word, mask or "
                 "not (r: the attention lesson, where the mask matters)"),
                 a->lesson_model == TRACE_RNN ? "RNN" : "LSTM");
        return;
    }
    if (a->trace.is_lm) {
        snprintf(a->message, sizeof a->message, _("m: a language model always uses the causal mask: in training "
                 "seeing the next word would be cheating, and when it writes, that word does not exist yet"));
        return;
    }
    rebuild(a, a->lesson_model, !a->causal, a->gran);
    if (a->causal && a->mask_untrained && !a->message[0])
        snprintf(a->message, sizeof a->message, _("causal mask on: this model was trained without it, so its "
                 "prediction under the mask is not meaningful"));
}

/* v: the next view. Autoplay and the RNN and LSTM lessons step the pipeline;
 * a view that does not show them stops or leaves them, and says so. */
static void next_view(struct app *a)
{
    int v = a->view;
    for (int k = 0; k < VIEW_COUNT; k++) { /* the next view that applies to this model */
        v = (v + 1) % VIEW_COUNT;
        if (app_view_applies(a, v, NULL))
            break;
    }
    a->view = (enum view)v;
    if (a->view == VIEW_HEATMAP && a->lesson_model != TRACE_ATTENTION) {
        rebuild(a, TRACE_ATTENTION, a->causal, a->gran);
        app_goto(a, 0);
        snprintf(a->message, sizeof a->message, _("the heatmap shows attention: back to the attention lesson, "
                 "from its start"));
    } else if ((a->view == VIEW_COMPARE || a->view == VIEW_TRAINING || a->view == VIEW_GENERATE) && a->playing) {
        a->playing = 0;
        snprintf(a->message, sizeof a->message, _("autoplay paused: it steps the pipeline and the heatmap (p there "
                 "plays on)"));
    }
}

/* A step key at the first or last step says so instead of doing nothing. */
static void step_by(struct app *a, long to)
{
    /* TRANSLATORS: messages after a key (refused, or what it did) are shown
       above the status line, wrapped to at most 3 lines of the screen's width
       less 4 (60 cells at the minimum size). */
    if (to >= a->lesson.n_steps)
        snprintf(a->message, sizeof a->message, "%s", _("this is the last step (g or Home: back to the first)"));
    else if (to < 0)
        snprintf(a->message, sizeof a->message, "%s", _("this is the first step (→ or space: next step)"));
    else {
        long from = a->step;
        app_goto(a, to);
        if (to == from + 1) /* one step forward: a predictable result asks first */
            quiz_mode_stepped(a);
    }
}

/* Keys that act on the pipeline and the heatmap, pressed in a view that shows
 * neither: say where they work instead of changing what is not on screen. */
static int refuse_elsewhere(struct app *a, int key)
{
    if (a->view != VIEW_COMPARE && a->view != VIEW_TRAINING)
        return 0;
    /* TRANSLATORS: fills the second %s of "%s, which %s does not show (v: next view)". */
    const char *here = a->view == VIEW_COMPARE ? _("the RNN vs attention view") : _("the training view");
    const char *what = NULL;
    switch (key) {
    case ']': case '[': /* TRANSLATORS: fills the first %s of "%s, which %s does not show (v: next view)", like the next five. */
        what = _("] [ move between the stages of the pipeline"); break;
    case KEY_RIGHT: case 'l': case ' ': case KEY_LEFT: case 'h': case KEY_BACKSPACE: case 127: case 8:
    case KEY_HOME: case 'g': case KEY_END: case 'G': /* the compare view takes these itself */
        snprintf(a->message, sizeof a->message, _("this model has no training history: no epochs to step through "
                 "(attnstep train records one)"));
        return 1;
    case 'm':
        if (a->view == VIEW_COMPARE)
            return 0; /* the attention side shows the mask */
        snprintf(a->message, sizeof a->message, _("m: the training view shows the model as it was trained, without "
                 "the causal mask; m works in the other views"));
        return 1;
    case '\t': what = _("Tab sets how much one step of the pipeline reveals"); break;
    case 'r': what = _("r switches the lesson the pipeline walks through"); break;
    case 'p': what = _("autoplay steps through the pipeline and the heatmap"); break;
    case KEY_UP: case KEY_DOWN: case '<': case ',': case '>': case '.':
        what = _("↑ ↓ < > pan the matrices of the pipeline and the heatmap"); break;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        what = _("digits choose a head in the pipeline and the heatmap"); break;
    case KEY_MOUSE: {
        MEVENT ev;
        if (getmouse(&ev) == OK && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
            what = _("a click jumps to a cell's step in the pipeline and the heatmap");
        else
            return 1;
        break;
    }
    default: return 0;
    }
    /* TRANSLATORS: the first %s says what the key does (above), the second
       names the view on screen, which does not show it. */
    snprintf(a->message, sizeof a->message, _("%s, which %s does not show (v: next view)"), what, here);
    return 1;
}

static int help_key(struct app *a, int key)
{
    int page = LINES / 2 > 1 ? LINES / 2 : 1;
    switch (key) {
    case 27: case '?': a->help = 0; return 1;
    case KEY_UP: a->help_top--; return 1;
    case KEY_DOWN: a->help_top++; return 1;
    case KEY_PPAGE: a->help_top -= page; return 1;
    case KEY_NPAGE: a->help_top += page; return 1;
    case KEY_HOME: a->help_top = 0; return 1;
    case KEY_END: a->help_top = HELP_MAX_LINES; return 1; /* the draw clamps it */
    default: return 0;
    }
}

int app_key(struct app *a, int key)
{
    a->message[0] = '\0';
    if (a->help && help_key(a, key))
        return 0;
    /* An open cell cursor or editor takes the keys first, then a lesson's
     * paging and jump prompt, then a quiz question. */
    int editing = a->edit.ui != EDIT_OFF;
    if (!a->help && editing && edit_mode_key(a, key))
        return 0;
    if (slideshow_key(a, key))
        return 0;
    if (quiz_mode_key(a, key))
        return 0;
    if (!a->help && !editing && edit_mode_key(a, key))
        return 0;
    const struct view_ops *view = &app_views[a->view];
    if (view->key && app_view_applies(a, a->view, NULL) && view->key(a, key))
        return 0;
    if (key == 'q' || key == 'Q')
        return 1;
    const char *why = NULL;
    if (!app_view_applies(a, a->view, &why) && key != 'v' && key != '?' && key != 27 && key != 'n' && key != 'N' &&
        key != 'S' && key != KEY_MOUSE) {
        /* A view that shows nothing for this model (reached by a lesson): its
         * keys would change what is not on screen; say why instead. */
        /* TRANSLATORS: %s is why the view does not apply (a sentence). */
        snprintf(a->message, sizeof a->message, _("%s (v: the next view that applies)"), why);
        return 0;
    }
    if (refuse_elsewhere(a, key))
        return 0;
    switch (key) {
    case KEY_RIGHT: case 'l': case ' ': step_by(a, a->step + 1); break;
    case KEY_LEFT: case 'h': case KEY_BACKSPACE: case 127: case 8: step_by(a, a->step - 1); break;
    case ']':
        if (a->step + 1 >= a->lesson.n_steps)
            snprintf(a->message, sizeof a->message, _("this is the last step of the last stage (g or Home: the first step)"));
        else {
            next_stage(a, 1);
            quiz_mode_stepped(a); /* onto a stage's first step: it may ask */
        }
        break;
    case '[':
        if (a->step == 0)
            snprintf(a->message, sizeof a->message, _("this is the first step of the first stage"));
        else
            next_stage(a, -1);
        break;
    case KEY_HOME: case 'g': app_goto(a, 0); break;
    case KEY_END: case 'G': app_goto(a, a->lesson.n_steps - 1); break;
    case '\t': next_granularity(a); break;
    case 'r':
        if (a->view == VIEW_HEATMAP)
            snprintf(a->message, sizeof a->message, _("r: the heatmap shows attention only; the pipeline (v) walks "
                     "through the RNN and LSTM lessons"));
        else
            next_lesson(a);
        break;
    case 'n': next_sentence(a, 1); break;
    case 'N': next_sentence(a, -1); break;
    case 'v': next_view(a); break;
    case 'm': toggle_mask(a); break;
    case 'p': a->playing = !a->playing; break;
    case '+': case '=': a->interval = a->interval / 2 < 0.05 ? 0.05 : a->interval / 2;
        snprintf(a->message, sizeof a->message, _("autoplay: %.2g s per step"), a->interval); break;
    case '-': case '_': a->interval = a->interval * 2 > 10 ? 10 : a->interval * 2;
        snprintf(a->message, sizeof a->message, _("autoplay: %.2g s per step"), a->interval); break;
    case '?': a->help = 1; a->help_top = 0; break;
    case 27: break;
    case 's': snprintf(a->message, sizeof a->message, _("s switches the heatmap between weights and scores (v: heatmap)"));
        break;
    case 'R': snprintf(a->message, sizeof a->message, _("R retrains the model live in the training view (v until it shows)"));
        break;
    case 'S': snapshot_key(a); break;
    case KEY_UP: a->pan_r--; break;
    case KEY_DOWN: a->pan_r++; break;
    case '<': case ',': a->pan_c--; break;
    case '>': case '.': a->pan_c++; break;
    case KEY_MOUSE: {
        MEVENT ev;
        if (getmouse(&ev) == OK && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
            click(a, ev.y, ev.x);
        break;
    }
    default:
        if (key >= '1' && key <= '9')
            select_head(a, key - '1');
        else if (key == '0')
            select_head(a, -1);
        else if (key >= 128 && key < 256) /* a byte of a UTF-8 character, e.g. Hangul typed in Korean mode */
            snprintf(a->message, sizeof a->message, _("attnstep's keys are Latin letters: switch the keyboard to "
                     "English input (? lists the keys)"));
        else if (key > ' ' && key < 127)
            /* TRANSLATORS: %c is the key pressed. */
            snprintf(a->message, sizeof a->message, _("%c is not a key of attnstep (? lists them)"), key);
        else if (keyname(key))
            /* TRANSLATORS: %s is the key's curses name (KEY_F(1)...). */
            snprintf(a->message, sizeof a->message, _("%s is not a key of attnstep (? lists them)"), keyname(key));
        break;
    }
    return 0;
}

/* ---- the loop ---------------------------------------------------------- */

static int run_loop(struct app *a)
{
    double next_tick = now_seconds() + a->interval;
    for (;;) {
        if (term_stop_signal)
            return 128 + term_stop_signal; /* the shell's convention for "stopped by signal n" */
        app_draw(a);
        refresh();
        int wait_ms = -1;
        if (a->playing) {
            double left = next_tick - now_seconds();
            wait_ms = left > 0 ? (int)(left * 1000) + 1 : 0;
        }
        /* Wake up now and then so a signal is noticed even without a key. */
        timeout(wait_ms < 0 || wait_ms > 250 ? 250 : wait_ms);
        int key = getch();
        if (term_stop_signal)
            return 128 + term_stop_signal;
        if (key == ERR) {
            if (a->playing && now_seconds() >= next_tick) {
                if (a->step + 1 >= a->lesson.n_steps)
                    a->playing = 0;
                else {
                    app_goto(a, a->step + 1);
                    quiz_mode_stepped(a);
                }
                next_tick = now_seconds() + a->interval;
            }
            continue;
        }
        if (key == KEY_RESIZE)
            continue; /* the next draw lays everything out anew */
        int was_playing = a->playing;
        if (app_key(a, key))
            return 0;
        if (a->playing && !was_playing)
            next_tick = now_seconds() + a->interval;
    }
}

int app_run(struct app *a)
{
    a->live = 1; /* what is read meanwhile says so on the screen */
    int rc = run_loop(a);
    a->live = 0;
    return rc;
}

/* ---- benchmark ---------------------------------------------------------- */

#define BENCH_GEN_TOKENS 200
#define BENCH_GEN_FRAMES 200

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The notes' claim that an RNN cannot be parallelised (issue 13): the RNN's
 * and the LSTM's forward (N steps in a row) beside one attention layer (all
 * words at once), per sentence of 8, 64 and 512 tokens, on one thread. */
static void bench_recurrent(const struct bundle *m, FILE *out)
{
    static const int lengths[] = {8, 64, 512};
    if (!m->rec[BUNDLE_RNN].present || !m->rec[BUNDLE_LSTM].present)
        return;
    /* TRANSLATORS: --bench's heading for the recurrent timing: d_hidden and d_model. Keep RNN, LSTM. */
    fprintf(out, FMT(_("sequential vs parallel, one thread (d_hidden %d, d_model %d): time per sentence\n")),
            m->d_hidden, m->d_model);
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        double s[3];
        if (recurrent_bench_forward(m, lengths[i], lengths[i] > 100 ? 20 : 200, s))
            return;
        /* TRANSLATORS: --bench, one line per sentence length: the tokens, the RNN's and the LSTM's forward
           time and the steps each must take in a row (one per token), then one attention layer's time (one
           step: every word at once). µs = microseconds. */
        fprintf(out, FMT(_("  %3d tokens: RNN %9.1f µs, LSTM %9.1f µs (%d steps in a row); attention %9.1f µs "
                           "(1 step over all words)\n")),
                lengths[i], 1e6 * s[0], 1e6 * s[1], lengths[i], 1e6 * s[2]);
    }
}

double app_now(void)
{
    return now_seconds();
}

int app_bench(struct app *a, int w, int h, double started, FILE *out)
{
    FILE *screen_out;
    struct term t;
    char msg[256];
    if (term_offscreen(&t, w, h, &screen_out, msg, sizeof msg))
        return fprintf(stderr, "attnstep: --bench: %s\n", msg), 1; /* msg is translated */
    widgets_utf8 = t.utf8;
    theme_init(&t);
    /* The first frame, as a session starts: the view and step it opens at. */
    app_draw(a);
    refresh();
    fflush(screen_out);
    double first_ms = (now_seconds() - started) * 1e3;
    /* Then the snapshots, which the training view reads when it first opens. */
    int pending = a->hist_pending;
    double t_hist = now_seconds();
    if (app_history(a)) {
        term_done();
        return fprintf(stderr, "attnstep: %s\n", a->hist_error), 1;
    }
    t_hist = now_seconds() - t_hist;
    int n_views = 0;
    for (int v = 0; v < VIEW_COUNT; v++)
        n_views += app_view_applies(a, v, NULL);
    long frames = a->lesson.n_steps * n_views;
    double *us = malloc((size_t)(frames ? frames : 1) * sizeof *us);
    if (!us) {
        term_done();
        return fprintf(stderr, "attnstep: %s\n", _("out of memory")), 1;
    }
    long k = 0;
    long bytes_before = ftell(screen_out); /* after the first frame, which is timed apart */
    for (int v = 0; v < VIEW_COUNT; v++) {
        a->view = (enum view)v;
        if (!app_view_applies(a, v, NULL))
            continue;
        for (long s = 0; s < a->lesson.n_steps; s++, k++) {
            double t0 = now_seconds();
            app_goto(a, s);
            app_draw(a);
            refresh();
            us[k] = (now_seconds() - t0) * 1e6;
            if (term_stop_signal) {
                term_done();
                free(us);
                return 128 + term_stop_signal;
            }
        }
    }
    fflush(screen_out);
    long bytes = ftell(screen_out) - bytes_before;
    double sum = 0;
    for (long i = 0; i < frames; i++)
        sum += us[i];
    qsort(us, (size_t)frames, sizeof *us, cmp_double);
    long p99 = (long)ceil(0.99 * (double)frames) - 1;
    /* The generation view of a language model: frames at the prompt, then at
     * BENCH_GEN_TOKENS tokens (the prompt and greedy words, past <eos> if need
     * be), each frame computing the bars' distribution again. */
    double gen_us[2][3] = {{0}};
    int gen_n[2] = {0, 0};
    int gen = app_view_applies(a, VIEW_GENERATE, NULL);
    if (gen) {
        a->view = VIEW_GENERATE;
        app_goto(a, 0);
        double *ft = malloc(BENCH_GEN_FRAMES * sizeof *ft);
        for (int pass = 0; ft && pass < 2; pass++) {
            gen_n[pass] = view_generate_fill(a, pass ? BENCH_GEN_TOKENS : 0);
            if (gen_n[pass] < 0) {
                gen = 0;
                break;
            }
            double total = 0;
            for (int f = 0; f < BENCH_GEN_FRAMES; f++) {
                double t0 = now_seconds();
                view_generate_touch(a);
                app_draw(a);
                refresh();
                ft[f] = (now_seconds() - t0) * 1e6;
                total += ft[f];
            }
            qsort(ft, BENCH_GEN_FRAMES, sizeof *ft, cmp_double);
            gen_us[pass][0] = total / BENCH_GEN_FRAMES;
            gen_us[pass][1] = ft[(int)ceil(0.99 * BENCH_GEN_FRAMES) - 1];
            gen_us[pass][2] = ft[BENCH_GEN_FRAMES - 1];
        }
        gen = gen && ft;
        free(ft);
    }
    term_done();
    /* TRANSLATORS: --bench's report: the screen size, the sentence's tokens,
       the model's width and heads, how much each step shows (stage, row or
       cell), and how many views were rendered (those that apply to the model). */
    fprintf(out,
            ngettext("bench: %d×%d, %d tokens, d_model %d, %d heads, %s steps, %d view\n",
                     "bench: %d×%d, %d tokens, d_model %d, %d heads, %s steps, %d views\n", (unsigned long)n_views),
            w, h, a->trace.N, a->trace.D, a->trace.H, _(narration_granularity(a->gran)), n_views);
    /* TRANSLATORS: --bench's figures: frames drawn, mean, 99th percentile and
       largest time per frame, bytes written per frame. */
    fprintf(out, _("frames %ld  mean %.1f µs  p99 %.1f µs  max %.1f µs  bytes/frame %.0f\n"), frames, sum / frames,
            us[p99 < 0 ? 0 : p99], us[frames - 1], (double)bytes / frames);
    /* TRANSLATORS: --bench's start-up figure: milliseconds from the start of the program to its first frame
       drawn (the model read, the sentence traced, the screen drawn once). */
    fprintf(out, FMT(_("first frame %.1f ms after start (model read and traced)\n")), first_ms);
    if (pending)
        /* TRANSLATORS: --bench: the training snapshots (read when the training view first opens, not at
           start-up): how many, and the milliseconds reading them took. */
        fprintf(out, FMT(ngettext("training snapshots: %d read in %.1f ms, when the training view first opens\n",
                                  "training snapshots: %d read in %.1f ms, when the training view first opens\n",
                                  (unsigned long)a->hist.n_snapshots)),
                a->hist.n_snapshots, t_hist * 1e3);
    for (int pass = 0; gen && pass < 2; pass++)
        /* TRANSLATORS: --bench's figures for the generation view: the tokens in the sequence (the prompt,
           or the prompt and greedy tokens, past <eos> if need be), the frames drawn, mean, 99th percentile and
           largest time per frame. */
        fprintf(out, FMT(_("generation view at %d tokens: frames %d  mean %.1f µs  p99 %.1f µs  max %.1f µs\n")),
                gen_n[pass], BENCH_GEN_FRAMES, gen_us[pass][0], gen_us[pass][1], gen_us[pass][2]);
    bench_recurrent(a->trace.model, out);
    free(us);
    return 0;
}
