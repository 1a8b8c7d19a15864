/* What-if edits in the screen: select a weight with a cell cursor, type a new
 * value, and see every number downstream recomputed, the changed ones marked
 * with the size of their change; u undoes the last edit, U all. The edit goes
 * through bundle_edit(), the code --set uses, on the app's own copy of the
 * model; undo replays the remaining edits on a fresh copy, so it is exact. */
#include "edit_mode.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attnstep/edit.h"
#include "attnstep/i18n.h"
#include "attnstep/utf8.h"
#include "theme.h"

/* The editable panels the last frame showed, and their bounds. */
static struct avail {
    enum matrix_id m;
    int off, rows, cols;
} avail[APP_MAX_PANELS];
static int n_avail;

/* The file stem --set names matrix m by, or NULL when m is not a weight of
 * the model (MAT_EMBED is written vocab[TOKEN,COL] instead). */
static const char *stem(enum matrix_id m, char *buf, size_t size)
{
    const char *file = NULL;
    switch (m) {
    case MAT_WQ: case MAT_WK: case MAT_WV: case MAT_WO: file = bundle_w_file[m - MAT_WQ]; break;
    case MAT_RNN_WX: file = bundle_rec_wx_file[BUNDLE_RNN]; break;
    case MAT_RNN_WH: file = bundle_rec_wh_file[BUNDLE_RNN]; break;
    case MAT_LSTM_WX: file = bundle_rec_wx_file[BUNDLE_LSTM]; break;
    case MAT_LSTM_WH: file = bundle_rec_wh_file[BUNDLE_LSTM]; break;
    case MAT_W_FF1: file = "w_ff1.csv"; break;
    case MAT_W_FF2: file = "w_ff2.csv"; break;
    case MAT_W_CLS: file = "w_cls.csv"; break;
    case MAT_W_LM: file = BUNDLE_W_LM_FILE; break;
    default: return NULL;
    }
    const char *dot = strrchr(file, '.');
    snprintf(buf, size, "%.*s", (int)(dot ? dot - file : (long)strlen(file)), file);
    return buf;
}

static int editable(enum matrix_id m)
{
    char buf[32];
    return m == MAT_EMBED || stem(m, buf, sizeof buf) != NULL;
}

/* "w_q[2,10]" or "vocab[good,3]": the cell as --set writes it. */
static void cell_name(const struct app *a, enum matrix_id m, int row, int col, char *out, size_t size)
{
    char buf[32];
    if (m == MAT_EMBED)
        snprintf(out, size, "vocab[%s,%d]", a->model->vocab[a->trace.ids[row]], col);
    else
        snprintf(out, size, "%s[%d,%d]", stem(m, buf, sizeof buf), row, col);
}

/* The selected cell's value in the model the screen shows. */
static double cell_value(const struct app *a, enum matrix_id m, int row, int col)
{
    struct matview v = lesson_matrix(&a->lesson, m, -1);
    return v.data[(size_t)row * v.stride + (size_t)col];
}

/* The unedited model's matrix m of head, or data NULL when there is none or
 * it is not the same shape as the edited one. */
static struct matview base_matrix(const struct app *a, enum matrix_id m, int head)
{
    struct matview none = {0};
    if (!a->edit.has_base || m == MAT_TOKENS || m == MAT_INFLUENCE)
        return none;
    struct matview b = lesson_matrix(&a->edit.base_lesson, m, head), v = lesson_matrix(&a->lesson, m, head);
    if (!b.data || !v.data || b.rows != v.rows || b.cols != v.cols || b.stride != v.stride)
        return none;
    return b;
}

static int differs(double v, double b)
{
    return v < b || v > b; /* NaN and NaN, inf and inf: the same */
}

/* ---- state ------------------------------------------------------------- */

static void drop_base(struct edit_state *e)
{
    if (e->has_base) {
        lesson_free(&e->base_lesson);
        trace_free(&e->base);
        e->has_base = 0;
    }
}

void edit_mode_rebase(struct app *a)
{
    struct edit_state *e = &a->edit;
    drop_base(e);
    if (!e->n)
        return;
    struct error err;
    if (trace_build(&e->base, e->original, a->sentence, a->causal, &err))
        return; /* the edited model built the same sentence: this does not fail in practice; no marks then */
    if (lesson_init(&e->base_lesson, &e->base, a->lesson_model, a->gran, &err)) {
        trace_free(&e->base);
        return;
    }
    e->has_base = 1;
}

void edit_mode_free(struct app *a)
{
    struct edit_state *e = &a->edit;
    drop_base(e);
    if (e->clone) {
        if (a->model == e->clone) /* no pointer to freed memory left behind */
            a->model = e->original;
        bundle_free(e->clone);
        free(e->clone);
        e->clone = NULL;
    }
    free(e->edits);
    e->edits = NULL;
    e->n = 0;
}

void edit_mode_reset(struct app *a)
{
    edit_mode_free(a);
    a->edit.ui = EDIT_OFF;
    a->edit.original = NULL;
}

/* The first keep edits, then extra (or none), on a fresh copy of the original
 * model; the trace is rebuilt on it at the same step. On failure nothing
 * changes and err says why. */
static int replay(struct app *a, int keep, const char *extra, struct error *err)
{
    struct edit_state *e = &a->edit;
    struct bundle *b = NULL;
    if (keep > 0 || extra) {
        b = malloc(sizeof *b);
        if (!b)
            return error_set(err, "%s", _("out of memory"));
        if (bundle_clone(b, e->original, err)) {
            free(b);
            return -1;
        }
        for (int i = 0; i <= keep; i++) {
            const char *edit = i < keep ? e->edits[i] : extra;
            if (edit && bundle_edit(b, edit, err)) {
                bundle_free(b);
                free(b);
                return -1;
            }
        }
    }
    struct bundle *old = e->clone;
    int old_n = e->n;
    char old_last[EDIT_TEXT] = "";
    if (extra) {
        if (old_n > keep)
            snprintf(old_last, sizeof old_last, "%s", e->edits[keep]);
        snprintf(e->edits[keep], EDIT_TEXT, "%s", extra);
    }
    e->clone = b;
    e->n = keep + (extra ? 1 : 0);
    a->model = b ? b : e->original;
    if (app_rebuild(a, err)) { /* back to how it was */
        e->clone = old;
        e->n = old_n;
        if (extra && old_n > keep)
            snprintf(e->edits[keep], EDIT_TEXT, "%s", old_last);
        a->model = old ? old : e->original;
        if (b) {
            bundle_free(b);
            free(b);
        }
        return -1;
    }
    if (old) {
        bundle_free(old);
        free(old);
    }
    return 0;
}

/* Applies one edit as --set writes it, on top of the active ones. */
static void apply_edit(struct app *a, const char *edit)
{
    struct edit_state *e = &a->edit;
    if (e->n >= EDIT_MAX) {
        /* TRANSLATORS: %d is the most edits the screen keeps. */
        snprintf(a->message, sizeof a->message, _("not changed: %d edits at once is the most (u: undo one)"),
                 EDIT_MAX);
        return;
    }
    if (!e->edits && !(e->edits = calloc(EDIT_MAX, sizeof *e->edits))) {
        snprintf(a->message, sizeof a->message, "%s", _("out of memory"));
        return;
    }
    if (e->n == 0)
        e->original = a->model;
    struct error err;
    if (replay(a, e->n, edit, &err)) {
        /* TRANSLATORS: after a refused edit in the screen: the edit as --set
           writes it (w_q[2,10]=abc) and bundle_edit's reason; nothing changed. */
        snprintf(a->message, sizeof a->message, _("not changed: %s: %s"), edit, err.msg);
        return;
    }
    /* TRANSLATORS: after an edit in the screen: the edit as --set writes it. */
    snprintf(a->message, sizeof a->message, _("%s: computed again; the changed numbers are marked (u: undo)"), edit);
}

static void apply_input(struct app *a)
{
    struct edit_state *e = &a->edit;
    char name[128], edit[EDIT_TEXT];
    if (e->by_name) {
        e->ui = e->ui_before;
        apply_edit(a, e->input);
        return;
    }
    cell_name(a, e->matrix, e->row, e->col, name, sizeof name);
    snprintf(edit, sizeof edit, "%s=%.63s", name, e->input); /* a number: short */
    e->ui = EDIT_SELECT;
    apply_edit(a, edit);
}

static void undo(struct app *a, int all)
{
    struct edit_state *e = &a->edit;
    if (!e->n) {
        snprintf(a->message, sizeof a->message, "%s", all ? _("U: no edits to undo") : _("u: no edits to undo"));
        return;
    }
    char last[EDIT_TEXT];
    snprintf(last, sizeof last, "%s", e->edits[e->n - 1]);
    int n = e->n;
    struct error err;
    if (replay(a, all ? 0 : e->n - 1, NULL, &err)) {
        snprintf(a->message, sizeof a->message, "%.300s", err.msg);
        return;
    }
    if (all)
        /* TRANSLATORS: after U: how many edits were undone; the model is as loaded again. */
        snprintf(a->message, sizeof a->message, ngettext("undone: %d edit; the model is as it was loaded",
                                                         "undone: all %d edits; the model is as it was loaded",
                                                         (unsigned long)n), n);
    else
        /* TRANSLATORS: after u: the edit undone (as --set writes it) and how many are left. */
        snprintf(a->message, sizeof a->message, ngettext("undone: %s (%d edit left)", "undone: %s (%d edits left)",
                                                         (unsigned long)e->n), last, e->n);
}

/* ---- the cursor ---------------------------------------------------------- */

static int avail_of(enum matrix_id m)
{
    for (int i = 0; i < n_avail; i++)
        if (avail[i].m == m)
            return i;
    return -1;
}

/* Keeps the selection on a panel the stage shows and inside its bounds. */
static void clamp_selection(struct edit_state *e)
{
    if (!n_avail)
        return;
    int i = avail_of(e->matrix);
    if (i < 0) {
        i = 0;
        e->matrix = avail[0].m;
        e->row = 0;
        e->col = avail[0].off;
    }
    const struct avail *p = &avail[i];
    e->row = e->row < 0 ? 0 : e->row >= p->rows ? p->rows - 1 : e->row;
    if (e->col < p->off || e->col >= p->off + p->cols) /* another head's slice: the same place in this one */
        e->col = p->off + (e->col >= 0 ? e->col % p->cols : 0);
}

void edit_mode_panels(struct app *a, struct panel *panels, int n)
{
    struct edit_state *e = &a->edit;
    n_avail = 0;
    for (int i = 0; i < n; i++) {
        struct panel *p = &panels[i];
        if (editable(p->matrix) && !p->transpose && avail_of(p->matrix) < 0)
            avail[n_avail++] = (struct avail){p->matrix, p->col_offset, p->view.rows, p->view.cols};
        struct matview b = base_matrix(a, p->matrix, p->head);
        if (b.data) {
            b.data += p->col_offset;
            b.cols = p->view.cols;
            p->base = b;
        }
    }
    if (e->ui == EDIT_OFF)
        return;
    clamp_selection(e);
    for (int i = 0; i < n; i++) {
        struct panel *p = &panels[i];
        if (n_avail && p->matrix == e->matrix && !p->transpose) {
            p->has_sel = 1;
            p->sel_row = e->row;
            p->sel_col = e->col - p->col_offset;
            break;
        }
    }
}

static void move_cursor(struct app *a, int dr, int dc)
{
    struct edit_state *e = &a->edit;
    int i = avail_of(e->matrix);
    if (i < 0)
        return;
    const struct avail *p = &avail[i];
    int r = e->row + dr, c = e->col + dc;
    if (r >= 0 && r < p->rows)
        e->row = r;
    if (c >= p->off && c < p->off + p->cols)
        e->col = c;
}

static void next_panel(struct app *a, int dir)
{
    struct edit_state *e = &a->edit;
    if (n_avail < 2) {
        if (n_avail == 1)
            snprintf(a->message, sizeof a->message, "%s", _("this stage shows one matrix to edit"));
        return;
    }
    int i = (avail_of(e->matrix) + dir + n_avail) % n_avail;
    e->matrix = avail[i].m;
    clamp_selection(e);
}

int edit_mode_click(struct app *a, enum matrix_id m, int row, int col)
{
    if (!editable(m) || a->view != VIEW_PIPELINE)
        return 0;
    struct edit_state *e = &a->edit;
    e->ui = EDIT_SELECT;
    e->matrix = m;
    e->row = row;
    e->col = col;
    return 1;
}

/* ---- keys ---------------------------------------------------------------- */

static void open_editor(struct app *a)
{
    struct edit_state *e = &a->edit;
    if (!n_avail || avail_of(e->matrix) < 0)
        return;
    snprintf(e->input, sizeof e->input, "%.6g", cell_value(a, e->matrix, e->row, e->col));
    e->prefilled = 1;
    e->by_name = 0;
    e->ui = EDIT_TYPING;
}

/* E: an editor for a whole edit, for what has no panel to select (biases, norms). */
static void open_by_name(struct app *a)
{
    struct edit_state *e = &a->edit;
    e->input[0] = '\0';
    e->prefilled = 0;
    e->by_name = 1;
    e->ui_before = e->ui;
    e->ui = EDIT_TYPING;
}

static int typing_key(struct app *a, int key)
{
    struct edit_state *e = &a->edit;
    size_t len = strlen(e->input);
    switch (key) {
    case 27: e->ui = e->by_name ? e->ui_before : EDIT_SELECT; return 1;
    case '\n': case '\r': case KEY_ENTER: apply_input(a); return 1;
    case KEY_BACKSPACE: case 127: case 8:
        e->prefilled = 0;
        if (len)
            e->input[len - 1] = '\0';
        return 1;
    default:
        if ((key > ' ' && key < 127) || (e->by_name && key >= 128 && key < 256)) { /* a token may be Korean */
            if (e->prefilled)
                e->input[len = 0] = '\0';
            e->prefilled = 0;
            if (len + 1 < sizeof e->input) {
                e->input[len] = (char)key;
                e->input[len + 1] = '\0';
            }
        } else if (key >= 128 && key < 256) {
            snprintf(a->message, sizeof a->message, "%s", _("attnstep's keys are Latin letters: switch the keyboard "
                     "to English input (? lists the keys)"));
        }
        return 1; /* everything else waits until the editor is closed */
    }
}

int edit_mode_key(struct app *a, int key)
{
    struct edit_state *e = &a->edit;
    if (e->ui == EDIT_TYPING)
        return typing_key(a, key);
    if (key == 'u' || key == 'U') {
        undo(a, key == 'U');
        return 1;
    }
    if (key == 'E') {
        open_by_name(a);
        return 1;
    }
    if (e->ui == EDIT_SELECT && a->view != VIEW_PIPELINE)
        e->ui = EDIT_OFF;
    if (key == 'e' && e->ui == EDIT_OFF) {
        if (a->view == VIEW_HEATMAP)
            snprintf(a->message, sizeof a->message, "%s", _("e: the heatmap's cells are attention weights the model "
                     "computes, not numbers stored in the model; e edits a weight in the pipeline (v), e.g. W_Q at a "
                     "Queries stage"));
        else if (a->view != VIEW_PIPELINE)
            snprintf(a->message, sizeof a->message, "%s", _("e: weights are edited in the pipeline (v)"));
        else if (!n_avail)
            snprintf(a->message, sizeof a->message, "%s", _("e: this stage shows no weight of the model; ] [ lead "
                     "to one that does: x (the embeddings e), Queries, Keys, Values (W_Q, W_K, W_V), Output (W_O), "
                     "and the feed-forward and logits (W_ff1, W_ff2, W_cls) where the model has them"));
        else {
            e->ui = EDIT_SELECT;
            clamp_selection(e);
        }
        return 1;
    }
    if (e->ui != EDIT_SELECT)
        return 0;
    switch (key) {
    case KEY_UP: move_cursor(a, -1, 0); return 1;
    case KEY_DOWN: move_cursor(a, 1, 0); return 1;
    case KEY_LEFT: move_cursor(a, 0, -1); return 1;
    case KEY_RIGHT: move_cursor(a, 0, 1); return 1;
    case '\t': case '>': case '.': next_panel(a, 1); return 1;
    case KEY_BTAB: case '<': case ',': next_panel(a, -1); return 1;
    case 'e': case '\n': case '\r': case KEY_ENTER: open_editor(a); return 1;
    case 27: e->ui = EDIT_OFF; return 1;
    default: return 0; /* the other keys work as always (] [ step through the stages) */
    }
}

/* ---- what changed -------------------------------------------------------- */

/* "  (Δ +0.13 from the unedited model)" for one number, or the largest change
 * of several; "" when nothing changed. */
static void delta_text(double d, int one, char *out, size_t size)
{
    out[0] = '\0';
    if (!(d < 0 || d > 0))
        return;
    if (one)
        /* TRANSLATORS: appended to a formula or a value: how much this number
           changed with the edits; %+.4g is the signed change (+0.1300). */
        snprintf(out, size, _("  (Δ %+.4g from the unedited model)"), d);
    else
        /* TRANSLATORS: appended to a formula that shows a row or a whole
           matrix: the largest change of its numbers with the edits. */
        snprintf(out, size, _("  (Δ up to ±%.4g from the unedited model)"), d);
}

void edit_mode_formula(struct app *a, char *formula, size_t size)
{
    if (!a->edit.has_base)
        return;
    struct lesson_pos pos = lesson_at(&a->lesson, a->step);
    const struct lesson_stage *st = &a->lesson.stages[pos.stage];
    if (st->kind == STAGE_TOKENS)
        return;
    enum matrix_id m = lesson_result(st->kind);
    struct matview v = lesson_matrix(&a->lesson, m, st->head), b = base_matrix(a, m, st->head);
    if (!b.data)
        return;
    int r0 = pos.row >= 0 ? pos.row : 0, r1 = pos.row >= 0 ? pos.row + 1 : v.rows;
    int c0 = pos.col >= 0 ? pos.col : 0, c1 = pos.col >= 0 ? pos.col + 1 : v.cols;
    double big = 0, signed_d = 0;
    for (int r = r0; r < r1 && r < v.rows; r++)
        for (int c = c0; c < c1 && c < v.cols; c++) {
            double x = v.data[(size_t)r * v.stride + (size_t)c], y = b.data[(size_t)r * b.stride + (size_t)c];
            if (isfinite(x) && isfinite(y) && fabs(x - y) > big) {
                big = fabs(x - y);
                signed_d = x - y;
            }
        }
    char d[160];
    int one = r1 - r0 == 1 && c1 - c0 == 1;
    delta_text(one ? signed_d : big, one, d, sizeof d);
    size_t len = strlen(formula);
    snprintf(formula + len, size - len, "%s", d);
}

/* The unedited model's heatmap value, as the heatmap computes it. */
static int heat_base(const struct app *a, enum matrix_id m, int head, int i, int j, double *out)
{
    int h0 = head < 0 ? 0 : head, h1 = head < 0 ? a->trace.H : head + 1;
    if (h1 - h0 > 16)
        h1 = h0 + 16;
    double sum = 0;
    for (int h = h0; h < h1; h++) {
        struct matview b = base_matrix(a, m, h);
        if (!b.data)
            return 0;
        sum += b.data[(size_t)i * b.stride + (size_t)j];
    }
    *out = sum / (h1 - h0);
    return 1;
}

int edit_mode_heat_changed(const struct app *a, enum matrix_id m, int head, int i, int j, double v)
{
    double b;
    return a->edit.has_base && heat_base(a, m, head, i, j, &b) && differs(v, b);
}

void edit_mode_heat_line(const struct app *a, enum matrix_id m, int head, int i, int j, double v, char *line,
                         size_t size)
{
    double b;
    if (!a->edit.has_base || !heat_base(a, m, head, i, j, &b) || !differs(v, b) || !isfinite(v) || !isfinite(b))
        return;
    char d[160];
    delta_text(v - b, 1, d, sizeof d);
    size_t len = strlen(line);
    snprintf(line + len, size - len, "%s", d);
}

/* ---- drawing ------------------------------------------------------------- */

static void edits_text(const struct app *a, char *out, size_t size)
{
    /* TRANSLATORS: status line item while what-if edits are active: how many. */
    snprintf(out, size, ngettext("%d edit", "%d edits", (unsigned long)a->edit.n), a->edit.n);
}

int edit_mode_status_width(const struct app *a)
{
    if (!a->edit.n)
        return 0;
    char t[64];
    edits_text(a, t, sizeof t);
    return utf8_width(t) + 2;
}

int edit_mode_status(const struct app *a, int y, int x, int after_bar)
{
    if (!a->edit.n)
        return 0;
    char t[64];
    edits_text(a, t, sizeof t);
    int used = draw_text(y, x, COLS - x, after_bar ? " " : "│ ", theme_attr(ROLE_STATUS));
    used += draw_text(y, x + used, COLS - x - used, t, theme_attr(ROLE_CHANGED));
    return used + (after_bar ? draw_text(y, x + used, COLS - x - used, " │", theme_attr(ROLE_STATUS)) : 0);
}

void edit_mode_draw(struct app *a)
{
    struct edit_state *e = &a->edit;
    if (e->ui == EDIT_SELECT && a->view != VIEW_PIPELINE)
        e->ui = EDIT_OFF;
    if (e->ui == EDIT_OFF || COLS < APP_MIN_W || LINES < APP_MIN_H || a->help)
        return;
    int y = LINES - 2;
    attr_t at = theme_attr(ROLE_KEY);
    char name[128], line[512];
    if (e->ui == EDIT_SELECT && a->message[0])
        return; /* the message says what just happened */
    draw_fill(y, 0, COLS, at);
    int x = 1 + draw_text(y, 1, 2, widgets_utf8 ? "▸" : ">", at) + 1;
    if (e->ui == EDIT_TYPING && e->by_name) {
        /* TRANSLATORS: the start of the line where E's edit is typed, as --set writes it. */
        x += draw_text(y, x, COLS - x - 1, _("edit: "), at);
        x += draw_text(y, x, COLS - x - 1, e->input, at);
        x += draw_text(y, x, COLS - x - 1, widgets_utf8 ? "▏" : "_", at);
        /* TRANSLATORS: after the edit being typed (E); the example keeps its
           --set form: a bias, row 0, column 3, set to 0.5. */
        draw_text_cut(y, x + 2, COLS - x - 3, _("e.g. b_q[0,3]=0.5 · Enter: apply · Esc: cancel"), at);
        return;
    }
    if (!n_avail || avail_of(e->matrix) < 0) {
        /* TRANSLATORS: the select mode's line above the status line at a
           stage without weights (64+ cells). */
        draw_text_cut(y, x, COLS - x - 1, _("no weight to edit at this stage (] [: another stage · Esc: done)"), at);
        return;
    }
    cell_name(a, e->matrix, e->row, e->col, name, sizeof name);
    if (e->ui == EDIT_TYPING) {
        x += draw_text(y, x, COLS - x - 1, name, at);
        x += draw_text(y, x, COLS - x - 1, " = ", at);
        x += draw_text(y, x, COLS - x - 1, e->input, e->prefilled ? at | A_REVERSE : at);
        x += draw_text(y, x, COLS - x - 1, widgets_utf8 ? "▏" : "_", at);
        /* TRANSLATORS: after the value being typed in the screen's editor. */
        draw_text_cut(y, x + 2, COLS - x - 3, _("Enter: apply · Esc: cancel"), at);
        return;
    }
    double v = cell_value(a, e->matrix, e->row, e->col);
    char val[32], d[160] = "";
    snprintf(val, sizeof val, "%.6g", v);
    struct matview bm = base_matrix(a, e->matrix, -1);
    if (bm.data) {
        double b = bm.data[(size_t)e->row * bm.stride + (size_t)e->col];
        if (differs(v, b))
            delta_text(v - b, 1, d, sizeof d);
    }
    /* TRANSLATORS: the select mode's line above the status line: the
       selected cell as --set names it, its value (and its change), then the
       keys; cut with "…" when wider than the screen. */
    snprintf(line, sizeof line, _("%s = %s%s · ↑↓←→ cell · Tab matrix · e edit · Esc done"), name, val, d);
    draw_text_cut(y, x, COLS - x - 1, line, at);
}
