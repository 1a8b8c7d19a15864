/* The recurrent models and the influence measure: invariants, and the exact
 * (backpropagated) influence against central finite differences of the C
 * forward passes themselves. Golden numbers are in tests/golden (compare.py). */
#include <math.h>

#include "attnstep/attention.h"
#include "attnstep/bundle.h"
#include "attnstep/recurrent.h"
#include "attnstep/trace.h"
#include "testutil.h"

#define EPS 1e-6

struct fixture {
    struct bundle b;
    struct trace t;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct error err;
    if (bundle_load(&f->b, src_path("tests/data/bundles/recurrent"), &err) ||
        trace_build(&f->t, &f->b, "the cat sat on the mat , and the dog barked .", 0, &err)) {
        print_error("%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    trace_free(&f->t);
    bundle_free(&f->b);
    free(f);
    return 0;
}

static void test_invariants(void **state)
{
    struct fixture *f = *state;
    const struct trace *t = &f->t;
    assert_true(t->has_model[TRACE_RNN] && t->has_model[TRACE_LSTM]);
    for (int i = 0; i < t->N * t->Dh; i++) {
        assert_true(fabs(t->rnn_h[i]) < 1.0);
        assert_true(fabs(t->lstm_h[i]) < 1.0);
    }
    for (int w = 0; w < t->N; w++)
        for (int j = 0; j < 4 * t->Dh; j++) {
            double g = t->lstm_gates[(size_t)w * 4 * t->Dh + j];
            if (j / t->Dh == 2)
                assert_true(g > -1.0 && g < 1.0); /* the candidate is a tanh */
            else
                assert_true(g > 0.0 && g < 1.0);  /* the gates are sigmoids */
        }
}

/* y = h_N of the chosen model for embeddings e (N, D). */
static void recurrent_final(const struct fixture *f, int lstm, const double *e, double *y)
{
    const struct trace *t = &f->t;
    const struct bundle_recurrent_weights *r = &f->b.rec[lstm ? BUNDLE_LSTM : BUNDLE_RNN];
    size_t N = (size_t)t->N, Dh = (size_t)t->Dh;
    double *a = malloc(N * 4 * Dh * sizeof *a), *g = malloc(N * 4 * Dh * sizeof *g);
    double *c = malloc(N * Dh * sizeof *c), *h = malloc(N * Dh * sizeof *h);
    if (lstm)
        recurrent_lstm_forward(a, g, c, h, e, r->w_x, r->w_h, r->b, t->N, t->D, t->Dh);
    else
        recurrent_rnn_forward(a, h, e, r->w_x, r->w_h, r->b, t->N, t->D, t->Dh);
    memcpy(y, h + (N - 1) * Dh, Dh * sizeof *y);
    free(a);
    free(g);
    free(c);
    free(h);
}

/* y = the last row of the attention output for embeddings e. */
static void attention_final(const struct fixture *f, const double *e, double *y)
{
    const struct trace *t = &f->t;
    const struct bundle *b = &f->b;
    size_t N = (size_t)t->N, D = (size_t)t->D, H = (size_t)t->H;
    double *x = malloc(N * D * sizeof *x), *q = malloc(N * D * sizeof *q), *k = malloc(N * D * sizeof *k);
    double *v = malloc(N * D * sizeof *v), *cat = malloc(N * D * sizeof *cat), *out = malloc(N * D * sizeof *out);
    double *s1 = malloc(H * N * N * sizeof *s1), *s2 = malloc(H * N * N * sizeof *s2);
    double *m = malloc(H * N * N * sizeof *m), *w = malloc(H * N * N * sizeof *w);
    for (size_t i = 0; i < N * D; i++)
        x[i] = e[i] + t->pe[i];
    attention_linear(q, x, b->w[BUNDLE_Q], b->b[BUNDLE_Q], t->N, t->D, t->D);
    attention_linear(k, x, b->w[BUNDLE_K], b->b[BUNDLE_K], t->N, t->D, t->D);
    attention_linear(v, x, b->w[BUNDLE_V], b->b[BUNDLE_V], t->N, t->D, t->D);
    attention_heads(s1, s2, m, w, cat, q, k, v, t->N, t->D, t->H, t->causal);
    attention_linear(out, cat, b->w[BUNDLE_O], b->b[BUNDLE_O], t->N, t->D, t->D);
    memcpy(y, out + (N - 1) * D, D * sizeof *y);
    double *all[] = {x, q, k, v, cat, out, s1, s2, m, w};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
}

/* ‖∂y/∂e_i‖ by central differences on each component of e_i. */
static double numeric_influence(const struct fixture *f, int model, int i)
{
    const struct trace *t = &f->t;
    size_t N = (size_t)t->N, D = (size_t)t->D;
    int ny = model == TRACE_ATTENTION ? t->D : t->Dh;
    double *e = malloc(N * D * sizeof *e), *yp = malloc((size_t)ny * sizeof *yp), *ym = malloc((size_t)ny * sizeof *ym);
    double sum = 0;
    for (size_t k = 0; k < D; k++) {
        memcpy(e, t->embed, N * D * sizeof *e);
        e[(size_t)i * D + k] += EPS;
        if (model == TRACE_ATTENTION) attention_final(f, e, yp); else recurrent_final(f, model == TRACE_LSTM, e, yp);
        e[(size_t)i * D + k] -= 2 * EPS;
        if (model == TRACE_ATTENTION) attention_final(f, e, ym); else recurrent_final(f, model == TRACE_LSTM, e, ym);
        for (int d = 0; d < ny; d++) {
            double g = (yp[d] - ym[d]) / (2 * EPS);
            sum += g * g;
        }
    }
    free(e);
    free(yp);
    free(ym);
    return sqrt(sum);
}

static void test_influence_matches_finite_differences(void **state)
{
    struct fixture *f = *state;
    const struct trace *t = &f->t;
    for (int m = 0; m < TRACE_N_MODELS; m++)
        for (int i = 0; i < t->N; i++) {
            double exact = t->influence[(size_t)m * t->N + i], numeric = numeric_influence(f, m, i);
            /* differences lose digits on tiny values: relative 1e-4 plus a floor */
            if (!(fabs(exact - numeric) <= 1e-4 * fabs(numeric) + 1e-8))
                fail_msg("%s influence of word %d: exact %.9g, finite differences %.9g", trace_model_name[m], i,
                         exact, numeric);
        }
    /* The story the compare view tells: the RNN forgets the first word far more. */
    double first_rnn = t->influence[TRACE_RNN * t->N], last_rnn = t->influence[TRACE_RNN * t->N + t->N - 1];
    assert_true(first_rnn < 1e-3 * last_rnn);
    assert_true(t->influence[TRACE_LSTM * t->N] > 100 * first_rnn);
}

static void test_bundle_without_recurrent_weights(void **state)
{
    (void)state;
    struct bundle b;
    struct trace t;
    struct error err;
    assert_int_equal(bundle_load(&b, src_path("tests/data/bundles/bias-crlf"), &err), 0);
    assert_int_equal(trace_build(&t, &b, "the movie", 0, &err), 0);
    assert_false(t.has_model[TRACE_RNN] || t.has_model[TRACE_LSTM]);
    assert_true(t.has_model[TRACE_ATTENTION] && t.rnn_h == NULL && t.lstm_h == NULL);
    trace_free(&t);
    bundle_free(&b);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_influence_matches_finite_differences),
        cmocka_unit_test(test_bundle_without_recurrent_weights),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    return rc;
}
