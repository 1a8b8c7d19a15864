/* What the screen teaches: every formula of every step, on trained, random,
 * causal, recurrent and Korean models, writes numbers a first-year student
 * reads (plain decimals, never e-notation), ⊙ for elementwise products and
 * names that cannot be confused; every explanation is true of the model on
 * screen (trained or random, with or without the causal mask, a memory that
 * must fade or may grow). */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <sys/stat.h>

#include "attnstep/bundle.h"
#include "attnstep/i18n.h"
#include "attnstep/lesson.h"
#include "attnstep/narration.h"
#include "attnstep/trace.h"
#include "attnstep/utf8.h"
#include "testutil.h"
#include "config.h"

/* The pipeline view gives an explanation four lines; at 80 columns they are 76
 * cells wide. A title shares the heading and the status line: no wider than the
 * widest English one; a granularity name sits in the status line like "stage". */
#define EXPLAIN_WIDTH 76
#define EXPLAIN_LINES 4
#define TITLE_WIDTH 34
#define NAME_WIDTH 5

/* Where meson builds the catalogues (ko/LC_MESSAGES/attnstep.mo): argv[2]. */
static const char *catalogue_dir;

/* Each model with a sentence in its language; tests/data fixtures are hand-made
 * (their description says nothing of training). */
static const struct {
    const char *dir, *sentence;
} cases[] = {
    {"assets/models/tiny-en", "the movie was not good , but the actors were great !"},
    {"assets/models/random-en", "the movie was not good"},
    {"assets/models/tiny-ko", "영화가 정말 좋지 않았다"},
    {"tests/data/bundles/recurrent", "the movie was not good"},
    {"tests/data/bundles/encoder-gelu", "영화가 정말 좋지 않았다"},
    {"tests/data/bundles/causal-small", "the movie was not good"},
    {"tests/data/bundles/korean", "영화가 정말 좋지 않았다"},
    {"tests/data/bundles/lm-crlf", "the cat sat on a"},
    {"tests/data/bundles/lm-korean", "오늘 나는 학교에"},
};
#define N_CASES (int)(sizeof cases / sizeof cases[0])

struct fixture {
    struct bundle b[N_CASES];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct error err;
    for (int i = 0; i < N_CASES; i++)
        if (bundle_load(&f->b[i], src_path(cases[i].dir), &err)) {
            print_error("%s: %s\n", cases[i].dir, err.msg);
            return -1;
        }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < N_CASES; i++)
        bundle_free(&f->b[i]);
    free(f);
    return 0;
}

/* Every number in s is a plain decimal: no e-notation, at most one point with
 * digits on both sides, at most four decimals (the model's ε, a constant given
 * exactly, excepted). Returns NULL or what is wrong. */
static const char *bad_number(const char *s, double eps, char *why, size_t size)
{
    for (const char *p = s; *p; p++) {
        if ((*p == 'e' || *p == 'E') && p > s && (isdigit((unsigned char)p[-1]) || p[-1] == '.')) {
            const char *q = p + 1 + (p[1] == '-' || p[1] == '+');
            if (isdigit((unsigned char)*q)) {
                snprintf(why, size, "e-notation at \"%.12s\"", p - 1);
                return why;
            }
        }
        if (!isdigit((unsigned char)*p) || (p > s && (isdigit((unsigned char)p[-1]) || p[-1] == '.')))
            continue;
        const char *q = p, *dot = NULL;
        int dots = 0;
        while (isdigit((unsigned char)*q) || *q == '.') {
            if (*q == '.')
                dot = q, dots++;
            q++;
        }
        int decimals = dot ? (int)(q - dot - 1) : 0;
        if (dots > 1 || (dot && decimals == 0) || (p > s && p[-1] == '.')) {
            snprintf(why, size, "not a plain decimal: \"%.*s\"", (int)(q - p), p);
            return why;
        }
        if (decimals > 4 && fabs(strtod(p, NULL) - eps) > 1e-15) {
            snprintf(why, size, "more than four decimals: \"%.*s\"", (int)(q - p), p);
            return why;
        }
        p = q - 1;
    }
    return NULL;
}

/* Whether w occurs in s as a word of its own ("-inf", not "influence"). */
static int has_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = strstr(s, w); p; p = strstr(p + 1, w))
        if ((p == s || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[n]))
            return 1;
    return 0;
}

/* A bracketed number without a minus sign that is not a factor of a product:
 * "+ (0.0000) =" where "+ 0.0000" was meant. "(0)(0.485)", "(1.02)·(…)" and
 * "(0.43)tanh(…)" are products. */
static int lone_bracketed_unsigned(const char *f)
{
    for (const char *p = strchr(f, '('); p; p = strchr(p + 1, '(')) {
        const char *q = p + 1;
        if (!isdigit((unsigned char)*q))
            continue;
        while (isdigit((unsigned char)*q) || *q == '.')
            q++;
        /* after a space: not a function's argument, sin(0), nor a second factor */
        if (*q == ')' && (q[1] == ' ' || q[1] == '\0') && p > f && p[-1] == ' ')
            return 1;
    }
    return 0;
}

static void check_formula(const struct lesson *l, struct lesson_pos pos, const char *f, const char *where)
{
    const struct lesson_stage *s = &l->stages[pos.stage];
    char why[128];
    if (bad_number(f, l->trace->model->enc.norm_eps, why, sizeof why))
        fail_msg("%s, step %ld: %s in \"%s\"", where, pos.step, why, f);
    if (has_word(f, "nan") || has_word(f, "inf"))
        fail_msg("%s, step %ld: \"%s\"", where, pos.step, f);
    /* brackets hold a negative number after a sign, nothing else: "+ (0.0000)" reads as a typo */
    if (lone_bracketed_unsigned(f))
        fail_msg("%s, step %ld: a number without a sign in brackets: \"%s\"", where, pos.step, f);
    switch (s->kind) {
    case STAGE_LSTM_C: case STAGE_LSTM_H:
        /* elementwise: ⊙, never the matrix product's "·" */
        if (!strstr(f, "⊙") || strstr(f, "·"))
            fail_msg("%s, step %ld: the LSTM's elementwise product is not ⊙: \"%s\"", where, pos.step, f);
        break;
    case STAGE_LSTM_GATES:
        if (pos.col >= 0 && !strstr(f, "gate") && !strstr(f, "candidate"))
            fail_msg("%s, step %ld: the gate is not named: \"%s\"", where, pos.step, f);
        break;
    case STAGE_FFN_HIDDEN: case STAGE_FFN_OUTPUT:
        /* the feed-forward results are ff1 and ff2, never the LSTM's f or g */
        if (strncmp(f, s->kind == STAGE_FFN_HIDDEN ? "ff1" : "ff2", 3))
            fail_msg("%s, step %ld: \"%s\"", where, pos.step, f);
        break;
    case STAGE_Q: case STAGE_K: case STAGE_V:
        /* a head's columns are written with both ends, as DESIGN.md does: not Python's 0:8 */
        if (strstr(f, "[:,") && !strstr(f, "…") && pos.col < 0)
            fail_msg("%s, step %ld: a head's columns without both ends: \"%s\"", where, pos.step, f);
        break;
    case STAGE_X: case STAGE_RESIDUAL1: case STAGE_RESIDUAL2:
        /* every number in a sum is named where it comes from */
        if (pos.col >= 0 && !strstr(strstr(f, " = "), "["))
            fail_msg("%s, step %ld: the terms of the sum are not named: \"%s\"", where, pos.step, f);
        break;
    case STAGE_NORM1: case STAGE_NORM2:
        if (pos.row < 0 && !strstr(f, "⊙ γ"))
            fail_msg("%s: γ scales entry by entry: \"%s\"", where, f);
        break;
    default:
        break;
    }
}

/* Lines text takes, wrapped greedily at spaces into width cells. */
static int wrapped_lines(const char *text, int width)
{
    int lines = 0, col = 0;
    char word[256];
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, " ");
        snprintf(word, sizeof word, "%.*s", (int)n, p);
        int w = utf8_width(word);
        if (!lines || col + 1 + w > width) {
            lines++;
            col = w;
        } else {
            col += 1 + w;
        }
        p += n;
        p += strspn(p, " ");
    }
    return lines;
}

/* The first `n` lines of text wrapped like wrapped_lines, into out. */
static void first_lines(const char *text, int width, int n, char *out, size_t size)
{
    int lines = 0, col = 0;
    char word[256];
    out[0] = '\0';
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, " ");
        snprintf(word, sizeof word, "%.*s", (int)len, p);
        int w = utf8_width(word);
        if (!lines || col + 1 + w > width) {
            if (++lines > n)
                return;
            col = w;
        } else {
            col += 1 + w;
        }
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", used ? " " : "", word);
        p += len;
        p += strspn(p, " ");
    }
}

static void check_lesson(const struct lesson *l, const char *where)
{
    char f[8192], shown[8192], num[32];
    for (long step = 0; step < l->n_steps; step++) {
        struct lesson_pos pos = lesson_at(l, step);
        lesson_formula(l, pos, f, sizeof f);
        check_formula(l, pos, f, where);
        /* A cell's value is within the three lines the pipeline view gives a
         * formula at 80 columns: what a narrow screen cuts is never the answer. */
        const struct lesson_stage *s = &l->stages[pos.stage];
        struct matview res = lesson_matrix(l, lesson_result(s->kind), s->head);
        if (pos.col < 0 || !res.data)
            continue;
        double v = res.data[(size_t)pos.row * res.stride + (size_t)pos.col];
        if (isinf(v))
            continue;
        lesson_format_number(v, num, sizeof num);
        first_lines(f, EXPLAIN_WIDTH, 3, shown, sizeof shown);
        if (!strstr(shown, num))
            fail_msg("%s, step %ld: the value %s is not in the first three lines of \"%s\"", where, pos.step, num,
                     f);
    }
    for (int st = 0; st < l->n_stages; st++) {
        const char *e = narration_explain(l, st);
        assert_non_null(e);
        if (wrapped_lines(e, EXPLAIN_WIDTH) > EXPLAIN_LINES)
            fail_msg("%s: more than %d lines of %d cells: %s", where, EXPLAIN_LINES, EXPLAIN_WIDTH, e);
        /* a mask makes some weights exactly 0: never "positive" */
        if (l->stages[st].kind == STAGE_WEIGHTS && strstr(e, "positive"))
            fail_msg("%s: softmax weights called positive: %s", where, e);
        if (l->trace->causal && (strstr(e, "looked at the whole sentence") || strstr(e, "every word see") ||
                                 strstr(e, "mix of all the values")))
            fail_msg("%s: under the causal mask: %s", where, e);
    }
}

static void test_every_step_of_every_lesson(void **state)
{
    struct fixture *f = *state;
    struct error err;
    int lessons = 0;
    for (int i = 0; i < N_CASES; i++)
        for (int causal = 0; causal <= 1; causal++) {
            struct trace t;
            if (trace_build(&t, &f->b[i], cases[i].sentence, causal, &err))
                fail_msg("%s: %s", cases[i].dir, err.msg);
            for (int m = 0; m < TRACE_N_MODELS; m++)
                for (int g = GRAN_STAGE; g <= GRAN_CELL; g++) {
                    if (!t.has_model[m] || (m != TRACE_ATTENTION && causal))
                        continue;
                    struct lesson l;
                    assert_int_equal(lesson_init(&l, &t, (enum trace_model)m, (enum granularity)g, &err), 0);
                    char where[256];
                    snprintf(where, sizeof where, "%s, %s%s, %s", cases[i].dir, trace_model_name[m],
                             causal ? " (causal)" : "", narration_granularity((enum granularity)g));
                    check_lesson(&l, where);
                    lesson_free(&l);
                    lessons++;
                }
            trace_free(&t);
        }
    assert_true(lessons >= 2 * 3 * N_CASES); /* and the recurrent ones */
}

static void test_numbers_are_plain_decimals(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *want;
    } cases_[] = {
        {6.088e-05, "0.0001"}, {1e-7, "0.0000"}, {-3e-5, "0.0000"}, {0.0, "0"}, {-0.0, "0"},
        {0.5, "0.5"}, {-0.42134, "-0.4213"}, {2.828427, "2.8284"}, {1.00012, "1.0001"}, {21.1534, "21.1534"}, {99.99996, "100"},
        {-123.44, "-123.4"}, {1234.56, "1235"}, {12345.6, "12346"}, {1e9, "1000000000"}, {0.99996, "1"}, {9.99996, "10"},
        {-INFINITY, "-∞"},
    };
    char buf[32], why[128];
    for (size_t k = 0; k < sizeof cases_ / sizeof cases_[0]; k++) {
        lesson_format_number(cases_[k].v, buf, sizeof buf);
        if (strcmp(buf, cases_[k].want))
            fail_msg("%.17g → \"%s\", expected \"%s\"", cases_[k].v, buf, cases_[k].want);
        assert_null(bad_number(buf, 0, why, sizeof why));
    }
    /* the checker itself sees what it must */
    assert_non_null(bad_number("x = 6.088e-05", 0, why, sizeof why));
    assert_non_null(bad_number("x = 1E5", 0, why, sizeof why));
    assert_non_null(bad_number("x = 0.123456", 0, why, sizeof why));
    assert_non_null(bad_number("x = 1.", 0, why, sizeof why));
    assert_null(bad_number("e[the,d10] = E[219,d10] = -0.0001 + 0.00001", 1e-5, why, sizeof why));
    /* a probability is not rounded to certainty */
    static const struct {
        double p;
        const char *want;
    } pct[] = {{0.93, "93%"}, {0.9999, "99.99%"}, {0.999999, "> 99.99%"}, {1.0, "100%"}, {0.0, "0%"},
               {0.001, "0.10%"}, {1e-9, "< 0.01%"}};
    for (size_t k = 0; k < sizeof pct / sizeof pct[0]; k++) {
        lesson_format_percent(pct[k].p, buf, sizeof buf);
        if (strcmp(buf, pct[k].want))
            fail_msg("%.17g → \"%s\", expected \"%s\"", pct[k].p, buf, pct[k].want);
    }
}

static const char *explain_stage(const struct lesson *l, enum stage_kind kind)
{
    for (int s = 0; s < l->n_stages; s++)
        if (l->stages[s].kind == kind)
            return narration_explain(l, s);
    fail_msg("no stage %d", (int)kind);
    return NULL;
}

/* The sentences change with the model: trained, random or unsaid; the mask. */
static void test_explanations_fit_the_model(void **state)
{
    struct fixture *f = *state;
    struct error err;
    assert_int_equal(narration_training(&f->b[0]), NARRATION_TRAINED);
    assert_int_equal(narration_training(&f->b[1]), NARRATION_RANDOM);
    assert_int_equal(narration_training(&f->b[2]), NARRATION_TRAINED);
    assert_int_equal(narration_training(&f->b[3]), NARRATION_UNKNOWN);
    struct trace t[3], tc;
    struct lesson l[3], lc;
    const char *embed[3];
    for (int i = 0; i < 3; i++) {
        int c = i == 2 ? 3 : i; /* trained, random, a fixture */
        assert_int_equal(trace_build(&t[i], &f->b[c], cases[c].sentence, 0, &err), 0);
        assert_int_equal(lesson_init(&l[i], &t[i], TRACE_ATTENTION, GRAN_STAGE, &err), 0);
        embed[i] = explain_stage(&l[i], STAGE_EMBED);
    }
    assert_string_not_equal(embed[0], embed[1]);
    assert_string_not_equal(embed[0], embed[2]);
    assert_string_not_equal(embed[1], embed[2]);
    assert_non_null(strstr(embed[0], "trained"));
    assert_null(strstr(embed[1], "learned"));
    assert_non_null(strstr(embed[1], "not trained"));
    assert_null(strstr(explain_stage(&l[1], STAGE_Q), "learned"));
    /* the causal mask: nobody sees the whole sentence but the last word */
    assert_int_equal(trace_build(&tc, &f->b[0], cases[0].sentence, 1, &err), 0);
    assert_int_equal(lesson_init(&lc, &tc, TRACE_ATTENTION, GRAN_STAGE, &err), 0);
    static const enum stage_kind reach[] = {STAGE_HEAD_OUT, STAGE_OUTPUT, STAGE_POOLED};
    for (size_t k = 0; k < sizeof reach / sizeof reach[0]; k++) {
        const char *open = explain_stage(&l[0], reach[k]), *masked = explain_stage(&lc, reach[k]);
        assert_string_not_equal(open, masked);
        assert_non_null(strstr(masked, "before it"));
    }
    assert_null(strstr(explain_stage(&lc, STAGE_OUTPUT), "whole sentence"));
    /* x = e + p only where the model adds positions */
    assert_non_null(strstr(explain_stage(&l[0], STAGE_X), "added"));
    struct bundle nopos;
    struct trace tn;
    struct lesson ln;
    assert_int_equal(bundle_load(&nopos, src_path("tests/data/bundles/korean"), &err), 0);
    assert_false(nopos.positional);
    assert_int_equal(trace_build(&tn, &nopos, "영화가 좋았다", 0, &err), 0);
    assert_int_equal(lesson_init(&ln, &tn, TRACE_ATTENTION, GRAN_STAGE, &err), 0);
    assert_null(strstr(explain_stage(&ln, STAGE_X), "added"));
    assert_non_null(strstr(explain_stage(&ln, STAGE_X), "no positional encoding"));
    lesson_free(&ln);
    trace_free(&tn);
    bundle_free(&nopos);
    lesson_free(&lc);
    trace_free(&tc);
    for (int i = 0; i < 3; i++) {
        lesson_free(&l[i]);
        trace_free(&t[i]);
    }
}

/* Fading is what these weights do, not a law: the fixture's small W_hh
 * (‖W_hh‖_F = 0.70) must fade; random-en's may stretch (bound 1.87). */
static void test_fading_is_what_these_weights_do(void **state)
{
    struct fixture *f = *state;
    struct error err;
    const char *h_text[2], *infl[2];
    struct trace t[2];
    struct lesson l[2];
    int which[] = {3, 1};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(trace_build(&t[i], &f->b[which[i]], "the movie was not good", 0, &err), 0);
        assert_int_equal(lesson_init(&l[i], &t[i], TRACE_RNN, GRAN_STAGE, &err), 0);
        h_text[i] = explain_stage(&l[i], STAGE_RNN_H);
        infl[i] = explain_stage(&l[i], STAGE_INFLUENCE);
    }
    assert_string_not_equal(h_text[0], h_text[1]);
    assert_string_not_equal(infl[0], infl[1]);
    assert_non_null(strstr(h_text[0], "shrinks every vector"));
    assert_non_null(strstr(h_text[1], "grow"));
    assert_non_null(strstr(infl[1], "exploding"));
    /* the LSTM's memory fades through its forget gates, not through W_hh */
    struct lesson lstm;
    assert_int_equal(lesson_init(&lstm, &t[0], TRACE_LSTM, GRAN_STAGE, &err), 0);
    assert_non_null(strstr(explain_stage(&lstm, STAGE_INFLUENCE), "forget gate"));
    const char *gates = explain_stage(&lstm, STAGE_LSTM_GATES);
    assert_non_null(strstr(gates, "tanh"));
    assert_non_null(strstr(gates, "−1"));
    lesson_free(&lstm);
    for (int i = 0; i < 2; i++) {
        lesson_free(&l[i]);
        trace_free(&t[i]);
    }
}

/* Whether W_hh shrinks every vector is its spectral norm, not a bound on it:
 * 0.9 times the Householder reflection I − 2uuᵀ (u = ones/√5) shrinks every
 * vector by 0.9, though its Frobenius norm (2.01) and √(‖W‖₁‖W‖∞) (1.98)
 * exceed 1; 1.1 times it stretches every vector. */
static void test_fading_decided_by_the_spectral_norm(void **state)
{
    struct fixture *f = *state;
    struct bundle *b = &f->b[3]; /* tests/data/bundles/recurrent, d_hidden 5 */
    struct bundle_recurrent_weights *r = &b->rec[BUNDLE_RNN];
    struct error err;
    int Dh = b->d_hidden;
    assert_int_equal(Dh, 5);
    double saved[25];
    memcpy(saved, r->w_h, sizeof saved);
    static const double scale[] = {0.9, 1.1};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < Dh; i++)
            for (int j = 0; j < Dh; j++)
                r->w_h[i * Dh + j] = scale[k] * ((i == j) - 2.0 / Dh);
        struct trace t;
        struct lesson l;
        assert_int_equal(trace_build(&t, b, "the movie was not good", 0, &err), 0);
        assert_int_equal(lesson_init(&l, &t, TRACE_RNN, GRAN_STAGE, &err), 0);
        const char *h = explain_stage(&l, STAGE_RNN_H), *infl = explain_stage(&l, STAGE_INFLUENCE);
        if (k == 0) {
            assert_non_null(strstr(h, "shrinks every vector"));
            assert_null(strstr(infl, "exploding"));
        } else {
            assert_non_null(strstr(h, "stretches some vectors"));
            assert_non_null(strstr(infl, "exploding"));
        }
        lesson_free(&l);
        trace_free(&t);
    }
    memcpy(r->w_h, saved, sizeof saved);
}

/* Under the causal mask: positions are not explained by "attention sees every
 * word at once", and a model attnstep trained without the mask is not said to
 * give the answer its training shaped. A random model stays random. */
static void test_causal_sentences(void **state)
{
    struct fixture *f = *state;
    struct error err;
    struct trace t;
    struct lesson l;
    assert_int_equal(trace_build(&t, &f->b[0], cases[0].sentence, 1, &err), 0);
    assert_int_equal(lesson_init(&l, &t, TRACE_ATTENTION, GRAN_STAGE, &err), 0);
    assert_null(strstr(explain_stage(&l, STAGE_POSITIONAL), "every word at once"));
    assert_non_null(strstr(explain_stage(&l, STAGE_POSITIONAL), "causal mask"));
    assert_non_null(strstr(explain_stage(&l, STAGE_PROBS), "without the causal mask"));
    lesson_free(&l);
    trace_free(&t);
    assert_int_equal(trace_build(&t, &f->b[1], cases[1].sentence, 1, &err), 0);
    assert_int_equal(lesson_init(&l, &t, TRACE_ATTENTION, GRAN_STAGE, &err), 0);
    assert_non_null(strstr(explain_stage(&l, STAGE_EMBED), "not trained"));
    lesson_free(&l);
    trace_free(&t);
}


/* ---- Korean ------------------------------------------------------------ */

/* Korean as src/cli/lang.c chooses it where only C.UTF-8 is installed: glibc
 * reads LANGUAGE under C.UTF-8, not under "C". */
static int korean_on(void **state)
{
    (void)state;
    if (!catalogue_dir)
        return 0; /* the test says why it skips */
    bindtextdomain(GETTEXT_PACKAGE, catalogue_dir);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
    setenv("LANGUAGE", "ko", 1);
    if (!setlocale(LC_MESSAGES, "C.UTF-8")) {
        print_error("no C.UTF-8 locale: the Korean text cannot be read\n");
        return -1;
    }
    return 0;
}

static int korean_off(void **state)
{
    (void)state;
    setlocale(LC_MESSAGES, "C");
    unsetenv("LANGUAGE");
    return 0;
}

/* The catalogue is there and loaded, or the test is skipped saying why (meson
 * builds it before this test; only a build without gettext's msgfmt lacks it). */
static void need_korean(void)
{
    char mo[4096];
    struct stat st;
    snprintf(mo, sizeof mo, "%s/ko/LC_MESSAGES/%s.mo", catalogue_dir ? catalogue_dir : "(no argument)",
             GETTEXT_PACKAGE);
    if (!catalogue_dir || stat(mo, &st)) {
        print_message("skipped: no Korean catalogue at %s (meson builds it with gettext's msgfmt)\n", mo);
        skip();
    }
    if (!strcmp(gettext("Tokens"), "Tokens"))
        fail_msg("%s is there but gives no Korean: is the text domain bound?", mo);
}

static int hangul(const char *s)
{
    for (const char *p = s; *p;) {
        uint32_t cp;
        int n = utf8_decode(p, strlen(p), &cp);
        if (n <= 0)
            return 0;
        if (cp >= 0xAC00 && cp <= 0xD7A3)
            return 1;
        p += n;
    }
    return 0;
}

/* The Latin words a Korean text may hold: matrix and vector names, functions,
 * RNN and LSTM, attnstep itself, the file tokenizer.csv. English terms are allowed only as a gloss in
 * brackets right after the Korean term, 쿼리(Query). */
static int allowed_symbol(const char *w, size_t n)
{
    static const char *const ok[] = {
        "Q", "K", "V", "E", "H", "N", "x", "e", "h", "c", "i", "f", "o", "g", "t",
        "W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "d_k", "d_model", "d_ff", "h_t", "c_t", "c_", "h_N",
        "e_i", "W_xh", "W_hh", "W_ff1", "W_ff2", "b_ff1", "n1", "W_cls", "tanh", "relu", "gelu", "RNN",
        "LSTM", "ASCII", "unk", "attnstep",
        "tokenizer", "csv", /* the file name tokenizer.csv */
        "W_lm", "b_lm", "eos", /* a language model's head, and <eos> */
    };
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
        if (strlen(ok[k]) == n && !strncmp(ok[k], w, n))
            return 1;
    return 0;
}

/* A Latin word of s that is neither a symbol nor a gloss, into buf; NULL if none. */
static const char *stray_english(const char *s, char *buf, size_t size)
{
    uint32_t prev = 0;
    for (const char *p = s; *p;) {
        if (*p == '(' && prev >= 0xAC00 && prev <= 0xD7A3) { /* 쿼리(Query): a gloss */
            int depth = 0;
            do {
                depth += (*p == '(') - (*p == ')');
                p++;
            } while (*p && depth > 0);
            prev = ')';
            continue;
        }
        if (isalpha((unsigned char)*p)) {
            size_t n = 0;
            while (isalnum((unsigned char)p[n]) || p[n] == '_')
                n++;
            if (!allowed_symbol(p, n)) {
                snprintf(buf, size, "%.*s", (int)n, p);
                return buf;
            }
            prev = (unsigned char)p[n - 1];
            p += n;
            continue;
        }
        int n = utf8_decode(p, strlen(p), &prev);
        p += n > 0 ? n : 1;
    }
    return NULL;
}

/* The first time one of these terms appears in a Korean explanation, outside
 * brackets, its English follows in brackets (the glossary in po/ko.po's voice). */
static const char *unglossed_term(const char *s)
{
    static const char *const term[][2] = {
        {"쿼리", "(Query)"}, {"밸류", "(Value)"}, {"임베딩", "(embedding)"}, {"위치 인코딩", "(positional encoding)"},
        {"소프트맥스", "(softmax)"}, {"내적", "(dot product)"}, {"인과 마스크", "(causal mask)"},
        {"은닉 상태", "(hidden state)"}, {"역전파", "(backpropagation)"}, {"잔차 연결", "(residual connection)"},
        {"층 정규화", "(layer normalisation)"}, {"피드포워드", "(feed-forward)"}, {"평균 풀링", "(mean pooling)"},
        {"로짓", "(logit)"}, {"어휘", "(vocabulary)"}, {"출력 투영", "(output projection)"},
    };
    for (size_t k = 0; k < sizeof term / sizeof term[0]; k++)
        for (const char *p = strstr(s, term[k][0]); p; p = strstr(p + 1, term[k][0])) {
            int depth = 0;
            for (const char *q = s; q < p; q++)
                depth += (*q == '(') - (*q == ')');
            if (depth > 0)
                continue;
            if (strncmp(p + strlen(term[k][0]), term[k][1], strlen(term[k][1])))
                return term[k][0];
            break;
        }
    return NULL;
}

/* Every title, explanation (all variants) and granularity name: translated,
 * Korean, fitting where the English fits, no stray English, terms glossed. */
static void test_every_text_in_korean(void **state)
{
    (void)state;
    need_korean();
    struct narration_entry e;
    char word[64];
    int n = 0, explanations = 0;
    for (int i = 0; narration_entry(i, &e) == 0; i++, n++) {
        const char *en = e.text, *ko = gettext(en);
        if (ko == en || !strcmp(ko, en))
            fail_msg("not translated: \"%s\"", en);
        if (!hangul(ko))
            fail_msg("no Korean in \"%s\" (for \"%s\")", ko, en);
        if (strchr(ko, '\n') || strchr(en, '\n'))
            fail_msg("a line break in \"%s\"", ko);
        if (stray_english(ko, word, sizeof word))
            fail_msg("English word \"%s\" in \"%s\"", word, ko);
        switch (e.kind) {
        case NARRATION_TITLE:
            if (utf8_width(ko) > TITLE_WIDTH || utf8_width(en) > TITLE_WIDTH)
                fail_msg("a title wider than %d cells: \"%s\" / \"%s\"", TITLE_WIDTH, en, ko);
            break;
        case NARRATION_NAME:
            if (utf8_width(ko) > NAME_WIDTH)
                fail_msg("a granularity name wider than %d cells: \"%s\"", NAME_WIDTH, ko);
            break;
        case NARRATION_EXPLANATION: {
            explanations++;
            if (wrapped_lines(ko, EXPLAIN_WIDTH) > EXPLAIN_LINES)
                fail_msg("more than %d lines of %d cells: %s", EXPLAIN_LINES, EXPLAIN_WIDTH, ko);
            if (wrapped_lines(en, EXPLAIN_WIDTH) > EXPLAIN_LINES)
                fail_msg("more than %d lines of %d cells: %s", EXPLAIN_LINES, EXPLAIN_WIDTH, en);
            const char *t = unglossed_term(ko);
            if (t)
                fail_msg("\"%s\" first appears without its English in brackets: %s", t, ko);
            /* a mask makes some weights exactly 0: never "positive" (양수) */
            if (e.stage == STAGE_WEIGHTS && strstr(ko, "양수"))
                fail_msg("softmax weights called positive: %s", ko);
            break;
        }
        }
    }
    /* 34 titles and explanations, 18 variants (one the tokens stage of a
     * subword model, three a language model's), 3 names: a table that loses an
     * entry loses it here too */
    assert_int_equal(n, 2 * STAGE_KIND_COUNT + 18 + 3);
    assert_int_equal(explanations, STAGE_KIND_COUNT + 18);
    /* what the screens receive is the Korean */
    for (int k = 0; k < STAGE_KIND_COUNT; k++) {
        narration_entry(k, &e);
        assert_string_equal(narration_stage((enum stage_kind)k)->title, gettext(e.text));
    }
    assert_string_equal(narration_granularity(GRAN_ROW), "행");
    /* the checkers see what they must */
    assert_non_null(stray_english("점수는 softmax로", word, sizeof word));
    assert_null(stray_english("소프트맥스(softmax)가 W_Q와 h_t를", word, sizeof word));
    assert_non_null(unglossed_term("쿼리는 쿼리(Query)"));
    assert_null(unglossed_term("(d_k: 쿼리의 길이) 쿼리(Query)는"));
}

/* The Korean sentence is chosen like the English one: trained, random, the
 * mask, no positions, a memory that fades or may grow, the LSTM. */
static void test_korean_fits_the_model(void **state)
{
    need_korean();
    struct fixture *f = *state;
    struct error err;
    struct trace t[4];
    struct lesson l[4];
    /* tiny-en; random-en; tiny-en under the mask; the recurrent fixture */
    static const struct {
        int bundle, causal;
        enum trace_model model;
    } which[] = {{0, 0, TRACE_ATTENTION}, {1, 0, TRACE_ATTENTION}, {0, 1, TRACE_ATTENTION}, {3, 0, TRACE_RNN}};
    for (int i = 0; i < 4; i++) {
        int b = which[i].bundle;
        assert_int_equal(trace_build(&t[i], &f->b[b], cases[b].sentence, which[i].causal, &err), 0);
        assert_int_equal(lesson_init(&l[i], &t[i], which[i].model, GRAN_STAGE, &err), 0);
    }
    assert_non_null(strstr(explain_stage(&l[0], STAGE_EMBED), "학습된"));
    assert_non_null(strstr(explain_stage(&l[1], STAGE_EMBED), "학습되지 않"));
    assert_null(strstr(explain_stage(&l[1], STAGE_EMBED), "학습으로 얻은"));
    assert_null(strstr(explain_stage(&l[1], STAGE_Q), "학습으로 얻은"));
    assert_non_null(strstr(explain_stage(&l[0], STAGE_Q), "도서관"));
    assert_non_null(strstr(explain_stage(&l[0], STAGE_K), "책등"));
    assert_non_null(strstr(explain_stage(&l[0], STAGE_V), "책의 내용"));
    assert_non_null(strstr(explain_stage(&l[0], STAGE_X), "더합니다"));
    static const enum stage_kind reach[] = {STAGE_HEAD_OUT, STAGE_OUTPUT, STAGE_POOLED};
    for (size_t k = 0; k < sizeof reach / sizeof reach[0]; k++) {
        const char *open = explain_stage(&l[0], reach[k]), *masked = explain_stage(&l[2], reach[k]);
        assert_string_not_equal(open, masked);
        assert_non_null(strstr(masked, "앞 단어"));
        assert_null(strstr(masked, "모든 밸류"));
    }
    assert_null(strstr(explain_stage(&l[2], STAGE_OUTPUT), "문장 전체"));
    assert_null(strstr(explain_stage(&l[2], STAGE_POSITIONAL), "한꺼번에"));
    assert_non_null(strstr(explain_stage(&l[2], STAGE_POSITIONAL), "인과 마스크"));
    assert_non_null(strstr(explain_stage(&l[2], STAGE_PROBS), "인과 마스크(causal mask) 없이"));
    /* the RNN: this fixture's W_hh shrinks every vector, random-en's stretches some */
    assert_non_null(strstr(explain_stage(&l[3], STAGE_RNN_H), "모든 벡터의 길이를 줄이"));
    assert_null(strstr(explain_stage(&l[3], STAGE_INFLUENCE), "기울기 폭발"));
    struct trace tr;
    struct lesson lr, lstm;
    assert_int_equal(trace_build(&tr, &f->b[1], "the movie was not good", 0, &err), 0);
    assert_int_equal(lesson_init(&lr, &tr, TRACE_RNN, GRAN_STAGE, &err), 0);
    assert_non_null(strstr(explain_stage(&lr, STAGE_RNN_H), "일부 벡터의 길이를 늘리"));
    assert_non_null(strstr(explain_stage(&lr, STAGE_INFLUENCE), "기울기 폭발"));
    assert_int_equal(lesson_init(&lstm, &tr, TRACE_LSTM, GRAN_STAGE, &err), 0);
    assert_non_null(strstr(explain_stage(&lstm, STAGE_INFLUENCE), "망각 게이트"));
    lesson_free(&lstm);
    lesson_free(&lr);
    trace_free(&tr);
    /* no positions: nothing is added */
    struct bundle nopos;
    struct trace tn;
    struct lesson ln;
    assert_int_equal(bundle_load(&nopos, src_path("tests/data/bundles/korean"), &err), 0);
    assert_int_equal(trace_build(&tn, &nopos, "영화가 좋았다", 0, &err), 0);
    assert_int_equal(lesson_init(&ln, &tn, TRACE_ATTENTION, GRAN_STAGE, &err), 0);
    assert_null(strstr(explain_stage(&ln, STAGE_X), "더합니다"));
    assert_non_null(strstr(explain_stage(&ln, STAGE_X), "위치 인코딩(positional encoding)을 더하지 않"));
    lesson_free(&ln);
    trace_free(&tn);
    bundle_free(&nopos);
    for (int i = 0; i < 4; i++) {
        lesson_free(&l[i]);
        trace_free(&t[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    if (argc > 2)
        catalogue_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_are_plain_decimals),
        cmocka_unit_test(test_every_step_of_every_lesson),
        cmocka_unit_test(test_explanations_fit_the_model),
        cmocka_unit_test(test_fading_is_what_these_weights_do),
        cmocka_unit_test(test_fading_decided_by_the_spectral_norm),
        cmocka_unit_test(test_causal_sentences),
        cmocka_unit_test_setup_teardown(test_every_text_in_korean, korean_on, korean_off),
        cmocka_unit_test_setup_teardown(test_korean_fits_the_model, korean_on, korean_off),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
