/* The quiz handout: plain text, numbered questions, the answers at the end. */
#include "handout.h"

#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"
#include "attnstep/quiz.h"
#include "attnstep/utf8.h"

#define TEXT_WIDTH 78

/* A translated format, never NULL (as in app.c: GCC's sanitizer build
 * otherwise warns of a "null format string" on its checking path). */
__attribute__((format_arg(1), returns_nonnull)) static const char *fmt(const char *s)
{
    return s ? s : "";
}
#define MAX_QUESTIONS 4096

/* text wrapped to TEXT_WIDTH cells: the first line after `first`, the rest
 * indented by `indent` spaces (breaks at spaces only). */
static void put_wrapped(FILE *out, const char *first, const char *text, int indent)
{
    fputs(first, out);
    int col = utf8_width(first);
    const char *p = text;
    int at_start = 1;
    while (*p) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char word[512];
        snprintf(word, sizeof word, "%.*s", (int)(len < sizeof word ? len : sizeof word - 1), p);
        int w = utf8_width(word);
        if (!at_start && col + 1 + w > TEXT_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            at_start = 1;
        }
        if (!at_start) {
            fputc(' ', out);
            col++;
        }
        fputs(word, out);
        col += w;
        at_start = 0;
        p += len;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

static void put_question(FILE *out, const struct lesson *l, const struct quiz_question *q, int n)
{
    char buf[8192], first[32], lab[32];
    snprintf(first, sizeof first, "%3d. ", n);
    quiz_prompt(l, q, buf, sizeof buf);
    put_wrapped(out, first, buf, 5);
    if (q->kind != QUIZ_CELL) {
        /* TRANSLATORS: the handout's line of choices under a question, after 5 spaces; padded to 10 cells. */
        const char *head = _("     choose    ");
        fputs(head, out);
        int col = utf8_width(head);
        for (int i = 0; i < q->n_choices; i++) { /* "1 the   2 movie": wrapped between choices */
            snprintf(buf, sizeof buf, "%d %s", i + 1, quiz_choice_label(l, q, i, lab));
            int w = utf8_width(buf);
            if (i && col + 3 + w > TEXT_WIDTH) {
                fprintf(out, "\n%*s", 15, "");
                col = 15;
            } else if (i) {
                fputs("   ", out);
                col += 3;
            }
            fputs(buf, out);
            col += w;
        }
        fputc('\n', out);
    }
    quiz_operands(l, q, buf, sizeof buf);
    if (buf[0])
        /* TRANSLATORS: the handout's line of what a question gives (the numbers a student needs), after 5
           spaces; padded to 10 cells. */
        put_wrapped(out, _("     given     "), buf, 15);
}

int handout_write(FILE *out, const struct trace *t, enum granularity gran)
{
    struct lesson l;
    struct error err;
    if (lesson_init(&l, t, TRACE_ATTENTION, gran, &err))
        return -1;
    struct quiz_question *qs = malloc(MAX_QUESTIONS * sizeof *qs);
    if (!qs) {
        lesson_free(&l);
        return -1;
    }
    int n = 0;
    for (long s = 0; s < l.n_steps && n < MAX_QUESTIONS; s++) {
        struct quiz_question q;
        if (!quiz_at(&l, s, &q))
            continue;
        /* at cell granularity every cell asks: the handout keeps the last word's row */
        if (q.kind == QUIZ_CELL && q.row != t->N - 1)
            continue;
        qs[n++] = q;
    }
    static const enum trace_model order[] = {TRACE_RNN, TRACE_LSTM, TRACE_ATTENTION};
    int rc = 0;
    for (size_t k = 0; k < sizeof order / sizeof order[0] && n < MAX_QUESTIONS; k++) {
        int r = quiz_compare(t, order[k], &qs[n]);
        if (r < 0)
            rc = -1;
        n += r > 0;
    }
    /* TRANSLATORS: the handout's title (--print --quiz). */
    fprintf(out, "%s\n\n", _("attnstep — quiz: predict, then check"));
    /* TRANSLATORS: the handout's header: a heading padded to 10 cells, then the model's name. */
    fprintf(out, fmt(_("model     %s\n")), t->model->name);
    /* TRANSLATORS: the handout's header: a heading padded to 9 cells; the tokens follow, each after a space. */
    fputs(_("sentence "), out);
    for (int i = 0; i < t->N; i++)
        fprintf(out, " %s", t->tokens[i]);
    fputc('\n', out);
    /* TRANSLATORS: the handout's header: heading padded to 10 cells, then the kind of attention. */
    fprintf(out, fmt(_("attention %s\n")), t->causal ? _("causal: no word looks at the words after it")
                                                : _("bidirectional: every word looks at every word"));
    fputc('\n', out);
    /* TRANSLATORS: the handout's rules, wrapped at 78 cells. The tolerance is
       0.01 or 1% of the true value, whichever is larger (QUIZ_ABS, QUIZ_REL).
       Not a format: xgettext:no-c-format */
    put_wrapped(out, "", _("How answers are marked: a word or a class is right when no other choice has a larger "
                           "value (when several tie for the largest, each of them is right); a number is right when "
                           "it is within 0.01 of the true value, or within 1% of it when that is more. "
                           "Words are numbered by their column, from 1."), 0);
    if (gran == GRAN_CELL)
        /* TRANSLATORS: the handout at cell granularity: which cells it asks (the screen asks every one). */
        put_wrapped(out, "", _("Number questions: the last word's row of each stage (the screen asks every cell)."),
                    0);
    fputc('\n', out);
    /* TRANSLATORS: the handout's heading over the questions. */
    fprintf(out, "%s\n", _("Questions"));
    for (int i = 0; i < n; i++) {
        put_question(out, &l, &qs[i], i + 1);
        fputc('\n', out);
    }
    /* TRANSLATORS: the handout's heading over the answers, at the end. */
    fprintf(out, "%s\n", _("Answers"));
    char buf[4096], first[32];
    for (int i = 0; i < n; i++) {
        quiz_answer(&l, &qs[i], buf, sizeof buf);
        snprintf(first, sizeof first, "%3d. ", i + 1);
        put_wrapped(out, first, buf, 5);
    }
    free(qs);
    lesson_free(&l);
    fflush(out);
    return rc || ferror(out) ? -1 : 0;
}
