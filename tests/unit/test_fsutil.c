/* Publishing a directory: exclusive without force, a swap with it, nothing
 * left behind when interrupted, and outputs that would replace an input refused. */
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/fsutil.h"
#include "testutil.h"

static char base[64];

static const char *at(const char *name)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", base, name);
    return buf[i];
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *get(const char *path)
{
    static char buf[64];
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A staging directory for dir holding one file "who" with text. */
static void stage(const char *dir, const char *text, char *staging, size_t size)
{
    struct error err;
    assert_int_equal(fsutil_make_staging(dir, staging, size, &err), 0);
    char p[600];
    assert_int_equal(fsutil_join(p, sizeof p, staging, "who"), 0);
    put(p, text);
}

static void assert_no_staging_left(void)
{
    DIR *d = opendir(base);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp-"))
            fail_msg("staging directory %s left behind", e->d_name);
    closedir(d);
}

static void test_commit_without_force_is_exclusive(void **state)
{
    (void)state;
    char s1[512], s2[512];
    struct error err;
    const char *dir = at("out"), *who = at("out/who");
    stage(dir, "first", s1, sizeof s1);
    stage(dir, "second", s2, sizeof s2);
    assert_int_equal(fsutil_commit(s1, dir, 0, &err), 0);
    /* the second writer finds dir taken and leaves it alone */
    assert_int_equal(fsutil_commit(s2, dir, 0, &err), -1);
    assert_non_null(strstr(err.msg, "already exists"));
    assert_string_equal(get(who), "first");
    assert_no_staging_left();
    /* an empty directory may be written into */
    mkdir(at("empty"), 0700);
    stage(at("empty"), "mine", s1, sizeof s1);
    assert_int_equal(fsutil_commit(s1, at("empty"), 0, &err), 0);
    assert_string_equal(get(at("empty/who")), "mine");
}

static void test_commit_with_force_replaces(void **state)
{
    (void)state;
    char s[512];
    struct error err;
    const char *dir = at("forced");
    mkdir(dir, 0700);
    put(at("forced/old"), "old");
    stage(dir, "new", s, sizeof s);
    assert_int_equal(fsutil_commit(s, dir, 1, &err), 0);
    assert_string_equal(get(at("forced/who")), "new");
    assert_null(get(at("forced/old")));
    assert_no_staging_left();
    /* force does not replace what is not a directory */
    put(at("file"), "keep");
    stage(at("file"), "new", s, sizeof s);
    assert_int_equal(fsutil_commit(s, at("file"), 1, &err), -1);
    assert_string_equal(get(at("file")), "keep");
    assert_no_staging_left();
}

static void test_published_mode_follows_umask(void **state)
{
    (void)state;
    char s[512];
    struct error err;
    mode_t old = umask(027);
    stage(at("masked"), "x", s, sizeof s);
    assert_int_equal(fsutil_commit(s, at("masked"), 0, &err), 0);
    umask(old);
    struct stat st;
    assert_int_equal(stat(at("masked"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0750);
}

static void test_interrupted_leaves_nothing(void **state)
{
    (void)state;
    char s[512];
    struct error err;
    stage(at("late"), "x", s, sizeof s);
    fsutil_interrupted = SIGTERM;
    assert_int_equal(fsutil_commit(s, at("late"), 0, &err), -1);
    assert_non_null(strstr(err.msg, "interrupted by SIGTERM"));
    assert_int_equal(fsutil_make_staging(at("early"), s, sizeof s, &err), -1);
    fsutil_interrupted = 0;
    assert_int_equal(access(at("late"), F_OK), -1);
    assert_no_staging_left();
}

static void test_output_over_input_refused(void **state)
{
    (void)state;
    struct error err;
    mkdir(at("model"), 0700);
    put(at("model/config.csv"), "x");
    mkdir(at("sub"), 0700);
    assert_int_equal(symlink("model", at("link")), 0);
    const char *refused[] = {"model", "link", "sub/../model", "model/", ".", "model/inside", "model/a/b/c"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        err.msg[0] = '\0';
        if (fsutil_check_not_input(at(refused[i]), at("model"), "the model being read", &err) != -1)
            fail_msg("%s was accepted as an output over the model", refused[i]);
        assert_non_null(strstr(err.msg, "the model being read"));
    }
    assert_int_equal(fsutil_check_not_input(at("elsewhere"), at("model"), "the model", &err), 0);
    assert_int_equal(fsutil_check_not_input(at("sub"), at("model"), "the model", &err), 0);
    assert_int_equal(fsutil_check_not_input(at("sub/x"), at("link"), "the model", &err), 0);
    /* a data file: refused only when DIR holds it */
    assert_int_equal(fsutil_check_not_input(at("model"), at("model/config.csv"), "the data", &err), -1);
    assert_non_null(strstr(err.msg, "contains the data"));
    assert_int_equal(fsutil_check_not_input(at("model/config.csv.d"), at("model/config.csv"), "the data", &err),
                     0);
    assert_int_equal(fsutil_check_not_input(at("x"), at("missing"), "the data", &err), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "/tmp/attnstep-fsutil-XXXXXX");
    return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return fsutil_remove_tree(base);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_without_force_is_exclusive),
        cmocka_unit_test(test_commit_with_force_replaces),
        cmocka_unit_test(test_published_mode_follows_umask),
        cmocka_unit_test(test_interrupted_leaves_nothing),
        cmocka_unit_test(test_output_over_input_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
