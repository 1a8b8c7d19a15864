/* A model's training history: what is not a snapshot train wrote is skipped
 * with a warning, and the model stays usable. */
#include <sys/stat.h>

#include "attnstep/fsutil.h"
#include "attnstep/history.h"
#include "testutil.h"

static void test_stray_snapshot_entries_are_skipped_with_warnings(void **state)
{
    (void)state;
    char dir[512], snaps[600], p[700];
    snprintf(dir, sizeof dir, "%s", write_temp("placeholder", "", 0));
    strcpy(strrchr(dir, '/') + 1, "model");
    const char *tokens[] = {"good", "bad"};
    struct bundle b;
    struct error err;
    assert_int_equal(bundle_init_random(&b, "h", 4, 2, 0, 3, tokens, 2, &err), 0);
    assert_int_equal(bundle_save(&b, dir, 1, &err), 0);
    snprintf(snaps, sizeof snaps, "%s/snapshots", dir);
    assert_int_equal(mkdir(snaps, 0700), 0);
    /* Two real snapshots, and strays: names train does not write, absurd
     * epochs (one beyond an int), a file, an empty directory. */
    const char *good[] = {"epoch-000", "epoch-1200"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", snaps, good[i]);
        assert_int_equal(bundle_save(&b, p, 0, &err), 0);
    }
    const char *stray_dirs[] = {"epoch-0020", "epoch-20", "epoch-99999999999", "epoch-200000", "epoch--01",
                                "epoch-010", "copy of epoch-000"};
    for (size_t i = 0; i < sizeof stray_dirs / sizeof stray_dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", snaps, stray_dirs[i]);
        assert_int_equal(mkdir(p, 0700), 0);
    }
    snprintf(p, sizeof p, "%s/epoch-005", snaps);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    bundle_free(&b);

    struct history h;
    if (history_load(&h, dir, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(h.n_snapshots, 2);
    assert_int_equal(h.snapshot_epoch[0], 0);
    assert_int_equal(h.snapshot_epoch[1], 1200);
    assert_int_equal(h.snapshots[1].d_model, 4);
    assert_int_equal(h.n_warnings, 8);
    const char *all[] = {"epoch-0020", "epoch-20", "epoch-99999999999", "epoch-200000", "epoch--01",
                         "epoch-010", "copy of epoch-000", "epoch-005"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        char want[700];
        snprintf(want, sizeof want, "%s/%s: ignored", snaps, all[i]);
        int found = 0;
        for (int w = 0; w < h.n_warnings; w++)
            found |= strncmp(h.warnings[w], want, strlen(want)) == 0 && !strchr(h.warnings[w], '\n');
        if (!found)
            fail_msg("no warning for %s", all[i]);
    }
    history_free(&h);
    fsutil_remove_tree(dir);
}

static void test_no_history_is_no_error(void **state)
{
    (void)state;
    struct history h;
    struct error err;
    assert_int_equal(history_load(&h, src_path("tests/data/bundles/korean"), &err), 0);
    assert_int_equal(h.n_snapshots, 0);
    assert_int_equal(h.n_warnings, 0);
    history_free(&h);
}

static void test_only_strays_give_no_snapshots(void **state)
{
    (void)state;
    char dir[512], p[700];
    snprintf(dir, sizeof dir, "%s", write_temp("placeholder", "", 0));
    strcpy(strrchr(dir, '/') + 1, "strays");
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(p, sizeof p, "%s/snapshots", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/snapshots/epoch-2147483648", dir); /* one past INT_MAX */
    assert_int_equal(mkdir(p, 0700), 0);
    struct history h;
    struct error err;
    if (history_load(&h, dir, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(h.n_snapshots, 0);
    assert_int_equal(h.n_warnings, 1);
    history_free(&h);
    fsutil_remove_tree(dir);
}

/* Writes dir/training.csv (dir/snapshots exists, empty) and loads the history. */
static int load_log(const char *name, const char *log, struct history *h, struct error *err)
{
    char dir[512], p[700];
    snprintf(dir, sizeof dir, "%s", write_temp("placeholder", "", 0));
    strcpy(strrchr(dir, '/') + 1, name);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(p, sizeof p, "%s/snapshots", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/training.csv", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(log, f);
    fclose(f);
    int rc = history_load(h, dir, err);
    fsutil_remove_tree(dir);
    return rc;
}

/* A language model's log: perplexities and the bigram baseline, accuracies -1. */
static void test_lm_log(void **state)
{
    (void)state;
    struct history h;
    struct error err;
    if (load_log("lm", "epoch,loss,train_perplexity,test_perplexity,bigram_perplexity\n0,5.4,230.2,230.7,15.05\n"
                       "1,3.4,9.7,10.3,15.05\n", &h, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(h.lm, 1);
    assert_int_equal(h.n_epochs, 2);
    assert_true(h.loss[1] == 3.4 && h.train_perplexity[1] == 9.7 && h.test_perplexity[0] == 230.7);
    assert_true(h.bigram_perplexity == 15.05);
    assert_true(h.train_accuracy[0] == -1 && h.test_accuracy[1] == -1);
    history_free(&h);
    /* without --test: empty test and bigram cells */
    if (load_log("lm-notest", "epoch,loss,train_perplexity,test_perplexity,bigram_perplexity\n0,5.4,230.2,,\n", &h,
                 &err))
        fail_msg("%s", err.msg);
    assert_true(h.lm == 1 && h.test_perplexity[0] == -1 && h.bigram_perplexity == -1);
    history_free(&h);
    /* a classifier's log is read as before */
    if (load_log("cls", "epoch,loss,train_accuracy,test_accuracy\n0,0.7,0.5,0.25\n", &h, &err))
        fail_msg("%s", err.msg);
    assert_true(h.lm == 0 && h.train_perplexity == NULL && h.test_accuracy[0] == 0.25);
    history_free(&h);
    /* a short row in an lm log: its line */
    assert_int_equal(load_log("lm-bad", "epoch,loss,train_perplexity,test_perplexity,bigram_perplexity\n"
                                        "0,5.4,230.2,230.7\n", &h, &err), -1);
    assert_non_null(strstr(err.msg, "training.csv:2:"));
    assert_non_null(strstr(err.msg, "5 fields"));
}

/* Two doubles arrays the same bit for bit (NaN included). */
static void assert_same_doubles(const double *x, const double *y, size_t n)
{
    assert_true((x == NULL) == (y == NULL));
    if (x && n)
        assert_memory_equal(x, y, n * sizeof *x);
}

/* The history read in two parts (the logs at start-up, the snapshots when the
 * training view opens) is the history read at once, on every shipped model
 * that has one. */
static void test_two_parts_equal_one(void **state)
{
    (void)state;
    static const char *const models[] = {"tiny-en", "tiny-lm-en", "random-en"};
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/assets/models/%s", source_root, models[m]);
        struct history all, h;
        struct error err;
        if (history_load(&all, dir, &err))
            fail_msg("%s", err.msg);
        if (history_load_logs(&h, dir, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(h.n_snapshots, 0);
        assert_null(h.snapshots);
        assert_int_equal(history_has_snapshots(dir), all.n_snapshots > 0);
        /* the logs are all there before the snapshots */
        assert_int_equal(h.n_epochs, all.n_epochs);
        assert_int_equal(h.lm, all.lm);
        size_t ne = (size_t)all.n_epochs;
        assert_same_doubles(h.loss, all.loss, ne);
        assert_same_doubles(h.train_accuracy, all.train_accuracy, ne);
        assert_same_doubles(h.test_accuracy, all.test_accuracy, ne);
        assert_same_doubles(h.train_perplexity, all.train_perplexity, ne);
        assert_same_doubles(h.test_perplexity, all.test_perplexity, ne);
        assert_true(h.bigram_perplexity == all.bigram_perplexity);
        assert_same_doubles(h.recurrent_test_accuracy, all.recurrent_test_accuracy, BUNDLE_N_RECURRENT);
        if (history_load_snapshots(&h, dir, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(h.n_snapshots, all.n_snapshots);
        assert_int_equal(h.n_warnings, all.n_warnings);
        assert_int_equal(h.n_epochs, all.n_epochs);
        for (int i = 0; i < all.n_snapshots; i++) {
            const struct bundle *x = &h.snapshots[i], *y = &all.snapshots[i];
            assert_int_equal(h.snapshot_epoch[i], all.snapshot_epoch[i]);
            assert_int_equal(x->d_model, y->d_model);
            assert_int_equal(x->n_vocab, y->n_vocab);
            size_t D = (size_t)x->d_model;
            assert_same_doubles(x->embed, y->embed, (size_t)x->n_vocab * D);
            for (int k = 0; k < BUNDLE_N_PROJ; k++) {
                assert_same_doubles(x->w[k], y->w[k], D * D);
                assert_same_doubles(x->b[k], y->b[k], D);
            }
        }
        printf("# %s: %d snapshots, %d epochs, the same in two parts\n", models[m], all.n_snapshots, all.n_epochs);
        history_free(&h);
        history_free(&all);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stray_snapshot_entries_are_skipped_with_warnings),
        cmocka_unit_test(test_no_history_is_no_error),
        cmocka_unit_test(test_only_strays_give_no_snapshots),
        cmocka_unit_test(test_lm_log),
        cmocka_unit_test(test_two_parts_equal_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
