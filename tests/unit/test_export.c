/* The export directory appears whole or not at all. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/bundle.h"
#include "attnstep/edit.h"
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

/* The whole text of dir/name (at most 64 KiB), in a static buffer. */
static const char *slurp(const char *dir, const char *name)
{
    static char buf[65536];
    char p[4096];
    assert_int_equal(fsutil_join(p, sizeof p, dir, name), 0);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A language model's export: lm_logits.csv and next_token.csv (most likely
 * first, equal probabilities in vocabulary order), the lm head's weights, no
 * classifier files; the count said is the count written. */
static void test_lm_export(void **state)
{
    (void)state;
    struct bundle b;
    struct trace t;
    struct error err;
    char dir[256] = "/tmp/attnstep-lm-export-XXXXXX";
    assert_non_null(mkdtemp(dir)); /* the first test removed write_temp's directory */
    assert_int_equal(bundle_load(&b, src_path("tests/data/bundles/lm-crlf"), &err), 0);
    assert_int_equal(trace_build(&t, &b, "the cat sat", 0, &err), 0);
    int n = 0;
    if (export_write(&t, dir, 1, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, count_files(dir));
    assert_int_equal(n, 50);
    const char *want[] = {"lm_logits.csv", "next_token.csv", "w_lm.csv", "b_lm.csv", "ln2_beta.csv",
                          "head1_masked.csv", "norm2.csv"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!exists(dir, want[i]))
            fail_msg("%s missing from the export", want[i]);
    const char *absent[] = {"w_cls.csv", "b_cls.csv", "pooled.csv", "logits.csv", "probabilities.csv"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        if (exists(dir, absent[i]))
            fail_msg("%s in a language model's export", absent[i]);
    const char *s = slurp(dir, "lm_logits.csv");
    const char *head = "token,<unk>,<eos>,the,cat,dog,sat,ran,on,a,mat,.,big\nthe,";
    assert_true(!strncmp(s, head, strlen(head)));
    assert_non_null(strstr(s, "\ncat,"));
    assert_non_null(strstr(s, "\nsat,"));
    s = slurp(dir, "next_token.csv");
    assert_true(!strncmp(s, "token,probability\n", strlen("token,probability\n")));
    char first[64];
    snprintf(first, sizeof first, "\n%s,", b.vocab[t.next_choice]);
    assert_ptr_equal(strstr(s, first), strchr(s, '\n'));
    assert_non_null(strstr(slurp(dir, "config.csv"), "task,lm"));
    trace_free(&t);
    bundle_free(&b);

    /* two tokens with the same W_lm column (no b_lm): equal probabilities, in vocabulary order */
    assert_int_equal(bundle_load(&b, src_path("tests/data/bundles/lm-korean"), &err), 0);
    for (int d = 0; d < b.d_model; d++) {
        char edit[64];
        snprintf(edit, sizeof edit, "w_lm[%d,7]=%.17g", d, b.w_lm[d * b.n_vocab + 2]);
        assert_int_equal(bundle_edit(&b, edit, &err), 0);
    }
    assert_int_equal(trace_build(&t, &b, "오늘 나는", 0, &err), 0);
    if (export_write(&t, dir, 1, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, count_files(dir));
    assert_false(exists(dir, "b_lm.csv"));
    s = slurp(dir, "next_token.csv");
    const char *a = strstr(s, "\n학교에,"), *c = strstr(s, "\n오늘,"); /* rows 2 and 7 */
    assert_non_null(a);
    assert_non_null(c);
    assert_true(a < c);
    double pa = atof(strchr(a, ',') + 1), pc = atof(strchr(c, ',') + 1);
    assert_true(pa <= pc && pa >= pc); /* printed alike */
    double prev = 2;
    for (const char *line = strchr(s, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        double p = atof(strchr(line, ',') + 1);
        assert_true(p <= prev);
        prev = p;
    }
    trace_free(&t);
    bundle_free(&b);
    fsutil_remove_tree(dir);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_is_atomic),
        cmocka_unit_test(test_lm_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
