#include "widgets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"
#include "attnstep/utf8.h"
#include "theme.h"

/* Set by app: whether curses may be handed UTF-8 (else non-ASCII shows as '?'). */
int widgets_utf8 = 1;

/* What the screen's own symbols become where the locale cannot encode them. */
static char ascii_for(uint32_t cp)
{
    static const struct { uint32_t cp; char ascii; } table[] = {
        {0x2500, '-'}, {0x2502, '|'}, {0x00B7, '.'}, {0x2192, '>'}, {0x2190, '<'}, {0x25B6, '>'},
        {0x25C6, '*'}, {0x25AA, '#'}, {0x00D7, 'x'}, {0x2026, '~'}, {0x2013, '-'}, {0x2212, '-'},
        {0x221E, 'i'}, {0x21C4, '='}, {0x2191, '^'}, {0x2193, 'v'}, {0x1D40, 'T'}, {0x221A, 'V'},
        {0x03A3, 'E'}, {0x2264, '<'},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].cp == cp)
            return table[i].ascii;
    return '?';
}

int draw_text(int y, int x, int maxw, const char *s, attr_t a)
{
    if (maxw <= 0 || y < 0 || y >= LINES || x >= COLS)
        return 0;
    if (x + maxw > COLS)
        maxw = COLS - x;
    attr_set(a, PAIR_NUMBER(a), NULL);
    move(y, x);
    size_t len = strlen(s), i = 0;
    int used = 0;
    while (i < len) {
        uint32_t cp;
        int n = utf8_decode(s + i, len - i, &cp);
        int w = n ? utf8_cp_width(cp) : 1;
        if (n == 0)
            n = 1;
        if (used + w > maxw)
            break;
        if (!widgets_utf8 && (n > 1 || cp >= 0x80)) {
            char sub[3] = {ascii_for(cp), '?', '\0'};
            addnstr(sub, w);
        }
        else if (cp < 0x20)
            addch(' ');
        else
            addnstr(s + i, n);
        used += w;
        i += (size_t)n;
    }
    attr_set(A_NORMAL, 0, NULL);
    return used;
}

/* ---- shortening text ------------------------------------------------- */

/* The code point at s and its cells; invalid bytes count as one '?' cell. */
static int glyph_at(const char *s, size_t len, int *cells)
{
    uint32_t cp;
    int n = utf8_decode(s, len, &cp);
    *cells = n ? utf8_cp_width(cp) : 1;
    return n ? n : 1;
}

/* Bytes of the longest prefix of s (len bytes) in at most w cells. */
static size_t head_bytes(const char *s, size_t len, int w, int *used)
{
    size_t i = 0;
    *used = 0;
    while (i < len) {
        int cells, n = glyph_at(s + i, len - i, &cells);
        if (*used + cells > w)
            break;
        *used += cells;
        i += (size_t)n;
    }
    return i;
}

/* Start of the longest suffix of s (len bytes) in at most w cells, beginning
 * on a character that takes room (not a stray combining mark). */
static size_t tail_start(const char *s, size_t len, int w)
{
    size_t start = len;
    int used = 0;
    while (start > 0) {
        size_t b = start - 1;
        while (b > 0 && start - b < 4 && ((unsigned char)s[b] & 0xC0) == 0x80)
            b--;
        int cells;
        if (glyph_at(s + b, start - b, &cells) != (int)(start - b))
            b = start - 1, cells = 1; /* not one whole character: step one byte */
        if (used + cells > w)
            break;
        used += cells;
        start = b;
    }
    while (start < len) { /* a suffix never starts with a zero-width mark */
        int cells, n = glyph_at(s + start, len - start, &cells);
        if (cells > 0)
            break;
        start += (size_t)n;
    }
    return start;
}

const char *text_choose(const char *const *wordings, int n, int w)
{
    for (int i = 0; i < n - 1; i++)
        if (utf8_width(wordings[i]) <= w)
            return wordings[i];
    return wordings[n - 1];
}

void text_cut(const char *s, int w, char *out, size_t size)
{
    if (w <= 0) {
        snprintf(out, size, "%s", "");
        return;
    }
    if (utf8_width(s) <= w) {
        snprintf(out, size, "%s", s);
        return;
    }
    int used;
    size_t n = head_bytes(s, strlen(s), w - 1, &used);
    snprintf(out, size, "%.*s…", (int)n, s);
}

void text_elide(const char *s, int w, char *out, size_t size)
{
    size_t len = strlen(s);
    if (w < 3 || utf8_width(s) <= w) {
        if (w >= 3 && len < size) {
            memcpy(out, s, len + 1);
            return;
        }
        text_cut(s, w, out, size);
        return;
    }
    /* Half the room before "…", half after; what one side cannot use (a wide
     * glyph that does not fit) goes to the other. */
    int room = w - 1, used;
    size_t head = head_bytes(s, len, (room + 1) / 2, &used);
    size_t tail = tail_start(s, len, room - used);
    if (tail < head)
        tail = head;
    size_t ell = strlen("…"), rest = len - tail;
    if (head + ell + rest >= size) { /* never in practice: labels are short */
        text_cut(s, w, out, size);
        return;
    }
    memcpy(out, s, head); /* the screen elides every label each frame: no snprintf */
    memcpy(out + head, "…", ell);
    memcpy(out + head + ell, s + tail, rest + 1);
}

int draw_text_cut(int y, int x, int maxw, const char *s, attr_t a)
{
    if (maxw <= 0 || utf8_width(s) <= maxw)
        return draw_text(y, x, maxw, s, a);
    int used = draw_text(y, x, maxw - 1, s, a);
    return used + draw_text(y, x + used, 1, "…", a);
}

/* ---- matrix labels ------------------------------------------------------ */

struct fitted {
    const char *orig;
    char buf[32];  /* where get() may write the label */
    char shown[64];
};

static int by_shown(const void *pa, const void *pb)
{
    const struct fitted *a = pa, *b = pb;
    int c = strcmp(a->shown, b->shown);
    return c ? c : strcmp(a->orig, b->orig);
}

static int digits(int n)
{
    int d = 1;
    for (; n >= 10; n /= 10)
        d++;
    return d;
}

void axis_fit(struct axis *ax, label_fn get, const void *ctx, int n, int w)
{
    *ax = (struct axis){get, ctx, n, w, 0, 0};
    if (n <= 0 || w <= 0)
        return;
    /* Labels that all fit are shown whole; under 3 cells one that does not
     * fit makes them numbers ("t…" says too little). */
    char buf[32];
    int cut = 0;
    for (int i = 0; i < n && !cut; i++)
        cut = utf8_width(get(ctx, i, buf)) > w;
    if (!cut || w < 3) {
        ax->numbered = cut;
        ax->bare = ax->numbered && w - digits(n - 1) - 1 < 3;
        return;
    }
    struct fitted *f = malloc((size_t)n * sizeof *f);
    if (!f) { /* numbers are always distinct */
        ax->numbered = 1;
    } else {
        for (int i = 0; i < n; i++) {
            f[i].orig = get(ctx, i, f[i].buf);
            text_elide(f[i].orig, w, f[i].shown, sizeof f[i].shown);
        }
        qsort(f, (size_t)n, sizeof *f, by_shown);
        for (int i = 1; i < n && !ax->numbered; i++)
            ax->numbered = strcmp(f[i].shown, f[i - 1].shown) == 0 && strcmp(f[i].orig, f[i - 1].orig) != 0;
        free(f);
    }
    /* A number and a space leave room for some text, or the number alone. */
    ax->bare = ax->numbered && w - digits(n - 1) - 1 < 3;
}

const char *axis_label(const struct axis *ax, int i, char *out, size_t size)
{
    char buf[32];
    const char *s = ax->get(ax->ctx, i, buf);
    if (!ax->numbered) {
        text_elide(s, ax->w, out, size);
        return out;
    }
    char num[16];
    snprintf(num, sizeof num, "%d", i);
    int d = (int)strlen(num);
    if (ax->bare) {
        /* Too narrow for the whole number: its last digits, distinct within
         * any window of fewer than 10^w labels (panels say which window). */
        snprintf(out, size, "%s", d > ax->w ? num + d - ax->w : num);
        return out;
    }
    char text[64];
    text_elide(s, ax->w - d - 1, text, sizeof text);
    snprintf(out, size, "%s %s", num, text);
    return out;
}

void axis_legend(const struct axis *ax, int i0, int i1, char *out, size_t size)
{
    char buf[32];
    size_t used = 0;
    out[0] = '\0';
    int dims = 1; /* d0, d1, …: "k = dk" says it all */
    for (int i = i0; i < i1 && dims; i++) {
        char want[16];
        snprintf(want, sizeof want, "d%d", i);
        dims = strcmp(ax->get(ax->ctx, i, buf), want) == 0;
    }
    if (dims) {
        /* TRANSLATORS: under a matrix whose columns are numbered 0, 1, …:
           column k is dimension dk. */
        snprintf(out, size, "%s", _("column k = dk"));
        return;
    }
    for (int i = i0; i < i1 && used + 1 < size; i++) {
        int n = snprintf(out + used, size - used, "%s%d=%s", i > i0 ? "  " : "", i, ax->get(ax->ctx, i, buf));
        if (n < 0 || (size_t)n >= size - used) {
            out[used] = '\0'; /* never half an entry */
            break;
        }
        used += (size_t)n;
    }
}

void draw_fill(int y, int x, int w, attr_t a)
{
    if (y < 0 || y >= LINES)
        return;
    attr_set(a, PAIR_NUMBER(a), NULL);
    for (int i = 0; i < w && x + i < COLS; i++)
        mvaddch(y, x + i, ' ');
    attr_set(A_NORMAL, 0, NULL);
}

/* Breaks s into lines of width w; calls emit for each (may be NULL). */
static int wrap(int w, const char *s, void (*emit)(int line, const char *p, size_t len, void *ctx), void *ctx)
{
    int lines = 0;
    const char *p = s;
    while (*p) {
        const char *line = p, *last_break = NULL;
        int width = 0;
        while (*p && *p != '\n') {
            uint32_t cp;
            int n = utf8_decode(p, strlen(p), &cp);
            if (n == 0)
                n = 1, cp = '?';
            int cw = utf8_cp_width(cp);
            if (width + cw > w) {
                if (*p != ' ' && last_break) /* a space right after a full line is the break */
                    p = last_break;
                break;
            }
            if (*p == ' ')
                last_break = p;
            width += cw;
            p += n;
        }
        size_t len = (size_t)(p - line);
        if (emit)
            emit(lines, line, len, ctx);
        lines++;
        while (*p == ' ' || *p == '\n')
            p++;
        if (len == 0 && *p && p == line) /* a glyph wider than the line */
            p++;
    }
    return lines;
}

int wrapped_lines(int w, const char *s)
{
    return w > 0 ? wrap(w, s, NULL, NULL) : 0;
}

struct wrap_ctx {
    int y, x, w, maxh, more; /* more: the text goes on past maxh lines */
    attr_t a;
};

static void emit_line(int line, const char *p, size_t len, void *vctx)
{
    struct wrap_ctx *c = vctx;
    if (line >= c->maxh)
        return;
    char buf[1024];
    if (line == c->maxh - 1 && c->more) { /* the last line shows that the rest is cut: "…" */
        char cut[1024];
        snprintf(buf, sizeof buf, "%.*s …", (int)(len < sizeof buf - 8 ? len : sizeof buf - 8), p);
        text_cut(buf, c->w, cut, sizeof cut);
        draw_text(c->y + line, c->x, c->w, cut, c->a);
        return;
    }
    snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), p);
    draw_text(c->y + line, c->x, c->w, buf, c->a);
}

int draw_wrapped(int y, int x, int w, int maxh, const char *s, attr_t a)
{
    if (w <= 0 || maxh <= 0)
        return 0;
    struct wrap_ctx c = {y, x, w, maxh, wrap(w, s, NULL, NULL) > maxh, a};
    int n = wrap(w, s, emit_line, &c);
    return n < maxh ? n : maxh;
}

/* ---- matrix panels ---------------------------------------------------- */

static const int cell_width[CELL_MODE_COUNT] = {7, 5, 4, 2};
#define LABEL_MAX 10

/* A number too large for its cell, said in a word. */
static void big_number(double v, char *s, size_t size)
{
    /* TRANSLATORS: in a matrix cell, a number too large to show there (after
       a "-" when negative): at most 3 cells. */
    snprintf(s, size, "%s%s", v < 0 ? "-" : "", _("big"));
}

void format_cell(double v, enum cell_mode mode, char *buf, size_t size)
{
    char s[32];
    if (isinf(v)) {
        snprintf(s, sizeof s, "%s", v < 0 ? "-inf" : "inf");
    } else if (mode == CELL_FULL) {
        snprintf(s, sizeof s, "%.3f", fabs(v) < 5e-4 ? 0.0 : v);
        if (strlen(s) > 7)
            snprintf(s, sizeof s, "%.1f", v);
        if (strlen(s) > 7)
            snprintf(s, sizeof s, "%.0f", v);
        if (strlen(s) > 7) /* plain decimals only: no e-notation on screen */
            big_number(v, s, sizeof s);
    } else {
        /* compact: two decimals without the leading zero: ".54", "-.12", "1.23";
         * tight: at most four characters: "-.12", "1.2", "-12" */
        size_t max = mode == CELL_TIGHT ? 4 : 5;
        snprintf(s, sizeof s, "%.2f", fabs(v) < 5e-3 ? 0.0 : v);
        if (s[0] == '0' && s[1] == '.')
            memmove(s, s + 1, strlen(s));
        else if (s[0] == '-' && s[1] == '0' && s[2] == '.')
            memmove(s + 1, s + 2, strlen(s + 1));
        if (strlen(s) > max)
            snprintf(s, sizeof s, "%.1f", v);
        if (strlen(s) > max)
            snprintf(s, sizeof s, "%.0f", v);
        if (strlen(s) > max)
            big_number(v, s, sizeof s);
    }
    snprintf(buf, size, "%s", s);
}

/* Rows and columns as the screen shows them (after any transpose). */
static int screen_rows(const struct panel *p)
{
    return p->transpose ? p->view.cols : p->view.rows;
}

static int screen_cols(const struct panel *p)
{
    return p->transpose ? p->view.rows : p->view.cols;
}

static const char *row_label(const void *ctx, int r, char *buf)
{
    const struct panel *p = ctx;
    enum label_kind k = p->transpose ? p->view.col_labels : p->view.row_labels;
    int i = r + (p->transpose ? p->col_offset : 0);
    if (p->matrix == MAT_TOKENS)
        return p->lesson->trace->tokens[r];
    return lesson_label(p->lesson, k, i, buf);
}

static const char *col_label(const void *ctx, int c, char *buf)
{
    const struct panel *p = ctx;
    enum label_kind k = p->transpose ? p->view.row_labels : p->view.col_labels;
    int i = c + (p->transpose ? 0 : p->col_offset);
    return lesson_label(p->lesson, k, i, buf);
}

/* The widest row label, at most LABEL_MAX cells. */
static int label_width(const struct panel *p)
{
    enum label_kind k = p->transpose ? p->view.col_labels : p->view.row_labels;
    int n = screen_rows(p), w = 1;
    if (p->matrix == MAT_TOKENS || k == LABEL_TOKEN) {
        w = p->token_w;
    } else if (k == LABEL_DIM || k == LABEL_VOCAB_ROW) { /* "d12" or "123": the last is the widest */
        char buf[32];
        w = utf8_width(row_label(p, n - 1, buf));
    } else {
        for (int r = 0; r < n && w < LABEL_MAX; r++) {
            char buf[32];
            int lw = utf8_width(row_label(p, r, buf));
            w = lw > w ? lw : w;
        }
    }
    return w > LABEL_MAX ? LABEL_MAX : w < 1 ? 1 : w;
}

/* The widest column label (O(1) for tokens and numbers). */
static int col_label_width(const struct panel *p)
{
    enum label_kind k = p->transpose ? p->view.row_labels : p->view.col_labels;
    int n = screen_cols(p), w = 1;
    char buf[32];
    if (k == LABEL_TOKEN)
        return p->token_w;
    if (k == LABEL_DIM || k == LABEL_VOCAB_ROW)
        return utf8_width(col_label(p, n - 1, buf));
    for (int c = 0; c < n; c++) {
        int lw = utf8_width(col_label(p, c, buf));
        w = lw > w ? lw : w;
    }
    return w;
}

/* Whether the column labels in a mode are bare numbers, with a legend below. */
static int needs_legend(const struct panel *p, enum cell_mode mode, struct axis *cols)
{
    int n = screen_cols(p), w = cell_width[mode];
    if (col_label_width(p) <= w) { /* all whole: nothing to compare */
        *cols = (struct axis){col_label, p, n, w, 0, 0};
        return 0;
    }
    axis_fit(cols, col_label, p, screen_cols(p), cell_width[mode]);
    return cols->bare;
}

#define LEGEND_LINES 3
/* Lines above the token list of a model with tokenizer.csv: the word being
 * cut and, beside it, its symbols, the ones the merge just made highlighted
 * (one line, so the first screen keeps its explanation and key hints at 80x24). */
#define CUT_LINES 1

void panel_size(const struct panel *p, enum cell_mode mode, int *w, int *h)
{
    int inner = p->matrix == MAT_TOKENS ? 5 + LABEL_MAX + 2 + 36 : label_width(p) + screen_cols(p) * (cell_width[mode] + 1);
    int tw = utf8_width(p->title);
    struct axis cols;
    *w = inner > tw ? inner : tw;
    *h = 2 + screen_rows(p) + (p->matrix == MAT_TOKENS && p->lesson->n_words ? CUT_LINES : 0);
    /* Numbers with room for text beside them need no legend: skip the comparing. */
    int bare_possible = cell_width[mode] - digits(screen_cols(p) - 1) - 1 < 3;
    if (p->matrix != MAT_TOKENS && bare_possible && needs_legend(p, mode, &cols)) {
        char text[2048];
        axis_legend(&cols, 0, cols.n, text, sizeof text);
        int lines = wrapped_lines(*w, text);
        *h += lines < 1 ? 1 : lines > LEGEND_LINES ? LEGEND_LINES : lines;
    }
}

/* The first index of a window of `fit` out of `n` that shows `focus`. */
static int window_start(int n, int fit, int focus, int pan)
{
    if (fit >= n)
        return 0;
    int start = (focus >= 0 ? focus - fit / 2 : 0) + pan;
    if (start > n - fit)
        start = n - fit;
    return start < 0 ? 0 : start;
}

static double value_at(const struct panel *p, int sr, int sc)
{
    int r = p->transpose ? sc : sr, c = p->transpose ? sr : sc;
    return p->view.data[(size_t)r * p->view.stride + (size_t)c];
}

/* Whether the cell at screen (sr, sc) differs from the unedited model's. */
static int changed(const struct panel *p, int sr, int sc)
{
    if (!p->base.data)
        return 0;
    int r = p->transpose ? sc : sr, c = p->transpose ? sr : sc;
    double v = p->view.data[(size_t)r * p->view.stride + (size_t)c], b = p->base.data[(size_t)r * p->base.stride + (size_t)c];
    return v < b || v > b; /* NaN and NaN, inf and inf: the same */
}

/* How the cell at screen (sr, sc) is marked: 3 the edit cursor, 2 current,
 * 1 operand, 0 none. */
static int mark_of(const struct panel *p, int sr, int sc)
{
    int r = p->transpose ? sc : sr, c = p->transpose ? sr : sc;
    if (p->has_sel && p->sel_row == r && p->sel_col == c)
        return 3;
    if (p->has_cur && (p->cur_row < 0 || p->cur_row == r) && (p->cur_col < 0 || p->cur_col == c))
        return 2;
    if (p->has_op && (p->op_row < 0 || p->op_row == r) && (p->op_col < 0 || p->op_col == c))
        return 1;
    return 0;
}

static int revealed(const struct panel *p, int sr, int sc)
{
    int r = p->transpose ? sc : sr, c = p->transpose ? sr : sc;
    return lesson_cell_revealed(p->lesson, p->step, p->matrix, p->head, r, c + p->col_offset);
}


/* The word the step is at in the tokens stage, or -1 (another stage, or the whole stage at once). */
static int cut_word(const struct panel *p, struct lesson_pos *pos)
{
    const struct lesson *l = p->lesson;
    if (!l->n_words)
        return -1;
    *pos = lesson_at(l, p->step);
    return l->stages[pos->stage].kind == STAGE_TOKENS ? pos->row : -1;
}

/* Draws s at xx after sep when it fits whole before end (with room for "…");
 * else "…" once. Returns the new xx, or end when the line is full. */
static int draw_item(int y, int xx, int end, const char *sep, const char *s, attr_t a)
{
    if (xx >= end)
        return end;
    if (xx + utf8_width(sep) + utf8_width(s) > end - 2) {
        draw_text(y, xx, end - xx, widgets_utf8 ? " …" : " ...", theme_attr(ROLE_DIM));
        return end;
    }
    xx += draw_text(y, xx, end - xx, sep, theme_attr(ROLE_DIM));
    return xx + draw_text(y, xx, end - xx, s, a);
}

static void draw_cut(const struct panel *p, int y, int x, int w)
{
    const struct lesson *l = p->lesson;
    struct lesson_pos pos;
    int wd = cut_word(p, &pos);
    char buf[192];
    if (wd < 0) {
        /* TRANSLATORS: above the token list of a model with tokenizer.csv, when
           the whole tokens stage is shown at once (%d words). */
        snprintf(buf, sizeof buf, ngettext("%d word, cut into pieces", "%d words, cut into pieces",
                                           (unsigned long)l->n_words), l->n_words);
        int xx = x + draw_text_cut(y, x, w, buf, theme_attr(ROLE_LABEL));
        for (int k = 0; k < l->n_words; k++) /* the words as the tokenizer saw them */
            xx = draw_item(y, xx, x + w, k ? " " : "  ", l->word_text[k], theme_attr(ROLE_NORMAL));
        return;
    }
    /* TRANSLATORS: above the token list: the word being cut into pieces, its
       number (from 1) and how many words; the word itself follows. */
    snprintf(buf, sizeof buf, _("word %d/%d:"), wd + 1, l->n_words);
    int used = draw_text(y, x, w, buf, theme_attr(ROLE_LABEL));
    text_elide(l->word_text[wd], w - used - 1, buf, sizeof buf);
    int m = lesson_word_merges(l, wd);
    int end = x + w;
    int xx = x + used + 1 + draw_text(y, x + used + 1, w - used - 1, buf, theme_attr(ROLE_HEADER));
    /* then, on the same line, what the step has made of it */
    if (pos.col < 0 || pos.col > m) { /* the word's pieces, as the token list below names them */
        for (int i = l->word_token[wd]; i < l->word_token[wd + 1]; i++)
            xx = draw_item(y, xx, end, i > l->word_token[wd] ? " " : " → ", l->trace->tokens[i],
                           theme_attr(ROLE_CURRENT));
        return;
    }
    struct lesson_cut c;
    if (lesson_cut(l, wd, pos.col, &c))
        return;
    for (int k = 0; k < c.w.n; k++)
        xx = draw_item(y, xx, end, k ? " · " : " → ", c.w.sym[k],
                       c.joined[k] ? theme_attr(ROLE_CURRENT) : theme_attr(ROLE_NORMAL));
    lesson_cut_free(&c);
}

static void draw_tokens_panel(const struct panel *p, int y, int extra, int x, int w, int rows, int r0,
                              struct panel_hits *hits)
{
    const struct trace *t = p->lesson->trace;
    char buf[192];
    int lw = label_width(p) < 5 ? 5 : label_width(p);
    struct lesson_pos pos;
    int wd = cut_word(p, &pos), y0 = y;
    y += extra;
    draw_text(y + 1, x, w, "  #", theme_attr(ROLE_LABEL));
    /* TRANSLATORS: column heads of the token list (pipeline view, stage 1):
       the token (as wide as the widest token, at least 5 cells: longer is
       cut) and its row in the vocabulary. */
    draw_text_cut(y + 1, x + 5, lw, _("token"), theme_attr(ROLE_LABEL));
    draw_text_cut(y + 1, x + 5 + lw + 2, w - 5 - lw - 2, _("vocabulary row"), theme_attr(ROLE_LABEL));
    if (rows < t->N) {
        /* TRANSLATORS: after the token list's title when not all tokens fit:
           the ones shown of how many, and the keys that pan. */
        snprintf(buf, sizeof buf, _(" %d–%d of %d (↑↓ pan)"), r0 + 1, r0 + rows, t->N);
        int tw = utf8_width(p->title);
        draw_text_cut(y0, x + tw, w - tw, buf, theme_attr(ROLE_DIM));
    }
    for (int k = 0; k < rows; k++) {
        int r = r0 + k, ry = y + 2 + k;
        int cur = p->lesson->n_words ? wd >= 0 && t->word[r] == wd && revealed(p, r, 0) : mark_of(p, r, 0) == 2;
        attr_t a = cur ? theme_attr(ROLE_CURRENT) : theme_attr(ROLE_NORMAL);
        snprintf(buf, sizeof buf, "%3d", r);
        draw_text(ry, x, 3, buf, theme_attr(ROLE_LABEL));
        text_elide(t->tokens[r], lw, buf, sizeof buf);
        draw_text(ry, x + 5, lw, buf, a);
        if (revealed(p, r, 0)) {
            int unk = strcmp(t->model->vocab[t->ids[r]], t->tokens[r]) != 0;
            /* TRANSLATORS: after a token's vocabulary row in the token list, for
               a token the model does not know (at most 36 cells). */
            snprintf(buf, sizeof buf, "%5d%s", t->ids[r], unk ? _("  <unk>: not in the vocabulary") : "");
            draw_text(ry, x + 5 + lw + 2, w - 5 - lw - 2, buf, unk ? theme_attr(ROLE_WARN) : a);
        } else {
            draw_text(ry, x + 5 + lw + 2 + 4, 1, "·", theme_attr(ROLE_DIM));
        }
    }
    *hits = (struct panel_hits){y + 2, x, w, rows, 1, r0, 0};
}

/* The title, with the part of the matrix in sight when not all of it is
 * ("1–3/5×1–4/8": rows 1–3 of 5, columns 1–4 of 8), or "…" where that does
 * not fit. */
static void draw_panel_title(const struct panel *p, int y, int x, int w, int r0, int rows, int c0, int cols)
{
    char note[64], cut[128];
    int nr = screen_rows(p), nc = screen_cols(p);
    int tw = utf8_width(p->title);
    if (r0 == 0 && c0 == 0 && rows >= nr && cols >= nc) {
        draw_text_cut(y, x, w, p->title, theme_attr(ROLE_PANEL));
        return;
    }
    snprintf(note, sizeof note, " %d–%d/%d×%d–%d/%d", r0 + 1, r0 + rows, nr, c0 + 1, c0 + cols, nc);
    if (tw + utf8_width(note) > w) /* only the columns, which the labels cannot tell */
        snprintf(note, sizeof note, " ×%d–%d/%d", c0 + 1, c0 + cols, nc);
    if (tw + utf8_width(note) <= w) {
        draw_text(y, x, w, p->title, theme_attr(ROLE_PANEL));
        draw_text(y, x + tw, w - tw, note, theme_attr(ROLE_DIM));
        return;
    }
    snprintf(cut, sizeof cut, "%s …", p->title); /* at least say that part is out of sight */
    draw_text_cut(y, x, w, cut, theme_attr(ROLE_PANEL));
}

void panel_draw(const struct panel *p, enum cell_mode mode, int y, int x, int w, int h, int pan_r, int pan_c,
                struct panel_hits *hits)
{
    char buf[64];
    memset(hits, 0, sizeof *hits);
    int nr = screen_rows(p), nc = screen_cols(p);
    struct axis colax = {0}, rowax;
    int focus_r = -1, focus_c = -1;
    int cr = p->transpose ? p->cur_col : p->cur_row, cc = p->transpose ? p->cur_row : p->cur_col;
    int orow = p->transpose ? p->op_col : p->op_row, ocol = p->transpose ? p->op_row : p->op_col;
    if (p->has_sel) {
        focus_r = p->transpose ? p->sel_col : p->sel_row;
        focus_c = p->transpose ? p->sel_row : p->sel_col;
    } else if (p->has_cur) {
        focus_r = cr;
        focus_c = cc;
    } else if (p->has_op) {
        focus_r = orow;
        focus_c = ocol;
    }
    if (p->matrix == MAT_TOKENS) {
        /* the word being cut first */
        int extra = p->lesson->n_words ? CUT_LINES : 0;
        int fit_r = h - 2 - extra, rows = nr < fit_r ? nr : fit_r;
        if (p->lesson->n_words && focus_r >= 0) /* a word: its first piece */
            focus_r = p->lesson->word_token[focus_r];
        draw_text_cut(y, x, w, p->title, theme_attr(ROLE_PANEL));
        if (extra && h >= 3)
            draw_cut(p, y + 1, x, w);
        if (rows >= 1)
            draw_tokens_panel(p, y, extra, x, w, rows, window_start(nr, fit_r, focus_r, pan_r), hits);
        return;
    }
    int lw = label_width(p), cw = cell_width[mode];
    int fit_c = (w - lw) / (cw + 1);
    if (fit_c < 1 || h < 3) {
        draw_text_cut(y, x, w, p->title, theme_attr(ROLE_PANEL));
        return;
    }
    int cols = nc < fit_c ? nc : fit_c;
    int c0 = window_start(nc, fit_c, focus_c, pan_c);
    /* Numbered columns: the legend of those in sight takes lines under the rows. */
    char legend[2048] = "";
    int legend_h = 0;
    if (needs_legend(p, mode, &colax)) {
        axis_legend(&colax, c0, c0 + cols, legend, sizeof legend);
        legend_h = wrapped_lines(w, legend);
        legend_h = legend_h > LEGEND_LINES ? LEGEND_LINES : legend_h < 1 ? 1 : legend_h;
        /* the numbers come first: keep up to 3 rows, the legend gets at least one line (cut with …) */
        int keep = nr < 3 ? nr : 3;
        legend_h = legend_h > h - 2 - keep ? h - 2 - keep : legend_h;
        legend_h = legend_h < 1 ? 1 : legend_h > h - 3 ? h - 3 : legend_h;
    }
    int fit_r = h - 2 - legend_h;
    int rows = nr < fit_r ? nr : fit_r;
    int r0 = window_start(nr, fit_r, focus_r, pan_r);
    draw_panel_title(p, y, x, w, r0, rows, c0, cols);
    enum label_kind rk = p->transpose ? p->view.col_labels : p->view.row_labels;
    if (rk == LABEL_TOKEN && p->token_w <= lw) /* all whole (other kinds are short) */
        rowax = (struct axis){row_label, p, nr, lw, 0, 0};
    else
        axis_fit(&rowax, row_label, p, nr, lw);
    for (int k = 0; k < cols; k++) {
        int c = c0 + k, cx = x + lw + 1 + k * (cw + 1);
        const char *lab = axis_label(&colax, c, buf, sizeof buf);
        int lwid = utf8_width(lab);
        attr_t a = (focus_c == c && (p->has_cur || p->has_op)) ? theme_attr(ROLE_HEADER) : theme_attr(ROLE_LABEL);
        draw_text(y + 1, cx + (lwid < cw ? cw - lwid : 0), cw, lab, a);
    }
    if (legend_h > 0)
        draw_wrapped(y + 2 + rows, x, w, legend_h, legend, theme_attr(ROLE_DIM));
    for (int k = 0; k < rows; k++) {
        int r = r0 + k, ry = y + 2 + k;
        const char *lab = axis_label(&rowax, r, buf, sizeof buf);
        attr_t la = (focus_r == r && (p->has_cur || p->has_op)) ? theme_attr(ROLE_HEADER) : theme_attr(ROLE_LABEL);
        draw_text(ry, x, lw, lab, la);
        for (int j = 0; j < cols; j++) {
            int c = c0 + j, cx = x + lw + 1 + j * (cw + 1);
            if (!revealed(p, r, c)) {
                draw_text(ry, cx + cw - 1, 1, "·", theme_attr(ROLE_DIM));
                continue;
            }
            double v = value_at(p, r, c);
            int mark = mark_of(p, r, c);
            if (mode == CELL_HEAT) {
                attr_t a;
                const char *glyph;
                double t = isinf(v) ? -1 : (p->hi > p->lo ? (v - p->lo) / (p->hi - p->lo) : 0.5);
                if (isinf(v)) {
                    draw_text(ry, cx, cw, "×", theme_attr(ROLE_DIM));
                    continue;
                }
                theme_heat(t, &a, &glyph);
                int ch = changed(p, r, c);
                if (mark >= 2)
                    a = theme_attr(ROLE_CURRENT) | (mark == 3 ? A_UNDERLINE : 0), glyph = "◆";
                else if (mark == 1 && !theme_has_color())
                    a |= A_REVERSE;
                char fill[32] = "";
                for (int g = 0; g < cw && strlen(fill) + 4 < sizeof fill; g++)
                    strcat(fill, ch && g == 0 ? "*" : mark == 1 && theme_has_color() && g == cw - 1 ? "▪" : glyph);
                draw_text(ry, cx, cw, fill, a);
                continue;
            }
            format_cell(v, mode, buf, sizeof buf);
            int ch = changed(p, r, c);
            attr_t a = mark == 3 ? theme_attr(ROLE_CURRENT) | A_UNDERLINE : mark == 2 ? theme_attr(ROLE_CURRENT)
                     : mark == 1 ? theme_attr(ROLE_OPERAND) : ch ? theme_attr(ROLE_CHANGED)
                     : isinf(v) ? theme_attr(ROLE_DIM) : theme_attr(ROLE_NORMAL);
            if (ch && mark)
                a |= A_UNDERLINE;
            int bw = utf8_width(buf);
            if (mark || ch)
                draw_fill(ry, cx, cw - bw, a);
            draw_text(ry, cx + cw - bw, bw, buf, a);
        }
    }
    *hits = (struct panel_hits){y + 2, x + lw + 1, cw + 1, rows, cols, r0, c0};
}

void draw_heading(int y, const char *text)
{
    int used = draw_text_cut(y, 1, COLS - 2, text, theme_attr(ROLE_HEADER));
    for (int x = 1 + used + 1; x < COLS - 1; x++)
        draw_text(y, x, 1, "─", theme_attr(ROLE_HEADER));
}

void draw_heat_cell(int y, int x, int w, double t)
{
    attr_t a;
    const char *glyph;
    char fill[32] = "";
    theme_heat(t, &a, &glyph);
    for (int g = 0; g < w && strlen(fill) + 4 < sizeof fill; g++)
        strcat(fill, glyph);
    draw_text(y, x, w, fill, a);
}

void draw_legend(int y, int x, int w, double lo, double hi)
{
    char a_lo[32], a_hi[32];
    snprintf(a_lo, sizeof a_lo, "%.2f ", fabs(lo) < 5e-3 ? 0.0 : lo); /* never "-0.00" */
    snprintf(a_hi, sizeof a_hi, " %.2f", fabs(hi) < 5e-3 ? 0.0 : hi);
    int used = draw_text(y, x, w, a_lo, theme_attr(ROLE_LABEL));
    int bar = w - used - utf8_width(a_hi);
    if (bar > 30)
        bar = 30;
    for (int i = 0; i < bar; i++) {
        attr_t a;
        const char *glyph;
        theme_heat((i + 0.5) / bar, &a, &glyph);
        draw_text(y, x + used + i, 1, glyph, a);
    }
    draw_text(y, x + used + (bar > 0 ? bar : 0), w, a_hi, theme_attr(ROLE_LABEL));
}
