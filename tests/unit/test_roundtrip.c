/* What the fuzzers found (tests/fuzz): whatever training accepts must save and
 * load back exactly (long class names, ';', tabs around a name), and error
 * messages stay valid UTF-8. (What cannot be stored is refused: test_dataset.) */
#include "attnstep/bundle.h"
#include "attnstep/fsutil.h"
#include "attnstep/train.h"
#include "attnstep/utf8.h"
#include "testutil.h"

static const char *const vocab[] = {"the", "movie", "was", "good"};

/* A fresh path in the test's temporary directory. */
static const char *temp_path(const char *name)
{
    static char dir[512];
    snprintf(dir, sizeof dir, "%s", write_temp("placeholder", "", 0));
    strcpy(strrchr(dir, '/') + 1, name);
    return dir;
}

/* Saves b, loads it back and checks the names and labels came back exactly. */
static void assert_round_trip(const struct bundle *b)
{
    struct bundle c;
    struct error err;
    const char *dir = temp_path("model");
    fsutil_remove_tree(dir);
    if (bundle_save(b, dir, 0, &err) || bundle_load(&c, dir, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(c.name, b->name);
    assert_string_equal(c.description, b->description);
    assert_int_equal(c.enc.n_labels, b->enc.n_labels);
    for (int i = 0; i < b->enc.n_labels; i++)
        assert_string_equal(c.enc.labels[i], b->enc.labels[i]);
    bundle_free(&c);
    fsutil_remove_tree(dir);
}

/* Class names of 6000 bytes in all were cut at 4095 bytes when saved; ';'
 * (which separates them in config.csv) made a model that did not load. */
static void test_long_labels_round_trip(void **state)
{
    (void)state;
    static char names[3][2001];
    const char *labels[4] = {[3] = "pos;itive \\;"};
    for (int i = 0; i < 3; i++) {
        memset(names[i], 'a' + i, 2000);
        labels[i] = names[i];
    }
    struct bundle b;
    struct error err;
    assert_int_equal(train_init_model(&b, "long", 4, 2, 4, 0, labels, 4, vocab, 4, 1, &err), 0);
    assert_round_trip(&b);
    bundle_free(&b);
}

/* A name or description with a tab at either end lost it: libcsv trims tabs
 * around unquoted fields, and csvout quoted only spaces. */
static void test_tabs_round_trip(void **state)
{
    (void)state;
    const char *labels[] = {"neg", "pos, or not"};
    struct bundle b;
    struct error err;
    assert_int_equal(train_init_model(&b, "\ttabbed\t", 4, 2, 4, 0, labels, 2, vocab, 4, 1, &err), 0);
    free(b.description);
    b.description = strdup("\tan indented description ");
    assert_round_trip(&b);
    bundle_free(&b);
}

/* A long config key was cut at 63 bytes inside a Korean character, and the
 * error message quoting it was not valid UTF-8. */
static void test_cut_key_stays_utf8(void **state)
{
    (void)state;
    char csv[256] = "key,value\nd_model,4\n";
    size_t len = strlen(csv);
    memset(csv + len, '1', 62);
    strcpy(csv + len + 62, "\xEC\x95\x8A\xEC\x95\x98,4\n"); /* 안 across bytes 62..64 */
    char dir[512];
    snprintf(dir, sizeof dir, "%s", write_temp("config.csv", csv, strlen(csv)));
    *strrchr(dir, '/') = '\0';
    struct bundle b;
    struct error err;
    assert_int_equal(bundle_load(&b, dir, &err), -1);
    assert_non_null(strstr(err.msg, "config.csv:3:1: unknown key"));
    assert_int_equal(utf8_invalid_at(err.msg, strlen(err.msg)), -1);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_labels_round_trip),
        cmocka_unit_test(test_tabs_round_trip),
        cmocka_unit_test(test_cut_key_stays_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
