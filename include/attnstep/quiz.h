/* quiz.h — predict, then reveal: which steps of a lesson reveal something a
 * student can predict, the question each asks, and how a guess is graded.
 *
 * Four kinds of question:
 * - QUIZ_ROW (row granularity, a row of attention weights): which key word
 *   will the query attend to most? Right when the chosen key's weight is the
 *   row's largest; every key that ties for the largest counts as right.
 * - QUIZ_CELL (cell granularity: a score S, a scaled score S', a weight A or
 *   a head's output O): a number. Right when it is within QUIZ_ABS of the
 *   true value, or within QUIZ_REL of it, whichever allows more.
 * - QUIZ_CLASS (a classifier, the first step of its logits): which class will
 *   the model predict? Right when the chosen class has the largest
 *   probability (ties count as for rows).
 * - QUIZ_COMPARE (the RNN vs attention view): which word still matters most
 *   to a model at the end, ‖∂(last output)/∂e_i‖? Right when the chosen word's
 *   influence is the largest (ties count as for rows).
 *
 * The texts are translated (gettext); nothing here prints. */
#ifndef ATTNSTEP_QUIZ_H
#define ATTNSTEP_QUIZ_H

#include <stddef.h>

#include "attnstep/lesson.h"
#include "attnstep/trace.h"

#define QUIZ_ABS 0.01
#define QUIZ_REL 0.01

enum quiz_kind { QUIZ_NONE, QUIZ_ROW, QUIZ_CELL, QUIZ_CLASS, QUIZ_COMPARE };

struct quiz_question {
    enum quiz_kind kind;
    long step;              /* the step whose reveal it holds; -1 for QUIZ_COMPARE */
    int stage, head;        /* the lesson's stage and head (-1 outside the heads and for QUIZ_COMPARE) */
    int row, col;           /* ROW: the query; CELL: the cell of the stage's result; else -1 */
    enum matrix_id matrix;  /* the matrix the answer is read from */
    enum trace_model model; /* COMPARE: whose influence */
    int n_choices;          /* ROW, COMPARE: N words; CLASS: C classes; CELL: 0 */
    int answer;             /* the right choice (the first of a tie); CELL: -1 */
    double value;           /* CELL: the true value; else the answer's value */
};

/* Whether step s of the lesson reveals something to predict; fills *q when it does. */
int quiz_at(const struct lesson *l, long step, struct quiz_question *q);
/* The compare view's question for model m: 1 when the trace has m, 0 when
 * not, -1 when out of memory (computes the influence once). */
int quiz_compare(const struct trace *t, enum trace_model m, struct quiz_question *q);
/* The value behind choice i (a weight, a probability, an influence). */
double quiz_choice_value(const struct trace *t, const struct quiz_question *q, int i);
/* Whether choice i is right: no other choice has a larger value. */
int quiz_choice_right(const struct trace *t, const struct quiz_question *q, int i);
/* How far from the true value a typed number may be and still be right. */
double quiz_tolerance(double truth);
int quiz_number_right(const struct quiz_question *q, double guess);
/* A typed number: an optional sign, digits, one '.' or ','; 0 when it is one. */
int quiz_parse_number(const char *s, double *out);
/* The name of choice i: the word, or the class. */
const char *quiz_choice_label(const struct lesson *l, const struct quiz_question *q, int i, char *buf);
/* The question, one sentence. */
void quiz_prompt(const struct lesson *l, const struct quiz_question *q, char *buf, size_t size);
/* What a student needs to answer it (the operands), or "" when it is a guess. */
void quiz_operands(const struct lesson *l, const struct quiz_question *q, char *buf, size_t size);
/* The answer, as the handout's key says it. */
void quiz_answer(const struct lesson *l, const struct quiz_question *q, char *buf, size_t size);
/* The reveal: right or wrong, the guess beside the truth (and the error for a
 * number). choice is used by ROW, CLASS and COMPARE, guess by CELL. */
void quiz_feedback(const struct lesson *l, const struct quiz_question *q, int choice, double guess, char *buf,
                   size_t size);

/* Right answers of questions asked. */
struct quiz_tally {
    int right, asked;
};
void quiz_tally_add(struct quiz_tally *t, int right);

#endif
