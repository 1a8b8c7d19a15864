/* The trained RNN and LSTM classifiers: every recurrent parameter's gradient
 * (BPTT) against central finite differences, Adam lowering the loss and
 * repeating bit for bit, recurrent_classify agreeing with the trainer, and
 * the bundle keeping the classifier files (all four or none). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/bundle.h"
#include "attnstep/train.h"
#include "attnstep/train_recurrent.h"
#include "testutil.h"

static const char *const vocab[] = {"<unk>", "the", "movie", "was", "not", "good"};
static const char *const labels[] = {"negative", "neutral", "positive"};

static void make_model(struct bundle *b, int d_hidden, uint64_t seed)
{
    struct error err;
    if (train_init_model(b, "t", 4, 2, 6, 0, labels, 3, vocab, 6, seed, &err) ||
        train_recurrent_init(b, d_hidden, seed, &err))
        fail_msg("%s", err.msg);
    /* Biases off their initial 0 (and 1) so every path is exercised. */
    uint64_t state = seed + 17;
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        struct bundle_recurrent_weights *r = &b->rec[m];
        for (int i = 0; i < r->gates * d_hidden; i++)
            r->b[i] += bundle_random_uniform(&state, 0.3);
        for (int c = 0; c < 3; c++)
            r->b_cls[c] = bundle_random_uniform(&state, 0.3);
    }
}

/* Tolerance as in test_train.c: h = 1e-5 in double precision. */
static void check_gradients(int m)
{
    struct bundle b;
    struct rec_trainer tr;
    struct error err;
    int Dh = 3;
    make_model(&b, Dh, 7 + (uint64_t)m);
    assert_int_equal(rec_trainer_init(&tr, &b, m, 8, 0.01, &err), 0);
    int ids[] = {1, 2, 3, 4, 5, 1, 0};
    struct train_example ex = {.n = 7, .ids = ids, .label = 2};
    int correct, checked = 0;
    rec_trainer_zero_grad(&tr);
    rec_trainer_step_example(&tr, &ex, 0.5, &correct); /* a batch of two weighs each sentence 1/2 */
    for (int p = 0; p < 5; p++) {
        struct train_param *P = &tr.params[p];
        for (size_t k = 0; k < P->n; k++) {
            double w = P->w[k], h = 1e-5;
            P->w[k] = w + h;
            double lp = rec_trainer_eval_example(&tr, &ex, &correct);
            P->w[k] = w - h;
            double lm = rec_trainer_eval_example(&tr, &ex, &correct);
            P->w[k] = w;
            double numeric = 0.5 * (lp - lm) / (2 * h), analytic = P->g[k];
            double diff = fabs(numeric - analytic);
            if (!(diff <= 1e-7 + 1e-5 * fabs(numeric)))
                fail_msg("%s[%zu]: backprop %.10g, finite differences %.10g", P->name, k, analytic, numeric);
            checked++;
        }
    }
    int G = m == BUNDLE_LSTM ? 4 : 1;
    assert_int_equal(checked, 4 * G * Dh + Dh * G * Dh + G * Dh + Dh * 3 + 3); /* all of them */
    /* the gradients are not all zero: the check has something to check */
    double norm = 0;
    for (size_t k = 0; k < tr.params[1].n; k++)
        norm += fabs(tr.params[1].g[k]);
    assert_true(norm > 1e-6);
    rec_trainer_free(&tr);
    bundle_free(&b);
}

static void test_rnn_gradients(void **state)
{
    (void)state;
    check_gradients(BUNDLE_RNN);
}

static void test_lstm_gradients(void **state)
{
    (void)state;
    check_gradients(BUNDLE_LSTM);
}

/* A one-word sentence: no W_h term, only W_x, b and the classifier. */
static void test_one_word(void **state)
{
    (void)state;
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        struct bundle b;
        struct rec_trainer tr;
        struct error err;
        make_model(&b, 2, 3);
        assert_int_equal(rec_trainer_init(&tr, &b, m, 4, 0.01, &err), 0);
        int ids[] = {4};
        struct train_example ex = {.n = 1, .ids = ids, .label = 0};
        int correct;
        rec_trainer_zero_grad(&tr);
        rec_trainer_step_example(&tr, &ex, 1.0, &correct);
        for (size_t k = 0; k < tr.params[1].n; k++)
            assert_true(tr.params[1].g[k] == 0.0);
        double w = tr.params[0].w[0], h = 1e-5;
        tr.params[0].w[0] = w + h;
        double lp = rec_trainer_eval_example(&tr, &ex, &correct);
        tr.params[0].w[0] = w - h;
        double lm = rec_trainer_eval_example(&tr, &ex, &correct);
        tr.params[0].w[0] = w;
        assert_true(fabs((lp - lm) / (2 * h) - tr.params[0].g[0]) < 1e-7);
        rec_trainer_free(&tr);
        bundle_free(&b);
    }
}

/* Four sentences, labels by whether "not" is there, far from the end or near it. */
static double train_tiny(struct bundle *b, int m, int epochs)
{
    static int s0[] = {4, 1, 2, 3, 5}, s1[] = {1, 2, 3, 5}, s2[] = {1, 4, 2, 3, 5, 5}, s3[] = {1, 2, 5, 3};
    struct train_example ex[] = {{5, s0, 0}, {4, s1, 2}, {6, s2, 0}, {4, s3, 2}};
    struct train_set set = {.n = 4, .ex = ex, .max_len = 6};
    struct rec_trainer tr;
    struct error err;
    make_model(b, 4, 5);
    assert_int_equal(rec_trainer_init(&tr, b, m, 6, 0.05, &err), 0);
    assert_int_equal(rec_train_fit(&tr, &set, NULL, epochs, 2, 9, NULL, NULL), 0);
    double loss;
    double acc = rec_train_accuracy(&tr, &set, &loss);
    if (epochs > 1)
        assert_true(acc == 1.0);
    rec_trainer_free(&tr);
    return loss;
}

static void test_adam_learns_and_repeats(void **state)
{
    (void)state;
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        struct bundle a, b;
        double first = train_tiny(&a, m, 0);
        bundle_free(&a);
        double loss_a = train_tiny(&a, m, 100), loss_b = train_tiny(&b, m, 100);
        if (!(loss_a < 0.1 && loss_a < first / 5))
            fail_msg("model %d: loss after 100 epochs %g (from %g)", m, loss_a, first);
        assert_memory_equal(&loss_a, &loss_b, sizeof loss_a); /* deterministic */
        size_t n = (size_t)4 * (size_t)a.rec[m].gates * 4;
        assert_memory_equal(a.rec[m].w_x, b.rec[m].w_x, n * sizeof(double));
        /* the embeddings are the recurrent models' input, never trained by them */
        struct bundle fresh;
        make_model(&fresh, 4, 5);
        assert_memory_equal(a.embed, fresh.embed, 6 * 4 * sizeof(double));
        /* recurrent_classify gives the trainer's probabilities */
        int ids[] = {1, 4, 2, 3, 5, 5};
        double probs[3];
        int best = recurrent_classify(&a, m, ids, 6, probs);
        assert_int_equal(best, 0);
        assert_true(fabs(probs[0] + probs[1] + probs[2] - 1.0) < 1e-12);
        bundle_free(&fresh);
        bundle_free(&a);
        bundle_free(&b);
    }
}

/* Saved and loaded back exactly; three of the four classifier files is an error naming the fourth. */
static void test_bundle_files(void **state)
{
    (void)state;
    struct bundle b, back;
    struct error err;
    make_model(&b, 3, 11);
    char dir[] = "/tmp/attnstep-recXXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[64], path[128];
    snprintf(out, sizeof out, "%s/m", dir);
    if (bundle_save(&b, out, 0, &err))
        fail_msg("%s", err.msg);
    if (bundle_load(&back, out, &err))
        fail_msg("%s", err.msg);
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        assert_non_null(back.rec[m].w_cls);
        for (int i = 0; i < 3 * 3; i++)
            assert_true(back.rec[m].w_cls[i] == b.rec[m].w_cls[i]);
        for (int i = 0; i < 3; i++)
            assert_true(back.rec[m].b_cls[i] == b.rec[m].b_cls[i]);
    }
    struct bundle copy;
    assert_int_equal(bundle_clone(&copy, &back, &err), 0);
    assert_memory_equal(copy.rec[BUNDLE_LSTM].w_cls, b.rec[BUNDLE_LSTM].w_cls, 9 * sizeof(double));
    bundle_free(&copy);
    bundle_free(&back);
    snprintf(path, sizeof path, "%s/lstm_b_cls.csv", out);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(bundle_load(&back, out, &err), -1);
    assert_non_null(strstr(err.msg, "lstm_b_cls.csv"));
    assert_non_null(strstr(err.msg, "3 of 4"));
    /* the classifiers without the recurrent weights they read */
    snprintf(path, sizeof path, "%s/lstm_b_cls.csv", out);
    FILE *f = fopen(path, "w");
    fputs("0,0,0\n", f);
    fclose(f);
    assert_int_equal(bundle_load(&back, out, &err), 0);
    bundle_free(&back);
    snprintf(path, sizeof path, "%s/lstm_w_x.csv", out);
    unlink(path);
    snprintf(path, sizeof path, "%s/lstm_w_h.csv", out);
    unlink(path);
    assert_int_equal(bundle_load(&back, out, &err), -1);
    assert_non_null(strstr(err.msg, "lstm_w_x.csv"));
    /* a wrong shape */
    make_model(&back, 3, 11);
    bundle_free(&b);
    b = back;
    char out2[64];
    snprintf(out2, sizeof out2, "%s/n", dir);
    assert_int_equal(bundle_save(&b, out2, 0, &err), 0);
    snprintf(path, sizeof path, "%s/rnn_b_cls.csv", out2);
    f = fopen(path, "w");
    fputs("0,0\n", f);
    fclose(f);
    assert_int_equal(bundle_load(&back, out2, &err), -1);
    assert_non_null(strstr(err.msg, "rnn_b_cls.csv"));
    bundle_free(&b);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rnn_gradients),
        cmocka_unit_test(test_lstm_gradients),
        cmocka_unit_test(test_one_word),
        cmocka_unit_test(test_adam_learns_and_repeats),
        cmocka_unit_test(test_bundle_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
