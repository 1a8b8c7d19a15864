/* test_edit.c — bundle_edit: every name reaches its numbers, row-major as stored;
 * a failed edit changes nothing; an absent bias becomes present. */
#include "testutil.h"

#include <math.h>

#include "attnstep/bundle.h"
#include "attnstep/edit.h"

static void load(struct bundle *b, const char *rel)
{
    struct error err;
    if (bundle_load(b, src_path(rel), &err))
        fail_msg("%s", err.msg);
}

static void set_ok(struct bundle *b, const char *edit)
{
    struct error err;
    if (bundle_edit(b, edit, &err))
        fail_msg("%s: %s", edit, err.msg);
}

/* Sets the last number of a file and checks it lands at [rows-1][cols-1]. */
static void check_last(struct bundle *b, const char *name, const double *m, int rows, int cols)
{
    char edit[96];
    snprintf(edit, sizeof edit, "%s[%d,%d]=-0.375", name, rows - 1, cols - 1);
    set_ok(b, edit);
    if (m[(size_t)rows * (size_t)cols - 1] != -0.375)
        fail_msg("%s did not reach %s's last number", edit, name);
    snprintf(edit, sizeof edit, "%s[%d,0]=1", name, rows);
    struct error err;
    if (bundle_edit(b, edit, &err) == 0)
        fail_msg("%s was accepted (%s has %d rows)", edit, name, rows);
    snprintf(edit, sizeof edit, "%s[0,%d]=1", name, cols);
    if (bundle_edit(b, edit, &err) == 0)
        fail_msg("%s was accepted (%s has %d columns)", edit, name, cols);
}

static void test_every_name(void **state)
{
    (void)state;
    struct bundle b;
    load(&b, "tests/data/bundles/encoder-relu");
    int D = b.d_model, F = b.enc.d_ff, C = b.enc.n_labels;
    const char *proj[] = {"w_q", "w_k", "w_v", "w_o"}, *bias[] = {"b_q", "b_k", "b_v", "b_o"};
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        check_last(&b, proj[m], b.w[m], D, D);
        check_last(&b, bias[m], b.b[m], 1, D);
    }
    struct bundle_encoder *e = &b.enc;
    check_last(&b, "ln1_gamma", e->ln1_gamma, 1, D);
    check_last(&b, "ln1_beta", e->ln1_beta, 1, D);
    check_last(&b, "ln2_gamma", e->ln2_gamma, 1, D);
    check_last(&b, "ln2_beta", e->ln2_beta, 1, D);
    check_last(&b, "w_ff1", e->w_ff1, D, F);
    check_last(&b, "b_ff1", e->b_ff1, 1, F);
    check_last(&b, "w_ff2", e->w_ff2, F, D);
    check_last(&b, "b_ff2", e->b_ff2, 1, D);
    check_last(&b, "w_cls", e->w_cls, D, C);
    check_last(&b, "b_cls", e->b_cls, 1, C);
    /* row-major: [1,2] is the number after the first row and two more */
    set_ok(&b, "w_ff1[1,2]=0.5");
    assert_true(e->w_ff1[(size_t)F + 2] == 0.5);
    set_ok(&b, "vocab[<unk>,1]=2");
    assert_true(b.embed[(size_t)b.unk_id * (size_t)D + 1] == 2.0);
    struct error err;
    assert_int_equal(bundle_edit(&b, "rnn_w_xh[0,0]=1", &err), -1);
    assert_non_null(strstr(err.msg, "rnn_w_xh.csv"));
    bundle_free(&b);

    load(&b, "tests/data/bundles/recurrent");
    int Dh = b.d_hidden;
    check_last(&b, "rnn_w_xh", b.rec[BUNDLE_RNN].w_x, b.d_model, Dh);
    check_last(&b, "rnn_w_hh", b.rec[BUNDLE_RNN].w_h, Dh, Dh);
    check_last(&b, "rnn_b", b.rec[BUNDLE_RNN].b, 1, Dh);
    check_last(&b, "lstm_w_x", b.rec[BUNDLE_LSTM].w_x, b.d_model, 4 * Dh);
    check_last(&b, "lstm_w_h", b.rec[BUNDLE_LSTM].w_h, Dh, 4 * Dh);
    check_last(&b, "lstm_b", b.rec[BUNDLE_LSTM].b, 1, 4 * Dh);
    assert_int_equal(bundle_edit(&b, "w_cls[0,0]=1", &err), -1);
    assert_non_null(strstr(err.msg, "w_cls.csv"));
    bundle_free(&b);
}

static void test_failure_changes_nothing(void **state)
{
    (void)state;
    struct bundle b, copy;
    struct error err;
    load(&b, "tests/data/bundles/causal-small");
    assert_int_equal(bundle_clone(&copy, &b, &err), 0);
    const char *bad[] = {"w_q[0,0]=abc", "w_q[0,0]=nan", "w_q[0,0]=", "w_q[0,0]=1e40", "w_q[0,6]=1",
                         "w_q[6,0]=1", "b_q[1,0]=1", "b_q[0,0]=x", "vocab[nope,0]=1", "w_q[0]=1", "w_q 0,0=1",
                         "nope[0,0]=1", "w_q[0,0]1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (bundle_edit(&b, bad[i], &err) == 0)
            fail_msg("%s was accepted", bad[i]);
        assert_true(err.msg[0] != '\0');
    }
    size_t DD = (size_t)b.d_model * (size_t)b.d_model;
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        assert_memory_equal(b.w[m], copy.w[m], DD * sizeof(double));
        assert_memory_equal(b.b[m], copy.b[m], (size_t)b.d_model * sizeof(double));
        assert_int_equal(b.has_b[m], copy.has_b[m]);
    }
    assert_memory_equal(b.embed, copy.embed, (size_t)b.n_vocab * (size_t)b.d_model * sizeof(double));
    bundle_free(&copy);
    bundle_free(&b);
}

static void test_absent_bias_becomes_present(void **state)
{
    (void)state;
    struct bundle b;
    load(&b, "tests/data/bundles/causal-small"); /* no bias files */
    assert_int_equal(b.has_b[BUNDLE_Q], 0);
    set_ok(&b, "b_q[0,2]=1.5");
    assert_int_equal(b.has_b[BUNDLE_Q], 1);
    for (int i = 0; i < b.d_model; i++)
        assert_true(b.b[BUNDLE_Q][i] == (i == 2 ? 1.5 : 0.0));
    assert_int_equal(b.has_b[BUNDLE_K], 0);
    bundle_free(&b);
}

/* A language model: w_lm (D x V) and b_lm (1 x V) edit like any file; it has
 * no classifier, and a classifier has no lm head. */
static void test_lm_head(void **state)
{
    (void)state;
    struct bundle b;
    struct error err;
    load(&b, "tests/data/bundles/lm-crlf");
    check_last(&b, "w_lm", b.w_lm, b.d_model, b.n_vocab);
    check_last(&b, "b_lm", b.b_lm, 1, b.n_vocab);
    check_last(&b, "ln2_beta", b.enc.ln2_beta, 1, b.d_model);
    set_ok(&b, "w_lm[1,2]=0.125");
    assert_true(b.w_lm[1 * b.n_vocab + 2] == 0.125);
    assert_int_equal(bundle_edit(&b, "w_cls[0,0]=1", &err), -1);
    assert_non_null(strstr(err.msg, "no w_cls.csv"));
    assert_int_equal(bundle_edit(&b, "b_cls[0,0]=1", &err), -1);
    bundle_free(&b);

    load(&b, "tests/data/bundles/lm-korean");
    assert_false(b.has_b_lm);
    set_ok(&b, "b_lm[0,3]=0.25");
    assert_true(b.has_b_lm && b.b_lm[3] == 0.25 && b.b_lm[2] == 0.0);
    bundle_free(&b);

    load(&b, "tests/data/bundles/encoder-relu");
    assert_int_equal(bundle_edit(&b, "w_lm[0,0]=1", &err), -1);
    assert_non_null(strstr(err.msg, "no w_lm.csv"));
    assert_int_equal(bundle_edit(&b, "b_lm[0,0]=1", &err), -1);
    bundle_free(&b);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_name),
        cmocka_unit_test(test_failure_changes_nothing),
        cmocka_unit_test(test_absent_bias_becomes_present),
        cmocka_unit_test(test_lm_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
