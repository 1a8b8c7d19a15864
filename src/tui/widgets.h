/* widgets.h — drawing pieces shared by the views: clipped UTF-8 text, wrapped
 * paragraphs, matrix panels (numbers, compact numbers or colour cells, panned
 * to keep what matters in sight) and the heat legend. */
#ifndef ATTNSTEP_WIDGETS_H
#define ATTNSTEP_WIDGETS_H

#include <curses.h>

#include "attnstep/lesson.h"

/* The locale can show UTF-8 (…, ▸, shade blocks); else ASCII stand-ins. Set by the app. */
extern int widgets_utf8;

/* Draws s at (y, x) in at most maxw cells; returns the cells used. A wide
 * glyph that would not fit is left out, never split. */
int draw_text(int y, int x, int maxw, const char *s, attr_t a);
/* Draws s like draw_text, ending it with "…" when it does not fit. */
int draw_text_cut(int y, int x, int maxw, const char *s, attr_t a);
/* The first of n wordings that fits in w cells, else the shortest (last). */
const char *text_choose(const char *const *wordings, int n, int w);
/* s in at most w cells, ending with "…" when cut. Both cut on character
 * boundaries and by display width (a Korean syllable takes two cells). */
void text_cut(const char *s, int w, char *out, size_t size);
/* s in at most w cells, its middle replaced by "…" when it is wider
 * ("negative" in 6 cells: "neg…e"), so that both ends stay in sight. */
void text_elide(const char *s, int w, char *out, size_t size);

/* The labels along one side of a matrix, each shown in w cells. Shortening
 * must not make two different labels look the same: when eliding would
 * ("d10"…"d15" in 2 cells are all "d…"), every label gets its index number,
 * with as much of its text as fits beside it ("12 ne…e"), or the number
 * alone (bare), and the screen shows a legend. */
typedef const char *(*label_fn)(const void *ctx, int i, char *buf); /* buf: 32 bytes */
struct axis {
    label_fn get;
    const void *ctx;
    int n, w;
    int numbered, bare;
};
void axis_fit(struct axis *ax, label_fn get, const void *ctx, int n, int w);
/* Label i as the axis shows it, in at most ax->w cells. */
const char *axis_label(const struct axis *ax, int i, char *out, size_t size);
/* "3=not  4=good" for labels i0..i1-1 of a numbered axis. */
void axis_legend(const struct axis *ax, int i0, int i1, char *out, size_t size);

/* Fills w cells with spaces. */
void draw_fill(int y, int x, int w, attr_t a);
/* Word-wraps s into width w, at most maxh lines; returns the lines used. */
int draw_wrapped(int y, int x, int w, int maxh, const char *s, attr_t a);
/* Lines draw_wrapped would use. */
int wrapped_lines(int w, const char *s);

/* Numbers with three decimals, with two, with two significant digits, or colour. */
enum cell_mode { CELL_FULL, CELL_COMPACT, CELL_TIGHT, CELL_HEAT, CELL_MODE_COUNT };

/* One matrix on screen: what it shows and how to mark it. */
struct panel {
    char title[64];
    enum matrix_id matrix;
    int head;
    struct matview view;
    int transpose;         /* show columns as rows (Kᵀ) */
    int col_offset;        /* view column 0 is this column of the full matrix (W slices) */
    /* what is revealed at this step (a cell the lesson has not reached shows a dot) */
    const struct lesson *lesson;
    long step;
    /* marks, in view coordinates before transposing; -1 = all */
    int cur_row, cur_col, has_cur;
    int op_row, op_col, has_op;
    double lo, hi;         /* value range for colour cells */
    /* what-if edits: the unedited model's numbers, same shape (data NULL =
     * none; a cell that differs is marked), and the edit cursor (has_sel) */
    struct matview base;
    int has_sel, sel_row, sel_col;
    int token_w;           /* widest token on screen (cached by the caller: O(1) per frame) */
};

/* Where a panel's cells landed, for mouse clicks. */
struct panel_hits {
    int y, x;              /* screen position of the first visible cell */
    int cell_w, rows, cols;/* visible grid (screen orientation) */
    int r0, c0;            /* first visible row/col (screen orientation) */
};

/* Width and height the panel needs in a mode when nothing is panned. */
void panel_size(const struct panel *p, enum cell_mode mode, int *w, int *h);
/* Draws the panel in the box (y, x, w, h), panning around the marks plus
 * (pan_r, pan_c); fills hits. */
void panel_draw(const struct panel *p, enum cell_mode mode, int y, int x, int w, int h, int pan_r, int pan_c,
                struct panel_hits *hits);
/* "0.5412" in a mode's width. */
void format_cell(double v, enum cell_mode mode, char *buf, size_t size);
/* "── Title ──────" across the screen at row y. */
void draw_heading(int y, const char *text);
/* A cell of w columns coloured (or shaded) for t in [0, 1]. */
void draw_heat_cell(int y, int x, int w, double t);
/* The colour bar with its end values, at (y, x) in width w. */
void draw_legend(int y, int x, int w, double lo, double hi);

#endif
