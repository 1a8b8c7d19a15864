/* csvout_format_exact (Ryu's digits laid out as %g) against the trial loop it
 * replaced: %.{d}g for the smallest d in 9..17 that strtod reads back bit for bit.
 *
 * ATTNSTEP_CSVOUT_N sets how many random doubles each random test checks
 * (default 200,000, about 2 s in all; the sanitizer builds take 100,000).
 * Most are checked by an equivalent shortcut (check_fast); a share of each
 * batch and every special value go through the loop itself. */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <sys/stat.h>

#include "attnstep/csvout.h"
#include "attnstep/shortest.h"
#include "testutil.h"

/* The loop csvout_exact ran until issue 14, kept as the reference. */
static void reference(char *buf, double v)
{
    for (int digits = 9; digits <= 17; digits++) {
        snprintf(buf, 64, "%.*g", digits, v);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) == 0)
            break;
    }
}

static double from_bits(uint64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static uint64_t to_bits(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

static long checked, mismatches;

static void report(double v, const char *got, const char *want)
{
    if (++mismatches <= 10)
        print_error("%#018llx (%.17g): got \"%s\", want \"%s\"\n", (unsigned long long)to_bits(v), v, got,
                    want);
}

/* The whole loop, byte for byte. */
static void check_full(double v)
{
    char got[64], want[64];
    size_t len = csvout_format_exact(got, v);
    reference(want, v);
    checked++;
    if (strcmp(got, want) != 0 || len != strlen(got))
        report(v, got, want);
}

/* The same verdict at a quarter of the cost, for finite v that is not a power
 * of 2: our text S has some number of digits d; it must be %.{d}g itself (one
 * snprintf), read back as v, and %.{d-1}g must not (when d > 9). On such v the
 * interval of decimals that read back is symmetric, so if the nearest (d−1)-
 * digit decimal misses it, so does every shorter nearest one — the loop could
 * not have stopped earlier. */
static void check_fast(double v)
{
    uint64_t bits = to_bits(v);
    if ((bits & ((1ull << 52) - 1)) == 0 || ((bits >> 52) & 0x7ff) == 0x7ff) {
        check_full(v);
        return;
    }
    char got[64], want[64];
    csvout_format_exact(got, v);
    checked++;
    /* d: S's significant digits, at least 9 */
    int d = 0, leading = 1;
    for (const char *p = got; *p && *p != 'e'; p++) {
        if (*p >= '1' && *p <= '9')
            leading = 0;
        if (*p >= '0' && *p <= '9' && !leading)
            d++;
    }
    if (d < 9)
        d = 9;
    snprintf(want, sizeof want, "%.*g", d, v);
    double back = strtod(got, NULL);
    int ok = strcmp(got, want) == 0 && to_bits(back) == bits;
    if (ok && d > 9) {
        char shorter[64];
        int len = snprintf(shorter, sizeof shorter, "%.*g", d - 1, v);
        back = strtod(shorter, NULL);
        ok = len < (int)sizeof shorter && to_bits(back) != bits;
    }
    if (!ok) {
        reference(want, v);
        report(v, got, want);
    }
}

static long count_from_env(void)
{
    const char *s = getenv("ATTNSTEP_CSVOUT_N");
    long n = s ? strtol(s, NULL, 10) : 200000;
    return n > 0 ? n : 200000;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void) /* splitmix64 */
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void begin(void)
{
    checked = 0;
    mismatches = 0;
}

static void end(const char *what)
{
    if (mismatches)
        fail_msg("%s: %ld of %ld doubles differ from the trial loop", what, mismatches, checked);
    print_message("%s: %ld doubles equal the trial loop\n", what, checked);
}

static void test_special_values(void **state)
{
    (void)state;
    begin();
    const double values[] = {
        0.0, -0.0, 1.0, -1.0, 0.1, -0.1, 0.5, 2.0, 10.0, 1e9, 1e-5, 1e-4, 1e16, 1e17, 123456789.0,
        1234567890.0, 0.000123456789, 1e-7, 5e-324, -5e-324, 1e-320, DBL_MAX, -DBL_MAX, DBL_MIN, -DBL_MIN,
        DBL_TRUE_MIN, DBL_EPSILON, 9007199254740991.0, 9007199254740992.0, 9007199254740993.0, 1e23,
        5.684341886080802e-14, 2.2250738585072009e-308, 2.2250738585072014e-308, 1.7976931348623157e308,
        0.3, 2.0 / 3.0, 1e-300, 1e300, 999999999.0, 9999999999.0, 0.999999999, 0.9999999999, 1e-5 * 3,
        562949953421312.25, 562949953421312.75, 4503599627370495.5, 1e-6, 1e-10, 1e21, 1e22, 4.35,
        HUGE_VAL, -HUGE_VAL, NAN, -NAN,
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        check_full(values[i]);
    /* NaNs with payloads, both signs */
    check_full(from_bits(0x7ff0000000000001ull));
    check_full(from_bits(0xfff8000000000001ull));
    check_full(from_bits(0x7ff4000000000000ull));
    /* the largest subnormal and the smallest normal, and their neighbours */
    for (uint64_t b = 0x000ffffffffffff0ull; b < 0x0010000000000010ull; b++) {
        check_full(from_bits(b));
        check_full(from_bits(b | 1ull << 63));
    }
    end("special values");
}

/* Every power of 2 and its two neighbours, both signs; every power of 10 that
 * strtod can make, and its neighbours. */
static void test_powers(void **state)
{
    (void)state;
    begin();
    for (int k = -1074; k <= 1023; k++) {
        double p = ldexp(1.0, k);
        for (int s = 0; s < 2; s++) {
            double v = s ? -p : p;
            check_full(v);
            check_full(nextafter(v, 0.0));
            check_full(nextafter(v, v * 2));
        }
    }
    for (int k = -325; k <= 309; k++) {
        char text[16];
        snprintf(text, sizeof text, "1e%d", k);
        double p = strtod(text, NULL);
        check_full(p);
        check_full(-p);
        check_full(nextafter(p, 0.0));
        check_full(nextafter(p, INFINITY));
    }
    end("powers of 2 and 10");
}

/* Uniform bit patterns: every exponent, subnormals, inf and NaN alike. */
static void test_random_bits(void **state)
{
    (void)state;
    begin();
    long n = count_from_env();
    for (long i = 0; i < n; i++) {
        double v = from_bits(next());
        if (i % 64 == 0)
            check_full(v);
        else
            check_fast(v);
    }
    end("random bit patterns");
}

/* What models hold: normal values of modest size, like trained weights. */
static void test_random_weights(void **state)
{
    (void)state;
    begin();
    long n = count_from_env();
    for (long i = 0; i < n; i++) {
        uint64_t r = next();
        /* exponents 2^-30 .. 2^4, random mantissa and sign */
        uint64_t exponent = 1023 - 30 + (r >> 58) % 35;
        double v = from_bits((r & 0x800fffffffffffffull) | exponent << 52);
        if (i % 64 == 0)
            check_full(v);
        else
            check_fast(v);
    }
    end("random weights");
}

/* Decimals of 1 to 17 significant digits at every decimal exponent, as strtod
 * reads them, and their neighbours: the shortest text has up to that many digits. */
static void test_short_decimals(void **state)
{
    (void)state;
    begin();
    long n = count_from_env() / 4;
    for (long i = 0; i < n; i++) {
        uint64_t r = next();
        int digits = 1 + (int)(r % 17);
        int exponent = -330 + (int)((r >> 8) % 640);
        uint64_t m = next() % 100000000000000000ull;
        uint64_t limit = 1;
        for (int k = 0; k < digits; k++)
            limit *= 10;
        m %= limit;
        char text[48];
        snprintf(text, sizeof text, "%s%llue%d", r >> 63 ? "-" : "", (unsigned long long)m, exponent);
        double v = strtod(text, NULL);
        check_full(v);
        check_fast(nextafter(v, 0.0));
        check_fast(nextafter(v, INFINITY));
    }
    end("short decimals");
}

/* Integers (small, near 2^53, beyond), dyadic values with few fractional bits
 * (exact ties between two 16- or 17-digit decimals), and runs of adjacent doubles. */
static void test_integers_ties_runs(void **state)
{
    (void)state;
    begin();
    for (int i = -100000; i <= 100000; i++)
        check_fast(i);
    long n = count_from_env() / 8;
    for (long i = 0; i < n; i++) {
        uint64_t m = (1ull << 52) | (next() & ((1ull << 52) - 1));
        check_fast(ldexp((double)m, -(int)(next() % 12)));     /* 2^49..2^53 with 0..11 fraction bits */
        check_fast(ldexp((double)m, (int)(next() % 14)));      /* integers 2^52..2^66 */
        check_fast((double)(next() >> (11 + next() % 50)));    /* integers of every size */
    }
    for (long i = 0; i < n / 1000 + 1; i++) {
        double v = from_bits(next() & 0x7fefffffffffffffull);
        for (int k = 0; k < 1000; k++, v = nextafter(v, INFINITY))
            check_fast(v);
    }
    end("integers, ties and runs");
}

/* Every number of every shipped model and snapshot: the writer gives back the
 * text it was read from (grids and vocab.csv are csvout_exact's own output), and
 * the trial loop agrees on every value. */
static long shipped_numbers, shipped_same;

static void check_field(const char *field, size_t len, int must_match)
{
    char text[64];
    if (len == 0 || len >= sizeof text)
        return;
    memcpy(text, field, len);
    text[len] = '\0';
    char *end;
    double v = strtod(text, &end);
    if (*end != '\0' || !(strchr("-0123456789", text[0])))
        return;
    char got[64];
    csvout_format_exact(got, v);
    shipped_numbers++;
    if (strcmp(got, text) == 0)
        shipped_same++;
    if (must_match) { /* the text is the trial loop's own output */
        checked++;
        if (strcmp(got, text) != 0)
            report(v, got, text);
    } else {
        check_fast(v);
    }
}

static void check_file(const char *path, const char *name)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *bytes = malloc((size_t)size + 1);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, (size_t)size, f), (size_t)size);
    bytes[size] = '\0';
    fclose(f);
    int grid = strcmp(name, "config.csv") != 0 && strcmp(name, "tokenizer.csv") != 0 &&
               strncmp(name, "training", 8) != 0;
    int vocab = strcmp(name, "vocab.csv") == 0;
    long columns = 1;
    for (const char *p = bytes; *p && *p != '\n'; p++)
        columns += *p == ',';
    int first = 1;
    for (char *line = bytes; *line; first = 0) {
        char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len && line[len - 1] == '\r')
            len--;
        /* fields from the right: a vocab token may hold commas; its numbers do not */
        long field = 0;
        size_t stop = len;
        for (size_t i = len + 1; i-- > 0;) {
            if (i == 0 || line[i - 1] == ',') {
                if (!vocab || field < columns - 1)
                    check_field(line + i, stop - i, grid && !first && !(vocab && field >= columns - 1));
                field++;
                stop = i ? i - 1 : 0;
            }
        }
        line = eol ? eol + 1 : line + len;
    }
    free(bytes);
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode))
            walk(path);
        else if (strlen(e->d_name) > 4 && strcmp(e->d_name + strlen(e->d_name) - 4, ".csv") == 0)
            check_file(path, e->d_name);
    }
    closedir(d);
}

static void test_shipped_models(void **state)
{
    (void)state;
    begin();
    shipped_numbers = shipped_same = 0;
    char models[4096];
    snprintf(models, sizeof models, "%s", src_path("assets/models"));
    walk(models);
    end("shipped models");
    print_message("shipped models: %ld numbers, %ld written back as they are\n", shipped_numbers, shipped_same);
    assert_true(shipped_numbers > 500000);
}

/* Ryu's digits themselves, on values whose shortest form is known. */
static void test_shortest_decimal(void **state)
{
    (void)state;
    const struct { double v; uint64_t digits; int exponent; } cases[] = {
        {1.0, 1, 0}, {0.1, 1, -1}, {100.0, 1, 2}, {123.456, 123456, -3}, {5e-324, 5, -324},
        {DBL_MAX, 17976931348623157ull, 292}, {5.684341886080802e-14, 5684341886080802ull, -29},
        {0.3, 3, -1}, {-2.5, 25, -1}, {9007199254740993.0, 9007199254740992ull, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t digits;
        int exponent;
        shortest_decimal(cases[i].v, &digits, &exponent);
        if (digits != cases[i].digits || exponent != cases[i].exponent)
            fail_msg("%.17g: %llue%d, want %llue%d", cases[i].v, (unsigned long long)digits, exponent,
                     (unsigned long long)cases[i].digits, cases[i].exponent);
    }
}

/* csvout_exact writes the same text through a file. */
static void test_csvout_exact_writes(void **state)
{
    (void)state;
    const char *path = write_temp("exact.csv", "", 0);
    struct csvout w;
    struct error err;
    assert_int_equal(csvout_open(&w, path, &err), 0);
    csvout_exact(&w, 0.1);
    csvout_exact(&w, -1e-7);
    csvout_exact(&w, 1.0 / 3.0);
    csvout_exact(&w, 5.684341886080802e-14);
    csvout_end_row(&w);
    assert_int_equal(csvout_close(&w, &err), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char text[256] = {0};
    size_t got = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    assert_true(got > 0);
    assert_string_equal(text, "0.1,-1e-07,0.3333333333333333,5.6843418860808015e-14\n");
}

int main(int argc, char **argv)
{
    source_root = argc > 1 ? argv[1] : ".";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shortest_decimal),   cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_powers),             cmocka_unit_test(test_random_bits),
        cmocka_unit_test(test_random_weights),     cmocka_unit_test(test_short_decimals),
        cmocka_unit_test(test_integers_ties_runs), cmocka_unit_test(test_shipped_models),
        cmocka_unit_test(test_csvout_exact_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
