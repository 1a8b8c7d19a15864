/* Bundle loading, lookup, and the random model's save → load round trip. */
#include <math.h>
#include <sys/stat.h>

#include "attnstep/bundle.h"
#include "attnstep/fsutil.h"
#include "attnstep/train.h"
#include "attnstep/utf8.h"
#include "testutil.h"

/* A directory beside write_temp's files: + "/" + name. */
static const char *temp_dir_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s", write_temp("placeholder", "", 0));
    snprintf(strrchr(path, '/') + 1, 256, "%s", name);
    return path;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0 && fclose(f) == 0);
}

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

/* Any class name a model accepts is saved and loads back exactly. */
static void test_labels_round_trip(void **state)
{
    (void)state;
    char long_name[5001];
    memset(long_name, 'x', 5000);
    long_name[5000] = '\0';
    const char *labels[] = {"a;b", "back\\slash", "x\\;y", ";", "\\", "with,comma", "\"quoted\"", "영화 좋음",
                            "in  the middle", long_name, "trailing\\"};
    int C = (int)(sizeof labels / sizeof labels[0]);
    const char *tokens[] = {"good", "bad"};
    struct bundle b, c;
    struct error err;
    assert_int_equal(bundle_init_random(&b, "lbl", 4, 2, 0, 7, tokens, 2, &err), 0);
    if (train_add_classifier(&b, 3, 0, labels, C, 7, &err))
        fail_msg("%s", err.msg);
    const char *dir = temp_dir_path("labels");
    if (bundle_save(&b, dir, 1, &err) || bundle_load(&c, dir, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(c.enc.n_labels, C);
    for (int i = 0; i < C; i++)
        assert_string_equal(c.enc.labels[i], labels[i]);
    bundle_free(&c);
    /* What cannot be stored is refused, not written into a model that does not load. */
    free(b.enc.labels[0]);
    b.enc.labels[0] = strdup("two\nlines");
    assert_int_equal(bundle_save(&b, temp_dir_path("bad-labels"), 1, &err), -1);
    assert_non_null(strstr(err.msg, "control character"));
    bundle_free(&b);
    fsutil_remove_tree(dir);
}

/* A saved random model (d_model 4, 2 heads, an RNN and an LSTM of width 3)
 * whose config.csv is then replaced by text; returns bundle_load's status. */
static int load_with_config(const char *config, struct error *err)
{
    const char *tokens[] = {"good", "bad"};
    struct bundle b;
    const char *dir = temp_dir_path("config");
    assert_int_equal(bundle_init_random(&b, "cfg", 4, 2, 3, 1, tokens, 2, err), 0);
    assert_int_equal(bundle_save(&b, dir, 1, err), 0);
    bundle_free(&b);
    write_file(dir, "config.csv", config);
    int rc = bundle_load(&b, dir, err);
    if (rc == 0)
        bundle_free(&b);
    return rc;
}

static void expect_config_error(const char *config, const char *where, const char *what)
{
    struct error err;
    assert_int_equal(load_with_config(config, &err), -1);
    char want[64];
    snprintf(want, sizeof want, "config.csv:%s", where);
    if (!strstr(err.msg, want) || !strstr(err.msg, what))
        fail_msg("got \"%s\", wanted \"%s ... %s\"", err.msg, want, what);
}

static void test_config_values_are_parsed_whole(void **state)
{
    (void)state;
    struct error err;
    const char *head = "key,value\nd_model,4\nn_heads,2\nd_hidden,3\n";
    char config[512];
    if (load_with_config(head, &err))
        fail_msg("%s", err.msg);
    /* Trailing text after 63 bytes of spaces used to be cut off and pass. */
    char pad[121];
    memset(pad, ' ', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    const struct { const char *before, *after, *line, *why; } cases[] = {
        {"d_hidden,3", "junk", "4:", "whole number"},
        {"positional,sinusoidal", "junk", "5:", "sinusoidal or none"},
        {"lowercase,\"1", "x\"", "5:", "1 or 0"},
        {"norm_eps,1e-5", "9", "5:", "not a number"},
        {"d_hidden,", "3", NULL, NULL}, /* spaces alone around a value are fine, however many */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int hidden = !strncmp(cases[i].before, "d_hidden", 8);
        snprintf(config, sizeof config, "key,value\nd_model,4\nn_heads,2\n%s%s%s%s\n", hidden ? "" : "d_hidden,3\n",
                 cases[i].before, pad, cases[i].after);
        if (!cases[i].why) {
            if (load_with_config(config, &err))
                fail_msg("%s", err.msg);
            continue;
        }
        expect_config_error(config, cases[i].line, cases[i].why);
    }
    /* A key longer than 63 bytes is not a known key cut short. */
    snprintf(config, sizeof config, "%sd_model%.70sx,4\n", head, pad);
    expect_config_error(config, "5:1", "unknown key");
    expect_config_error("key,value\nd_model,4\nn_heads,2\nd_hidden,3\nd_model,4\n", "5:1", "given twice");
}

static void test_missing_keys_point_after_the_last_line(void **state)
{
    (void)state;
    /* Never line 0: the line after the last row, where the key would go. */
    expect_config_error("key,value\nd_model,4\nn_heads,2\n", "4:1", "d_hidden is missing");
    expect_config_error("key,value\nd_model,4\nn_heads,2", "4:1", "d_hidden is missing");
    expect_config_error("key,value\nn_heads,2\nd_hidden,3\n", "4:1", "d_model is missing");
    expect_config_error("key,value\r\nd_model,4\r\nd_hidden,3\r\n\r\n", "5:1", "n_heads is missing");
}

static void test_many_labels_are_checked_fast(void **state)
{
    (void)state;
    /* 100,000 class names: the duplicate check sorts (pairwise took 17 s). */
    int n = 100000;
    size_t size = 64 + (size_t)n * 8;
    char *config = malloc(size);
    assert_non_null(config);
    size_t len = (size_t)snprintf(config, size, "key,value\nd_model,4\nn_heads,2\nd_hidden,3\nlabels,");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(config + len, size - len, "%sc%d", i ? ";" : "", i);
    snprintf(config + len, size - len, ";c4711\n");
    expect_config_error(config, "5:8", "\"c4711\" is given twice");
    config[len] = '\0';
    strcat(config, "\n");
    /* All distinct: the config loads (this model has no classifier files to match). */
    struct error err;
    assert_int_equal(load_with_config(config, &err), 0);
    free(config);
}

static void test_labels_that_cannot_be_class_names(void **state)
{
    (void)state;
    expect_config_error("key,value\nd_model,4\nn_heads,2\nd_hidden,3\nlabels,a; ;b\n", "5:8", "class 2 is empty");
    expect_config_error("key,value\nd_model,4\nn_heads,2\nd_hidden,3\nlabels,\"a;b\nc\"\n", "5:8",
                        "class 2 contains a control character");
    expect_config_error("key,value\nd_model,4\nn_heads,2\nd_hidden,3\nlabels,only\n", "5:8", "at least two");
    /* Hand-written spaces around names are dropped; \; is a ; inside a name. */
    const char *ok[] = {"a", "b;c", "d\\e"};
    const char *bad[] = {"", "   ", " a", "a ", "a\tb", "a\nb", "a\rb"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_null(bundle_label_problem(ok[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_non_null(bundle_label_problem(bad[i]));
}

/* The two language-model fixtures: task lm, the block without a classifier,
 * w_lm (D x V), b_lm when there, <eos> found. */
static void test_lm_bundles_load(void **state)
{
    (void)state;
    struct bundle b;
    struct error err;
    if (bundle_load(&b, src_path("tests/data/bundles/lm-crlf"), &err))
        fail_msg("%s", err.msg);
    assert_int_equal(b.task, BUNDLE_TASK_LM);
    assert_true(b.enc.present);
    assert_int_equal(b.enc.n_labels, 0);
    assert_null(b.enc.w_cls);
    assert_int_equal(b.n_vocab, 12);
    assert_int_equal(b.eos_id, 1);
    assert_true(b.has_b_lm);
    assert_true(b.w_lm[0] == -0.14 && b.w_lm[1] == 0.18 && b.w_lm[12] == 0.31); /* rows of 12 */
    bundle_free(&b);

    if (bundle_load(&b, src_path("tests/data/bundles/lm-korean"), &err))
        fail_msg("%s", err.msg);
    assert_int_equal(b.task, BUNDLE_TASK_LM);
    assert_int_equal(b.eos_id, 6);
    assert_false(b.has_b_lm);
    for (int v = 0; v < b.n_vocab; v++)
        assert_true(b.b_lm[v] == 0.0);
    assert_true(b.w_lm[0] == 0.53 && b.w_lm[9] == 0.93); /* rows of 9 */
    bundle_free(&b);

    /* A classifier has no lm head and knows its <eos> only as a row. */
    if (bundle_load(&b, src_path("tests/data/bundles/encoder-relu"), &err))
        fail_msg("%s", err.msg);
    assert_int_equal(b.task, BUNDLE_TASK_CLASSIFY);
    assert_null(b.w_lm);
    assert_int_equal(b.eos_id, -1);
    bundle_free(&b);
}

/* Clone and save keep every number of an lm bundle; the copy loads as an lm. */
static void test_lm_clone_and_save(void **state)
{
    (void)state;
    const char *fixtures[] = {"tests/data/bundles/lm-crlf", "tests/data/bundles/lm-korean"};
    for (int i = 0; i < 2; i++) {
        struct bundle b, c, d;
        struct error err;
        if (bundle_load(&b, src_path(fixtures[i]), &err) || bundle_clone(&c, &b, &err))
            fail_msg("%s", err.msg);
        const char *dir = temp_dir_path("lm-saved");
        if (bundle_save(&c, dir, 1, &err) || bundle_load(&d, dir, &err))
            fail_msg("%s", err.msg);
        size_t D = (size_t)b.d_model, V = (size_t)b.n_vocab;
        assert_true(c.w_lm != b.w_lm);
        assert_int_equal(d.task, BUNDLE_TASK_LM);
        assert_int_equal(d.eos_id, b.eos_id);
        assert_int_equal(d.has_b_lm, b.has_b_lm);
        assert_int_equal(d.enc.d_ff, b.enc.d_ff);
        assert_int_equal(d.enc.gelu, b.enc.gelu);
        assert_memory_equal(d.w_lm, b.w_lm, D * V * sizeof(double));
        assert_memory_equal(d.b_lm, b.b_lm, V * sizeof(double));
        assert_memory_equal(d.enc.ln2_gamma, b.enc.ln2_gamma, D * sizeof(double));
        assert_memory_equal(d.enc.w_ff2, b.enc.w_ff2, (size_t)b.enc.d_ff * D * sizeof(double));
        struct stat st;
        char path[600];
        snprintf(path, sizeof path, "%s/w_cls.csv", dir);
        assert_int_not_equal(stat(path, &st), 0);
        snprintf(path, sizeof path, "%s/b_lm.csv", dir);
        assert_int_equal(stat(path, &st) == 0, b.has_b_lm);
        bundle_free(&b);
        bundle_free(&c);
        bundle_free(&d);
        fsutil_remove_tree(dir);
    }
}

/* The lm-korean fixture saved to a temporary directory, then changed; the
 * load must fail with where and what. */
static void expect_lm_error(const char *file, const char *text, const char *where, const char *what)
{
    struct bundle b;
    struct error err;
    const char *dir = temp_dir_path("lm-bad");
    if (bundle_load(&b, src_path("tests/data/bundles/lm-korean"), &err) || bundle_save(&b, dir, 1, &err))
        fail_msg("%s", err.msg);
    bundle_free(&b);
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (text)
        write_file(dir, file, text);
    else
        assert_int_equal(remove(path), 0);
    assert_int_equal(bundle_load(&b, dir, &err), -1);
    if (!strstr(err.msg, where) || !strstr(err.msg, what))
        fail_msg("%s: got \"%s\", wanted \"%s ... %s\"", file, err.msg, where, what);
    fsutil_remove_tree(dir);
}

static void test_lm_bad_bundles(void **state)
{
    (void)state;
    const char *head = "key,value\nd_model,4\nn_heads,2\nd_ff,6\n";
    char config[256], vocab[1024];
    /* w_lm of the wrong shape: a column short, a row short */
    expect_lm_error("w_lm.csv", "1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7,8\n",
                    "w_lm.csv:1:1", "expected 9 numbers in the row, found 8");
    expect_lm_error("w_lm.csv", "1,2,3,4,5,6,7,8,9\n1,2,3,4,5,6,7,8,9\n", "w_lm.csv:3:1", "expected 4 rows, found 2");
    expect_lm_error("b_lm.csv", "1,2,3\n", "b_lm.csv:1:1", "expected 9 numbers in the row, found 3");
    expect_lm_error("w_lm.csv", NULL, "w_lm.csv: missing", "language model");
    /* no <eos> */
    snprintf(vocab, sizeof vocab, "token,e0,e1,e2,e3\n<unk>,0,0,0,0\na,1,1,1,1\nb,1,1,1,1\nc,1,1,1,1\n"
                                  "d,1,1,1,1\ne,1,1,1,1\neos,1,1,1,1\nf,1,1,1,1\ng,1,1,1,1\n");
    expect_lm_error("vocab.csv", vocab, "vocab.csv:11:1", "no <eos> token");
    /* a classifier's files or key in an lm */
    expect_lm_error("w_cls.csv", "1,2\n1,2\n1,2\n1,2\n", "w_cls.csv: ", "has no classifier");
    expect_lm_error("b_cls.csv", "1,2\n", "b_cls.csv: ", "has no classifier");
    snprintf(config, sizeof config, "%stask,lm\nlabels,a;b\n", head);
    expect_lm_error("config.csv", config, "config.csv:6:1", "labels belongs to a classifier");
    /* the block is needed */
    expect_lm_error("ln2_beta.csv", NULL, "ln2_beta.csv: missing", "7 of 8 are there");
    snprintf(config, sizeof config, "key,value\nd_model,4\nn_heads,2\ntask,lm\n");
    expect_lm_error("config.csv", config, "config.csv:5:1", "d_ff is missing");
    /* an lm head without task,lm, and a task that is neither */
    expect_lm_error("config.csv", head, "w_lm.csv: ", "add the row task,lm");
    snprintf(config, sizeof config, "%stask,decoder\n", head);
    expect_lm_error("config.csv", config, "config.csv:5:6", "task must be classify or lm, got \"decoder\"");
}

/* A vocabulary over the limit is refused by its row count, at the first row
 * too many, with the message the whole-file reading gives; nothing after that
 * row is read (a broken quote there is never seen). */
static void test_vocabulary_over_the_limit(void **state)
{
    (void)state;
    const char *tokens[] = {"a", "b", "c", "d", "e", "f", "g"};
    struct bundle b;
    struct error err, err2;
    const char *dir = temp_dir_path("limit");
    assert_int_equal(bundle_init_random(&b, "lim", 4, 2, 0, 1, tokens, 7, &err), 0);
    assert_int_equal(bundle_save(&b, dir, 1, &err), 0);
    bundle_free(&b);
    /* 8 tokens: a limit of 8 loads, 5 does not (data row 6 is on line 7) */
    if (bundle_load_max(&b, dir, 8, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(b.n_vocab, 8);
    bundle_free(&b);
    assert_int_equal(bundle_load_max(&b, dir, 5, &err), -1);
    char want[600];
    snprintf(want, sizeof want, "%s/vocab.csv:7:1: more than 5 tokens", dir);
    assert_string_equal(err.msg, want);
    /* A blank line among the rows moves the line, not the count; a quoted
     * header is read by libcsv in the stream. */
    write_file(dir, "vocab.csv", "token,e0,e1,e2,e3\n<unk>,0,0,0,0\n\na,1,1,1,1\nb,1,1,1,1\nc,1,1,1,1\n"
                                 "d,1,1,1,1\ne,1,1,1,1\nf,1,1,1,1\n\"open,1\n");
    assert_int_equal(bundle_load_max(&b, dir, 5, &err), -1);
    snprintf(want, sizeof want, "%s/vocab.csv:8:1: more than 5 tokens", dir);
    assert_string_equal(err.msg, want);
    write_file(dir, "vocab.csv", "\"token\",e0,e1,e2,e3\n<unk>,0,0,0,0\n\na,1,1,1,1\nb,1,1,1,1\nc,1,1,1,1\n"
                                 "d,1,1,1,1\ne,1,1,1,1\nf,1,1,1,1\n");
    assert_int_equal(bundle_load_max(&b, dir, 5, &err2), -1);
    assert_string_equal(err2.msg, want);
    /* A token quoted over two lines (the stream leaves that to table_read):
     * the same message, from the whole-file reading. */
    write_file(dir, "vocab.csv", "token,e0,e1,e2,e3\n<unk>,0,0,0,0\n\"a\nb\",1,1,1,1\nb,1,1,1,1\nc,1,1,1,1\n"
                                 "d,1,1,1,1\ne,1,1,1,1\nf,1,1,1,1\n");
    assert_int_equal(bundle_load_max(&b, dir, 5, &err2), -1);
    snprintf(want, sizeof want, "%s/vocab.csv:8:1: more than 5 tokens", dir);
    assert_string_equal(err2.msg, want);
    fsutil_remove_tree(dir);
}

/* A vocabulary with quoted tokens, spaces and CRLF streams to the numbers
 * the whole-file reading gives (a bad cell sends it there: same message). */
static void test_vocabulary_streams_like_table_read(void **state)
{
    (void)state;
    const char *dir = temp_dir_path("quoted");
    const char *tokens[] = {"x"};
    struct bundle b;
    struct error err;
    assert_int_equal(bundle_init_random(&b, "q", 4, 2, 0, 1, tokens, 1, &err), 0);
    assert_int_equal(bundle_save(&b, dir, 1, &err), 0);
    bundle_free(&b);
    write_file(dir, "vocab.csv", "token,e0,e1,e2,e3\r\n<unk>, 0.5 ,\"1e-3\",-2,3\r\n\",\",1,2,3,4\r\n\"\"\"\",5,6,7,"
                                 "0.30000000000000004\r\n\r\n  the ,1,1,1,1");
    if (bundle_load(&b, dir, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(b.n_vocab, 4);
    assert_int_equal(bundle_lookup(&b, ","), 1);
    assert_int_equal(bundle_lookup(&b, "\""), 2);
    assert_int_equal(bundle_lookup(&b, "the"), 3);
    assert_true(b.embed[0] == 0.5 && b.embed[1] == 1e-3 && b.embed[2] == -2 && b.embed[11] == 0.30000000000000004);
    bundle_free(&b);
    write_file(dir, "vocab.csv", "token,e0,e1,e2,e3\n<unk>,0,0,0,0\nthe,1,1,x1,1\n");
    assert_int_equal(bundle_load(&b, dir, &err), -1);
    char want[600];
    snprintf(want, sizeof want, "%s/vocab.csv:3:9: not a number: \"x1\" (column 4 of the row)", dir);
    assert_string_equal(err.msg, want);
    fsutil_remove_tree(dir);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spreadsheet_bundle_loads),
        cmocka_unit_test(test_random_model_round_trips),
        cmocka_unit_test(test_labels_round_trip),
        cmocka_unit_test(test_config_values_are_parsed_whole),
        cmocka_unit_test(test_missing_keys_point_after_the_last_line),
        cmocka_unit_test(test_many_labels_are_checked_fast),
        cmocka_unit_test(test_labels_that_cannot_be_class_names),
        cmocka_unit_test(test_lm_bundles_load),
        cmocka_unit_test(test_lm_clone_and_save),
        cmocka_unit_test(test_lm_bad_bundles),
        cmocka_unit_test(test_vocabulary_over_the_limit),
        cmocka_unit_test(test_vocabulary_streams_like_table_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
