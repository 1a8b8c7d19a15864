#include "print.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/decode.h"
#include "attnstep/encoder.h"
#include "attnstep/i18n.h"
#include "attnstep/narration.h"
#include "attnstep/utf8.h"

#define TEXT_WIDTH 78

static void pad(FILE *out, int n)
{
    for (int i = 0; i < n; i++)
        fputc(' ', out);
}

/* Right-aligns s in a field of `width` terminal cells. */
static void put_right(FILE *out, const char *s, int width)
{
    pad(out, width - utf8_width(s));
    fputs(s, out);
}

static void put_left(FILE *out, const char *s, int width)
{
    fputs(s, out);
    pad(out, width - utf8_width(s));
}

/* Three decimals; probabilities in per cent, so that 0.9999 is not shown as
 * a certain 1.000 beside a 0.000 that is not impossible. */
static void cell_text(enum matrix_id m, double v, char *buf, size_t size)
{
    if (m == MAT_PROBS || m == MAT_NEXT_PROBS || m == MAT_NEXT_CHOICE)
        lesson_format_percent(v, buf, size);
    else if (isinf(v))
        snprintf(buf, size, "%s", v < 0 ? "-inf" : "inf");
    else
        snprintf(buf, size, "%.3f", fabs(v) < 5e-4 ? 0.0 : v);
}

void print_matrix(FILE *out, const struct lesson *l, enum matrix_id m, int head, int rows)
{
    struct matview v = lesson_matrix(l, m, head);
    if (rows >= 0 && rows < v.rows)
        v.rows = rows;
    const struct trace *t = l->trace;
    char lab[32], num[32];
    if (m == MAT_TOKENS) {
        /* TRANSLATORS: the column headings of the token table in --print:
           position (from 0), the token, its id (vocabulary row), and whether
           the vocabulary knows it. Columns align by display width. */
        const char *h_pos = _("position"), *h_tok = _("token"), *h_id = _("id"), *h_voc = _("vocabulary");
        int pos_w = utf8_width(h_pos) > 8 ? utf8_width(h_pos) : 8;
        int id_w = utf8_width(h_id) > 6 ? utf8_width(h_id) : 6;
        int w = utf8_width(h_tok);
        for (int i = 0; i < t->N; i++)
            if (utf8_width(t->tokens[i]) > w)
                w = utf8_width(t->tokens[i]);
        fputs("  ", out);
        put_right(out, h_pos, pos_w);
        fputs("  ", out);
        put_left(out, h_tok, w);
        fputs("  ", out);
        put_right(out, h_id, id_w);
        fprintf(out, "  %s\n", h_voc);
        for (int i = 0; i < t->N; i++) {
            fprintf(out, "  %*d  ", pos_w, i);
            put_left(out, t->tokens[i], w);
            const char *seen = t->model->vocab[t->ids[i]];
            fprintf(out, "  %*d  %s\n", id_w, t->ids[i],
                    /* TRANSLATORS: the last column of the token table: the token
                       is not in the vocabulary (it becomes <unk>), or it is. */
                    strcmp(seen, t->tokens[i]) ? _("unknown <unk>") : _("known"));
        }
        return;
    }
    int label_w = utf8_width(lesson_matrix_symbol(m));
    for (int r = 0; r < v.rows; r++) {
        int w = utf8_width(lesson_label(l, v.row_labels, r, lab));
        if (w > label_w)
            label_w = w;
    }
    int col_w = 6;
    for (int c = 0; c < v.cols; c++) {
        int w = utf8_width(lesson_label(l, v.col_labels, c, lab));
        if (w > col_w)
            col_w = w;
    }
    for (int r = 0; r < v.rows; r++)
        for (int c = 0; c < v.cols; c++) {
            cell_text(m, v.data[(size_t)r * v.stride + (size_t)c], num, sizeof num);
            if ((int)strlen(num) > col_w)
                col_w = (int)strlen(num);
        }
    /* A row over the vocabulary (a language model's) can be thousands of
     * columns: it is printed in blocks that fit the text width. */
    int per_block = v.cols;
    if (v.col_labels == LABEL_VOCAB) {
        per_block = (TEXT_WIDTH - 2 - label_w) / (col_w + 2);
        per_block = per_block < 1 ? 1 : per_block;
    }
    for (int c0 = 0; c0 < v.cols; c0 += per_block) {
        int c1 = c0 + per_block < v.cols ? c0 + per_block : v.cols;
        if (c0)
            fputc('\n', out);
        fputs("  ", out);
        put_left(out, lesson_matrix_symbol(m), label_w);
        for (int c = c0; c < c1; c++) {
            fputs("  ", out);
            put_right(out, lesson_label(l, v.col_labels, c, lab), col_w);
        }
        fputc('\n', out);
        for (int r = 0; r < v.rows; r++) {
            fputs("  ", out);
            put_left(out, lesson_label(l, v.row_labels, r, lab), label_w);
            for (int c = c0; c < c1; c++) {
                cell_text(m, v.data[(size_t)r * v.stride + (size_t)c], num, sizeof num);
                fputs("  ", out);
                put_right(out, num, col_w);
            }
            fputc('\n', out);
        }
    }
}

/* Word-wraps text to TEXT_WIDTH cells with an indent. */
static void put_wrapped(FILE *out, const char *text, int indent)
{
    int col = 0;
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char word[256];
        snprintf(word, sizeof word, "%.*s", (int)(len < sizeof word ? len : sizeof word - 1), p);
        int w = utf8_width(word);
        if (col > 0 && col + 1 + w > TEXT_WIDTH - indent) {
            fputc('\n', out);
            col = 0;
        }
        if (col == 0)
            pad(out, indent);
        else
            fputc(' ', out), col++;
        fputs(word, out);
        col += w;
        p += len;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

static void put_header(FILE *out, const struct lesson *l)
{
    const struct trace *t = l->trace;
    const struct bundle *b = t->model;
    fprintf(out, "%s", _("attnstep — self-attention, one number at a time\n\n"));
    /* TRANSLATORS: the header of --print is a two-column table: a heading
       padded with spaces to 10 display cells (a Hangul syllable is 2 cells),
       then the value. This line: the model's name (%s), d_model, the number of
       heads, d_k, then "sinusoidal positions" or "no positions". */
    fprintf(out, ngettext("model     %s: d_model %d, %d head of d_k %d, %s\n",
                          "model     %s: d_model %d, %d heads of d_k %d, %s\n", (unsigned long)b->n_heads),
            b->name, b->d_model, b->n_heads, t->DK, b->positional ? _("sinusoidal positions") : _("no positions"));
    /* TRANSLATORS: --print's header: heading padded to 10 cells (English has
       11 here), then the vocabulary's size. */
    fprintf(out, _("vocabulary %d tokens\n"), b->n_vocab);
    /* TRANSLATORS: --print's header: heading padded to 9 cells; the tokens
       follow, each after one space. */
    fprintf(out, "%s", _("sentence "));
    for (int i = 0; i < t->N; i++)
        fprintf(out, " %s", t->tokens[i]);
    /* TRANSLATORS: after the sentence's tokens in --print's header. */
    fprintf(out, ngettext("   (%d token)\n", "   (%d tokens)\n", (unsigned long)t->N), t->N);
    /* TRANSLATORS: --print's header: whether the model's weights were trained. */
    static const char *const weights[] = {
        [NARRATION_UNKNOWN] = N_("the model does not say whether it was trained"),
        [NARRATION_TRAINED] = N_("trained (attnstep train)"),
        [NARRATION_RANDOM] = N_("random: this model is not trained"),
    };
    /* TRANSLATORS: --print's header: heading padded to 10 cells, then one of
       "trained (attnstep train)", "random: …". */
    fprintf(out, _("weights   %s\n"), _(weights[narration_training(b)]));
    /* TRANSLATORS: --print's header: heading padded to 10 cells, then the kind
       of attention. */
    fprintf(out, _("attention %s\n"), t->causal ? _("causal: no word looks at the words after it")
                                                : _("bidirectional: every word looks at every word"));
    if (t->causal && narration_trained_without_mask(b))
        /* TRANSLATORS: --print's header, under the attention line: indented by 10 cells. */
        fprintf(out, "%s", _("          (trained without the mask: its prediction under the mask is not meaningful)\n"));
    /* TRANSLATORS: --print's header: heading padded to 10 cells, then how many
       steps the lesson has (%ld), how much each step reveals, and how many
       stages (%d) there are. */
    fprintf(out,
            l->gran == GRAN_STAGE ? _("steps     %ld, one stage at a time, in %d stages\n")
            : l->gran == GRAN_ROW ? _("steps     %ld, one row at a time, in %d stages\n")
                                  : _("steps     %ld, one cell at a time, in %d stages\n"),
            l->n_steps, l->n_stages);
}

int print_walkthrough(FILE *out, const struct lesson *l)
{
    const struct trace *t = l->trace;
    size_t fsize = 8192;
    char *formula = malloc(fsize);
    if (!formula)
        return -1;
    if (l->model == TRACE_ATTENTION) {
        put_header(out, l);
    } else if (l->model == TRACE_RNN) {
        /* TRANSLATORS: --print's heading of the RNN part: d_hidden, then the number of steps. */
        fprintf(out, _("\n══ The same sentence, read by an RNN (d_hidden %d), one word at a time: %ld steps\n"), t->Dh,
                l->n_steps);
    } else {
        /* TRANSLATORS: --print's heading of the LSTM part: d_hidden, then the number of steps. */
        fprintf(out, _("\n══ The same sentence, read by an LSTM (d_hidden %d), one word at a time: %ld steps\n"), t->Dh,
                l->n_steps);
    }
    int explained[STAGE_KIND_COUNT] = {0}; /* a recurrent lesson repeats its stages for every word */
    for (long s = 0; s < l->n_steps && !ferror(out); s++) {
        struct lesson_pos p = lesson_at(l, s);
        const struct lesson_stage *st = &l->stages[p.stage];
        const struct stage_text *txt = narration_stage(st->kind);
        if (s == st->first) {
            char title[160];
            /* The title is marked in narration.c; gettext of a text already
               translated gives it back unchanged. */
            const char *stage_title = txt->title[0] ? _(txt->title) : txt->title;
            /* TRANSLATORS: --print's stage heading, "── Stage 5/29 · Queries": the
               stage's number, how many there are, its title. */
            int n = snprintf(title, sizeof title, _("── Stage %d/%d · %s"), p.stage + 1, l->n_stages, stage_title);
            if (st->head >= 0 && n > 0 && (size_t)n < sizeof title)
                /* TRANSLATORS: after a stage heading: head 1 of 2. */
                snprintf(title + n, sizeof title - (size_t)n, _(" · head %d of %d"), st->head + 1, t->H);
            fprintf(out, "\n%s ", title);
            for (int k = utf8_width(title) + 1; k < TEXT_WIDTH; k++)
                fputs("─", out);
            fputs("\n", out);
            if (!explained[st->kind]++) {
                put_wrapped(out, narration_explain(l, p.stage), 2);
                fputc('\n', out);
            }
        }
        lesson_formula(l, p, formula, fsize);
        fprintf(out, "  [%ld/%ld] %s\n", s + 1, l->n_steps, formula);
        if (s == st->first + st->steps - 1) {
            fputc('\n', out);
            /* A recurrent stage fills one row: show the rows so far, the memory growing. */
            int per_word = st->rows == 1 && st->kind != STAGE_INFLUENCE && st->kind != STAGE_TOKENS;
            print_matrix(out, l, lesson_result(st->kind), st->head, per_word ? st->row0 + 1 : -1);
        }
    }
    free(formula);
    fflush(out);
    return ferror(out) ? -1 : 0;
}

/* The tokens as text: a space between tokens, none before a "##" piece. */
static void put_tokens(FILE *out, const char *const *tok, int n)
{
    for (int i = 0; i < n; i++) {
        const char *s = tok[i];
        if (!strncmp(s, "##", 2) && i > 0)
            s += 2;
        else if (i > 0)
            fputc(' ', out);
        fputs(s, out);
    }
}

/* "  a 41%  b 20% …": the `shown` most likely of probs (above 0), most likely
 * first, ties in vocabulary order. */
static void put_candidates(FILE *out, const struct decode *d, const double *probs, int shown)
{
    char pct[32];
    double prev = INFINITY;
    int prev_id = -1;
    for (int k = 0; k < shown; k++) {
        int best = -1;
        for (int i = 0; i < d->V; i++) {
            int after_prev = probs[i] < prev || (!(probs[i] > prev) && i > prev_id); /* below the last shown */
            if (probs[i] > 0.0 && after_prev && (best < 0 || probs[i] > probs[best]))
                best = i;
        }
        if (best < 0)
            break;
        lesson_format_percent(probs[best], pct, sizeof pct);
        fprintf(out, "  %s %s", d->model->vocab[best], pct);
        prev = probs[best];
        prev_id = best;
    }
    fputc('\n', out);
}

/* fprintf, through a function: GCC's format-overflow pass, under the
 * sanitizers, takes a translated format for a possibly null one. */
static void say(FILE *out, const char *fmt, ...) ATTNSTEP_PRINTF(2, 3);
static void say(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
}

int print_generation(FILE *out, const struct trace *t, const struct decode *d, const struct decode_sampling *s,
                     int max_new, const struct decode_step *steps, int n)
{
    char pct[32], k_text[32];
    const int shown = 5;
    double *probs = malloc((size_t)d->V * sizeof *probs);
    const char **tok = malloc(((size_t)t->N + (size_t)n) * sizeof *tok);
    if (!probs || !tok) {
        free(probs);
        free(tok);
        return -1;
    }
    for (int i = 0; i < t->N; i++)
        tok[i] = t->tokens[i];
    for (int k = 0; k < n; k++)
        tok[t->N + k] = d->model->vocab[steps[k].id];
    fputc('\n', out);
    if (s->temperature <= 0.0) {
        /* TRANSLATORS: the heading of --generate's part of --print; %d: the most tokens added. */
        say(out, ngettext("Generation: up to %d token after the sentence, greedy (T = 0): each step\n"
                              "takes the most likely token.",
                              "Generation: up to %d tokens after the sentence, greedy (T = 0): each step\n"
                              "takes the most likely token.",
                              (unsigned long)max_new),
                max_new);
    } else {
        if (s->top_k > 0)
            snprintf(k_text, sizeof k_text, "%d", s->top_k);
        else
            /* TRANSLATORS: fills "top-k %s" when --top-k is not given: every token is kept. */
            snprintf(k_text, sizeof k_text, "%s", _("all"));
        /* TRANSLATORS: the heading of --generate's part of --print when sampling; %d: the most tokens added,
           %g the temperature, %s the top-k (a number, or "all"), %llu the seed. Keep lines within 78
           columns (a Hangul syllable takes two). */
        say(out, ngettext("Generation: up to %d token after the sentence, sampled at T = %g, top-k %s,\n"
                              "seed %llu. Each step draws one number u, uniform in [0, 1), and takes the\n"
                              "first token, in vocabulary order, at which the running total of the\n"
                              "probabilities passes u.",
                              "Generation: up to %d tokens after the sentence, sampled at T = %g, top-k %s,\n"
                              "seed %llu. Each step draws one number u, uniform in [0, 1), and takes the\n"
                              "first token, in vocabulary order, at which the running total of the\n"
                              "probabilities passes u.",
                              (unsigned long)max_new),
                max_new, s->temperature, k_text, (unsigned long long)s->seed);
    }
    fputs("\n\n", out);
    for (int k = 0; k < n; k++) {
        int p = t->N + k - 1; /* the position whose logits choose token k */
        const double *logits = decode_logits(d, p);
        /* TRANSLATORS: --print, one step of the generation: the step number, then the text so far follows. */
        say(out, _("Step %d:"), k + 1);
        fputc(' ', out);
        put_tokens(out, tok, t->N + k);
        fprintf(out, " → %s\n", tok[t->N + k]);
        encoder_softmax(probs, logits, d->V);
        /* TRANSLATORS: --print, before the most likely next tokens with their probabilities. */
        fprintf(out, "  %s", _("most likely at T = 1:"));
        put_candidates(out, d, probs, shown);
        if (s->temperature > 0.0 && !decode_distribution(probs, logits, d->V, s->temperature, s->top_k)) {
            /* TRANSLATORS: --print, before the probabilities the token is drawn from; %g: the temperature,
               %s the top-k (a number, or "all"). */
            fprintf(out, "  ");
            say(out, _("drawn from, at T = %g, top-k %s:"), s->temperature, k_text);
            put_candidates(out, d, probs, shown);
            fprintf(out, "  u = %.6f\n", steps[k].draw);
        }
        lesson_format_percent(steps[k].prob, pct, sizeof pct);
        fputs("  ", out);
        /* TRANSLATORS: --print: the token chosen at this step and its probability at T = 1 ("41%"). */
        say(out, _("chosen: %s (%s at T = 1)"), tok[t->N + k], pct);
        fputc('\n', out);
        if (steps[k].id == d->model->eos_id)
            /* TRANSLATORS: --print, after the model chose <eos>. */
            fprintf(out, "  %s\n", _("<eos>: the model ends the sentence here, so generation stops."));
    }
    fputc('\n', out);
    /* TRANSLATORS: --print, before the sentence with the generated tokens. */
    fprintf(out, "%s ", _("Text:"));
    put_tokens(out, tok, t->N + n);
    fputc('\n', out);
    free(probs);
    free(tok);
    return ferror(out) ? -1 : 0;
}
