/* The heatmap view: attention weights (or scaled scores) as a colour grid,
 * query tokens down the side, key tokens across, for one head or the mean of
 * all heads, filling in as the lesson reveals them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attnstep/i18n.h"
#include "attnstep/utf8.h"
#include "theme.h"

#define LABEL_MAX 10

/* What the grid shows: one head's matrix, or all heads' for their mean. */
struct heat_source {
    int h0, h1;
    int stage[16];          /* the stage computing each head's matrix (first 16 heads) */
    struct matview mv[16];
};

static void heat_source_init(struct heat_source *src, struct app *a, enum matrix_id m)
{
    src->h0 = a->head < 0 ? 0 : a->head;
    src->h1 = a->head < 0 ? a->trace.H : a->head + 1;
    if (src->h1 - src->h0 > 16)
        src->h1 = src->h0 + 16; /* the mean of the first 16 heads; models that wide are rare here */
    for (int h = src->h0; h < src->h1; h++) {
        src->stage[h - src->h0] = app_stage_of(a, m, h);
        src->mv[h - src->h0] = lesson_matrix(&a->lesson, m, h);
    }
}

/* Value and visibility of cell (i, j). */
static int heat_value(const struct heat_source *src, const struct app *a, int i, int j, double *v)
{
    double sum = 0;
    for (int k = 0; k < src->h1 - src->h0; k++) {
        /* Outside the attention lesson the weights are given, not computed. */
        if (src->stage[k] >= 0 && !lesson_revealed(&a->lesson, a->step, src->stage[k], i, j))
            return 0;
        sum += src->mv[k].data[(size_t)i * src->mv[k].stride + (size_t)j];
    }
    *v = sum / (src->h1 - src->h0);
    return 1;
}

static const char *token_label(const void *ctx, int i, char *buf)
{
    (void)buf;
    return ((const struct trace *)ctx)->tokens[i];
}

void view_heatmap_draw(struct app *a, int y, int h)
{
    const struct trace *t = &a->trace;
    enum matrix_id m = a->heat_scores ? (t->causal ? MAT_MASKED : MAT_SCALED) : MAT_WEIGHTS;
    int W = COLS, N = t->N;
    struct heat_source src;
    heat_source_init(&src, a, m);
    char line[512], num[32];
    double lo = 0, hi = 1;
    if (a->heat_scores) {
        lo = INFINITY;
        hi = -INFINITY;
        for (int hh = a->head < 0 ? 0 : a->head; hh < (a->head < 0 ? t->H : a->head + 1); hh++) {
            double l, u;
            app_range(a, m, hh, &l, &u);
            lo = l < lo ? l : lo;
            hi = u > hi ? u : hi;
        }
    }
    /* TRANSLATORS: what the heatmap shows, in its heading. */
    const char *what = a->heat_scores ? _("Scaled scores") : _("Attention weights");
    if (a->head < 0)
        /* TRANSLATORS: the heatmap's heading: what it shows, for the mean of all heads. */
        snprintf(line, sizeof line, ngettext("── %s · mean of %d head", "── %s · mean of %d heads", (unsigned long)t->H),
                 what, t->H);
    else
        /* TRANSLATORS: the heatmap's heading: what it shows, for head h of H. */
        snprintf(line, sizeof line, _("── %s · head %d of %d"), what, a->head + 1, t->H);
    draw_heading(y, line);
    /* TRANSLATORS: under the heatmap's heading, how to read the grid; cut
       with "…" when wider than the screen less 4 (60 cells at the minimum). */
    draw_text_cut(y + 1, 2, W - 4,
                  a->heat_scores ? _("row = a query word, column = a key word: how well the key answers the query")
                                 : _("row = a query word, column = a key word: how much of its attention it gives"),
                  theme_attr(ROLE_LABEL));

    /* Where the lesson is: the query row being computed, if any. */
    struct lesson_pos pos = lesson_at(&a->lesson, a->step);
    const struct lesson_stage *st = &a->lesson.stages[pos.stage];
    int computing = app_is_attention_stage(st->kind) && pos.row >= 0 ? pos.row : -1;

    int lw = a->token_w > LABEL_MAX ? LABEL_MAX : a->token_w;
    int gx = 2 + 2 + lw + 1; /* marker, label, gap */
    int avail_w = W - gx - 2;
    /* Cells wide enough for whole labels where there is room, else they
     * narrow down to 4 (a label of 3 cells), then the grid pans. */
    int cw = a->token_w + 1 > 6 ? (a->token_w + 1 > LABEL_MAX + 1 ? LABEL_MAX + 1 : a->token_w + 1) : 6;
    while (cw > 4 && N * cw > avail_w)
        cw--;
    int cols = avail_w / cw < N ? avail_w / cw : N;
    struct axis rowax, colax;
    axis_fit(&rowax, token_label, t, N, lw);
    axis_fit(&colax, token_label, t, N, cw - 1);
    int sel_r = a->sel_row < N ? a->sel_row : 0, sel_c = a->sel_col < N ? a->sel_col : 0;
    int c0 = cols < N ? sel_c - cols / 2 + a->pan_c : 0;
    c0 = c0 > N - cols ? N - cols : c0 < 0 ? 0 : c0;
    /* Numbered columns: the tokens they stand for, below the grid. */
    char legend[2048] = "";
    int legend_h = 0;
    if (colax.bare && cols > 0) {
        axis_legend(&colax, c0, c0 + cols, legend, sizeof legend);
        legend_h = wrapped_lines(W - 4, legend);
        legend_h = legend_h > 2 ? 2 : legend_h;
    }
    int avail_h = h - 7 - legend_h;
    int rows = avail_h < N ? avail_h : N;
    if (cols < 1 || rows < 1)
        return;
    int focus_r = computing >= 0 ? computing : sel_r;
    int r0 = rows < N ? focus_r - rows / 2 + a->pan_r : 0;
    r0 = r0 > N - rows ? N - rows : r0 < 0 ? 0 : r0;

    int gy = y + 3;
    char lab[64];
    for (int k = 0; k < cols; k++) { /* key tokens across */
        int j = c0 + k;
        attr_t la = j == sel_c ? theme_attr(ROLE_HEADER) : theme_attr(ROLE_LABEL);
        axis_label(&colax, j, lab, sizeof lab);
        int lwid = utf8_width(lab); /* right-aligned, like the numbers under them */
        draw_text(gy - 1, gx + k * cw + (lwid < cw - 1 ? cw - 1 - lwid : 0), cw - 1, lab, la);
    }
    for (int k = 0; k < rows; k++) {
        int i = r0 + k, ry = gy + k;
        if (i == computing)
            draw_text(ry, 2, 2, "▶", theme_attr(ROLE_CURRENT));
        attr_t la = i == computing ? theme_attr(ROLE_CURRENT) : i == sel_r ? theme_attr(ROLE_HEADER)
                  : theme_attr(ROLE_LABEL);
        axis_label(&rowax, i, lab, sizeof lab);
        int lwid = utf8_width(lab);
        draw_text(ry, 4 + (lwid < lw ? lw - lwid : 0), lw, lab, la);
        for (int c = 0; c < cols; c++) {
            int j = c0 + c, cx = gx + c * cw;
            double v;
            if (!heat_value(&src, a, i, j, &v)) {
                draw_text(ry, cx + cw / 2, 1, "·", theme_attr(ROLE_DIM));
                continue;
            }
            if (isinf(v)) {
                draw_text(ry, cx + cw / 2, 1, "×", theme_attr(ROLE_DIM));
                continue;
            }
            attr_t at;
            const char *glyph;
            theme_heat(hi > lo ? (v - lo) / (hi - lo) : 0.5, &at, &glyph);
            int selected = i == sel_r && j == sel_c;
            int changed = edit_mode_heat_changed(a, m, a->head, i, j, v);
            if (selected && !theme_has_color())
                at |= A_REVERSE;
            format_cell(v, cw >= 6 ? CELL_COMPACT : CELL_TIGHT, num, sizeof num);
            int nw = utf8_width(num); /* "big" may be translated */
            if (theme_has_color() && nw <= cw - 1) { /* the number when it fits whole, else colour alone */
                draw_fill(ry, cx, cw - 1, at | (selected ? A_BOLD | A_UNDERLINE : 0));
                draw_text(ry, cx + (cw - 1 - nw > 0 ? cw - 1 - nw : 0), cw - 1, num,
                          at | (selected ? A_BOLD | A_UNDERLINE : 0));
                if (changed && nw < cw - 1) /* a what-if edit changed it */
                    draw_text(ry, cx, 1, "*", at | A_BOLD);
            } else {
                char fill[32] = "";
                for (int g = 0; g < cw - 1; g++)
                    strcat(fill, changed && g == 0 ? "*" : selected && theme_has_color() ? "◆" : glyph);
                draw_text(ry, cx, cw - 1, fill, at);
            }
        }
    }
    a->n_hits = 1;
    a->hits[0] = (struct app_hit){{gy, gx, cw, rows, cols, r0, c0}, m, a->head < 0 ? 0 : a->head, 0, 0};

    if (legend_h)
        draw_wrapped(gy + rows, 2, W - 4, legend_h, legend, theme_attr(ROLE_DIM));
    int by = gy + rows + legend_h + 1;
    draw_legend(by, 2, W / 2, lo, hi);
    double v;
    if (heat_value(&src, a, sel_r, sel_c, &v)) {
        char val[32];
        format_cell(v, CELL_FULL, val, sizeof val);
        /* TRANSLATORS: after the selected cell's value under the heatmap, for the mean of the heads. */
        snprintf(line, sizeof line, "%s[%s,%s] = %s%s", a->heat_scores ? (t->causal ? "M" : "S'") : "A",
                 t->tokens[sel_r], t->tokens[sel_c], val, a->head < 0 ? _("  (mean of the heads)") : "");
        edit_mode_heat_line(a, m, a->head, sel_r, sel_c, v, line, sizeof line);
    } else {
        /* TRANSLATORS: under the heatmap: the selected cell (matrix[query,key]) before the lesson reached it. */
        snprintf(line, sizeof line, _("%s[%s,%s] is not computed yet: step forward"),
                 a->heat_scores ? (t->causal ? "M" : "S'") : "A", t->tokens[sel_r], t->tokens[sel_c]);
    }
    if (rows < N || cols < N) {
        draw_text_cut(by + 1, 2, W - 4, line, theme_attr(ROLE_FORMULA));
        /* TRANSLATORS: under the heatmap when the grid does not fit: the rows
           and columns in sight, of N, and the keys that pan. */
        snprintf(line, sizeof line, _("showing rows %d–%d and columns %d–%d of %d (↑↓ < > pan)"), r0 + 1,
                 r0 + rows, c0 + 1, c0 + cols, N);
        draw_text_cut(by + 2, 2, W - 4, line, theme_attr(ROLE_DIM));
    } else { /* the line below is free: long tokens (or a longer language) wrap rather than cut */
        draw_wrapped(by + 1, 2, W - 4, 2, line, theme_attr(ROLE_FORMULA));
    }
}

int view_heatmap_key(struct app *a, int key)
{
    if (key == 's') {
        a->heat_scores = !a->heat_scores;
        return 1;
    }
    return 0;
}
