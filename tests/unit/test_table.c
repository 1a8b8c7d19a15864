/* CSV reading: what spreadsheets write loads; what is broken is named by line and column. */
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/table.h"
#include "attnstep/utf8.h"
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

/* The directory write_temp uses, + "/" + name. */
static const char *temp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s", write_temp("placeholder", "", 0));
    snprintf(strrchr(path, '/') + 1, sizeof path - (size_t)(strrchr(path, '/') + 1 - path), "%s", name);
    return path;
}

static void refused(const char *path, const char *what)
{
    struct table t = {.n_rows = -7};
    struct error err;
    assert_int_equal(table_read(&t, path, &err), -1);
    assert_int_equal(t.n_rows, -7);
    if (!strstr(err.msg, what) || strncmp(err.msg, path, strlen(path)))
        fail_msg("%s: got \"%s\", wanted \"%s\"", path, err.msg, what);
}

static void test_special_files_are_refused_unread(void **state)
{
    (void)state;
    /* A FIFO with no writer: opening it must not wait. If it did, the alarm
     * ends the test (a failure) instead of hanging the suite. */
    const char *fifo = temp_path("fifo.csv");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);
    refused(fifo, "not a regular file");
    alarm(0);
    /* /dev/zero behind a symlink would give a gibibyte of NULs. */
    const char *zero = temp_path("zero.csv");
    assert_int_equal(symlink("/dev/zero", zero), 0);
    refused(zero, "not a regular file");
    refused("/dev/null", "not a regular file");
    refused(source_root, "is a directory");
}

static void test_size_limit_is_checked_before_reading(void **state)
{
    (void)state;
    char bytes[101];
    memset(bytes, 'a', sizeof bytes);
    bytes[99] = '\n';
    struct table t;
    struct error err;
    /* Exactly the limit loads; one byte more is refused, by its size. */
    const char *p = write_temp("limit.csv", bytes, 100);
    if (table_read_max(&t, p, 100, &err))
        fail_msg("%s", err.msg);
    assert_int_equal((int)strlen(table_text(&t, 0, 0)), 99);
    table_free(&t);
    p = write_temp("over.csv", bytes, 101);
    assert_int_equal(table_read_max(&t, p, 100, &err), -1);
    assert_non_null(strstr(err.msg, "too large (101 bytes; at most 100)"));
}

static void test_long_fields_load(void **state)
{
    (void)state;
    /* A 4 MB unquoted field and a 4 MB quoted one (libcsv's buffer must grow
     * in large steps, or this takes minutes under AddressSanitizer). */
    size_t n = 4u << 20;
    char *bytes = malloc(2 * n + 8);
    assert_non_null(bytes);
    memset(bytes, 'x', n);
    bytes[n] = ',';
    bytes[n + 1] = '"';
    memset(bytes + n + 2, 'y', n);
    memcpy(bytes + 2 * n + 2, "\"\n", 2);
    const char *p = write_temp("long.csv", bytes, 2 * n + 4);
    free(bytes);
    struct table t;
    struct error err;
    if (table_read(&t, p, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(t.n_rows, 1);
    assert_true(strlen(table_text(&t, 0, 0)) == n && strlen(table_text(&t, 0, 1)) == n);
    assert_true(table_text(&t, 0, 1)[n - 1] == 'y');
    table_free(&t);
}

static void test_messages_cut_on_character_boundaries(void **state)
{
    (void)state;
    /* A cell of 50 Korean syllables (3 bytes each) is quoted in part. */
    char cell[256] = "a,";
    for (int i = 0; i < 50; i++)
        strcat(cell, "영");
    strcat(cell, "\n");
    struct table t;
    struct error err;
    read_ok(&t, cell);
    assert_int_equal(table_number(&t, 0, 1, &(double){0}, &err), -1);
    assert_int_equal(utf8_invalid_at(err.msg, strlen(err.msg)), -1);
    assert_non_null(strstr(err.msg, "영..."));
    table_free(&t);
    /* Every byte count cuts before a whole character. */
    char out[64];
    for (size_t max = 0; max < 10; max++) {
        utf8_excerpt(out, "영화가 good", max);
        assert_int_equal(utf8_invalid_at(out, strlen(out)), -1);
        assert_true(strlen(out) <= max + 3);
    }
    assert_string_equal(utf8_excerpt(out, "영화가", 7), "영화...");
    assert_string_equal(utf8_excerpt(out, "영화가", 9), "영화가");
    /* A message longer than the buffer ends in "..." after a whole character. */
    char *huge = malloc(3 * 4000 + 1);
    huge[0] = '\0';
    for (int i = 0; i < 4000; i++)
        strcat(huge, "영");
    error_at(&err, "x.csv", 1, 1, "%s", huge);
    free(huge);
    size_t len = strlen(err.msg);
    assert_int_equal(utf8_invalid_at(err.msg, len), -1);
    assert_string_equal(err.msg + len - 3, "...");
    /* And it is one line, whatever the quoted text holds. */
    error_at(&err, "x.csv", 2, 3, "token \"%s\" is odd", "a\nb\tc");
    assert_string_equal(err.msg, "x.csv:2:3: token \"a b c\" is odd");
}

/* The stream's rows equal table_read's cells, on what spreadsheets write:
 * BOM, CRLF, blank and space-only lines, spaces around fields, quoted rows. */
static void test_stream_rows_equal_table_read(void **state)
{
    (void)state;
    const char *files[] = {
        "\xEF\xBB\xBFtoken,e0\r\n\"movie\", 0.5 \r\n\r\n\"a,b\",\"1\"\r\n",
        "a,bb,ccc\n영화,x,  y\n   \n\t\nlast,q",
        "1,2,3\n 4 ,\t5\t, 6\n\n7,8,9",
        "x,\"y \"\"z\"\"\",w\n\"\",,\n",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct table t;
        read_ok(&t, files[i]);
        const char *p = write_temp("t.csv", files[i], strlen(files[i]));
        struct table_stream s;
        struct error err;
        assert_int_equal(table_stream_open(&s, p, 1000, &err), 0);
        for (int r = 0; r < t.n_rows; r++) {
            assert_int_equal(table_stream_row(&s), 1);
            assert_int_equal(s.n_fields, t.rows[r].n_cells);
            assert_int_equal(s.line, t.rows[r].line);
            for (int c = 0; c < s.n_fields; c++) {
                const char *want = table_text(&t, r, c);
                if (s.fields[c].len != strlen(want) || memcmp(s.fields[c].s, want, s.fields[c].len))
                    fail_msg("file %zu row %d col %d: \"%.*s\", table_read \"%s\"", i, r, c,
                             (int)s.fields[c].len, s.fields[c].s, want);
            }
        }
        assert_int_equal(table_stream_row(&s), 0);
        table_stream_close(&s);
        table_free(&t);
    }
    /* What only table_read words: the stream gives up. */
    const char *broken[] = {"a,\"b\"x\n", "a\n\"open,1\n2\n", "a,b\rc\n", "a,caf\xe9\n", "  \n"};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        const char *p = write_temp("b.csv", broken[i], strlen(broken[i]));
        struct table_stream s;
        struct error err;
        assert_int_equal(table_stream_open(&s, p, 1000, &err), 0);
        int got;
        while ((got = table_stream_row(&s)) == 1)
            ;
        if (got != -1)
            fail_msg("broken file %zu was read to the end", i);
        table_stream_close(&s);
    }
    /* Numbers parsed in place are table_parse_number's. */
    const char *grid = "0.5, -1e-3 ,+2\n\"3\",4.25,5\n1.5,nan,1\n";
    const char *p = write_temp("g.csv", grid, strlen(grid));
    struct table_stream s;
    struct error err;
    double row[3];
    assert_int_equal(table_stream_open(&s, p, 1000, &err), 0);
    assert_int_equal(table_stream_numbers(&s, 0, row, 3), 1);
    assert_true(row[0] == 0.5 && row[1] == -1e-3 && row[2] == 2);
    assert_int_equal(table_stream_numbers(&s, 0, row, 3), 1);
    assert_true(row[0] == 3 && row[1] == 4.25 && row[2] == 5);
    assert_int_equal(table_stream_numbers(&s, 0, row, 3), -1);
    table_stream_close(&s);
    /* The size limit is the one table_read has. */
    assert_int_equal(table_stream_open(&s, p, 10, &err), -1);
    assert_non_null(strstr(err.msg, "too large"));
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
        cmocka_unit_test(test_special_files_are_refused_unread),
        cmocka_unit_test(test_size_limit_is_checked_before_reading),
        cmocka_unit_test(test_long_fields_load),
        cmocka_unit_test(test_messages_cut_on_character_boundaries),
        cmocka_unit_test(test_stream_rows_equal_table_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
