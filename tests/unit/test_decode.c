/* Incremental decoding with a key/value cache (decode.c) against the full
 * forward pass recomputed on the whole sequence, the exact undo of a token,
 * and the choice of the next token (greedy, temperature, top-k, seeded draws). */
#include <math.h>

#include "attnstep/attention.h"
#include "attnstep/bundle.h"
#include "attnstep/decode.h"
#include "attnstep/forward.h"
#include "attnstep/train.h"
#include "testutil.h"

static const char *const words[] = {"the", "cat", "sat", "on", "mat", "a", "dog", "ran", ".", "<eos>"};
#define N_WORDS (int)(sizeof words / sizeof words[0])

struct shape {
    int d_model, heads, d_ff, gelu, positional, with_b_lm;
    uint64_t seed;
};

/* A random lm bundle: the classifier's random block (its w_cls unused),
 * LayerNorm γ, β and the feed-forward biases made non-trivial, and W_lm, b_lm. */
static void make_lm(struct bundle *b, const struct shape *s)
{
    static const char *const labels[] = {"x", "y"};
    struct error err;
    if (train_init_model(b, "lm-test", s->d_model, s->heads, s->d_ff, s->gelu, labels, 2, words, N_WORDS, s->seed,
                         &err))
        fail_msg("%s", err.msg);
    uint64_t st = s->seed * 7 + 3;
    int D = b->d_model, F = s->d_ff, V = b->n_vocab;
    for (int i = 0; i < D; i++) {
        b->enc.ln1_gamma[i] = 1.0 + bundle_random_uniform(&st, 0.3);
        b->enc.ln2_gamma[i] = 1.0 + bundle_random_uniform(&st, 0.3);
        b->enc.ln1_beta[i] = bundle_random_uniform(&st, 0.2);
        b->enc.ln2_beta[i] = bundle_random_uniform(&st, 0.2);
        b->enc.b_ff2[i] = bundle_random_uniform(&st, 0.2);
        for (int m = 0; m < BUNDLE_N_PROJ; m++)
            b->b[m][i] = bundle_random_uniform(&st, 0.1);
    }
    for (int i = 0; i < F; i++)
        b->enc.b_ff1[i] = bundle_random_uniform(&st, 0.2);
    b->positional = s->positional;
    b->task = BUNDLE_TASK_LM;
    b->w_lm = malloc((size_t)D * V * sizeof(double));
    b->b_lm = calloc((size_t)V, sizeof(double));
    assert_non_null(b->w_lm);
    assert_non_null(b->b_lm);
    for (int i = 0; i < D * V; i++)
        b->w_lm[i] = bundle_random_uniform(&st, 1.5);
    b->has_b_lm = s->with_b_lm;
    for (int i = 0; s->with_b_lm && i < V; i++)
        b->b_lm[i] = bundle_random_uniform(&st, 0.5);
    b->eos_id = bundle_lookup(b, "<eos>");
    assert_true(b->eos_id >= 0);
}

/* The full forward pass (forward_run) on ids (N), causal, with its lm logits (N, V). */
struct full {
    double *buf;
    struct forward_acts a;
    double *logits;
};

static void full_run(struct full *f, const struct bundle *b, const int *ids, int N)
{
    size_t D = (size_t)b->d_model, H = (size_t)b->n_heads, F = (size_t)b->enc.d_ff, V = (size_t)b->n_vocab;
    size_t n = (size_t)N;
    size_t total = n * D * 13 + H * n * n * 4 + n * F * 2 + 4 * n + D + 2 * (size_t)b->enc.n_labels + n * V;
    memset(&f->a, 0, sizeof f->a); /* next_probs stays NULL */
    f->buf = calloc(total, sizeof(double));
    assert_non_null(f->buf);
    double *p = f->buf;
#define TAKE(field, count) (f->a.field = p, p += (count))
    TAKE(embed, n * D); TAKE(pe, n * D); TAKE(x, n * D); TAKE(q, n * D); TAKE(k, n * D); TAKE(v, n * D);
    TAKE(scores, H * n * n); TAKE(scaled, H * n * n); TAKE(weights, H * n * n); TAKE(masked, H * n * n);
    TAKE(concat, n * D); TAKE(out, n * D); TAKE(residual1, n * D); TAKE(norm1, n * D);
    TAKE(ln1_mean, n); TAKE(ln1_rstd, n); TAKE(ffn_pre, n * F); TAKE(ffn_hidden, n * F);
    TAKE(ffn_out, n * D); TAKE(residual2, n * D); TAKE(norm2, n * D); TAKE(ln2_mean, n); TAKE(ln2_rstd, n);
    TAKE(pooled, D); TAKE(logits, (size_t)b->enc.n_labels); TAKE(probs, (size_t)b->enc.n_labels);
#undef TAKE
    f->logits = f->a.lm_logits = p; /* the project's own lm head, on every position */
    forward_run(&f->a, b, ids, N, 1, 0);
}

static const struct shape shapes[] = {
    {8, 2, 12, 0, 1, 1, 11},  /* relu, sinusoidal, b_lm */
    {6, 3, 10, 1, 1, 0, 12},  /* gelu, no b_lm */
    {4, 1, 8, 1, 0, 1, 13},   /* one head, no positional encoding */
    {16, 4, 24, 0, 1, 1, 14},
};

static void random_ids(int *ids, int N, int V, uint64_t seed)
{
    for (int i = 0; i < N; i++)
        ids[i] = (int)((bundle_random_uniform(&seed, 1.0) + 1.0) / 2.0 * V) % V;
}

static void expect_close(const char *what, int p, const double *got, const double *want, int n)
{
    for (int i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-12 * fabs(want[i]) + 1e-12))
            fail_msg("%s: position %d entry %d: incremental %.17g, full %.17g", what, p, i, got[i], want[i]);
}

/* Every position's q, k, v, weights, norm2 and logits: incremental = full. */
static void test_incremental_matches_full(void **state)
{
    (void)state;
    static const int lengths[] = {1, 2, 7, 17, 40};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        struct bundle b;
        make_lm(&b, &shapes[s]);
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
            int N = lengths[l], ids[40];
            random_ids(ids, N, b.n_vocab, shapes[s].seed * 100 + (uint64_t)l);
            struct decode d;
            struct error err;
            assert_int_equal(decode_init(&d, &b, &err), 0);
            for (int i = 0; i < N; i++)
                assert_int_equal(decode_push(&d, ids[i], &err), 0);
            assert_int_equal(d.n, N);
            struct full f;
            full_run(&f, &b, ids, N);
            int D = b.d_model, V = b.n_vocab;
            for (int p = 0; p < N; p++) {
                expect_close("x", p, d.x + (size_t)p * D, f.a.x + (size_t)p * D, D);
                expect_close("q", p, d.q + (size_t)p * D, f.a.q + (size_t)p * D, D);
                expect_close("k", p, d.k + (size_t)p * D, f.a.k + (size_t)p * D, D);
                expect_close("v", p, d.v + (size_t)p * D, f.a.v + (size_t)p * D, D);
                for (int h = 0; h < b.n_heads; h++) {
                    const double *full_row = f.a.weights + ((size_t)h * N + p) * N;
                    expect_close("weights", p, decode_weights(&d, p, h), full_row, p + 1);
                    for (int j = p + 1; j < N; j++)
                        assert_true(full_row[j] == 0.0); /* the mask: nothing on later keys */
                }
                expect_close("norm2", p, d.norm2 + (size_t)p * D, f.a.norm2 + (size_t)p * D, D);
                expect_close("logits", p, decode_logits(&d, p), f.logits + (size_t)p * V, V);
            }
            free(f.buf);
            decode_free(&d);
        }
        bundle_free(&b);
    }
}

/* Snapshot of the first n rows of every array, to compare bit for bit. */
static double *snapshot(const struct decode *d, size_t *len)
{
    size_t n = (size_t)d->n, D = (size_t)d->D, F = (size_t)d->F, V = (size_t)d->V, H = (size_t)d->H;
    const struct { const double *p; size_t w; } rows[] = {
        {d->x, D}, {d->q, D}, {d->k, D}, {d->v, D}, {d->concat, D}, {d->out, D}, {d->residual1, D},
        {d->norm1, D}, {d->ffn_pre, F}, {d->ffn_hidden, F}, {d->ffn_out, D}, {d->residual2, D},
        {d->norm2, D}, {d->ln_stats, 4}, {d->logits, V}, {d->scores, 0}, {d->weights, 0},
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        total += rows[i].w ? n * rows[i].w : H * decode_tri((int)n);
    double *s = malloc((total + n) * sizeof *s);
    assert_non_null(s);
    double *p = s;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t c = rows[i].w ? n * rows[i].w : H * decode_tri((int)n);
        memcpy(p, rows[i].p, c * sizeof *p);
        p += c;
    }
    for (size_t i = 0; i < n; i++)
        *p++ = d->ids[i];
    *len = (total + n) * sizeof *s;
    return s;
}

static void test_pop_restores_exactly(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        struct bundle b;
        make_lm(&b, &shapes[s]);
        struct decode d;
        struct error err;
        assert_int_equal(decode_init(&d, &b, &err), 0);
        decode_pop(&d); /* empty: nothing happens */
        assert_int_equal(d.n, 0);
        int ids[30];
        random_ids(ids, 30, b.n_vocab, 99 + s);
        for (int i = 0; i < 12; i++)
            assert_int_equal(decode_push(&d, ids[i], &err), 0);
        size_t len0, len1;
        double *before = snapshot(&d, &len0);
        for (int i = 12; i < 30; i++) /* past the first growth of the cache */
            assert_int_equal(decode_push(&d, ids[i], &err), 0);
        double *logits29 = malloc((size_t)b.n_vocab * sizeof(double));
        memcpy(logits29, decode_logits(&d, 29), (size_t)b.n_vocab * sizeof(double));
        for (int i = 12; i < 30; i++)
            decode_pop(&d);
        assert_int_equal(d.n, 12);
        double *after = snapshot(&d, &len1);
        assert_int_equal(len0, len1);
        assert_memory_equal(before, after, len0);
        /* the popped rows are gone, not left behind */
        for (int c = 0; c < b.n_vocab; c++)
            assert_true(decode_logits(&d, 12)[c] == 0.0);
        /* and pushing them again gives the same numbers, bit for bit */
        for (int i = 12; i < 30; i++)
            assert_int_equal(decode_push(&d, ids[i], &err), 0);
        assert_memory_equal(decode_logits(&d, 29), logits29, (size_t)b.n_vocab * sizeof(double));
        free(logits29);
        free(before);
        free(after);
        decode_free(&d);
        bundle_free(&b);
    }
}

static void test_refuses_classifier(void **state)
{
    (void)state;
    static const char *const labels[] = {"x", "y"};
    struct bundle b;
    struct decode d;
    struct error err;
    assert_int_equal(train_init_model(&b, "cls", 4, 2, 4, 0, labels, 2, words, N_WORDS, 1, &err), 0);
    assert_int_equal(decode_init(&d, &b, &err), -1);
    assert_non_null(strstr(err.msg, "task,lm"));
    bundle_free(&b);
}

static void test_distribution(void **state)
{
    (void)state;
    const double logits[] = {1.0, 3.0, -2.0, 3.0, 0.5, 2.0};
    double p[6];
    assert_int_equal(decode_argmax(logits, 6), 1); /* a tie: the lower row */
    assert_int_equal(decode_distribution(p, logits, 6, 0.0, 0), 0);
    for (int i = 0; i < 6; i++)
        assert_true(p[i] == (i == 1 ? 1.0 : 0.0));
    /* T = 0.5: p_i ∝ exp(2·logit_i) */
    assert_int_equal(decode_distribution(p, logits, 6, 0.5, 0), 0);
    double z = 0;
    for (int i = 0; i < 6; i++)
        z += exp(2.0 * logits[i]);
    for (int i = 0; i < 6; i++)
        ASSERT_NEAR(p[i], exp(2.0 * logits[i]) / z, 1e-14);
    /* top-k 3 keeps 3.0, 3.0 and 2.0 */
    assert_int_equal(decode_distribution(p, logits, 6, 1.0, 3), 0);
    z = 2 * exp(3.0) + exp(2.0);
    const double want3[] = {0, exp(3.0) / z, 0, exp(3.0) / z, 0, exp(2.0) / z};
    for (int i = 0; i < 6; i++)
        ASSERT_NEAR(p[i], want3[i], 1e-14);
    /* top-k 1 with a tie at the top: the lower row only */
    assert_int_equal(decode_distribution(p, logits, 6, 1.0, 1), 0);
    for (int i = 0; i < 6; i++)
        assert_true(p[i] == (i == 1 ? 1.0 : 0.0));
    /* top-k ≥ V keeps everything; a huge T flattens; a tiny T does not overflow */
    assert_int_equal(decode_distribution(p, logits, 6, 1e300, 10), 0);
    for (int i = 0; i < 6; i++)
        ASSERT_NEAR(p[i], 1.0 / 6, 1e-12);
    assert_int_equal(decode_distribution(p, logits, 6, 1e-300, 0), 0);
    assert_true(p[1] == 0.5 && p[3] == 0.5 && p[5] == 0.0);
}

static void test_pick_and_uniform(void **state)
{
    (void)state;
    const double p[] = {0.2, 0.0, 0.5, 0.3, 0.0};
    assert_int_equal(decode_pick(p, 5, 0.0), 0);
    assert_int_equal(decode_pick(p, 5, 0.1999), 0);
    assert_int_equal(decode_pick(p, 5, 0.2), 2); /* cumulative must exceed u */
    assert_int_equal(decode_pick(p, 5, 0.69), 2);
    assert_int_equal(decode_pick(p, 5, 0.7), 3);
    assert_int_equal(decode_pick(p, 5, 0.9999999999999999), 3); /* never a zero-probability row */
    /* splitmix64 from 0: its first output is 0xE220A8397B1DCDAF */
    uint64_t s = 0;
    assert_true(decode_uniform(&s) == (double)(0xE220A8397B1DCDAFull >> 11) / 9007199254740992.0);
    s = 5;
    for (int i = 0; i < 1000; i++) {
        double u = decode_uniform(&s);
        assert_true(u >= 0.0 && u < 1.0);
    }
}

/* Greedy generation = the argmax of the full recomputation at every step;
 * sampling is the same for a seed; each step's probability is at T = 1. */
static void test_generate(void **state)
{
    (void)state;
    struct bundle b;
    make_lm(&b, &shapes[0]);
    b.eos_id = -1; /* no stop, so every step is checked */
    struct decode d;
    struct error err;
    int ids[40] = {1, 2, 3};
    struct decode_step steps[20];
    int n;
    assert_int_equal(decode_init(&d, &b, &err), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(decode_push(&d, ids[i], &err), 0);
    struct decode_sampling greedy = {0.0, 0, 1};
    assert_int_equal(decode_generate(&d, &greedy, 20, steps, &n, &err), 0);
    assert_int_equal(n, 20);
    assert_int_equal(d.n, 23);
    double *probs = malloc((size_t)b.n_vocab * sizeof *probs);
    for (int k = 0; k < 20; k++) {
        struct full f;
        full_run(&f, &b, ids, 3 + k);
        const double *last = f.logits + (size_t)(2 + k) * b.n_vocab;
        int want = decode_argmax(last, b.n_vocab);
        assert_int_equal(steps[k].id, want);
        assert_true(steps[k].draw == -1.0);
        double m = last[0], z = 0;
        for (int c = 0; c < b.n_vocab; c++)
            m = fmax(m, last[c]);
        for (int c = 0; c < b.n_vocab; c++)
            z += exp(last[c] - m);
        ASSERT_NEAR(steps[k].prob, exp(last[want] - m) / z, 1e-12);
        ids[3 + k] = want;
        free(f.buf);
    }
    /* seeded sampling: the same seed, the same tokens and draws */
    struct decode_sampling s = {0.9, 4, 42};
    struct decode_step a[15], c[15];
    int na, nc;
    for (int rep = 0; rep < 2; rep++) {
        while (d.n > 3)
            decode_pop(&d);
        assert_int_equal(decode_generate(&d, &s, 15, rep ? c : a, rep ? &nc : &na, &err), 0);
    }
    assert_int_equal(na, nc);
    uint64_t st = 42;
    for (int k = 0; k < na; k++) {
        assert_int_equal(a[k].id, c[k].id);
        assert_true(a[k].draw == decode_uniform(&st)); /* one draw per step, in order */
        assert_true(a[k].draw == c[k].draw);
    }
    /* <eos>: stops right after it */
    b.eos_id = bundle_lookup(&b, "<eos>");
    for (int i = 0; i < b.d_model; i++)
        b.w_lm[(size_t)i * b.n_vocab + (size_t)b.eos_id] = 0.0;
    b.b_lm[b.eos_id] = 1e3;
    while (d.n > 2) /* the cached logits of the prompt's last token were computed before the change */
        decode_pop(&d);
    assert_int_equal(decode_push(&d, ids[2], &err), 0);
    assert_int_equal(decode_generate(&d, &greedy, 20, steps, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(steps[0].id, b.eos_id);
    assert_int_equal(d.n, 4);
    free(probs);
    decode_free(&d);
    bundle_free(&b);
}

int main(int argc, char **argv)
{
    source_root = argc > 1 ? argv[1] : ".";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incremental_matches_full),
        cmocka_unit_test(test_pop_restores_exactly),
        cmocka_unit_test(test_refuses_classifier),
        cmocka_unit_test(test_distribution),
        cmocka_unit_test(test_pick_and_uniform),
        cmocka_unit_test(test_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
