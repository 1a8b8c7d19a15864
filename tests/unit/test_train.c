/* Training: every parameter's gradient against central finite differences,
 * Adam lowering the loss, and runs that repeat bit for bit. */
#include <math.h>

#include "attnstep/bundle.h"
#include "attnstep/train.h"
#include "testutil.h"

static const char *const vocab[] = {"<unk>", "the", "movie", "was", "not", "good"};
static const char *const labels[] = {"negative", "neutral", "positive"};

static void make_model(struct bundle *b, int gelu, uint64_t seed)
{
    struct error err;
    if (train_init_model(b, "t", 4, 2, 6, gelu, labels, 3, vocab, 6, seed, &err))
        fail_msg("%s", err.msg);
    /* Move LayerNorm and biases off their initial 1 and 0 so every path is exercised. */
    uint64_t state = seed + 17;
    struct bundle_encoder *e = &b->enc;
    double *vecs[] = {e->ln1_gamma, e->ln1_beta, e->ln2_gamma, e->ln2_beta, e->b_ff2, b->b[0], b->b[1], b->b[2],
                      b->b[3]};
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
        for (int d = 0; d < 4; d++)
            vecs[i][d] += bundle_random_uniform(&state, 0.3);
    for (int f = 0; f < 6; f++)
        e->b_ff1[f] = bundle_random_uniform(&state, 0.3);
}

static void check_gradients(int gelu)
{
    struct bundle b;
    struct trainer tr;
    struct error err;
    make_model(&b, gelu, 42 + (uint64_t)gelu);
    assert_int_equal(trainer_init(&tr, &b, 8, 0.01, &err), 0);
    int ids[] = {1, 2, 3, 4, 5, 1, 0};
    struct train_example ex = {.n = 7, .ids = ids, .label = 2};
    int correct;
    trainer_zero_grad(&tr);
    trainer_step_example(&tr, &ex, 1.0, &correct);
    int checked = 0;
    double worst = 0;
    for (int p = 0; p < tr.n_params; p++) {
        struct train_param *P = &tr.params[p];
        for (size_t k = 0; k < P->n; k++) {
            double w = P->w[k], h = 1e-5;
            P->w[k] = w + h;
            double lp = trainer_eval_example(&tr, &ex, &correct);
            P->w[k] = w - h;
            double lm = trainer_eval_example(&tr, &ex, &correct);
            P->w[k] = w;
            double numeric = (lp - lm) / (2 * h), analytic = P->g[k];
            double diff = fabs(numeric - analytic);
            worst = diff > worst ? diff : worst;
            if (!(diff <= 1e-7 + 1e-5 * fabs(numeric)))
                fail_msg("%s %s[%zu]: backprop %.10g, finite differences %.10g", gelu ? "gelu" : "relu", P->name, k,
                         analytic, numeric);
            checked++;
        }
    }
    assert_int_equal(checked, 6 * 4 + 4 * 16 + 4 * 4 + 4 * 4 + 4 * 6 + 6 + 6 * 4 + 4 + 4 * 3 + 3); /* all of them */
    trainer_free(&tr);
    bundle_free(&b);
}

static void test_gradients_relu(void **state)
{
    (void)state;
    check_gradients(0);
}

static void test_gradients_gelu(void **state)
{
    (void)state;
    check_gradients(1);
}

/* Four sentences, two classes decided by "not": trains to near-zero loss. */
static double train_tiny(struct bundle *b, int steps)
{
    struct trainer tr;
    struct error err;
    make_model(b, 0, 7);
    assert_int_equal(trainer_init(&tr, b, 8, 0.02, &err), 0);
    int s1[] = {1, 2, 3, 5}, s2[] = {1, 2, 3, 4, 5}, s3[] = {2, 3, 5}, s4[] = {2, 3, 4, 5};
    struct train_example ex[] = {{4, s1, 2}, {5, s2, 0}, {3, s3, 2}, {4, s4, 0}};
    double loss = 0;
    int correct;
    for (int step = 0; step < steps; step++) {
        trainer_zero_grad(&tr);
        loss = 0;
        for (int i = 0; i < 4; i++)
            loss += trainer_step_example(&tr, &ex[i], 0.25, &correct) / 4;
        trainer_adam(&tr);
    }
    trainer_free(&tr);
    return loss;
}

static void test_adam_learns_and_repeats(void **state)
{
    (void)state;
    struct bundle a, b;
    double first = train_tiny(&a, 1);
    bundle_free(&a);
    double loss_a = train_tiny(&a, 150), loss_b = train_tiny(&b, 150);
    assert_true(first > 0.5);
    if (!(loss_a < 0.05))
        fail_msg("loss after 150 Adam steps: %g (from %g)", loss_a, first);
    assert_memory_equal(&loss_a, &loss_b, sizeof loss_a); /* deterministic */
    assert_memory_equal(a.w[0], b.w[0], 16 * sizeof(double));
    assert_memory_equal(a.embed, b.embed, 6 * 4 * sizeof(double));
    bundle_free(&a);
    bundle_free(&b);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients_relu),
        cmocka_unit_test(test_gradients_gelu),
        cmocka_unit_test(test_adam_learns_and_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
