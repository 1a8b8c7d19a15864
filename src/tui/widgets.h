/* widgets.h — drawing pieces shared by the views: clipped UTF-8 text, wrapped
 * paragraphs, matrix panels (numbers, compact numbers or colour cells, panned
 * to keep what matters in sight) and the heat legend. */
#ifndef ATTNSTEP_WIDGETS_H
#define ATTNSTEP_WIDGETS_H

#include <curses.h>

#include "attnstep/lesson.h"

/* Draws s at (y, x) in at most maxw cells; returns the cells used. A wide
 * glyph that would not fit is left out, never split. */
int draw_text(int y, int x, int maxw, const char *s, attr_t a);
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
