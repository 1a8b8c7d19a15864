/* The export directory appears whole or not at all. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/bundle.h"
#include "attnstep/export.h"
#include "attnstep/fsutil.h"
#include "testutil.h"

static int exists(const char *dir, const char *name)
{
    char p[4096];
    struct stat st;
    return fsutil_join(p, sizeof p, dir, name) == 0 && stat(p, &st) == 0;
}

static void test_export_is_atomic(void **state)
{
    (void)state;
    struct bundle b;
    struct trace t;
    struct error err;
    assert_int_equal(bundle_load(&b, src_path("tests/data/bundles/bias-crlf"), &err), 0);
    assert_int_equal(trace_build(&t, &b, "the movie was not good", 1, &err), 0);
    char dir[256];
    snprintf(dir, sizeof dir, "%s", write_temp("keep.txt", "mine", 4));
    *strrchr(dir, '/') = '\0';
    int n = 0;
    /* a non-empty directory is refused and left as it was */
    assert_int_equal(export_write(&t, dir, 0, &n, &err), -1);
    assert_true(exists(dir, "keep.txt"));
    assert_false(exists(dir, "tokens.csv"));
    /* with force it is replaced as a whole */
    assert_int_equal(export_write(&t, dir, 1, &n, &err), 0);
    assert_false(exists(dir, "keep.txt"));
    const char *files[] = {"tokens.csv", "embeddings.csv", "positional.csv", "x.csv", "head1_q.csv",
                           "head2_masked.csv", "head2_weights.csv", "head2_output.csv", "concat.csv",
                           "output.csv", "config.csv", "w_q.csv", "w_o.csv", "b_q.csv", "b_o.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (!exists(dir, files[i]))
            fail_msg("%s missing from the export", files[i]);
    assert_int_equal(n, 4 + 2 * 8 + 2 + 1 + 4 + 4 + 1); /* … + influence.csv */
    /* an export into an empty directory works; into a file it does not */
    char empty[300];
    snprintf(empty, sizeof empty, "%s/empty", dir);
    assert_int_equal(export_write(&t, empty, 0, NULL, &err), 0);
    char file[300];
    snprintf(file, sizeof file, "%s/tokens.csv", dir);
    assert_int_equal(export_write(&t, file, 1, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "not a directory"));
    /* no staging directories are left behind */
    char parent[256];
    snprintf(parent, sizeof parent, "%s", dir);
    *strrchr(parent, '/') = '\0';
    fsutil_remove_tree(dir);
    DIR *d = opendir(parent);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp-"))
            fail_msg("staging directory %s/%s left behind", parent, e->d_name);
    closedir(d);
    trace_free(&t);
    bundle_free(&b);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_is_atomic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
