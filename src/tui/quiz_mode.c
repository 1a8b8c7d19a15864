/* Predict, then reveal, on the screen: the question panel above the status
 * line, its keys, the held reveal and the tally. */
#include "quiz_mode.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attnstep/i18n.h"
#include "attnstep/utf8.h"
#include "theme.h"

/* The compare view asks about each model the trace has, in this order. */
static const enum trace_model compare_order[] = {TRACE_RNN, TRACE_LSTM, TRACE_ATTENTION};
#define N_COMPARE (int)(sizeof compare_order / sizeof compare_order[0])

void quiz_mode_reset(struct app *a)
{
    a->quiz.open = 0;
    a->quiz.shown = 0;
    a->quiz.frontier = -1;
    a->quiz.cmp_asked = 0;
}

static void ask(struct app *a, const struct quiz_question *q)
{
    struct app_quiz *z = &a->quiz;
    z->q = *q;
    z->open = 1;
    z->choice = 0;
    z->typed = 0;
    z->input[0] = '\0';
    a->playing = 0; /* autoplay waits for the answer */
}

/* The compare question after model `after` (-1: the first), if any. */
static int ask_compare_after(struct app *a, int after)
{
    for (int k = after + 1; k < N_COMPARE; k++) {
        struct quiz_question q;
        int r = quiz_compare(&a->trace, compare_order[k], &q);
        if (r < 0) {
            snprintf(a->message, sizeof a->message, "%s", _("out of memory"));
            return 0;
        }
        if (r > 0) {
            ask(a, &q);
            return 1;
        }
    }
    return 0;
}

static int compare_index(enum trace_model m)
{
    for (int k = 0; k < N_COMPARE; k++)
        if (compare_order[k] == m)
            return k;
    return N_COMPARE;
}

void quiz_mode_stepped(struct app *a)
{
    struct app_quiz *z = &a->quiz;
    if (!z->on || z->open || (a->view != VIEW_PIPELINE && a->view != VIEW_HEATMAP) || a->step <= z->frontier)
        return;
    struct quiz_question q;
    if (!quiz_at(&a->lesson, a->step, &q))
        return;
    z->frontier = a->step;
    ask(a, &q);
}

void quiz_mode_compare_read(struct app *a)
{
    struct app_quiz *z = &a->quiz;
    if (!z->on || z->open || z->cmp_asked || a->view != VIEW_COMPARE || a->cmp_t < a->trace.N)
        return;
    z->cmp_asked = 1;
    ask_compare_after(a, -1);
}

long quiz_mode_shown_step(const struct app *a)
{
    const struct app_quiz *z = &a->quiz;
    if (z->open && z->q.kind != QUIZ_COMPARE && z->q.step == a->step && a->step > 0)
        return a->step - 1;
    return a->step;
}

int quiz_mode_hides_influence(const struct app *a)
{
    const struct app_quiz *z = &a->quiz;
    return z->on && (!z->cmp_asked || (z->open && z->q.kind == QUIZ_COMPARE));
}

/* Enter: grade, reveal, count; the compare view goes on to its next model. */
static void commit(struct app *a)
{
    struct app_quiz *z = &a->quiz;
    int right;
    double guess = 0;
    if (z->q.kind == QUIZ_CELL) {
        if (quiz_parse_number(z->input, &guess)) {
            snprintf(a->message, sizeof a->message, "%s",
                     /* TRANSLATORS: after Enter on a quiz question that wants a number, when what was typed is not one. */
                     _("type a number first, like 0.42 or -1.5 (Esc skips)"));
            return;
        }
        right = quiz_number_right(&z->q, guess);
    } else {
        right = quiz_choice_right(&a->trace, &z->q, z->choice);
    }
    quiz_tally_add(&z->tally, right);
    quiz_feedback(&a->lesson, &z->q, z->choice, guess, a->message, sizeof a->message);
    z->open = 0;
    z->shown = 1;
    z->last = z->q;
    z->last_choice = z->choice;
    snprintf(z->last_input, sizeof z->last_input, "%s", z->input);
    if (z->q.kind == QUIZ_COMPARE)
        ask_compare_after(a, compare_index(z->q.model));
}

static void choose_digit(struct app_quiz *z, int d)
{
    int n = z->q.n_choices, cand = z->typed * 10 + d;
    if (z->typed && cand >= 1 && cand <= n)
        z->typed = cand;
    else if (d >= 1 && d <= n)
        z->typed = d;
    else
        return;
    z->choice = z->typed - 1;
}

int quiz_mode_key(struct app *a, int key)
{
    struct app_quiz *z = &a->quiz;
    if (key != KEY_RESIZE)
        z->shown = 0;
    if (key == 'a') {
        if (z->open) {
            z->open = 0;
            /* TRANSLATORS: after a, with a question open: it is dropped and not counted. */
            snprintf(a->message, sizeof a->message, "%s", _("quiz off: the open question is not counted"));
        } else if (z->on) {
            snprintf(a->message, sizeof a->message, "%s", _("quiz off (a: on again)"));
        } else {
            /* TRANSLATORS: after a turns the quiz on (wrapped to at most 3 lines of 60 cells). */
            snprintf(a->message, sizeof a->message, "%s", _("quiz on: a step forward (→) onto a result you can "
                     "predict asks first; Enter answers, Esc skips (not counted)"));
        }
        z->on = !z->on;
        if (z->on)
            quiz_mode_compare_read(a);
        return 1;
    }
    if (!z->open)
        return 0;
    if (key == 'q' || key == 'Q' || key == '?' || key == KEY_RESIZE)
        return 0;
    int pick = z->q.kind != QUIZ_CELL, n = z->q.n_choices;
    switch (key) {
    case 27:
        z->open = 0;
        /* TRANSLATORS: after Esc on a quiz question. */
        snprintf(a->message, sizeof a->message, "%s", _("skipped, not counted: the result is shown"));
        if (z->q.kind == QUIZ_COMPARE)
            ask_compare_after(a, compare_index(z->q.model));
        return 1;
    case '\n': case '\r': case KEY_ENTER:
        commit(a);
        return 1;
    case KEY_LEFT: case KEY_UP: case 'h':
        if (pick) {
            z->choice = (z->choice + n - 1) % n;
            z->typed = 0;
            return 1;
        }
        break;
    case KEY_RIGHT: case KEY_DOWN: case 'l': case ' ':
        if (pick) {
            z->choice = (z->choice + 1) % n;
            z->typed = 0;
            return 1;
        }
        break;
    case KEY_BACKSPACE: case 127: case 8:
        if (!pick) {
            size_t len = strlen(z->input);
            if (len)
                z->input[len - 1] = '\0';
            return 1;
        }
        z->typed /= 10;
        return 1;
    default:
        if (key >= '0' && key <= '9') {
            if (pick)
                choose_digit(z, key - '0');
        }
        if (!pick && ((key >= '0' && key <= '9') || key == '-' || key == '+' || key == '.' || key == ',')) {
            size_t len = strlen(z->input);
            if (len + 1 < sizeof z->input) {
                z->input[len] = (char)key;
                z->input[len + 1] = '\0';
            }
            return 1;
        }
        if (key >= '0' && key <= '9')
            return 1;
        break;
    }
    snprintf(a->message, sizeof a->message, "%s",
             /* TRANSLATORS: a key other than the quiz's while a question is open. */
             pick ? _("a question is open: ←→ or a number picks, Enter answers, Esc skips (q quits)")
                  : _("a question is open: type a number, Enter answers, Esc skips (q quits)"));
    return 1;
}

/* ---- drawing ------------------------------------------------------------ */

static void tally_text(const struct app *a, char *buf, size_t size)
{
    /* TRANSLATORS: at the right end of the status line in quiz mode: right
       answers / questions answered. Keep it short (about 10 cells). */
    snprintf(buf, size, _(" quiz %d/%d "), a->quiz.tally.right, a->quiz.tally.asked);
}

int quiz_mode_status_width(const struct app *a)
{
    if (!a->quiz.on)
        return 0;
    char buf[64];
    tally_text(a, buf, sizeof buf);
    return utf8_width(buf) + 1;
}

/* Choice i as the panel shows it: " 2 movie ", and after the answer its
 * value and a mark: ✓ on every right choice, ✗ on a wrong guess. */
static void choice_item(struct app *a, const struct quiz_question *q, int i, int reveal, int guess, char *buf,
                        size_t size)
{
    char lab[32], num[48];
    const char *name = quiz_choice_label(&a->lesson, q, i, lab);
    if (!reveal) {
        snprintf(buf, size, " %d %s ", i + 1, name);
        return;
    }
    double v = quiz_choice_value(&a->trace, q, i);
    if (q->kind == QUIZ_CLASS)
        lesson_format_percent(v, num, sizeof num);
    else
        lesson_format_number(v, num, sizeof num);
    int right = quiz_choice_right(&a->trace, q, i);
    const char *mark = right ? (widgets_utf8 ? " ✓" : " +") : i == guess ? (widgets_utf8 ? " ✗" : " x") : "";
    snprintf(buf, size, " %d %s %s%s ", i + 1, name, num, mark);
}

/* The choices on one line, the one under the cursor (or the guess) marked,
 * scrolled to show it; after the answer, with their values and marks. */
static void draw_choices(struct app *a, const struct quiz_question *q, int choice, int reveal, int y, int x, int w)
{
    char item[160];
    int start = 0;
    for (;;) { /* the first item shown, so that the chosen one fits */
        int used = 0;
        for (int i = start; i <= choice; i++) {
            choice_item(a, q, i, reveal, choice, item, sizeof item);
            used += utf8_width(item) + 1;
        }
        if (used <= w || start >= choice)
            break;
        start++;
    }
    int cx = x;
    if (start > 0)
        cx += draw_text(y, cx, 2, widgets_utf8 ? "…" : "<", theme_attr(ROLE_DIM)) + 1;
    for (int i = start; i < q->n_choices; i++) {
        choice_item(a, q, i, reveal, choice, item, sizeof item);
        int iw = utf8_width(item);
        if (cx + iw > x + w) {
            draw_text(y, x + w - 1, 1, widgets_utf8 ? "…" : ">", theme_attr(ROLE_DIM));
            break;
        }
        attr_t at = !reveal ? (i == choice ? theme_attr(ROLE_CURRENT) | A_REVERSE : theme_attr(ROLE_NORMAL))
                  : quiz_choice_right(&a->trace, q, i) ? theme_attr(ROLE_CURRENT) | A_REVERSE
                  : i == choice ? theme_attr(ROLE_WARN) | A_REVERSE : theme_attr(ROLE_NORMAL);
        draw_text(y, cx, iw, item, at);
        cx += iw + 1;
    }
}

/* After an answer: the verdict, the question, and the guess beside the truth. */
static void draw_reveal(struct app *a)
{
    const struct app_quiz *z = &a->quiz;
    char prompt[512], head[600];
    quiz_prompt(&a->lesson, &z->last, prompt, sizeof prompt);
    snprintf(head, sizeof head, _("Quiz: %s"), prompt);
    int w = COLS - 4;
    int fb = a->message[0] ? wrapped_lines(w, a->message) : 0;
    fb = fb > 3 ? 3 : fb;
    int ph = wrapped_lines(w, head);
    ph = ph > 2 ? 2 : ph;
    int pick = z->last.kind != QUIZ_CELL;
    int h = 1 + ph + (pick ? 1 : 0) + fb;
    int y = LINES - 1 - h;
    if (y < 1)
        return;
    for (int i = 0; i < h; i++)
        draw_fill(y + i, 0, COLS, theme_attr(ROLE_NORMAL));
    char rule[1024] = "";
    for (int i = 0; i < COLS && strlen(rule) + 4 < sizeof rule; i++)
        strcat(rule, widgets_utf8 ? "─" : "-");
    draw_text(y++, 0, COLS, rule, theme_attr(ROLE_KEY));
    draw_wrapped(y, 2, w, ph, head, theme_attr(ROLE_HEADER));
    y += ph;
    if (pick)
        draw_choices(a, &z->last, z->last_choice, 1, y++, 2, w);
    if (fb)
        draw_wrapped(y, 2, w, fb, a->message, theme_attr(ROLE_KEY));
}

void quiz_mode_draw(struct app *a)
{
    const struct app_quiz *z = &a->quiz;
    if (!z->on)
        return;
    char tally[64];
    tally_text(a, tally, sizeof tally);
    int tw = utf8_width(tally);
    draw_text(LINES - 1, COLS - tw, tw, tally, theme_attr(ROLE_KEY));
    if (!z->open && z->shown && a->message[0])
        draw_reveal(a);
    if (!z->open)
        return;
    char prompt[512], operands[4096], head[600], hint[256];
    quiz_prompt(&a->lesson, &z->q, prompt, sizeof prompt);
    /* TRANSLATORS: the title of the quiz panel, before the question. */
    snprintf(head, sizeof head, _("Quiz: %s"), prompt);
    quiz_operands(&a->lesson, &z->q, operands, sizeof operands);
    int pick = z->q.kind != QUIZ_CELL;
    snprintf(hint, sizeof hint, "%s",
             /* TRANSLATORS: the last line of the quiz panel: its keys (a word or a class to choose, or a
                number to type). */
             z->q.kind == QUIZ_CLASS ? _("←→ or 1–9: choose a class · Enter: answer · Esc: skip (not counted)")
             : z->q.kind == QUIZ_COMPARE ? _("←→ or its number: choose a word · Enter: answer · Esc: skip (not counted)")
             : pick ? _("←→ or its column number: choose a word · Enter: answer · Esc: skip (not counted)")
                    : _("type a number · Backspace: erase · Enter: answer · Esc: skip (not counted)"));
    int w = COLS - 4;
    int fb = a->message[0] ? wrapped_lines(w, a->message) : 0;
    fb = fb > 2 ? 2 : fb;
    int ph = wrapped_lines(w, head);
    ph = ph > 2 ? 2 : ph;
    int oh = operands[0] ? wrapped_lines(w, operands) : 0;
    oh = oh > 3 ? 3 : oh;
    int hh = wrapped_lines(w, hint);
    hh = hh > 2 ? 2 : hh;
    int h = 1 + fb + ph + oh + 1 + hh; /* a rule on top, then the lines */
    int y = LINES - 1 - h;
    if (y < 1)
        y = 1;
    for (int i = 0; i < h && y + i < LINES - 1; i++)
        draw_fill(y + i, 0, COLS, theme_attr(ROLE_NORMAL));
    char rule[1024] = "";
    for (int i = 0; i < COLS && strlen(rule) + 4 < sizeof rule; i++)
        strcat(rule, widgets_utf8 ? "─" : "-");
    draw_text(y++, 0, COLS, rule, theme_attr(ROLE_KEY));
    if (fb)
    {
        draw_wrapped(y, 2, w, fb, a->message, theme_attr(ROLE_KEY));
        y += fb;
    }
    draw_wrapped(y, 2, w, ph, head, theme_attr(ROLE_HEADER));
    y += ph;
    if (oh) {
        draw_wrapped(y, 2, w, oh, operands, theme_attr(ROLE_FORMULA));
        y += oh;
    }
    if (pick) {
        draw_choices(a, &z->q, z->choice, 0, y, 2, w);
    } else {
        char line[128];
        /* TRANSLATORS: the quiz panel's input line; what is typed follows. */
        int used = draw_text(y, 2, w, _("your answer: "), theme_attr(ROLE_LABEL));
        snprintf(line, sizeof line, "%s%s", z->input, widgets_utf8 ? "▏" : "_");
        draw_text(y, 2 + used, w - used, line, theme_attr(ROLE_CURRENT));
    }
    y++;
    draw_wrapped(y, 2, w, hh, hint, theme_attr(ROLE_DIM));
}
