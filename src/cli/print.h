/* print.h — the plain-text walk-through: every step's formula, each stage's
 * explanation and its finished matrix, aligned by display width. */
#ifndef ATTNSTEP_PRINT_H
#define ATTNSTEP_PRINT_H

#include <stdio.h>

#include "attnstep/lesson.h"

/* Returns 0, or -1 if writing failed (e.g. the reader of a pipe went away). */
int print_walkthrough(FILE *out, const struct lesson *l);
/* One matrix with its row and column labels; only its first `rows` rows when
 * rows >= 0 (a recurrent model's states so far). */
void print_matrix(FILE *out, const struct lesson *l, enum matrix_id m, int head, int rows);

struct decode;
struct decode_sampling;
struct decode_step;
/* --generate's part of --print: the heading (how tokens are chosen), each
 * step (the text so far, the most likely tokens at T = 1, when sampling the
 * distribution drawn from and the draw, the token chosen) and the text. t is
 * the prompt's trace, d the decoder after generating steps (n). Returns 0, or
 * -1 if writing failed. */
int print_generation(FILE *out, const struct trace *t, const struct decode *d, const struct decode_sampling *s,
                     int max_new, const struct decode_step *steps, int n);

#endif
