/* Training: every parameter's gradient against central finite differences
 * (the classifier's and the language model's), Adam lowering the loss, runs
 * that repeat bit for bit, and the bigram baseline by hand. */
#include <math.h>
#include <string.h>

#include "attnstep/bundle.h"
#include "attnstep/table.h"
#include "attnstep/tokenizer.h"
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

/* A small language model with every parameter moved off its initial value:
 * LayerNorms, all biases (b_lm too) and the lm head. gelu: smooth everywhere,
 * so central differences see no kink. */
static void make_lm(struct bundle *b, int gelu, uint64_t seed)
{
    struct error err;
    if (train_init_lm(b, "lm", 4, 2, 6, gelu, vocab + 1, 5, seed, &err)) /* <unk> and <eos> are added */
        fail_msg("%s", err.msg);
    assert_int_equal(b->task, BUNDLE_TASK_LM);
    assert_int_equal(b->n_vocab, 7);
    assert_true(b->eos_id >= 0 && b->unk_id >= 0);
    uint64_t state = seed + 29;
    struct bundle_encoder *e = &b->enc;
    double *vecs[] = {e->ln1_gamma, e->ln1_beta, e->ln2_gamma, e->ln2_beta, e->b_ff2, b->b[0], b->b[1], b->b[2],
                      b->b[3]};
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
        for (int d = 0; d < 4; d++)
            vecs[i][d] += bundle_random_uniform(&state, 0.3);
    for (int f = 0; f < 6; f++)
        e->b_ff1[f] = bundle_random_uniform(&state, 0.3);
    for (int v = 0; v < 7; v++)
        b->b_lm[v] = bundle_random_uniform(&state, 0.3);
    for (int k = 0; k < 4 * 7; k++)
        b->w_lm[k] += bundle_random_uniform(&state, 0.5);
}

/* The lm loss (mean −log P(next token) over a sentence's five positions, as
 * train_fit weighs one sentence: scale 1/5) against central differences, for
 * every element of every parameter kind: embeddings, W_Q/W_K/W_V/W_O and
 * their biases, both LayerNorms' γ and β, W_ff1, b_ff1, W_ff2, b_ff2, W_lm
 * and b_lm.
 *
 * Tolerance: with h = 1e-5 in double precision, the central difference is off
 * by h²/6·|L'''| (truncation, about 1e-10 for weights of order one) plus
 * ε·|L|/h (rounding of the two losses, about 2e-16·2/1e-5 ≈ 4e-11); so a
 * right gradient agrees within 1e-9, and 1e-7 + 1e-5·|g| leaves a hundredfold
 * margin while a wrong term (a missing factor, a dropped path, a position
 * seeing its future) is off by 1e-3 or more. The worst difference found is
 * also required to stay under 1e-8, so the margin cannot quietly erode. */
static void check_lm_gradients(int gelu)
{
    struct bundle b;
    struct trainer tr;
    struct error err;
    make_lm(&b, gelu, 77 + (uint64_t)gelu);
    assert_int_equal(trainer_init(&tr, &b, 8, 0.01, &err), 0);
    int the = bundle_lookup(&b, "the"), movie = bundle_lookup(&b, "movie"), was = bundle_lookup(&b, "was");
    int not = bundle_lookup(&b, "not"), good = bundle_lookup(&b, "good");
    int ids[] = {the, movie, was, not, good, b.eos_id}; /* five positions, targets movie … <eos> */
    struct train_example ex = {.n = 5, .ids = ids, .label = -1};
    int correct;
    double scale = 1.0 / ex.n;
    trainer_zero_grad(&tr);
    double loss = trainer_step_example(&tr, &ex, scale, &correct);
    assert_true(loss > 0 && correct >= 0 && correct <= 5);
    int checked = 0, kinds = 0;
    double worst = 0;
    for (int p = 0; p < tr.n_params; p++) {
        struct train_param *P = &tr.params[p];
        kinds++;
        for (size_t k = 0; k < P->n; k++) {
            double w = P->w[k], h = 1e-5;
            P->w[k] = w + h;
            double lp = scale * trainer_eval_example(&tr, &ex, &correct);
            P->w[k] = w - h;
            double lm = scale * trainer_eval_example(&tr, &ex, &correct);
            P->w[k] = w;
            double numeric = (lp - lm) / (2 * h), analytic = P->g[k];
            double diff = fabs(numeric - analytic);
            worst = diff > worst ? diff : worst;
            if (!(diff <= 1e-7 + 1e-5 * fabs(numeric)))
                fail_msg("lm %s %s[%zu]: backprop %.10g, finite differences %.10g", gelu ? "gelu" : "relu", P->name,
                         k, analytic, numeric);
            checked++;
        }
    }
    assert_int_equal(kinds, 19);
    assert_string_equal(tr.params[17].name, "w_lm");
    assert_string_equal(tr.params[18].name, "b_lm");
    /* all of them: E, 4·(W, b), γ1 β1, W_ff1 b_ff1 W_ff2 b_ff2, γ2 β2, W_lm, b_lm */
    assert_int_equal(checked, 7 * 4 + 4 * (16 + 4) + 4 + 4 + 4 * 6 + 6 + 6 * 4 + 4 + 4 + 4 + 4 * 7 + 7);
    if (!(worst < 1e-8))
        fail_msg("lm %s: worst difference %g", gelu ? "gelu" : "relu", worst);
    trainer_free(&tr);
    bundle_free(&b);
}

static void test_lm_gradients_gelu(void **state)
{
    (void)state;
    check_lm_gradients(1);
}

/* relu has a kink at 0; no pre-activation of this model lies within h of it
 * (the check would say so by failing), so the same tolerance holds. */
static void test_lm_gradients_relu(void **state)
{
    (void)state;
    check_lm_gradients(0);
}

/* The causal mask in training: changing a later token changes no earlier
 * position's loss term. */
static void test_lm_no_look_ahead(void **state)
{
    (void)state;
    struct bundle b;
    struct trainer tr;
    struct error err;
    make_lm(&b, 1, 5);
    assert_int_equal(trainer_init(&tr, &b, 8, 0.01, &err), 0);
    int a[] = {1, 2, 3, 4, 5, b.eos_id}, c[] = {1, 2, 3, 5, 4, b.eos_id};
    struct train_example ea = {.n = 5, .ids = a, .label = -1}, ec = {.n = 5, .ids = c, .label = -1};
    struct train_example pa = {.n = 2, .ids = a, .label = -1}; /* the first two positions alone */
    int correct;
    trainer_eval_example(&tr, &ea, &correct);
    double first_a[2 * 7], first_c[2 * 7], prefix[2 * 7];
    memcpy(first_a, tr.acts.lm_logits, sizeof first_a);
    trainer_eval_example(&tr, &ec, &correct);
    memcpy(first_c, tr.acts.lm_logits, sizeof first_c);
    trainer_eval_example(&tr, &pa, &correct);
    memcpy(prefix, tr.acts.lm_logits, sizeof prefix);
    for (int i = 0; i < 2 * 7; i++) {
        assert_true(fabs(first_a[i] - first_c[i]) <= 1e-12 * (1 + fabs(first_a[i])));
        assert_true(fabs(first_a[i] - prefix[i]) <= 1e-12 * (1 + fabs(first_a[i])));
    }
    trainer_free(&tr);
    bundle_free(&b);
}

/* The bigram baseline worked by hand. Vocabulary V = 4: 0 <unk>, 1 a, 2 b,
 * 3 <eos>. Training: "a b", "a a" → bigrams <eos>a a b b<eos> <eos>a a a
 * a<eos>: c(a) = 3 (ab, aa, a<eos>), c(a,b) = 1, c(b) = 1, c(b,<eos>) = 1,
 * c(a,a) = 1, c(a,<eos>) = 1. Test "a b": targets b after a, <eos> after b:
 * P(b|a) = 2/7, P(<eos>|b) = 2/5, perplexity = (7/2 · 5/2)^(1/2). */
static void test_bigram_by_hand(void **state)
{
    (void)state;
    int s1[] = {1, 2, 3}, s2[] = {1, 1, 3}, t1[] = {1, 2, 3}, t2[] = {2, 3};
    struct train_example tr_ex[] = {{2, s1, -1}, {2, s2, -1}}, te_ex[] = {{2, t1, -1}}, one[] = {{1, t2, -1}};
    struct train_set train = {.n = 2, .ex = tr_ex, .max_len = 2, .lm = 1, .n_targets = 4};
    struct train_set test = {.n = 1, .ex = te_ex, .max_len = 2, .lm = 1, .n_targets = 2};
    double ppl = train_bigram_perplexity(&train, &test, 4, 3);
    assert_true(fabs(ppl - sqrt(3.5 * 2.5)) < 1e-12);
    /* a one-token sentence "b": only <eos> after b is predicted, (1 + 1) / (1 + 4) */
    struct train_set single = {.n = 1, .ex = one, .max_len = 1, .lm = 1, .n_targets = 1};
    assert_true(fabs(train_bigram_perplexity(&train, &single, 4, 3) - 2.5) < 1e-12);
    struct train_set none = {.n = 0, .lm = 1};
    assert_true(train_bigram_perplexity(&train, &none, 4, 3) < 0);
}

/* The trainer's lm loss against the numpy reference (tests/golden/lm_loss.csv,
 * written by tests/golden/reference.py from its own forward pass): each
 * sentence's mean −ln P(next token), targets the tokens after the first and
 * <eos>. Both are float64 computations of the same formulas in a different
 * order: they agree to about 1e-15 relative; 1e-12 is the golden tests' bound. */
static void test_lm_loss_golden(void **state)
{
    (void)state;
    struct table t;
    struct error err;
    if (table_read(&t, src_path("tests/golden/lm_loss.csv"), &err))
        fail_msg("%s", err.msg);
    assert_true(t.n_rows >= 4);
    for (int r = 1; r < t.n_rows; r++) {
        struct bundle b;
        struct trainer tr;
        struct tokens tk;
        double want = 0, positions = 0;
        if (bundle_load(&b, src_path(table_text(&t, r, 1)), &err) || table_number(&t, r, 3, &positions, &err) ||
            table_number(&t, r, 4, &want, &err))
            fail_msg("%s", err.msg);
        if (tokenizer_pieces(&tk, table_text(&t, r, 2), b.lowercase, b.has_tokenizer ? &b.bpe : NULL, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(tk.n, (int)positions);
        int ids[32];
        assert_true(tk.n < 32);
        for (int k = 0; k < tk.n; k++) {
            int id = bundle_lookup(&b, tk.text[k]);
            ids[k] = id < 0 ? b.unk_id : id;
        }
        ids[tk.n] = b.eos_id;
        struct train_example ex = {.n = tk.n, .ids = ids, .label = -1};
        assert_int_equal(trainer_init(&tr, &b, tk.n, 0.01, &err), 0);
        int correct;
        double got = trainer_eval_example(&tr, &ex, &correct) / tk.n;
        if (!(fabs(got - want) <= 1e-12 * fabs(want)))
            fail_msg("%s: C loss %.17g, numpy %.17g", table_text(&t, r, 0), got, want);
        /* trainer_step_example returns the same loss */
        trainer_zero_grad(&tr);
        assert_true(fabs(trainer_step_example(&tr, &ex, 1.0, &correct) / tk.n - got) <= 1e-15 * got);
        tokenizer_free(&tk);
        trainer_free(&tr);
        bundle_free(&b);
    }
    table_free(&t);
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
        cmocka_unit_test(test_lm_gradients_gelu),
        cmocka_unit_test(test_lm_gradients_relu),
        cmocka_unit_test(test_lm_no_look_ahead),
        cmocka_unit_test(test_bigram_by_hand),
        cmocka_unit_test(test_lm_loss_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
