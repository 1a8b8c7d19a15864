#include "attnstep/csvout.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"
#include "attnstep/shortest.h"

int csvout_open(struct csvout *w, const char *path, struct error *err)
{
    memset(w, 0, sizeof *w);
    w->path = strdup(path);
    if (!w->path)
        return error_set(err, _("out of memory"));
    w->f = fopen(path, "wb");
    if (!w->f) {
        /* TRANSLATORS: after "PATH: "; %s is the system's reason (strerror). */
        error_file(err, path, _("cannot write: %s"), strerror(errno));
        free(w->path);
        w->path = NULL;
        return -1;
    }
    w->at_row_start = 1;
    return 0;
}

static void separator(struct csvout *w)
{
    if (!w->at_row_start && fputc(',', w->f) == EOF)
        w->failed = 1;
    w->at_row_start = 0;
}

void csvout_text(struct csvout *w, const char *text)
{
    separator(w);
    size_t len = strlen(text);
    /* Quoted where a reader would otherwise trim spaces or tabs at either end. */
    int quote = len == 0 || strchr(" \t", text[0]) || strchr(" \t", text[len - 1]) || strpbrk(text, ",\"\r\n");
    if (quote) {
        if (csv_fwrite(w->f, text, len) != 0)
            w->failed = 1;
    } else if (fputs(text, w->f) == EOF) {
        w->failed = 1;
    }
}

static void put_number(struct csvout *w, const char *s)
{
    separator(w);
    if (fputs(s, w->f) == EOF)
        w->failed = 1;
}

void csvout_number(struct csvout *w, double v)
{
    char buf[64];
    if (isinf(v))
        snprintf(buf, sizeof buf, "%s", v < 0 ? "-inf" : "inf");
    else
        snprintf(buf, sizeof buf, "%.9g", v);
    put_number(w, buf);
}

/* The reference, and what csvout_format_exact falls back to where the argument
 * below does not hold: %.{d}g for the smallest d in 9..17 that reads back bit for
 * bit. Also right for ±inf and NaN ("inf", "-inf", "nan", "-nan" at any d). */
static size_t exact_by_trial(char *buf, double v)
{
    char text[CSVOUT_EXACT_SIZE];
    for (int digits = 9; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, v);
        double back = strtod(text, NULL);
        if (memcmp(&back, &v, sizeof v) == 0) /* bit for bit */
            break;
    }
    size_t len = strlen(text);
    memcpy(buf, text, len + 1);
    return len;
}

/* Why Ryu's digits give exactly the trial loop's output.
 *
 * Let I be the interval of reals that strtod rounds to v (its ends belong to I
 * when v's mantissa is even), R_d the d-digit decimal nearest to v (what %.{d}g
 * prints: glibc rounds the exact binary value, ties to even), and D Ryu's result:
 * the fewest digits, n, of any decimal in I, and among those the nearest to v
 * (ties to even). The loop prints R_d for the first d >= 9 with R_d in I.
 *
 * n <= 9, v normal: D padded with zeros is a 9-digit decimal in I, so
 * |D − v| <= half the gap to v's upper neighbour = 2^(E−53) <= 2^-53 |v|
 * (2^E <= |v| < 2^(E+1)), while 9-digit decimals near v lie s = 10^(X−8) >
 * 10^-9 |v| apart (10^X <= |v| < 10^(X+1)).
 * So D is far closer to v than s/2: D is R_9, it is in I, and the loop stops at
 * d = 9 with D's digits. No d below 9 is tried, so n < 9 needs nothing more.
 * (Subnormals have fewer bits than that bound needs: 5e-324 is D = 5 but
 * R_9 = 4.94065646e-324, which also reads back. They take the loop.)
 *
 * n > 9: no decimal of fewer than n digits is in I, so no R_d with d < n reads
 * back. When v is not a power of 2, I is symmetric about v; R_n is at least as
 * close to v as D is, so R_n is in I as well, and being the nearest n-digit
 * decimal to v it is also the nearest among those in I: R_n = D (an exact tie
 * rounds to even in both). The loop stops at d = n with D's digits. When v is
 * a power of 2 (mantissa bits 0), the lower neighbour is half as far as the upper
 * one and R_n can fall below I while D lies above v — 2^-44 is D =
 * 5.684341886080802e-14 but the loop prints 5.6843418860808015e-14 — so those
 * (at most 2 × 2046 doubles) take the loop.
 *
 * %g then lays the digits out with precision P = max(9, n) and X the exponent of
 * the rounded value: exponent form when X < −4 or X >= P, trailing zeros and a
 * trailing point removed, at least two exponent digits. */
size_t csvout_format_exact(char *buf, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int negative = (int)(bits >> 63);
    uint32_t ieee_exponent = (uint32_t)(bits >> 52) & 0x7ff;
    uint64_t ieee_mantissa = bits & ((1ull << 52) - 1);
    if (ieee_exponent == 0x7ff || (ieee_exponent == 0 && ieee_mantissa != 0))
        return exact_by_trial(buf, v); /* ±inf, NaN, subnormals */
    char *p = buf;
    if (negative)
        *p++ = '-';
    if (ieee_exponent == 0) { /* ±0 */
        *p++ = '0';
        *p = '\0';
        return (size_t)(p - buf);
    }
    uint64_t m;
    int e10;
    shortest_decimal(v, &m, &e10);
    char digits[20];
    int n = 0;
    for (uint64_t t = m; t; t /= 10)
        n++;
    if (n > 9 && ieee_mantissa == 0)
        return exact_by_trial(buf, v); /* a power of 2: see above */
    for (int i = n - 1; i >= 0; i--, m /= 10)
        digits[i] = (char)('0' + m % 10);
    int precision = n > 9 ? n : 9, x = e10 + n - 1;
    if (x < -4 || x >= precision) {
        *p++ = digits[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, digits + 1, (size_t)(n - 1));
            p += n - 1;
        }
        *p++ = 'e';
        *p++ = x < 0 ? '-' : '+';
        int ax = x < 0 ? -x : x;
        if (ax >= 100)
            *p++ = (char)('0' + ax / 100);
        *p++ = (char)('0' + ax / 10 % 10);
        *p++ = (char)('0' + ax % 10);
    } else if (x >= 0) {
        if (n <= x + 1) { /* an integer: digits, then zeros */
            memcpy(p, digits, (size_t)n);
            p += n;
            memset(p, '0', (size_t)(x + 1 - n));
            p += x + 1 - n;
        } else {
            memcpy(p, digits, (size_t)(x + 1));
            p += x + 1;
            *p++ = '.';
            memcpy(p, digits + x + 1, (size_t)(n - x - 1));
            p += n - x - 1;
        }
    } else { /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        memset(p, '0', (size_t)(-x - 1));
        p += -x - 1;
        memcpy(p, digits, (size_t)n);
        p += n;
    }
    *p = '\0';
    return (size_t)(p - buf);
}

void csvout_exact(struct csvout *w, double v)
{
    char buf[CSVOUT_EXACT_SIZE];
    size_t len = csvout_format_exact(buf, v);
    separator(w);
    if (fwrite(buf, 1, len, w->f) != len)
        w->failed = 1;
}

void csvout_end_row(struct csvout *w)
{
    if (fputc('\n', w->f) == EOF)
        w->failed = 1;
    w->at_row_start = 1;
}

int csvout_close(struct csvout *w, struct error *err)
{
    int failed = w->failed || ferror(w->f);
    if (fclose(w->f) != 0)
        failed = 1;
    w->f = NULL;
    if (failed)
        /* TRANSLATORS: after "PATH: "; %s is the system's reason (strerror) or "I/O error". */
        error_file(err, w->path, _("write failed: %s"), errno ? strerror(errno) : _("I/O error"));
    free(w->path);
    w->path = NULL;
    return failed ? -1 : 0;
}
