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

/* Nothing is computed before it is asked for, then only the row asked for. */
static void test_influence_is_lazy(void **state)
{
    (void)state;
    struct bundle b;
    struct trace t;
    struct error err;
    assert_int_equal(bundle_load(&b, src_path("tests/data/bundles/recurrent"), &err), 0);
    assert_int_equal(trace_build(&t, &b, "the cat sat on the mat", 0, &err), 0);
    for (int i = 0; i < TRACE_N_MODELS * t.N; i++)
        assert_true(t.influence[i] == 0.0);
    assert_int_equal(trace_influence(&t, TRACE_LSTM), 0);
    for (int m = 0; m < TRACE_N_MODELS; m++)
        for (int i = 0; i < t.N; i++)
            assert_true((t.influence[m * t.N + i] > 0.0) == (m == TRACE_LSTM));
    assert_int_equal(trace_influence_all(&t), 0);
    for (int i = 0; i < TRACE_N_MODELS * t.N; i++)
        assert_true(t.influence[i] > 0.0);
    trace_free(&t);
    bundle_free(&b);
}

struct progress_log {
    int calls;
    double last;
    int increasing;
};

static void log_progress(void *ctx, double done)
{
    struct progress_log *p = ctx;
    p->increasing &= done > p->last;
    p->last = done;
    p->calls++;
}

/* A slow run reports after every word, rising to exactly 1, without changing
 * the numbers. */
static void test_influence_progress(void **state)
{
    struct fixture *f = *state;
    const struct trace *t = &f->t;
    const struct bundle_recurrent_weights *lstm = &f->b.rec[BUNDLE_LSTM], *rnn = &f->b.rec[BUNDLE_RNN];
    double *row = malloc((size_t)t->N * sizeof *row);
    assert_int_equal(trace_influence_all(t), 0);
    struct progress_log p = {0, 0.0, 1};
    assert_int_equal(recurrent_lstm_influence(row, t->lstm_gates, t->lstm_c, lstm->w_x, lstm->w_h, t->N, t->D, t->Dh,
                                              log_progress, &p), 0);
    assert_int_equal(p.calls, t->N);
    assert_true(p.increasing && p.last == 1.0);
    assert_memory_equal(row, t->influence + TRACE_LSTM * t->N, (size_t)t->N * sizeof *row);
    p = (struct progress_log){0, 0.0, 1};
    assert_int_equal(recurrent_rnn_influence(row, t->rnn_h, rnn->w_x, rnn->w_h, t->N, t->D, t->Dh, log_progress, &p),
                     0);
    assert_int_equal(p.calls, t->N);
    assert_true(p.increasing && p.last == 1.0);
    assert_memory_equal(row, t->influence + TRACE_RNN * t->N, (size_t)t->N * sizeof *row);
    free(row);
}

static void test_influence_matches_finite_differences(void **state)
{
    struct fixture *f = *state;
    const struct trace *t = &f->t;
    assert_int_equal(trace_influence_all(t), 0);
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

/* ------------------------------------------------------------------------
 * The influence as it was first written: one backward pass per output
 * component, O(N·D³) for attention. Kept here as the reference the fast
 * Gram-matrix form in attention.c and the batched passes in recurrent.c must
 * reproduce to rounding. */

static void ref_back_through(double *g_in, const double *g_out, const double *w, int K, int C)
{
    for (int k = 0; k < K; k++) {
        double sum = 0.0;
        for (int c = 0; c < C; c++)
            sum += g_out[c] * w[(size_t)k * C + c];
        g_in[k] = sum;
    }
}

static void ref_rnn_influence(double *influence, const double *h, const double *w_xh, const double *w_hh, int N,
                              int D, int Dh)
{
    double *g_h = malloc((size_t)Dh * sizeof *g_h), *g_a = malloc((size_t)Dh * sizeof *g_a);
    double *g_e = malloc((size_t)D * sizeof *g_e);
    memset(influence, 0, (size_t)N * sizeof *influence);
    for (int d = 0; d < Dh; d++) {
        memset(g_h, 0, (size_t)Dh * sizeof *g_h);
        g_h[d] = 1.0;
        for (int t = N - 1; t >= 0; t--) {
            for (int j = 0; j < Dh; j++) {
                double ht = h[(size_t)t * Dh + j];
                g_a[j] = g_h[j] * (1.0 - ht * ht);
            }
            ref_back_through(g_e, g_a, w_xh, D, Dh);
            for (int k = 0; k < D; k++)
                influence[t] += g_e[k] * g_e[k];
            ref_back_through(g_h, g_a, w_hh, Dh, Dh);
        }
    }
    for (int t = 0; t < N; t++)
        influence[t] = sqrt(influence[t]);
    free(g_h);
    free(g_a);
    free(g_e);
}

static void ref_lstm_influence(double *influence, const double *gates, const double *c, const double *w_x,
                               const double *w_h, int N, int D, int Dh)
{
    int G = 4 * Dh;
    double *g_h = malloc((size_t)Dh * sizeof *g_h), *g_c = malloc((size_t)Dh * sizeof *g_c);
    double *g_z = malloc((size_t)G * sizeof *g_z), *g_e = malloc((size_t)D * sizeof *g_e);
    memset(influence, 0, (size_t)N * sizeof *influence);
    for (int d = 0; d < Dh; d++) {
        memset(g_h, 0, (size_t)Dh * sizeof *g_h);
        memset(g_c, 0, (size_t)Dh * sizeof *g_c);
        g_h[d] = 1.0;
        for (int t = N - 1; t >= 0; t--) {
            const double *gt = gates + (size_t)t * G;
            for (int j = 0; j < Dh; j++) {
                double i = gt[j], f = gt[Dh + j], g = gt[2 * Dh + j], o = gt[3 * Dh + j];
                double ct = c[(size_t)t * Dh + j], tc = tanh(ct);
                double c_prev = t ? c[(size_t)(t - 1) * Dh + j] : 0.0;
                double gc = g_c[j] + g_h[j] * o * (1.0 - tc * tc);
                g_z[j] = gc * g * i * (1.0 - i);
                g_z[Dh + j] = gc * c_prev * f * (1.0 - f);
                g_z[2 * Dh + j] = gc * i * (1.0 - g * g);
                g_z[3 * Dh + j] = g_h[j] * tc * o * (1.0 - o);
                g_c[j] = gc * f;
            }
            ref_back_through(g_e, g_z, w_x, D, G);
            for (int k = 0; k < D; k++)
                influence[t] += g_e[k] * g_e[k];
            ref_back_through(g_h, g_z, w_h, Dh, G);
        }
    }
    for (int t = 0; t < N; t++)
        influence[t] = sqrt(influence[t]);
    free(g_h);
    free(g_c);
    free(g_z);
    free(g_e);
}

static void ref_attention_influence(double *influence, const double *q, const double *k, const double *v,
                                    const double *weights, const double *w_q, const double *w_k,
                                    const double *w_v, const double *w_o, int N, int D, int H)
{
    int DK = D / H, last = N - 1;
    double scale = 1.0 / sqrt((double)DK);
    double *g_x = malloc((size_t)N * D * sizeof *g_x), *g_a = malloc((size_t)N * sizeof *g_a);
    double *g_kv = malloc((size_t)2 * DK * sizeof *g_kv), *g_q = malloc((size_t)DK * sizeof *g_q);
    memset(influence, 0, (size_t)N * sizeof *influence);
    for (int d = 0; d < D; d++) {
        memset(g_x, 0, (size_t)N * D * sizeof *g_x);
        for (int h = 0; h < H; h++) {
            const double *a = weights + ((size_t)h * N + last) * N;
            const double *qi = q + (size_t)last * D + (size_t)h * DK;
            size_t hc = (size_t)h * DK;
            double mean = 0.0;
            for (int j = 0; j < N; j++) {
                double sum = 0.0;
                for (int m = 0; m < DK; m++)
                    sum += w_o[(hc + m) * D + d] * v[(size_t)j * D + hc + m];
                g_a[j] = sum;
                mean += a[j] * sum;
            }
            memset(g_q, 0, (size_t)DK * sizeof *g_q);
            for (int j = 0; j < N; j++) {
                double g_s = a[j] * (g_a[j] - mean) * scale;
                const double *kj = k + (size_t)j * D + hc;
                for (int m = 0; m < DK; m++) {
                    g_q[m] += g_s * kj[m];
                    g_kv[m] = g_s * qi[m];
                    g_kv[DK + m] = a[j] * w_o[(hc + m) * D + d];
                }
                double *gxj = g_x + (size_t)j * D;
                for (int r = 0; r < D; r++) {
                    double sum = 0.0;
                    for (int m = 0; m < DK; m++)
                        sum += g_kv[m] * w_k[(size_t)r * D + hc + m] + g_kv[DK + m] * w_v[(size_t)r * D + hc + m];
                    gxj[r] += sum;
                }
            }
            double *gxl = g_x + (size_t)last * D;
            for (int r = 0; r < D; r++) {
                double sum = 0.0;
                for (int m = 0; m < DK; m++)
                    sum += g_q[m] * w_q[(size_t)r * D + hc + m];
                gxl[r] += sum;
            }
        }
        for (int i = 0; i < N; i++)
            for (int r = 0; r < D; r++)
                influence[i] += g_x[(size_t)i * D + r] * g_x[(size_t)i * D + r];
    }
    for (int i = 0; i < N; i++)
        influence[i] = sqrt(influence[i]);
    free(g_x);
    free(g_a);
    free(g_kv);
    free(g_q);
}

/* A uniform number in [-scale, scale) from a fixed-seed generator (xorshift),
 * so the random models are the same on every machine. */
static double uniform(uint64_t *state, double scale)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return scale * ((double)(*state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static double *random_matrix(uint64_t *state, size_t n, double scale)
{
    double *m = malloc(n * sizeof *m);
    for (size_t i = 0; i < n; i++)
        m[i] = uniform(state, scale);
    return m;
}

static void assert_same_influence(const char *what, const double *fast, const double *ref, int N)
{
    for (int i = 0; i < N; i++)
        if (!(fabs(fast[i] - ref[i]) <= 1e-12 * fabs(ref[i]) + 1e-300))
            fail_msg("%s: influence of word %d: %.17g, reference %.17g (relative %.3g)", what, i, fast[i], ref[i],
                     fabs(fast[i] - ref[i]) / fabs(ref[i]));
}

/* Random models of many shapes (one head or many, one word or many, biases,
 * causal or not, weights small or large so the softmax is soft or sharp): the
 * fast influence equals the reference loop to 1e-12 relative. */
static void test_influence_matches_reference(void **state)
{
    (void)state;
    static const struct { int N, D, H, Dh, causal; double w; } shapes[] = {
        {1, 4, 1, 3, 0, 0.5}, {2, 4, 2, 1, 1, 0.5}, {5, 8, 2, 8, 0, 0.5}, {7, 12, 3, 5, 1, 0.9},
        {13, 16, 4, 6, 0, 1.5}, {9, 6, 6, 4, 0, 0.3}, {20, 32, 8, 16, 1, 0.4}, {3, 24, 1, 2, 0, 0.7},
    };
    uint64_t rng = 0x9e3779b97f4a7c15u;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int N = shapes[s].N, D = shapes[s].D, H = shapes[s].H, Dh = shapes[s].Dh, G = 4 * Dh;
        size_t ND = (size_t)N * D, DD = (size_t)D * D, HNN = (size_t)H * N * N;
        double *x = random_matrix(&rng, ND, 1.0), *w[4], *b[4], *qkv[3];
        for (int m = 0; m < 4; m++) {
            w[m] = random_matrix(&rng, DD, shapes[s].w);
            b[m] = random_matrix(&rng, (size_t)D, 0.2);
        }
        for (int m = 0; m < 3; m++) {
            qkv[m] = malloc(ND * sizeof *qkv[m]);
            attention_linear(qkv[m], x, w[m], b[m], N, D, D);
        }
        double *s1 = malloc(HNN * sizeof *s1), *s2 = malloc(HNN * sizeof *s2), *mk = malloc(HNN * sizeof *mk);
        double *a = malloc(HNN * sizeof *a), *cat = malloc(ND * sizeof *cat);
        attention_heads(s1, s2, mk, a, cat, qkv[0], qkv[1], qkv[2], N, D, H, shapes[s].causal);
        double *fast = malloc((size_t)N * sizeof *fast), *ref = malloc((size_t)N * sizeof *ref);
        assert_int_equal(attention_influence(fast, qkv[0], qkv[1], qkv[2], a, w[0], w[1], w[2], w[3], N, D, H), 0);
        ref_attention_influence(ref, qkv[0], qkv[1], qkv[2], a, w[0], w[1], w[2], w[3], N, D, H);
        assert_same_influence("attention", fast, ref, N);

        double *w_x = random_matrix(&rng, (size_t)D * G, 0.6), *w_h = random_matrix(&rng, (size_t)Dh * G, 0.6);
        double *bias = random_matrix(&rng, (size_t)G, 0.3);
        double *z = malloc((size_t)N * G * sizeof *z), *gates = malloc((size_t)N * G * sizeof *gates);
        double *c = malloc((size_t)N * Dh * sizeof *c), *h = malloc((size_t)N * Dh * sizeof *h);
        recurrent_lstm_forward(z, gates, c, h, x, w_x, w_h, bias, N, D, Dh);
        assert_int_equal(recurrent_lstm_influence(fast, gates, c, w_x, w_h, N, D, Dh, NULL, NULL), 0);
        ref_lstm_influence(ref, gates, c, w_x, w_h, N, D, Dh);
        assert_same_influence("lstm", fast, ref, N);
        /* The RNN reads the start of the same buffers as its (D, Dh) and (Dh, Dh) weights. */
        recurrent_rnn_forward(z, h, x, w_x, w_h, bias, N, D, Dh);
        assert_int_equal(recurrent_rnn_influence(fast, h, w_x, w_h, N, D, Dh, NULL, NULL), 0);
        ref_rnn_influence(ref, h, w_x, w_h, N, D, Dh);
        assert_same_influence("rnn", fast, ref, N);

        double *all[] = {x, s1, s2, mk, a, cat, fast, ref, w_x, w_h, bias, z, gates, c, h};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            free(all[i]);
        for (int m = 0; m < 4; m++) {
            free(w[m]);
            free(b[m]);
        }
        for (int m = 0; m < 3; m++)
            free(qkv[m]);
    }
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
        cmocka_unit_test(test_influence_is_lazy),
        cmocka_unit_test(test_influence_matches_finite_differences),
        cmocka_unit_test(test_influence_matches_reference),
        cmocka_unit_test(test_influence_progress),
        cmocka_unit_test(test_bundle_without_recurrent_weights),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    return rc;
}
