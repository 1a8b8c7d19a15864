/* Training data: every label train accepts survives saving and loading; what
 * a model cannot store is refused with FILE:LINE:COL before training. */
#include "attnstep/dataset.h"
#include "attnstep/fsutil.h"
#include "testutil.h"

static void data_fails(const char *csv, const char *where, const char *what)
{
    struct dataset d = {.n = -7};
    struct error err;
    const char *p = write_temp("bad.csv", csv, strlen(csv));
    assert_int_equal(dataset_read(&d, p, &err), -1);
    assert_int_equal(d.n, -7);
    char want[600];
    snprintf(want, sizeof want, "%s:%s", p, where);
    if (strncmp(err.msg, want, strlen(want)) || !strstr(err.msg, what) || strchr(err.msg, '\n'))
        fail_msg("got \"%s\", wanted \"%s ... %s\" on one line", err.msg, want, what);
}

static void test_labels_a_model_cannot_store_are_refused(void **state)
{
    (void)state;
    data_fails("text,label\ngood,pos\nbad,\"two\nlines\"\n", "3:5: ", "control character");
    data_fails("text,label\ngood,pos\nbad,\"a\tb\"\n", "3:5: ", "control character");
    data_fails("text,label\ngood,\"   \"\nbad,neg\n", "2:6: ", "empty or only spaces");
    data_fails("text,label\ngood,\" pos\"\nbad,neg\n", "2:6: ", "begins or ends with a space");
    data_fails("text,label\ngood,pos\nbad,\n", "3:5: ", "empty");
}

static void test_what_train_accepts_loads_back(void **state)
{
    (void)state;
    const char *csv = "text,label\n"
                      "good movie,\"a;b\"\n"
                      "bad movie,\"c,d\"\n"
                      "fine movie,back\\slash\n"
                      "odd movie,\"say \"\"hi\"\"\"\n"
                      "영화 좋다,영화 좋음\n";
    struct dataset_job job;
    struct error err;
    struct dataset_job_spec spec = {.data = write_temp("data.csv", csv, strlen(csv)), .name = "rt", .d_model = 4,
                                    .heads = 2, .d_ff = 3, .lr = 0.01, .seed = 1};
    if (dataset_job_prepare(&job, &spec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(job.n_classes, 5);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", spec.data);
    strcpy(strrchr(dir, '/') + 1, "rt-model");
    struct bundle back;
    if (bundle_save(&job.model, dir, 1, &err) || bundle_load(&back, dir, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(back.enc.n_labels, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(back.enc.labels[i], job.model.enc.labels[i]);
    /* Every sentence maps to its own class, looked up by name. */
    for (int i = 0; i < job.train_set.n; i++)
        assert_string_equal(job.model.enc.labels[job.train_set.ex[i].label], table_text(&job.data.t, i + 1, 1));
    bundle_free(&back);
    dataset_job_free(&job);
    fsutil_remove_tree(dir);
}

static void test_one_class_is_located(void **state)
{
    (void)state;
    const char *csv = "text,label\ngood movie,pos\nfine movie,pos\n";
    struct dataset_job job;
    struct error err;
    struct dataset_job_spec spec = {.data = write_temp("one.csv", csv, strlen(csv)), .name = "one", .d_model = 4,
                                    .heads = 2, .d_ff = 3, .lr = 0.01, .seed = 1};
    assert_int_equal(dataset_job_prepare(&job, &spec, &err), -1);
    dataset_job_free(&job);
    char want[600];
    snprintf(want, sizeof want, "%s:2:12: ", spec.data);
    if (strncmp(err.msg, want, strlen(want)) || !strstr(err.msg, "at least two classes"))
        fail_msg("got \"%s\"", err.msg);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_a_model_cannot_store_are_refused),
        cmocka_unit_test(test_what_train_accepts_loads_back),
        cmocka_unit_test(test_one_class_is_located),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
