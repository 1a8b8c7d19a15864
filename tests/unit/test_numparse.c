/* numparse: the fast paths give strtod's double bit for bit, on a large generated
 * corpus of decimal strings and on every number of every shipped model. */
#include <dirent.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>

#include "attnstep/bundle.h"
#include "attnstep/numparse.h"
#include "attnstep/table.h"
#include "testutil.h"

static uint64_t rng_state = 0x243F6A8885A308D3ull;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
    return (unsigned)(next_u64() % n);
}

static long n_checked, n_fast;

/* numparse_decimal and numparse_fast (when it decides) against strtod. */
static void check(const char *s)
{
    size_t len = strlen(s);
    double want = strtod(s, NULL), got = numparse_decimal(s, len), fast;
    uint64_t a, b;
    memcpy(&a, &want, 8);
    memcpy(&b, &got, 8);
    if (a != b)
        fail_msg("\"%s\": strtod %a, numparse %a", s, want, got);
    if (numparse_fast(s, len, &fast)) {
        memcpy(&b, &fast, 8);
        if (a != b)
            fail_msg("\"%s\": strtod %a, fast path %a", s, want, fast);
        n_fast++;
    }
    n_checked++;
}

/* Random digits (1-20 significant, leading zeros, a point anywhere), a sign,
 * an exponent across the double's range or none. */
static void random_decimal(char *out, size_t size)
{
    char digits[64];
    int n = 1 + (int)below(20), lead = below(4) ? 0 : (int)below(5), k = 0;
    for (int i = 0; i < lead; i++)
        digits[k++] = '0';
    for (int i = 0; i < n; i++)
        digits[k++] = (char)('0' + (i == 0 ? 1 + below(9) : below(10)));
    int point = (int)below((unsigned)k + 2) - 1; /* -1: none */
    size_t o = 0;
    unsigned sign = below(3);
    if (sign)
        out[o++] = sign == 1 ? '-' : '+';
    if (point == 0 && below(2))
        out[o++] = '0';
    for (int i = 0; i < k; i++) {
        if (i == point)
            out[o++] = '.';
        out[o++] = digits[i];
    }
    if (point == k)
        out[o++] = '.';
    out[o] = '\0';
    unsigned form = below(4);
    if (form == 1) /* small exponents: Clinger's range and Eisel-Lemire's table */
        snprintf(out + o, size - o, "e%d", (int)below(121) - 80);
    else if (form == 2) /* anywhere, subnormals and overflow included */
        snprintf(out + o, size - o, "%c%+d", below(2) ? 'e' : 'E', (int)below(700) - 350);
}

/* Doubles exactly halfway between two neighbours, as w * 10^q with at most 19
 * digits (round half to even decides them), and their neighbours one unit off. */
static void halfway(char *out, size_t size, int variant)
{
    if (variant == 0) { /* integers c * 2^s, c odd of 54 bits */
        uint64_t c = ((next_u64() >> 11) | 1) | (1ull << 53);
        int s = (int)below(10);
        snprintf(out, size, "%" PRIu64, c << s);
    } else if (variant == 1) { /* c * 5^q * 2^s = w * 10^q, q in 1..23 */
        int q = 1 + (int)below(23);
        uint64_t p5 = 1;
        for (int i = 0; i < q; i++)
            p5 *= 5;
        uint64_t lo = ((1ull << 53) + p5 - 1) / p5, hi = (1ull << 54) / p5;
        uint64_t t = (lo + next_u64() % (hi - lo + 1)) | 1;
        if (t * p5 >= (1ull << 54))
            t -= 2;
        int s = q + (int)below(3);
        uint64_t w = t << (s - q);
        snprintf(out, size, "%" PRIu64 "e%d", w + (uint64_t)below(3) - 1, q);
    } else { /* c * 2^-s = c * 5^s * 10^-s, s in 1..4 */
        int s = 1 + (int)below(4);
        uint64_t c = ((next_u64() >> 11) | 1) | (1ull << 53), p5 = 1;
        for (int i = 0; i < s; i++)
            p5 *= 5;
        snprintf(out, size, "%" PRIu64 "e-%d", c * p5 + (uint64_t)below(3) - 1, s);
    }
}

static void test_corpus_equals_strtod(void **state)
{
    (void)state;
    static const char *const fixed[] = {
        "0", "-0", "+0", "0.0", "-0.0e5", "00000", ".5", "5.", "-.5e-1", "1e22", "1e23", "-1e22", "1e-22",
        "1e-23", "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
        "18014398509481985", "9223372036854775807", "9223372036854775808", "18446744073709551615",
        "18446744073709551616", "99999999999999999999", "0.1", "0.2", "0.3", "0.30000000000000004",
        "3.4028234663852886e38", "3.4028235e38", "3.4028236e38", "-3.4028234663852886e+38", "1.17549435e-38",
        "1.401298464324817e-45", "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9e-324",
        "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308",
        "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "1e-400", "1e400",
        "0.000000000000000000000000000000000000000000001", "123456789012345678901234567890",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "0.12345678901234567", "-0.055081210721356550", "7.2057594037927933e16", "1e-5", "1E+005",
        "0.00001234567890123456789", "100000000000000000000e-20", "1000000000000000000000000e-24",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check(fixed[i]);
    char buf[128];
    for (int i = 0; i < 600000; i++) {
        random_decimal(buf, sizeof buf);
        check(buf);
    }
    for (int i = 0; i < 300000; i++) {
        halfway(buf, sizeof buf, i % 3);
        check(buf);
    }
    /* Doubles as the trainer writes them (17 significant digits, the shortest
     * round trip often 16), plain and as a 32-bit float's neighbourhood. */
    for (int i = 0; i < 300000; i++) {
        double x;
        uint64_t bits = next_u64();
        if (i % 3 == 0) {
            x = (double)(bits >> 11) / 9007199254740992.0 * 2.0 - 1.0;
        } else {
            memcpy(&x, &bits, 8);
            if (!isfinite(x))
                continue;
        }
        snprintf(buf, sizeof buf, i % 2 ? "%.17g" : "%.16e", x);
        check(buf);
        snprintf(buf, sizeof buf, "%.9g", (double)(float)(i % 3 ? FLT_MAX : 1.0) * (1.0 - ldexp((double)(bits % 64), -24)));
        check(buf);
    }
    /* Most of it went the fast ways, or strtod's answer was all it checked. */
    if (n_fast < n_checked / 2)
        fail_msg("only %ld of %ld numbers took a fast path", n_fast, n_checked);
    print_message("%ld numbers equal strtod's, %ld of them by a fast path\n", n_checked, n_fast);
}

/* Every cell of every CSV file of every shipped model that table_parse_number
 * takes: the same double as strtod of its text. */
static long check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    long numbers = 0;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            numbers += check_dir(path);
            continue;
        }
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 4, ".csv"))
            continue;
        struct table t;
        struct error err;
        if (table_read(&t, path, &err))
            fail_msg("%s", err.msg);
        for (int r = 0; r < t.n_rows; r++)
            for (int c = 0; c < t.rows[r].n_cells; c++) {
                const char *text = table_text(&t, r, c), *why;
                double v;
                if (table_parse_number(text, &v, &why) == 0) {
                    double want = strtod(text, NULL);
                    if (memcmp(&v, &want, 8))
                        fail_msg("%s row %d col %d \"%s\": strtod %a, table %a", path, r, c, text, want, v);
                    check(text);
                    numbers++;
                }
            }
        table_free(&t);
    }
    closedir(d);
    return numbers;
}

/* The streamed reading of a shipped model gives strtod's numbers, cell for cell. */
static void same_as_table(const char *dir, const char *file, const double *m, int rows, int cols, int skip)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct table t;
    struct error err;
    if (table_read(&t, path, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(t.n_rows, rows + skip);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            double want = strtod(table_text(&t, r + skip, c + skip), NULL);
            if (memcmp(&want, &m[(size_t)r * (size_t)cols + (size_t)c], 8))
                fail_msg("%s row %d col %d: %a, loaded %a", path, r, c, want, m[(size_t)r * (size_t)cols + (size_t)c]);
        }
    table_free(&t);
}

static void test_shipped_models_equal_strtod(void **state)
{
    (void)state;
    const char *models[] = {"random-en", "tiny-en", "tiny-ko", "tiny-lm-en", "tiny-lm-ko"};
    long numbers = 0;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char dir[512];
        snprintf(dir, sizeof dir, "assets/models/%s", models[i]);
        const char *path = src_path(dir);
        numbers += check_dir(path);
        struct bundle b;
        struct error err;
        if (bundle_load(&b, path, &err))
            fail_msg("%s", err.msg);
        same_as_table(path, "vocab.csv", b.embed, b.n_vocab, b.d_model, 1);
        for (int m = 0; m < BUNDLE_N_PROJ; m++)
            same_as_table(path, bundle_w_file[m], b.w[m], b.d_model, b.d_model, 0);
        if (b.w_lm)
            same_as_table(path, BUNDLE_W_LM_FILE, b.w_lm, b.d_model, b.n_vocab, 0);
        if (b.enc.present)
            same_as_table(path, "w_ff1.csv", b.enc.w_ff1, b.d_model, b.enc.d_ff, 0);
        bundle_free(&b);
    }
    assert_true(numbers > 100000);
    print_message("%ld numbers of the shipped models equal strtod's\n", numbers);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_equals_strtod),
        cmocka_unit_test(test_shipped_models_equal_strtod),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
