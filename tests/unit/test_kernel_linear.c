/* The fast linear kernels and Adam against the reference loops, bit for bit (memcmp),
 * with every instruction set this CPU has; and a stacked mini-batch step
 * against trainer_step_example sentence by sentence: the same gradients, the
 * same losses, the same weights after Adam. Exactly equal, no tolerance: every
 * number is summed in the same order, and the build forbids fused
 * multiply-adds, so the bits cannot differ. */
#include <math.h>
#include <string.h>

#include "attnstep/attention.h"
#include "attnstep/bundle.h"
#include "attnstep/kernel_linear.h"
#include "attnstep/train.h"
#include "testutil.h"

static uint64_t rng = 12345;

static uint64_t next_u64(void) /* xorshift64* */
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

/* Values of many magnitudes and both signs, some exact zeros and −0, so
 * rounding differs from term to term and a reordered sum would show. */
static double random_value(void)
{
    uint64_t r = next_u64();
    int pick = (int)(r % 23);
    double u = (double)(r >> 11) / 9007199254740992.0 * 2.0 - 1.0;
    if (pick == 0)
        return 0.0;
    if (pick == 1)
        return -0.0;
    return u * pow(10.0, (double)(pick % 7 - 3));
}

static double *random_buffer(size_t n)
{
    double *p = malloc((n ? n : 1) * sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = random_value();
    return p;
}

static double *copy_of(const double *p, size_t n)
{
    double *q = malloc((n ? n : 1) * sizeof *q);
    assert_non_null(q);
    memcpy(q, p, n * sizeof *q);
    return q;
}

/* Reports the first differing element of two buffers. */
static void assert_same(const char *what, const double *got, const double *want, size_t n, int isa, int N, int K,
                        int C)
{
    if (!memcmp(got, want, n * sizeof *got))
        return;
    for (size_t i = 0; i < n; i++)
        if (memcmp(&got[i], &want[i], sizeof *got))
            fail_msg("%s (isa %d, N %d, K %d, C %d)[%zu]: kernel %.17g, reference %.17g", what, isa, N, K, C, i,
                     got[i], want[i]);
}

/* Shapes: the model's (16, 32, 64, 128, a batch of rows), every remainder of
 * the 4-row and 8-column blocks, 1, and random ones up to 300. */
static void shape(int i, int *N, int *K, int *C)
{
    static const int fixed[][3] = {{1, 1, 1},    {1, 16, 2},   {160, 64, 64}, {160, 64, 128}, {160, 128, 64},
                                   {16, 16, 2},  {3, 5, 7},    {4, 8, 8},     {5, 9, 9},      {7, 3, 15},
                                   {9, 17, 33},  {2, 1, 300},  {300, 300, 1}, {13, 31, 17},   {6, 64, 1001},
                                   {145, 16, 16}};
    int n_fixed = (int)(sizeof fixed / sizeof fixed[0]);
    if (i < n_fixed) {
        *N = fixed[i][0];
        *K = fixed[i][1];
        *C = fixed[i][2];
        return;
    }
    *N = 1 + (int)(next_u64() % 300);
    *K = 1 + (int)(next_u64() % 300);
    *C = 1 + (int)(next_u64() % 300);
}

#define N_SHAPES 40

static void test_forward_equals_attention_linear(void **state)
{
    (void)state;
    int variants = 0;
    for (int isa = 0; isa < KERNEL_ISA_COUNT; isa++) {
        if (kernel_linear_use(isa))
            continue; /* this CPU lacks it */
        variants++;
        for (int i = 0; i < N_SHAPES; i++) {
            int N, K, C;
            shape(i, &N, &K, &C);
            size_t NC = (size_t)N * C;
            double *in = random_buffer((size_t)N * K), *w = random_buffer((size_t)K * C), *b = random_buffer(C);
            double *want = random_buffer(NC), *got = random_buffer(NC); /* garbage: both must overwrite it */
            int bias = i % 3 != 0;
            attention_linear(want, in, w, bias ? b : NULL, N, K, C);
            kernel_linear_forward(got, in, w, bias ? b : NULL, N, K, C);
            assert_same("out", got, want, NC, isa, N, K, C);
            free(in), free(w), free(b), free(want), free(got);
        }
    }
    kernel_linear_use(KERNEL_ISA_BEST);
    assert_true(variants >= 1);
    print_message("kernel_linear_forward: %d instruction set(s) tested, the best is %d\n", variants,
                  kernel_linear_isa());
}

static void test_backward_equals_reference(void **state)
{
    (void)state;
    for (int isa = 0; isa < KERNEL_ISA_COUNT; isa++) {
        if (kernel_linear_use(isa))
            continue;
        for (int i = 0; i < N_SHAPES; i++) {
            int N, K, C;
            shape(i, &N, &K, &C);
            size_t NK = (size_t)N * K, KC = (size_t)K * C;
            double *dout = random_buffer((size_t)N * C), *inp = random_buffer(NK), *w = random_buffer(KC);
            /* gradients already holding sums (train.c adds into dx from three layers, into dn1 after a copy) */
            double *dinp = random_buffer(NK), *dw = random_buffer(KC), *db = random_buffer(C);
            double *dinp2 = copy_of(dinp, NK), *dw2 = copy_of(dw, KC), *db2 = copy_of(db, C);
            double *wt = random_buffer(KC);
            int with_dinp = i % 4 != 1, with_db = i % 5 != 2;
            if (i % 6 == 3) /* a fresh gradient, as after memset: 0 + (−0) must stay +0 */
                for (size_t k = 0; k < NK; k++)
                    dinp[k] = dinp2[k] = 0.0;
            train_linear_backward(with_dinp ? dinp : NULL, dw, with_db ? db : NULL, dout, inp, w, N, K, C);
            kernel_linear_backward(with_dinp ? dinp2 : NULL, dw2, with_db ? db2 : NULL, wt, dout, inp, w, N, K, C);
            assert_same("dinp", dinp2, dinp, NK, isa, N, K, C);
            assert_same("dw", dw2, dw, KC, isa, N, K, C);
            assert_same("db", db2, db, C, isa, N, K, C);
            free(dout), free(inp), free(w), free(dinp), free(dw), free(db), free(dinp2), free(dw2), free(db2);
            free(wt);
        }
    }
    kernel_linear_use(KERNEL_ISA_BEST);
}

/* Adam: three steps on n weights, every tail length, with each instruction set. */
static void test_adam_equals_reference(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 64, 300, 1001};
    for (int isa = 0; isa < KERNEL_ISA_COUNT; isa++) {
        if (kernel_linear_use(isa))
            continue;
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t n = sizes[i];
            double *w = random_buffer(n), *m = random_buffer(n), *v = random_buffer(n), *g = random_buffer(n);
            for (size_t k = 0; k < n; k++)
                v[k] = fabs(v[k]); /* a second moment */
            double *w2 = copy_of(w, n), *m2 = copy_of(m, n), *v2 = copy_of(v, n);
            for (int t = 1; t <= 4; t++) {
                int step = t < 4 ? t : 400; /* at step 400, c1 = 1 − 0.9⁴⁰⁰ is exactly 1 */
                double c1 = 1.0 - pow(0.9, step), c2 = 1.0 - pow(0.999, step);
                if (t == 4)
                    assert_true(c1 >= 1.0);
                train_adam_update(w, m, v, g, n, 0.005, 0.9, 0.999, c1, c2, 1e-8);
                kernel_linear_adam(w2, m2, v2, g, n, 0.005, 0.9, 0.999, c1, c2, 1e-8);
                assert_same("adam w", w2, w, n, isa, (int)n, t, 0);
                assert_same("adam m", m2, m, n, isa, (int)n, t, 0);
                assert_same("adam v", v2, v, n, isa, (int)n, t, 0);
            }
            free(w), free(m), free(v), free(g), free(w2), free(m2), free(v2);
        }
    }
    kernel_linear_use(KERNEL_ISA_BEST);
}

static void test_use(void **state)
{
    (void)state;
    assert_int_equal(kernel_linear_use(KERNEL_ISA_BASE), 0);
    assert_int_equal(kernel_linear_isa(), KERNEL_ISA_BASE);
    assert_int_equal(kernel_linear_use(KERNEL_ISA_COUNT), -1);
    assert_int_equal(kernel_linear_isa(), KERNEL_ISA_BASE); /* unchanged */
    assert_int_equal(kernel_linear_use(KERNEL_ISA_BEST), 0);
    assert_true(kernel_linear_isa() >= KERNEL_ISA_BASE && kernel_linear_isa() < KERNEL_ISA_COUNT);
}

/* ---- a mini-batch stacked against sentence by sentence ---------------------- */

static const char *const words[] = {"<unk>", "the", "movie", "was", "not", "good", "bad", "film", "a", "very"};
static const char *const classes[] = {"negative", "neutral", "positive"};

/* A model with every parameter moved off its initial value (biases, norms). */
static void make(struct bundle *b, int lm, int gelu, uint64_t seed)
{
    struct error err;
    int rc = lm ? train_init_lm(b, "lm", 16, 2, 24, gelu, words + 1, 9, seed, &err)
                : train_init_model(b, "t", 16, 2, 24, gelu, classes, 3, words, 10, seed, &err);
    if (rc)
        fail_msg("%s", err.msg);
    struct bundle_encoder *e = &b->enc;
    double *vecs[] = {e->ln1_gamma, e->ln1_beta, e->ln2_gamma, e->ln2_beta, e->b_ff2, b->b[0], b->b[1], b->b[2],
                      b->b[3]};
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
        for (int d = 0; d < 16; d++)
            vecs[i][d] += 0.3 * random_value();
    for (int f = 0; f < 24; f++)
        e->b_ff1[f] = 0.3 * random_value();
}

/* Sentences of 1 to 12 tokens (a language model's end in <eos>). */
static struct train_example *sentences(const struct bundle *b, int count, int lm)
{
    struct train_example *ex = calloc((size_t)count, sizeof *ex);
    assert_non_null(ex);
    for (int s = 0; s < count; s++) {
        ex[s].n = 1 + (int)(next_u64() % 12);
        ex[s].ids = malloc((size_t)(ex[s].n + 1) * sizeof(int));
        assert_non_null(ex[s].ids);
        for (int i = 0; i < ex[s].n; i++)
            ex[s].ids[i] = (int)(next_u64() % (uint64_t)b->n_vocab);
        ex[s].ids[ex[s].n] = lm ? b->eos_id : 0;
        ex[s].label = lm ? -1 : (int)(next_u64() % 3);
    }
    return ex;
}

/* Two copies of one model; one trains sentence by sentence
 * (trainer_step_example), the other stacked (trainer_step_batch, cap
 * sentences at a time): after each of three steps, every gradient, every loss
 * and (after Adam) every weight is the same, bit for bit. */
static void check_batch(int lm, int gelu, int cap, int classifier_only, int rows)
{
    struct bundle one, many;
    struct trainer t1, t2;
    struct error err;
    uint64_t seed = 40 + (uint64_t)(lm * 4 + gelu * 2 + classifier_only);
    rng = seed;
    make(&one, lm, gelu, seed);
    rng = seed;
    make(&many, lm, gelu, seed);
    enum { COUNT = 11 };
    struct train_example *ex = sentences(&one, COUNT, lm);
    const struct train_example *ptr[COUNT];
    for (int s = 0; s < COUNT; s++)
        ptr[s] = &ex[s];
    assert_int_equal(trainer_init(&t1, &one, 12, 0.01, &err), 0);
    assert_int_equal(trainer_init(&t2, &many, 12, 0.01, &err), 0);
    t1.classifier_only = t2.classifier_only = classifier_only;
    assert_int_equal(trainer_reserve_batch(&t2, cap), 0);
    assert_int_equal(t2.stack.cap, cap);
    assert_true(t2.stack.rows >= 12);
    if (rows) /* fewer rows at a time than the buffers hold: pieces of unequal counts */
        t2.stack.rows = rows;
    for (int step = 0; step < 3; step++) {
        double want[COUNT], got[COUNT];
        int right[COUNT], ok[COUNT];
        trainer_zero_grad(&t1);
        trainer_zero_grad(&t2);
        for (int s = 0; s < COUNT; s++)
            want[s] = trainer_step_example(&t1, &ex[s], 1.0 / COUNT, &right[s]);
        trainer_step_batch(&t2, ptr, COUNT, 1.0 / COUNT, got, ok);
        assert_same("losses", got, want, COUNT, -1, COUNT, step, cap);
        assert_memory_equal(ok, right, sizeof ok);
        assert_int_equal(t1.n_params, t2.n_params);
        for (int p = 0; p < t1.n_params; p++)
            assert_same(t1.params[p].name, t2.params[p].g, t1.params[p].g, t1.params[p].n, -1, COUNT, step, cap);
        trainer_adam(&t1);
        trainer_adam(&t2);
        for (int p = 0; p < t1.n_params; p++)
            assert_same(t1.params[p].name, t2.params[p].w, t1.params[p].w, t1.params[p].n, -1, COUNT, step, cap);
    }
    for (int s = 0; s < COUNT; s++)
        free(ex[s].ids);
    free(ex);
    trainer_free(&t1);
    trainer_free(&t2);
    bundle_free(&one);
    bundle_free(&many);
}

static void test_batch_classifier(void **state)
{
    (void)state;
    check_batch(0, 0, 16, 0, 0);
    check_batch(0, 1, 16, 0, 0);
}

static void test_batch_in_pieces(void **state)
{
    (void)state;
    check_batch(0, 0, 3, 0, 0); /* 11 sentences as 3 + 3 + 3 + 2 */
    check_batch(0, 1, 1, 0, 0);
    check_batch(0, 0, 16, 0, 12); /* as many sentences as fit in 12 rows */
    check_batch(1, 1, 16, 0, 20);
}

static void test_batch_language_model(void **state)
{
    (void)state;
    check_batch(1, 0, 16, 0, 0);
    check_batch(1, 1, 4, 0, 0);
}

static void test_batch_classifier_only(void **state)
{
    (void)state;
    check_batch(0, 0, 16, 1, 0);
}

/* Every instruction set gives the same stacked step. */
static void test_batch_every_isa(void **state)
{
    (void)state;
    for (int isa = 0; isa < KERNEL_ISA_COUNT; isa++)
        if (!kernel_linear_use(isa))
            check_batch(isa % 2, 1, 5, 0, 0);
    kernel_linear_use(KERNEL_ISA_BEST);
}

/* train_fit, which stacks its batches, against the same epochs run by hand
 * with trainer_step_example: the same shuffles, the same model. */
static void test_fit_equals_by_hand(void **state)
{
    (void)state;
    struct bundle one, many;
    struct trainer t1, t2;
    struct error err;
    rng = 77;
    make(&one, 0, 0, 77);
    rng = 77;
    make(&many, 0, 0, 77);
    enum { COUNT = 37, BATCH = 16, EPOCHS = 2 };
    struct train_example *ex = sentences(&one, COUNT, 0);
    struct train_set set = {.n = COUNT, .ex = ex, .max_len = 12};
    assert_int_equal(trainer_init(&t1, &one, 12, 0.01, &err), 0);
    assert_int_equal(trainer_init(&t2, &many, 12, 0.01, &err), 0);
    assert_int_equal(train_fit(&t2, &set, NULL, EPOCHS, BATCH, 9, NULL, NULL), 0);
    int order[COUNT], correct;
    for (int i = 0; i < COUNT; i++)
        order[i] = i;
    uint64_t shuffle = train_shuffle_start(9);
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        train_shuffle(order, COUNT, &shuffle);
        for (int start = 0; start < COUNT; start += BATCH) {
            int end = start + BATCH < COUNT ? start + BATCH : COUNT;
            trainer_zero_grad(&t1);
            for (int k = start; k < end; k++)
                trainer_step_example(&t1, &ex[order[k]], 1.0 / (end - start), &correct);
            trainer_adam(&t1);
        }
    }
    for (int p = 0; p < t1.n_params; p++)
        assert_same(t1.params[p].name, t2.params[p].w, t1.params[p].w, t1.params[p].n, -1, COUNT, EPOCHS, BATCH);
    for (int s = 0; s < COUNT; s++)
        free(ex[s].ids);
    free(ex);
    trainer_free(&t1);
    trainer_free(&t2);
    bundle_free(&one);
    bundle_free(&many);
}

/* train_accuracy stacked (after trainer_reserve_batch) and sentence by
 * sentence: the same loss and accuracy, bit for bit; 70 sentences run as
 * pieces of 64 and 6 (or of 5). */
static void check_accuracy(int lm, int cap)
{
    struct bundle b;
    struct trainer one, many;
    struct error err;
    rng = 91;
    make(&b, lm, 1, 91);
    enum { COUNT = 70 };
    struct train_example *ex = sentences(&b, COUNT, lm);
    struct train_set set = {.n = COUNT, .ex = ex, .max_len = 12, .lm = lm};
    assert_int_equal(trainer_init(&one, &b, 12, 0.01, &err), 0);
    assert_int_equal(trainer_init(&many, &b, 12, 0.01, &err), 0);
    assert_int_equal(trainer_reserve_batch(&many, cap), 0);
    double want_loss, got_loss;
    double want = train_accuracy(&one, &set, &want_loss), got = train_accuracy(&many, &set, &got_loss);
    assert_memory_equal(&got, &want, sizeof got);
    assert_memory_equal(&got_loss, &want_loss, sizeof got_loss);
    for (int s = 0; s < COUNT; s++)
        free(ex[s].ids);
    free(ex);
    trainer_free(&one);
    trainer_free(&many);
    bundle_free(&b);
}

static void test_accuracy_stacked(void **state)
{
    (void)state;
    check_accuracy(0, 100);
    check_accuracy(0, 5);
    check_accuracy(1, 100);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_use),
        cmocka_unit_test(test_forward_equals_attention_linear),
        cmocka_unit_test(test_backward_equals_reference),
        cmocka_unit_test(test_adam_equals_reference),
        cmocka_unit_test(test_batch_classifier),
        cmocka_unit_test(test_batch_in_pieces),
        cmocka_unit_test(test_batch_language_model),
        cmocka_unit_test(test_batch_classifier_only),
        cmocka_unit_test(test_batch_every_isa),
        cmocka_unit_test(test_fit_equals_by_hand),
        cmocka_unit_test(test_accuracy_stacked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
