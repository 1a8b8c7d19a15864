/* Predict, then reveal: the questions a lesson's steps ask, and grading.
 *
 * Dimension letters: N = tokens, DK = a head's width, C = classes. */
#include "attnstep/quiz.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"
#include "attnstep/textbuf.h"

/* ---- text, appended ----------------------------------------------------- */

static void number(double v, char *buf, size_t size)
{
    if (isinf(v))
        snprintf(buf, size, "%s", v < 0 ? "-inf" : "inf");
    else
        lesson_format_number(v, buf, size);
}

/* "(0.12, -0.4, 1.3)": n numbers, step apart. */
static void put_vector(struct textbuf *t, const double *v, int n, size_t step)
{
    char num[48];
    textbuf_put(t, "(");
    for (int i = 0; i < n; i++) {
        number(v[(size_t)i * step], num, sizeof num);
        textbuf_put(t, "%s%s", i ? ", " : "", num);
    }
    textbuf_put(t, ")");
}

/* ---- which steps ask ---------------------------------------------------- */

static int cell_stage(enum stage_kind k)
{
    return k == STAGE_SCORES || k == STAGE_SCALED || k == STAGE_WEIGHTS || k == STAGE_HEAD_OUT;
}

int quiz_at(const struct lesson *l, long step, struct quiz_question *q)
{
    if (l->model != TRACE_ATTENTION || step < 0 || step >= l->n_steps)
        return 0;
    const struct trace *t = l->trace;
    struct lesson_pos p = lesson_at(l, step);
    const struct lesson_stage *st = &l->stages[p.stage];
    struct quiz_question r = {.kind = QUIZ_NONE, .step = step, .stage = p.stage, .head = st->head, .row = -1,
                              .col = -1, .model = TRACE_ATTENTION, .answer = -1};
    if (st->kind == STAGE_WEIGHTS && l->gran == GRAN_ROW && p.row >= 0) {
        r.kind = QUIZ_ROW;
        r.row = p.row;
        r.matrix = MAT_WEIGHTS;
        r.n_choices = t->N;
    } else if (cell_stage(st->kind) && l->gran == GRAN_CELL && p.row >= 0 && p.col >= 0) {
        r.kind = QUIZ_CELL;
        r.row = p.row;
        r.col = p.col;
        r.matrix = lesson_result(st->kind);
        struct matview v = lesson_matrix(l, r.matrix, st->head);
        if (!v.data)
            return 0;
        r.value = v.data[(size_t)p.row * v.stride + (size_t)p.col];
        if (!isfinite(r.value))
            return 0;
    } else if (st->kind == STAGE_LOGITS && step == st->first && t->has_encoder && t->probs && t->C >= 2) {
        r.kind = QUIZ_CLASS;
        r.matrix = MAT_PROBS;
        r.n_choices = t->C;
    } else {
        return 0;
    }
    if (r.kind != QUIZ_CELL) {
        r.answer = 0;
        for (int i = 1; i < r.n_choices; i++)
            if (quiz_choice_value(t, &r, i) > quiz_choice_value(t, &r, r.answer))
                r.answer = i; /* a tie keeps the first */
        r.value = quiz_choice_value(t, &r, r.answer);
    }
    *q = r;
    return 1;
}

int quiz_compare(const struct trace *t, enum trace_model m, struct quiz_question *q)
{
    if (!t->has_model[m])
        return 0;
    if (trace_influence(t, m))
        return -1;
    struct quiz_question r = {.kind = QUIZ_COMPARE, .step = -1, .stage = -1, .head = -1, .row = -1, .col = -1,
                              .matrix = MAT_INFLUENCE, .model = m, .n_choices = t->N, .answer = 0};
    for (int i = 1; i < t->N; i++)
        if (quiz_choice_value(t, &r, i) > quiz_choice_value(t, &r, r.answer))
            r.answer = i;
    r.value = quiz_choice_value(t, &r, r.answer);
    *q = r;
    return 1;
}

/* ---- grading ------------------------------------------------------------ */

double quiz_choice_value(const struct trace *t, const struct quiz_question *q, int i)
{
    if (i < 0 || i >= q->n_choices)
        return NAN;
    size_t N = (size_t)t->N;
    switch (q->kind) {
    case QUIZ_ROW: return t->weights[((size_t)q->head * N + (size_t)q->row) * N + (size_t)i];
    case QUIZ_CLASS: return t->probs[i];
    case QUIZ_COMPARE: return t->influence[(size_t)q->model * N + (size_t)i];
    default: return NAN;
    }
}

int quiz_choice_right(const struct trace *t, const struct quiz_question *q, int i)
{
    double v = quiz_choice_value(t, q, i);
    if (isnan(v))
        return 0;
    for (int k = 0; k < q->n_choices; k++)
        if (quiz_choice_value(t, q, k) > v)
            return 0;
    return 1;
}

double quiz_tolerance(double truth)
{
    double rel = QUIZ_REL * fabs(truth);
    return rel > QUIZ_ABS ? rel : QUIZ_ABS;
}

int quiz_number_right(const struct quiz_question *q, double guess)
{
    /* A hair of slack so that 0.01 off a tolerance of 0.01 counts, whatever the rounding. */
    return isfinite(guess) && fabs(guess - q->value) <= quiz_tolerance(q->value) * (1 + 1e-9);
}

int quiz_parse_number(const char *s, double *out)
{
    char buf[64];
    size_t n = 0;
    int digits = 0, marks = 0;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (n + 1 >= sizeof buf)
            return -1;
        if (c >= '0' && c <= '9')
            digits++;
        else if (c == '.' || c == ',')
            c = '.', marks++;
        else if (!((c == '-' || c == '+') && p == s))
            return -1;
        buf[n++] = c;
    }
    buf[n] = '\0';
    if (!digits || marks > 1)
        return -1;
    *out = strtod(buf, NULL);
    return 0;
}

void quiz_tally_add(struct quiz_tally *t, int right)
{
    t->asked++;
    t->right += right != 0;
}

/* ---- texts -------------------------------------------------------------- */

const char *quiz_choice_label(const struct lesson *l, const struct quiz_question *q, int i, char *buf)
{
    if (q->kind == QUIZ_CLASS)
        return lesson_label(l, LABEL_CLASS, i, buf);
    return lesson_label(l, LABEL_TOKEN, i, buf);
}

/* "S[was,good]": the cell's name as the formulas write it. */
static void put_cell(struct textbuf *t, const struct lesson *l, enum matrix_id m, int head, int r, int c)
{
    struct matview v = lesson_matrix(l, m, head);
    char b1[32], b2[32];
    textbuf_put(t, "%s[%s,%s]", lesson_matrix_symbol(m), lesson_label(l, v.row_labels, r, b1),
        lesson_label(l, v.col_labels, c, b2));
}

/* What choice i's value is: "A[the,was] = 0.5415", "P = 99.99%", "influence = 2.3406". */
static void put_choice_value(struct textbuf *t, const struct lesson *l, const struct quiz_question *q, int i)
{
    double v = quiz_choice_value(l->trace, q, i);
    char num[48];
    if (q->kind == QUIZ_ROW) {
        put_cell(t, l, MAT_WEIGHTS, q->head, q->row, i);
        number(v, num, sizeof num);
        textbuf_put(t, " = %s", num);
    } else if (q->kind == QUIZ_CLASS) {
        lesson_format_percent(v, num, sizeof num);
        textbuf_put(t, num[0] == '<' || num[0] == '>' ? "P %s" : "P = %s", num); /* "P > 99.99%" */
    } else {
        number(v, num, sizeof num);
        textbuf_put(t, "%s = %s", lesson_matrix_symbol(MAT_INFLUENCE), num);
    }
}

void quiz_prompt(const struct lesson *l, const struct quiz_question *q, char *buf, size_t size)
{
    struct textbuf t = {buf, size, 0};
    buf[0] = '\0';
    char cell[128], lab[32];
    struct textbuf c = {cell, sizeof cell, 0};
    switch (q->kind) {
    case QUIZ_ROW:
        /* TRANSLATORS: a quiz question (screen and handout); %s is the query
           word, %d the head (from 1). The student picks a word. */
        textbuf_put(&t, _("Which word will «%s» attend to most in head %d?"), lesson_label(l, LABEL_TOKEN, q->row, lab),
            q->head + 1);
        break;
    case QUIZ_CELL:
        cell[0] = '\0';
        put_cell(&c, l, q->matrix, q->head, q->row, q->col);
        /* TRANSLATORS: quiz questions where the student types a number; %s
           names the cell as the formulas do ("S[was,good]"), %d is the head. */
        textbuf_put(&t, q->matrix == MAT_SCORES   ? _("What is the score %s in head %d? Type a number.")
                : q->matrix == MAT_SCALED ? _("What is the scaled score %s in head %d? Type a number.")
                : q->matrix == MAT_WEIGHTS ? _("What is the attention weight %s in head %d? Type a number.")
                                           : _("What is the head's output %s in head %d? Type a number."),
            cell, q->head + 1);
        break;
    case QUIZ_CLASS:
        /* TRANSLATORS: a quiz question before the logits and probabilities appear. */
        textbuf_put(&t, "%s", _("Which class will the model predict for this sentence?"));
        break;
    case QUIZ_COMPARE:
        /* TRANSLATORS: quiz questions of the RNN vs attention view: the word
           whose embedding changes the model's last output most. */
        textbuf_put(&t, "%s", q->model == TRACE_RNN ? _("Which word still matters most to the RNN at the end?")
                    : q->model == TRACE_LSTM ? _("Which word still matters most to the LSTM at the end?")
                                             : _("Which word matters most to attention's last output?"));
        break;
    default:
        break;
    }
}

void quiz_operands(const struct lesson *l, const struct quiz_question *q, char *buf, size_t size)
{
    struct textbuf t = {buf, size, 0};
    buf[0] = '\0';
    const struct trace *tr = l->trace;
    char lab[32], lab2[32], num[48];
    int h = q->head;
    /* softmax reads the masked row under the causal mask, else the scaled one */
    enum matrix_id before = tr->causal ? MAT_MASKED : MAT_SCALED;
    if (q->kind == QUIZ_ROW || (q->kind == QUIZ_CELL && q->matrix == MAT_WEIGHTS)) {
        struct matview v = lesson_matrix(l, before, h);
        if (q->kind == QUIZ_CELL)
            textbuf_put(&t, "A[%s,%s] = softmax(%s[%s,·])[%s]; ", lesson_label(l, LABEL_TOKEN, q->row, lab),
                lesson_label(l, LABEL_TOKEN, q->col, lab2), lesson_matrix_symbol(before),
                lesson_label(l, LABEL_TOKEN, q->row, lab), lesson_label(l, LABEL_TOKEN, q->col, lab2));
        textbuf_put(&t, "%s[%s,·] = ", lesson_matrix_symbol(before), lesson_label(l, LABEL_TOKEN, q->row, lab));
        put_vector(&t, v.data + (size_t)q->row * v.stride, v.cols, 1);
    } else if (q->kind == QUIZ_CELL && q->matrix == MAT_SCORES) {
        struct matview Q = lesson_matrix(l, MAT_Q, h), K = lesson_matrix(l, MAT_K, h);
        const char *r = lesson_label(l, LABEL_TOKEN, q->row, lab), *c = lesson_label(l, LABEL_TOKEN, q->col, lab2);
        textbuf_put(&t, "S[%s,%s] = Q[%s]·K[%s]; Q[%s] = ", r, c, r, c, r);
        put_vector(&t, Q.data + (size_t)q->row * Q.stride, Q.cols, 1);
        textbuf_put(&t, "; K[%s] = ", c);
        put_vector(&t, K.data + (size_t)q->col * K.stride, K.cols, 1);
    } else if (q->kind == QUIZ_CELL && q->matrix == MAT_SCALED) {
        struct matview S = lesson_matrix(l, MAT_SCORES, h);
        const char *r = lesson_label(l, LABEL_TOKEN, q->row, lab), *c = lesson_label(l, LABEL_TOKEN, q->col, lab2);
        number(S.data[(size_t)q->row * S.stride + (size_t)q->col], num, sizeof num);
        textbuf_put(&t, "S'[%s,%s] = S[%s,%s] / √d_k; S[%s,%s] = %s; d_k = %d", r, c, r, c, r, c, num, tr->DK);
    } else if (q->kind == QUIZ_CELL && q->matrix == MAT_HEAD_OUT) {
        struct matview A = lesson_matrix(l, MAT_WEIGHTS, h), V = lesson_matrix(l, MAT_V, h);
        const char *r = lesson_label(l, LABEL_TOKEN, q->row, lab);
        char d[32];
        lesson_label(l, LABEL_DIM, q->col, d);
        textbuf_put(&t, "O[%s,%s] = Σ_j A[%s,j]·V[j,%s]; A[%s,·] = ", r, d, r, d, r);
        put_vector(&t, A.data + (size_t)q->row * A.stride, A.cols, 1);
        textbuf_put(&t, "; V[·,%s] = ", d);
        put_vector(&t, V.data + (size_t)q->col, V.rows, V.stride);
    }
}

void quiz_answer(const struct lesson *l, const struct quiz_question *q, char *buf, size_t size)
{
    struct textbuf t = {buf, size, 0};
    buf[0] = '\0';
    char lab[32], num[48];
    if (q->kind == QUIZ_CELL) {
        put_cell(&t, l, q->matrix, q->head, q->row, q->col);
        number(q->value, num, sizeof num);
        textbuf_put(&t, " = %s", num);
        return;
    }
    int n = 0;
    for (int i = 0; i < q->n_choices; i++)
        if (quiz_choice_right(l->trace, q, i)) {
            /* TRANSLATORS: between two answers that tie: «was» or «not». */
            textbuf_put(&t, "%s«%s» (", n++ ? _(" or ") : "", quiz_choice_label(l, q, i, lab));
            put_choice_value(&t, l, q, i);
            textbuf_put(&t, ")");
        }
}

void quiz_feedback(const struct lesson *l, const struct quiz_question *q, int choice, double guess, char *buf,
                   size_t size)
{
    struct textbuf t = {buf, size, 0};
    buf[0] = '\0';
    char num[48], num2[48], err[48], tol[48], lab[32], truth[256], mine[256];
    if (q->kind == QUIZ_CELL) {
        struct textbuf c = {truth, sizeof truth, 0};
        truth[0] = '\0';
        put_cell(&c, l, q->matrix, q->head, q->row, q->col);
        number(q->value, num, sizeof num);
        number(guess, num2, sizeof num2);
        number(fabs(guess - q->value), err, sizeof err);
        number(quiz_tolerance(q->value), tol, sizeof tol);
        if (quiz_number_right(q, guess))
            /* TRANSLATORS: the reveal after a typed number: the cell, its true
               value, the number typed, the error, and the tolerance (±). */
            textbuf_put(&t, _("Right: %s = %s; you typed %s, off by %s (within ±%s)."), truth, num, num2, err, tol);
        else
            textbuf_put(&t, _("Wrong: %s = %s; you typed %s, off by %s (more than ±%s)."), truth, num, num2, err, tol);
        return;
    }
    struct textbuf m = {mine, sizeof mine, 0};
    mine[0] = '\0';
    put_choice_value(&m, l, q, choice);
    if (quiz_choice_right(l->trace, q, choice)) {
        /* TRANSLATORS: the reveal after a right choice: the word (or class)
           chosen and its value ("A[good,was] = 0.22", "P = 98%"). */
        textbuf_put(&t, _("Right: «%s» (%s) is the largest."), quiz_choice_label(l, q, choice, lab), mine);
        return;
    }
    struct textbuf c = {truth, sizeof truth, 0};
    truth[0] = '\0';
    put_choice_value(&c, l, q, q->answer);
    char lab2[32];
    /* TRANSLATORS: the reveal after a wrong choice: the choice and its value,
       then the right answer and its value. */
    textbuf_put(&t, _("Wrong: you chose «%s» (%s); the largest is «%s» (%s)."), quiz_choice_label(l, q, choice, lab), mine,
        quiz_choice_label(l, q, q->answer, lab2), truth);
}
