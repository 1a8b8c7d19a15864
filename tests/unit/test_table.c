/* CSV reading: what spreadsheets write loads; what is broken is named by line and column. */
#include <math.h>

#include "attnstep/table.h"
#include "testutil.h"

static void read_ok(struct table *t, const char *bytes)
{
    struct error err;
    const char *p = write_temp("t.csv", bytes, strlen(bytes));
    if (table_read(t, p, &err))
        fail_msg("%s", err.msg);
}

/* The literal's bytes, including any NUL inside it but not the terminator. */
#define READ_FAILS(lit, where, what) read_fails(lit, sizeof(lit) - 1, where, what)
static void read_fails(const char *bytes, size_t len, const char *where, const char *what)
{
    struct error err;
    struct table t = {.n_rows = -7};
    const char *p = write_temp("bad.csv", bytes, len);
    assert_int_equal(table_read(&t, p, &err), -1);
    assert_int_equal(t.n_rows, -7); /* untouched on failure */
    char want[600];
    snprintf(want, sizeof want, "%s:%s", p, where);
    if (strncmp(err.msg, want, strlen(want)) || !strstr(err.msg, what))
        fail_msg("got \"%s\", wanted \"%s ... %s\"", err.msg, want, what);
}

static void test_spreadsheet_csv_loads(void **state)
{
    (void)state;
    struct table t;
    read_ok(&t, "\xEF\xBB\xBFtoken,e0\r\n\"movie\", 0.5 \r\n\r\n\"a,b\",\"1\"\r\n");
    assert_int_equal(t.n_rows, 3);
    assert_string_equal(table_text(&t, 0, 0), "token");
    assert_string_equal(table_text(&t, 1, 0), "movie");
    assert_string_equal(table_text(&t, 2, 0), "a,b");
    double v;
    struct error err;
    assert_int_equal(table_number(&t, 1, 1, &v, &err), 0);
    assert_true(v > 0.49 && v < 0.51);
    assert_int_equal(table_number(&t, 2, 1, &v, &err), 0);
    assert_int_equal(t.rows[2].line, 4); /* the blank line 3 is skipped, not renumbered */
    table_free(&t);
}

static void test_cells_know_their_position(void **state)
{
    (void)state;
    struct table t;
    read_ok(&t, "a,bb,ccc\n영화,x,  y\n\"multi\nline\",z\nlast,q");
    assert_int_equal(table_cell(&t, 0, 2)->col, 6);
    assert_int_equal(table_cell(&t, 1, 1)->line, 2);
    assert_int_equal(table_cell(&t, 1, 1)->col, 4); /* 영화 is two characters */
    assert_int_equal(table_cell(&t, 1, 2)->col, 8); /* after the skipped spaces */
    assert_int_equal(table_cell(&t, 2, 1)->line, 4);
    assert_int_equal(t.rows[3].line, 5);
    assert_string_equal(table_text(&t, 2, 0), "multi\nline");
    assert_int_equal(t.end_line, 6);
    table_free(&t);
}

static void test_broken_files_are_located(void **state)
{
    (void)state;
    READ_FAILS("", "1:1:", "empty");
    READ_FAILS("  \n\n", "1:1:", "empty");
    READ_FAILS("a,b\nc,\0d\n", "2:3:", "NUL");
    READ_FAILS("a,b\nc,caf\xe9\n", "2:6:", "UTF-8");
    READ_FAILS("a,b\n1,2\n\"open,3\n4,5\n", "3:1:", "never closed");
    READ_FAILS("a,\"b\"x\n", "1:", "quote");
}

static void test_numbers_are_plain_finite_decimals(void **state)
{
    (void)state;
    const char *good[] = {"0", "-1.5", "+2", " 3.25 ", ".5", "5.", "1e-3", "-2.5E+2", "3.4e38"};
    const double want[] = {0, -1.5, 2, 3.25, 0.5, 5, 1e-3, -250, 3.4e38};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double v;
        const char *why;
        if (table_parse_number(good[i], &v, &why))
            fail_msg("\"%s\": %s", good[i], why);
        assert_true(fabs(v - want[i]) <= 1e-12 * fabs(want[i]));
    }
    const char *bad[] = {"", "abc", "nan", "NaN", "inf", "-Infinity", "1e39", "-1e39", "0x10", "1,5",
                         "1.2.3", "e5", "1e", "--1", "1 2"};
    const char *reason[] = {"empty", "not a number", "NaN", "NaN", "infinity", "infinity", "too large",
                            "too large", "not a number", "not a number", "not a number", "not a number",
                            "not a number", "not a number", "not a number"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 42;
        const char *why = "";
        if (table_parse_number(bad[i], &v, &why) == 0)
            fail_msg("\"%s\" was accepted as %g", bad[i], v);
        if (!strstr(why, reason[i]))
            fail_msg("\"%s\": reason \"%s\", wanted \"%s\"", bad[i], why, reason[i]);
        assert_true(v == 42); /* untouched */
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    struct table t;
    struct error err;
    assert_int_equal(table_read(&t, "/nonexistent/x.csv", &err), -1);
    assert_string_equal(err.msg, "/nonexistent/x.csv: cannot open: No such file or directory");
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spreadsheet_csv_loads),
        cmocka_unit_test(test_cells_know_their_position),
        cmocka_unit_test(test_broken_files_are_located),
        cmocka_unit_test(test_numbers_are_plain_finite_decimals),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
