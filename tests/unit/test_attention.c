/* The forward pass against the numpy reference's committed golden files
 * (tests/golden/), and the invariants any attention must keep. */
#include <math.h>

#include "attnstep/attention.h"
#include "attnstep/bundle.h"
#include "attnstep/table.h"
#include "attnstep/trace.h"
#include "testutil.h"

#define RTOL 1e-5
#define ATOL 1e-7

/* Compares a labelled golden CSV (header + token column) with rows×cols
 * numbers at m (row stride `stride`); prints the first differences. */
static void compare_golden(const char *case_dir, const char *file, const double *m, int rows, int cols,
                           size_t stride)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", case_dir, file);
    struct table t;
    struct error err;
    if (table_read(&t, path, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(t.n_rows, rows + 1);
    int bad = 0;
    double worst = 0;
    for (int r = 0; r < rows; r++) {
        assert_int_equal(t.rows[r + 1].n_cells, cols + 1);
        for (int c = 0; c < cols; c++) {
            const char *s = table_text(&t, r + 1, c + 1);
            double want = strcmp(s, "-inf") == 0 ? -INFINITY : strtod(s, NULL);
            double got = m[(size_t)r * stride + (size_t)c];
            int ok = isinf(want) ? (isinf(got) && got < 0) : fabs(got - want) <= RTOL * fabs(want) + ATOL;
            if (!isinf(want) && fabs(got - want) > worst)
                worst = fabs(got - want);
            if (!ok && bad++ < 5)
                print_error("%s[%d][%d]: got %.9g, expected %.9g\n", path, r, c, got, want);
        }
    }
    table_free(&t);
    if (bad)
        fail_msg("%s: %d entries differ; largest difference %.3g", path, bad, worst);
}

static void check_case(const char *name, const char *bundle_rel, int causal, const char *sentence)
{
    struct bundle b;
    struct trace t;
    struct error err;
    if (bundle_load(&b, src_path(bundle_rel), &err))
        fail_msg("%s", err.msg);
    if (trace_build(&t, &b, sentence, causal, &err))
        fail_msg("%s", err.msg);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", src_path("tests/golden/cases"));
    strcat(dir, "/");
    strcat(dir, name);
    size_t D = (size_t)t.D, N = (size_t)t.N;
    compare_golden(dir, "embeddings.csv", t.embed, t.N, t.D, D);
    compare_golden(dir, "positional.csv", t.pe, t.N, t.D, D);
    compare_golden(dir, "x.csv", t.x, t.N, t.D, D);
    for (int h = 0; h < t.H; h++) {
        char f[64];
        size_t off = (size_t)h * (size_t)t.DK, nn = (size_t)h * N * N;
#define HEAD(what, m, cols, stride)                            \
    snprintf(f, sizeof f, "head%d_%s.csv", h + 1, what);       \
    compare_golden(dir, f, m, t.N, cols, stride)
        HEAD("q", t.q + off, t.DK, D);
        HEAD("k", t.k + off, t.DK, D);
        HEAD("v", t.v + off, t.DK, D);
        HEAD("scores", t.scores + nn, t.N, N);
        HEAD("scaled", t.scaled + nn, t.N, N);
        if (causal) {
            HEAD("masked", t.masked + nn, t.N, N);
        }
        HEAD("weights", t.weights + nn, t.N, N);
        HEAD("output", t.concat + off, t.DK, D);
#undef HEAD
    }
    compare_golden(dir, "concat.csv", t.concat, t.N, t.D, D);
    compare_golden(dir, "output.csv", t.out, t.N, t.D, D);
    trace_free(&t);
    bundle_free(&b);
}

static void test_matches_numpy_reference(void **state)
{
    (void)state;
    struct table cases;
    struct error err;
    if (table_read(&cases, src_path("tests/golden/cases.csv"), &err))
        fail_msg("%s", err.msg);
    assert_true(cases.n_rows >= 5);
    for (int r = 1; r < cases.n_rows; r++)
        check_case(table_text(&cases, r, 0), table_text(&cases, r, 1), atoi(table_text(&cases, r, 2)),
                   table_text(&cases, r, 3));
    table_free(&cases);
}

static void test_invariants(void **state)
{
    (void)state;
    struct bundle b;
    struct error err;
    if (bundle_load(&b, src_path("tests/data/bundles/causal-small"), &err))
        fail_msg("%s", err.msg);
    for (int causal = 0; causal <= 1; causal++) {
        struct trace t;
        assert_int_equal(trace_build(&t, &b, "the cat sat on the mat . a dog ran", causal, &err), 0);
        for (int h = 0; h < t.H; h++)
            for (int i = 0; i < t.N; i++) {
                const double *w = t.weights + ((size_t)h * t.N + i) * t.N;
                double sum = 0;
                for (int j = 0; j < t.N; j++) {
                    assert_true(w[j] >= 0 && w[j] <= 1);
                    if (causal && j > i)
                        assert_true(w[j] == 0.0); /* exactly, not nearly */
                    sum += w[j];
                }
                ASSERT_NEAR(sum, 1.0, 1e-12);
            }
        /* A causal first word can only attend to itself: its output is its value. */
        if (causal)
            for (int d = 0; d < t.D; d++)
                ASSERT_NEAR(t.concat[d], t.v[d], 1e-12);
        trace_free(&t);
    }
    bundle_free(&b);
}

static void test_softmax_is_stable(void **state)
{
    (void)state;
    /* Scores of ±1e4 overflow a naive exp(); the max-subtracted softmax does not. */
    double q[2] = {100, 0}, k[4] = {100, 0, -100, 0}, v[4] = {1, 2, 3, 4};
    double scores[4], scaled[4], weights[4], out[4];
    attention_heads(scores, scaled, NULL, weights, out, q, k, v, 1, 2, 1, 0);
    (void)out;
    double q2[4] = {100, 0, 1, 0};
    attention_heads(scores, scaled, NULL, weights, out, q2, k, v, 2, 2, 1, 0);
    for (int i = 0; i < 4; i++)
        assert_true(isfinite(weights[i]));
    ASSERT_NEAR(weights[0], 1.0, 1e-12);
    assert_true(weights[1] < 1e-300);
}

static void test_positional_formula(void **state)
{
    (void)state;
    double pe[3 * 6];
    attention_positional(pe, 3, 6);
    ASSERT_NEAR(pe[0], 0.0, 0);
    ASSERT_NEAR(pe[1], 1.0, 0);
    ASSERT_NEAR(pe[2 * 6 + 2], sin(2.0 / pow(10000.0, 2.0 / 6)), 1e-15);
    ASSERT_NEAR(pe[2 * 6 + 5], cos(2.0 / pow(10000.0, 4.0 / 6)), 1e-15);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_numpy_reference),
        cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_softmax_is_stable),
        cmocka_unit_test(test_positional_formula),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
