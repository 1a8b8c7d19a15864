/* Bundle loading, lookup, and the random model's save → load round trip. */
#include <math.h>
#include <sys/stat.h>

#include "attnstep/bundle.h"
#include "attnstep/fsutil.h"
#include "testutil.h"

static void test_spreadsheet_bundle_loads(void **state)
{
    (void)state;
    struct bundle b;
    struct error err;
    if (bundle_load(&b, src_path("tests/data/bundles/bias-crlf"), &err))
        fail_msg("%s", err.msg);
    assert_int_equal(b.d_model, 8);
    assert_int_equal(b.n_heads, 2);
    assert_true(b.positional && b.lowercase);
    for (int m = 0; m < BUNDLE_N_PROJ; m++)
        assert_true(b.has_b[m]);
    assert_string_equal(b.name, "bias-crlf");
    assert_true(b.vocab[b.unk_id][0] == '<');
    assert_int_equal(bundle_lookup(&b, "movie"), 7);       /* data row 8 of vocab.csv */
    assert_int_equal(bundle_lookup(&b, ","), 2);           /* a quoted token */
    assert_int_equal(bundle_lookup(&b, "\""), 5);          /* a doubled quote */
    assert_int_equal(bundle_lookup(&b, "zebra"), -1);
    bundle_free(&b);

    assert_int_equal(bundle_load(&b, src_path("tests/data/bundles/korean"), &err), 0);
    assert_false(b.positional);
    assert_false(b.lowercase);
    assert_true(bundle_lookup(&b, "영화가") >= 0);
    assert_true(bundle_lookup(&b, "OK") >= 0);
    bundle_free(&b);
}

static void test_random_model_round_trips(void **state)
{
    (void)state;
    const char *tokens[] = {"the", "movie", "영화가", ",", "\"", "a b"};
    struct bundle b, c, again;
    struct error err;
    /* A token with a space can never be produced by the tokenizer, so the
     * saved model would not load: init refuses nothing, but save/load does. */
    assert_int_equal(bundle_init_random(&b, "rt", 12, 3, 5, 99, tokens, 5, &err), 0);
    assert_int_equal(b.n_vocab, 6); /* <unk> added */
    assert_int_equal(bundle_init_random(&again, "rt", 12, 3, 5, 99, tokens, 5, &err), 0);
    assert_memory_equal(b.embed, again.embed, 6 * 12 * sizeof(double)); /* same seed, same model */
    bundle_free(&again);

    char dir[256];
    snprintf(dir, sizeof dir, "%s", write_temp("placeholder", "", 0));
    strcpy(strrchr(dir, '/') + 1, "model");
    assert_int_equal(bundle_save(&b, dir, 0, &err), 0);
    if (bundle_load(&c, dir, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(c.n_vocab, b.n_vocab);
    assert_memory_equal(b.embed, c.embed, (size_t)b.n_vocab * 12 * sizeof(double)); /* bit for bit */
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        assert_memory_equal(b.w[m], c.w[m], 12 * 12 * sizeof(double));
        assert_false(c.has_b[m]);
    }
    /* The RNN and LSTM come back bit for bit; the LSTM's forget gate starts open. */
    assert_int_equal(c.d_hidden, 5);
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        int G = m == BUNDLE_LSTM ? 4 : 1;
        assert_true(c.rec[m].present);
        assert_memory_equal(b.rec[m].w_x, c.rec[m].w_x, 12 * (size_t)G * 5 * sizeof(double));
        assert_memory_equal(b.rec[m].w_h, c.rec[m].w_h, 5 * (size_t)G * 5 * sizeof(double));
    }
    assert_true(c.rec[BUNDLE_LSTM].has_b && !c.rec[BUNDLE_RNN].has_b);
    assert_true(c.rec[BUNDLE_LSTM].b[5] == 1.0 && c.rec[BUNDLE_LSTM].b[0] == 0.0);
    for (size_t i = 0; i < 12 * 12; i++) /* two decimals, inside Xavier's bound */
        assert_true(fabs(c.w[0][i] * 100 - round(c.w[0][i] * 100)) < 1e-9 && fabs(c.w[0][i]) <= 0.51);
    assert_int_equal(bundle_lookup(&c, "영화가"), bundle_lookup(&b, "영화가"));
    /* Saving again over a non-empty directory needs force. */
    assert_int_equal(bundle_save(&b, dir, 0, &err), -1);
    assert_non_null(strstr(err.msg, "--force"));
    assert_int_equal(bundle_save(&b, dir, 1, &err), 0);
    bundle_free(&c);
    bundle_free(&b);
    fsutil_remove_tree(dir);

    assert_int_equal(bundle_init_random(&b, "x", 10, 3, 0, 1, tokens, 2, &err), -1);
    assert_non_null(strstr(err.msg, "divide"));
    const char *dup[] = {"a", "b", "a"};
    assert_int_equal(bundle_init_random(&b, "x", 4, 2, 0, 1, dup, 3, &err), -1);
    assert_non_null(strstr(err.msg, "duplicate"));
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spreadsheet_bundle_loads),
        cmocka_unit_test(test_random_model_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
