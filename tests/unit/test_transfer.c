/* Transfer (transfer.h): with the encoder frozen, training steps leave every
 * parameter but the classifier bit for bit as they were and do move the
 * classifier; a new classifier has the new classes, fresh weights, zero
 * biases and is seeded; reinit keeps the vocabulary and redraws the rest;
 * coverage counts words, pieces, <unk> and wholly unknown words. */
#include <math.h>
#include <string.h>

#include "attnstep/bundle.h"
#include "attnstep/table.h"
#include "attnstep/train.h"
#include "attnstep/transfer.h"
#include "testutil.h"

static const char *const vocab[] = {"<unk>", "the", "movie", "was", "not", "good", "."};
static const char *const labels[] = {"negative", "positive"};

static void make_model(struct bundle *b, uint64_t seed)
{
    struct error err;
    if (train_init_model(b, "t", 4, 2, 6, 0, labels, 2, vocab, 7, seed, &err))
        fail_msg("%s", err.msg);
}

static void test_freeze_encoder(void **state)
{
    (void)state;
    struct bundle b, before;
    struct trainer tr;
    struct error err;
    make_model(&b, 3);
    assert_int_equal(bundle_clone(&before, &b, &err), 0);
    assert_int_equal(trainer_init(&tr, &b, 8, 0.05, &err), 0);
    transfer_freeze_encoder(&tr);
    int n_trained = 0;
    for (int i = 0; i < tr.n_params; i++)
        n_trained += !tr.params[i].frozen;
    assert_int_equal(n_trained, 2);
    int s1[] = {1, 2, 3, 4, 5}, s2[] = {1, 2, 3, 5, 6};
    struct train_example ex[] = {{5, s1, 0}, {5, s2, 1}};
    int correct;
    for (int step = 0; step < 5; step++) {
        trainer_zero_grad(&tr);
        for (int k = 0; k < 2; k++)
            trainer_step_example(&tr, &ex[k], 0.5, &correct);
        trainer_adam(&tr);
    }
    size_t D = 4;
    assert_memory_equal(b.embed, before.embed, 7 * D * sizeof(double));
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        assert_memory_equal(b.w[m], before.w[m], D * D * sizeof(double));
        assert_memory_equal(b.b[m], before.b[m], D * sizeof(double));
    }
    assert_memory_equal(b.enc.w_ff1, before.enc.w_ff1, D * 6 * sizeof(double));
    assert_memory_equal(b.enc.w_ff2, before.enc.w_ff2, D * 6 * sizeof(double));
    assert_memory_equal(b.enc.b_ff1, before.enc.b_ff1, 6 * sizeof(double));
    assert_memory_equal(b.enc.ln1_gamma, before.enc.ln1_gamma, D * sizeof(double));
    assert_memory_equal(b.enc.ln2_beta, before.enc.ln2_beta, D * sizeof(double));
    assert_memory_not_equal(b.enc.w_cls, before.enc.w_cls, D * 2 * sizeof(double));
    assert_memory_not_equal(b.enc.b_cls, before.enc.b_cls, 2 * sizeof(double));
    trainer_free(&tr);
    bundle_free(&b);
    bundle_free(&before);
}

static void test_new_classifier(void **state)
{
    (void)state;
    struct bundle b, c;
    struct error err;
    make_model(&b, 4);
    make_model(&c, 4);
    static const char *const fresh[] = {"avoid", "maybe", "recommend"};
    assert_false(transfer_same_classes(&b, fresh, 3));
    assert_true(transfer_same_classes(&b, labels, 2));
    assert_true(transfer_same_classes(&b, labels + 1, 1)); /* a subset keeps the classifier */
    assert_int_equal(transfer_new_classifier(&b, fresh, 3, 9, &err), 0);
    assert_int_equal(transfer_new_classifier(&c, fresh, 3, 9, &err), 0);
    assert_int_equal(b.enc.n_labels, 3);
    assert_string_equal(b.enc.labels[2], "recommend");
    for (int i = 0; i < 3; i++)
        assert_true(b.enc.b_cls[i] == 0.0);
    double limit = sqrt(6.0 / 7.0);
    int nonzero = 0;
    for (int i = 0; i < 4 * 3; i++) {
        assert_true(fabs(b.enc.w_cls[i]) <= limit);
        nonzero += b.enc.w_cls[i] != 0.0;
    }
    assert_int_equal(nonzero, 12);
    assert_memory_equal(b.enc.w_cls, c.enc.w_cls, 12 * sizeof(double)); /* seeded */
    bundle_free(&b);
    bundle_free(&c);
}

static void test_reinit_keeps_vocabulary(void **state)
{
    (void)state;
    struct bundle b, before;
    struct error err;
    make_model(&b, 5);
    for (size_t i = 0; i < 7 * 4; i++)
        b.embed[i] += 1.0; /* as if trained */
    assert_int_equal(bundle_clone(&before, &b, &err), 0);
    assert_int_equal(transfer_reinit(&b, labels, 2, 11, &err), 0);
    assert_int_equal(b.n_vocab, 7);
    for (int i = 0; i < 7; i++)
        assert_string_equal(b.vocab[i], before.vocab[i]);
    assert_memory_not_equal(b.embed, before.embed, 7 * 4 * sizeof(double));
    assert_memory_not_equal(b.w[0], before.w[0], 16 * sizeof(double));
    assert_int_equal(b.enc.d_ff, 6);
    bundle_free(&b);
    bundle_free(&before);
}

static void test_coverage(void **state)
{
    (void)state;
    struct bundle b;
    struct error err;
    struct table t;
    make_model(&b, 6);
    static const char csv[] = "text,label\nthe movie was not good.,positive\nthe cat was bad !,negative\n";
    assert_int_equal(table_read(&t, write_temp("cov.csv", csv, sizeof csv - 1), &err), 0);
    struct transfer_coverage c;
    assert_int_equal(transfer_coverage(&c, &t, 0, &b, &err), 0);
    /* words: the movie was not good . / the cat was bad ! ; without tokenizer.csv, one token each */
    assert_int_equal(c.words, 11);
    assert_int_equal(c.tokens, 11);
    assert_int_equal(c.pieced, 0);
    assert_int_equal(c.unk, 3);     /* cat, bad, ! */
    assert_int_equal(c.punct, 2);   /* . and ! */
    assert_int_equal(c.unknown, 2); /* cat, bad: "!" is punctuation, not counted as an unknown word */
    table_free(&t);
    bundle_free(&b);
}

int main(int argc, char **argv)
{
    source_root = argc > 1 ? argv[1] : ".";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_freeze_encoder),
        cmocka_unit_test(test_new_classifier),
        cmocka_unit_test(test_reinit_keeps_vocabulary),
        cmocka_unit_test(test_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
