/* The pipeline view: the stage's operands and result side by side, the
 * current cell with the operand row and column that produce it, the formula
 * with its real numbers and the stage's explanation. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attnstep/i18n.h"
#include "attnstep/narration.h"
#include "attnstep/utf8.h"
#include "theme.h"

static void set_panel(struct app *a, struct panel *p, enum matrix_id m, int head, const char *title)
{
    memset(p, 0, sizeof *p);
    p->matrix = m;
    p->head = head;
    p->view = lesson_matrix(&a->lesson, m, head);
    p->lesson = &a->lesson;
    p->step = a->step;
    p->token_w = a->token_w;
    snprintf(p->title, sizeof p->title, "%s", title);
    if (m == MAT_WEIGHTS) {
        p->lo = 0;
        p->hi = 1;
    } else if (m != MAT_TOKENS) {
        app_range(a, m, head, &p->lo, &p->hi);
    }
}

/* A column slice of a weight matrix: the columns head h uses. */
static void slice_columns(struct panel *p, int off, int cols)
{
    p->view.data += off;
    p->view.cols = cols;
    p->col_offset = off;
}

/* The panels of a stage, operands first, result last; ops[] gets the sign
 * drawn before each panel. Returns how many. */
static int stage_panels(struct app *a, int stage, struct panel *out, const char **ops)
{
    const struct lesson_stage *s = &a->lesson.stages[stage];
    const struct trace *t = &a->trace;
    int h = s->head, n = 0;
    char title[64];
    static const char *const wname[] = {"W_Q", "W_K", "W_V"};
    switch (s->kind) {
    case STAGE_TOKENS:
        /* TRANSLATORS: panel titles in the pipeline view, above a matrix
           (or the token list) as wide as its columns: keep them short.
           Symbols (e, p, x, h, Y) stay. */
        set_panel(a, &out[n], MAT_TOKENS, -1, a->lesson.n_words ? _("words → pieces → vocabulary rows")
                                                                : _("tokens → vocabulary rows"));
        ops[n++] = "";
        break;
    case STAGE_EMBED:
        break;
    case STAGE_POSITIONAL:
        break;
    case STAGE_X:
        set_panel(a, &out[n], MAT_EMBED, -1, _("e (embeddings)"));
        ops[n++] = "";
        if (t->model->positional) {
            set_panel(a, &out[n], MAT_PE, -1, _("p (positions)"));
            ops[n++] = "+";
        }
        break;
    case STAGE_Q: case STAGE_K: case STAGE_V: {
        int k = (int)(s->kind - STAGE_Q);
        set_panel(a, &out[n], MAT_X, -1, "x");
        ops[n++] = "";
        /* both ends, as the formula writes them: "0…7" (Python's "0:8" reads as including 8) */
        snprintf(title, sizeof title, "%s[:,%d%s%d]", wname[k], h * t->DK, widgets_utf8 ? "…" : "..",
                 (h + 1) * t->DK - 1);
        set_panel(a, &out[n], (enum matrix_id)(MAT_WQ + k), -1, title);
        slice_columns(&out[n], h * t->DK, t->DK);
        ops[n++] = "·";
        break;
    }
    case STAGE_SCORES:
        set_panel(a, &out[n], MAT_Q, h, "Q");
        ops[n++] = "";
        set_panel(a, &out[n], MAT_K, h, "Kᵀ");
        out[n].transpose = 1;
        ops[n++] = "·";
        break;
    case STAGE_SCALED:
        set_panel(a, &out[n], MAT_SCORES, h, "S");
        ops[n++] = "";
        break;
    case STAGE_MASKED:
        set_panel(a, &out[n], MAT_SCALED, h, "S'");
        ops[n++] = "";
        break;
    case STAGE_WEIGHTS:
        set_panel(a, &out[n], t->causal ? MAT_MASKED : MAT_SCALED, h, t->causal ? "M" : "S'");
        ops[n++] = "";
        break;
    case STAGE_HEAD_OUT:
        set_panel(a, &out[n], MAT_WEIGHTS, h, "A");
        ops[n++] = "";
        set_panel(a, &out[n], MAT_V, h, "V");
        ops[n++] = "·";
        break;
    case STAGE_CONCAT:
        break;
    case STAGE_OUTPUT:
        set_panel(a, &out[n], MAT_CONCAT, -1, "C");
        ops[n++] = "";
        set_panel(a, &out[n], MAT_WO, -1, "W_O");
        ops[n++] = "·";
        break;
    case STAGE_RNN_INPUT: case STAGE_LSTM_INPUT: case STAGE_INFLUENCE:
        break;
    case STAGE_RNN_PRE: case STAGE_LSTM_GATES: {
        int rnn = s->kind == STAGE_RNN_PRE;
        set_panel(a, &out[n], MAT_EMBED, -1, "e");
        ops[n++] = "";
        set_panel(a, &out[n], rnn ? MAT_RNN_WX : MAT_LSTM_WX, -1, rnn ? "W_xh" : "W_x");
        ops[n++] = "·";
        set_panel(a, &out[n], rnn ? MAT_RNN_H : MAT_LSTM_H, -1, _("h (so far)"));
        ops[n++] = "+";
        set_panel(a, &out[n], rnn ? MAT_RNN_WH : MAT_LSTM_WH, -1, rnn ? "W_hh" : "W_h");
        ops[n++] = "·";
        break;
    }
    case STAGE_RNN_H:
        set_panel(a, &out[n], MAT_RNN_PRE, -1, "a");
        ops[n++] = "";
        break;
    case STAGE_LSTM_C:
        set_panel(a, &out[n], MAT_LSTM_GATES, -1, _("gates"));
        ops[n++] = "";
        break;
    case STAGE_LSTM_H:
        set_panel(a, &out[n], MAT_LSTM_GATES, -1, _("gates"));
        ops[n++] = "";
        set_panel(a, &out[n], MAT_LSTM_C, -1, "c");
        ops[n++] = "";
        break;
    case STAGE_RESIDUAL1:
        set_panel(a, &out[n], MAT_X, -1, "x");
        ops[n++] = "";
        set_panel(a, &out[n], MAT_OUTPUT, -1, _("Y (attention)"));
        ops[n++] = "+";
        break;
    case STAGE_NORM1: case STAGE_NORM2:
        set_panel(a, &out[n], s->kind == STAGE_NORM1 ? MAT_RESIDUAL1 : MAT_RESIDUAL2, -1,
                  s->kind == STAGE_NORM1 ? "r1" : "r2");
        ops[n++] = "";
        break;
    case STAGE_FFN_HIDDEN:
        set_panel(a, &out[n], MAT_NORM1, -1, "n1");
        ops[n++] = "";
        set_panel(a, &out[n], MAT_W_FF1, -1, "W_ff1");
        ops[n++] = "·";
        break;
    case STAGE_FFN_OUTPUT:
        set_panel(a, &out[n], MAT_FFN_HIDDEN, -1, "ff1");
        ops[n++] = "";
        set_panel(a, &out[n], MAT_W_FF2, -1, "W_ff2");
        ops[n++] = "·";
        break;
    case STAGE_RESIDUAL2:
        set_panel(a, &out[n], MAT_NORM1, -1, "n1");
        ops[n++] = "";
        set_panel(a, &out[n], MAT_FFN_OUTPUT, -1, "ff2");
        ops[n++] = "+";
        break;
    case STAGE_POOLED:
        set_panel(a, &out[n], MAT_NORM2, -1, "n2");
        ops[n++] = "";
        break;
    case STAGE_LOGITS:
        set_panel(a, &out[n], MAT_POOLED, -1, _("pooled"));
        ops[n++] = "";
        set_panel(a, &out[n], MAT_W_CLS, -1, "W_cls");
        ops[n++] = "·";
        break;
    case STAGE_PROBS:
        set_panel(a, &out[n], MAT_LOGITS, -1, _("logits"));
        ops[n++] = "";
        break;
    case STAGE_LM_LOGITS:
        set_panel(a, &out[n], MAT_NORM2, -1, "n2");
        ops[n++] = "";
        set_panel(a, &out[n], MAT_W_LM, -1, "W_lm");
        ops[n++] = "·";
        break;
    case STAGE_LM_PROBS:
        set_panel(a, &out[n], MAT_LM_LOGITS, -1, _("logits"));
        ops[n++] = "";
        break;
    case STAGE_LM_CHOICE:
        set_panel(a, &out[n], MAT_NEXT_PROBS, -1, "P");
        ops[n++] = "";
        break;
    case STAGE_KIND_COUNT:
        break;
    }
    if (s->kind != STAGE_TOKENS) {
        enum matrix_id rm = lesson_result(s->kind);
        const char *sym = lesson_matrix_symbol(rm);
        snprintf(title, sizeof title, "%s", sym);
        set_panel(a, &out[n], rm, h, title);
        ops[n] = n ? "=" : "";
        n++;
    }
    struct panel *res = &out[n - 1];
    /* Marks: the revealed cell or row, and the operand rows/columns it reads. */
    struct lesson_pos pos = lesson_at(&a->lesson, a->step);
    if (a->gran != GRAN_STAGE) {
        res->has_cur = 1;
        res->cur_row = pos.row;
        res->cur_col = pos.col;
        struct lesson_operand op[LESSON_MAX_OPERANDS];
        int nop = lesson_operands(&a->lesson, pos, op);
        for (int i = 0; i < nop; i++)
            for (int k = 0; k < n - 1; k++) {
                struct panel *p = &out[k];
                if (p->matrix != op[i].matrix || (op[i].head >= 0 && p->head != op[i].head))
                    continue;
                if (op[i].row < 0 && op[i].col < 0)
                    continue;
                p->has_op = 1;
                p->op_row = op[i].row;
                p->op_col = op[i].col < 0 ? -1 : op[i].col - p->col_offset;
            }
    }
    return n;
}

/* Stage s on the lesson's map: its label, the separator before it and its
 * attribute (done in normal text, the current one marked, the rest dim).
 * Heads other than the current one fold into "h2". Returns 0 for a stage
 * folded away. */
static int map_item(const struct app *a, int s, int current, int fold, char *label, size_t size, const char **sep,
                    attr_t *at)
{
    const struct lesson *l = &a->lesson;
    const struct lesson_stage *st = &l->stages[s];
    int cur_head = l->stages[current].head;
    int folded = fold && st->head >= 0 && st->head != cur_head;
    if (folded && st->kind != STAGE_Q)
        return 0;
    if (folded)
        snprintf(label, size, "h%d", st->head + 1);
    else
        /* TRANSLATORS: the first item of the lesson's map under the heading
           ("tokens › e › p › x › …"); the others are matrix symbols. */
        snprintf(label, size, "%s", st->kind == STAGE_TOKENS ? _("tokens") : lesson_matrix_symbol(lesson_result(st->kind)));
    *sep = s == 0 ? "" : (st->head >= 0 && st->kind != STAGE_Q) ? " " : " › ";
    int done = folded ? st->head < cur_head : s < current;
    *at = s == current ? theme_attr(ROLE_CURRENT) : done ? theme_attr(ROLE_NORMAL) : theme_attr(ROLE_DIM);
    return 1;
}

/* Cells the map takes from stage s0 to s1 (exclusive). */
static int map_width(const struct app *a, int s0, int s1, int current, int fold)
{
    int used = 0;
    for (int s = s0; s < s1; s++) {
        char label[64];
        const char *sep;
        attr_t at;
        if (map_item(a, s, current, fold, label, sizeof label, &sep, &at))
            used += utf8_width(sep) + utf8_width(label);
    }
    return used;
}

/* One line that maps the whole lesson. When it does not fit even with the
 * other heads folded, it shows a stretch around the current stage, with "…"
 * where stages are left out. */
static void draw_roadmap(struct app *a, int y, int x, int w, int current)
{
    int n = a->lesson.n_stages;
    int fold = map_width(a, 0, n, current, 0) > w;
    int s0 = 0, more = map_width(a, 0, n, current, fold) > w;
    if (more) /* the current stage in the first two thirds, after "…" */
        while (s0 < current && 1 + map_width(a, s0, current + 1, current, fold) > w * 2 / 3)
            s0++;
    int used = 0;
    if (s0 > 0)
        used += draw_text(y, x, w, "…", theme_attr(ROLE_DIM));
    for (int s = s0; s < n; s++) {
        char label[64];
        const char *sep;
        attr_t at;
        if (!map_item(a, s, current, fold, label, sizeof label, &sep, &at))
            continue;
        int need = utf8_width(sep) + utf8_width(label);
        if (more && used + need > w - 2) { /* room for " …" */
            draw_text(y, x + used, w - used, " …", theme_attr(ROLE_DIM));
            break;
        }
        used += draw_text(y, x + used, w - used, sep, theme_attr(ROLE_DIM));
        used += draw_text(y, x + used, w - used, label, at);
    }
}

void view_pipeline_draw(struct app *a, int y, int h)
{
    struct lesson_pos pos = lesson_at(&a->lesson, a->step);
    const struct lesson_stage *s = &a->lesson.stages[pos.stage];
    const struct stage_text *txt = narration_stage(s->kind);
    const char *explain = narration_explain(&a->lesson, pos.stage);
    char line[512], formula[4096];
    int W = COLS;

    /* Heading. */
    /* TRANSLATORS: the pipeline view's heading: stage k of K and the stage's
       title; a head's stage adds " · head h of H". Cut with "…" when wider
       than the screen. */
    int n = snprintf(line, sizeof line, _("── Stage %d/%d · %s"), pos.stage + 1, a->lesson.n_stages, _(txt->title));
    if (s->head >= 0 && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, _(" · head %d of %d"), s->head + 1, a->trace.H);
    draw_heading(y, line);

    draw_roadmap(a, y + 1, 2, W - 4, pos.stage);

    /* Text below the panels: formula first, it is what the step is about. */
    lesson_formula(&a->lesson, pos, formula, sizeof formula);
    edit_mode_formula(a, formula, sizeof formula);
    int fl = wrapped_lines(W - 4, formula);
    if (fl > 3)
        fl = 3;
    int el = wrapped_lines(W - 4, explain);
    if (el > 4)
        el = 4;
    int avail = h - 3;
    while (avail - (fl + 1 + el + 1) < 5 && el > 0)
        el--;
    int ph = avail - (fl + 1 + (el ? el + 1 : 0));

    /* Panels: the widest cells that fit, the result's numbers before the
     * operands'; else colour cells everywhere and panning. */
    struct panel panels[APP_MAX_PANELS];
    const char *ops[APP_MAX_PANELS];
    int np = stage_panels(a, pos.stage, panels, ops);
    edit_mode_panels(a, panels, np);
    static const enum cell_mode choices[][2] = { /* {operands, result} */
        {CELL_FULL, CELL_FULL}, {CELL_COMPACT, CELL_FULL}, {CELL_COMPACT, CELL_COMPACT},
        {CELL_TIGHT, CELL_COMPACT}, {CELL_TIGHT, CELL_TIGHT}, {CELL_HEAT, CELL_FULL},
        {CELL_HEAT, CELL_COMPACT}, {CELL_HEAT, CELL_TIGHT}, {CELL_HEAT, CELL_HEAT},
    };
    int nchoices = (int)(sizeof choices / sizeof choices[0]);
    enum cell_mode modes[APP_MAX_PANELS];
    int widths[APP_MAX_PANELS], tallest = 0, fits = 0;
    for (int c = 0; c < nchoices && !fits; c++) {
        int total = 0;
        tallest = 0;
        for (int i = 0; i < np; i++) {
            int pw, phh;
            modes[i] = choices[c][i == np - 1];
            panel_size(&panels[i], modes[i], &pw, &phh);
            widths[i] = pw;
            total += pw + (i ? 3 : 0);
            tallest = phh > tallest ? phh : tallest;
        }
        fits = total <= W - 2;
    }
    if (!fits) { /* nothing fits whole: share the width, pan */
        int share = (W - 2 - 3 * (np - 1)) / np;
        for (int i = 0; i < np; i++)
            widths[i] = share;
    }
    if (tallest > ph)
        tallest = ph;
    a->n_hits = 0;
    int x = 1;
    for (int i = 0; i < np; i++) {
        if (i) {
            draw_text(y + 3 + tallest / 2, x + 1, 1, ops[i], theme_attr(ROLE_HEADER));
            x += 3;
        }
        struct app_hit *hit = &a->hits[a->n_hits++];
        panel_draw(&panels[i], modes[i], y + 3, x, widths[i], tallest, a->pan_r, a->pan_c, &hit->at);
        hit->matrix = panels[i].matrix;
        hit->head = panels[i].head;
        hit->transpose = panels[i].transpose;
        hit->col_offset = panels[i].col_offset;
        x += widths[i];
    }
    for (int i = np - 1; i >= 0; i--) /* one legend: the rightmost panel in colour */
        if (modes[i] == CELL_HEAT) {
            draw_legend(y + 3 + tallest, W / 2, W / 2 - 2, panels[i].lo, panels[i].hi);
            break;
        }
    int ty = y + 3 + tallest + 1;
    draw_wrapped(ty, 2, W - 4, fl, formula, theme_attr(ROLE_FORMULA));
    if (el)
        draw_wrapped(ty + fl + 1, 2, W - 4, el, explain, theme_attr(ROLE_NORMAL));
    /* The first screen says how to begin; everything else is in the status line and '?'.
     * Whole hints only, as many as fit. */
    if (a->step == 0 && ty + fl + el + 2 <= y + h) {
        /* TRANSLATORS: hints on the first screen's bottom line, "KEY: what";
           dropped from the right when the line is full, so the first ones
           matter most. */
        static const char *const hints[] = {N_("→ or space: next step"), N_("←: back"), N_("Tab: more or less detail"),
                                            N_("v: heatmap"), N_("?: all keys")};
        int hx = 2;
        for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
            const char *hint = _(hints[i]);
            int need = (i ? 4 : 0) + utf8_width(hint);
            if (hx + need > W - 2)
                break;
            hx += draw_text(y + h - 1, hx + (i ? 4 : 0), W - 2 - hx, hint, theme_attr(ROLE_KEY)) + (i ? 4 : 0);
        }
    }
}
