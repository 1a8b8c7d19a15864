/* numparse.c — decimal text to double, bit for bit what strtod gives.
 *
 * strtod took a third of loading a large vocabulary (190 ns a number for 5
 * digits, 390 ns for the 17 digits the trainer writes). Most numbers in a
 * model file are decided here instead:
 *
 * - Clinger (1990): when the significant digits w fit 2^53 and |q| <= 22 for
 *   w * 10^q, both w and 10^|q| are exact doubles, so one IEEE multiplication
 *   or division rounds the exact value once: the correctly rounded result.
 * - Eisel and Lemire ("Number Parsing at a Gigabyte per Second", 2021; the
 *   algorithm of fast_float and of Go's strconv): w < 10^19 times a 128-bit
 *   approximation of 5^q; the product's spare bits show whether the rounding
 *   is certain, and when it is not (a possible tie) the function declines.
 * - strtod for everything else: more than 19 significant digits, exponents
 *   outside the table, a declined case.
 *
 * The table (numparse_pow5.h) was printed by this Python script:
 *
 *   for q in range(-96, 65):
 *       if q < 0:
 *           p5 = 5 ** -q; z = p5.bit_length()        # 2^z > 5^-q
 *           c = 2 ** (z + 127) // p5 + 1 if q >= -27 else 2 ** (2 * z + 128) // p5 + 1
 *           while c >= 1 << 128: c //= 2
 *       else:
 *           c = 5 ** q
 *           while c < 1 << 127: c *= 2
 *           while c >= 1 << 128: c //= 2
 *       print("{0x%016xu, 0x%016xu}," % (c >> 64, c & (2 ** 64 - 1)))
 *
 * -96..64 covers what a model holds (|x| <= 3.4e38 as a float, weights rarely
 * below 1e-40) and keeps the table small; subnormals and infinities never
 * arise inside it. tests/unit/test_numparse.c compares every path with strtod
 * on millions of decimal strings and on every number of the shipped models. */
#include "attnstep/numparse.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "numparse_pow5.h"

/* Clinger's step needs each double operation rounded once, to double: not
 * x87's extended precision (FLT_EVAL_METHOD 2). */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define NUMPARSE_CLINGER 1
#else
#define NUMPARSE_CLINGER 0
#endif

static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

struct hilo {
    uint64_t hi, lo;
};

static struct hilo mul64(uint64_t a, uint64_t b)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    u128 p = (u128)a * b;
    return (struct hilo){(uint64_t)(p >> 64), (uint64_t)p};
#else
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    return (struct hilo){p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (uint32_t)p00};
#endif
}

static int leading_zeros(uint64_t x)
{
#if defined(__GNUC__)
    return __builtin_clzll(x);
#else
    int n = 0;
    while (!(x & (1ull << 63))) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* w * 10^q (w > 0) as the bits of a positive double, or 0 when undecided
 * (fast_float's compute_float for binary64, with its conservative check of
 * an all-ones low word kept). */
static int eisel_lemire(uint64_t w, int q, uint64_t *bits)
{
    if (q < NUMPARSE_QMIN || q > NUMPARSE_QMAX)
        return 0;
    const uint64_t *t = numparse_pow5[q - NUMPARSE_QMIN];
    int lz = leading_zeros(w);
    w <<= lz;
    struct hilo p = mul64(w, t[0]);
    if ((p.hi & 0x1FF) == 0x1FF) { /* the 55 bits kept may not be exact yet: add the low word's product */
        struct hilo p2 = mul64(w, t[1]);
        p.lo += p2.hi;
        if (p2.hi > p.lo)
            p.hi++;
    }
    if (p.lo == UINT64_MAX && (q < -27 || q > 55))
        return 0;
    int upper = (int)(p.hi >> 63), shift = upper + 64 - 52 - 3;
    uint64_t m = p.hi >> shift;
    /* floor(log2(10^q)) + 63 + ..., the binary exponent with the bias of 1023 */
    int power2 = (((152170 + 65536) * q) >> 16) + 63 + upper - lz + 1023;
    if (power2 <= 0)
        return 0; /* subnormal: outside the table's range, left to strtod */
    if (p.lo <= 1 && q >= -4 && q <= 23 && (m & 3) == 1 && (m << shift) == p.hi)
        m &= ~(uint64_t)1; /* exactly halfway: round to even */
    m += m & 1;
    m >>= 1;
    if (m >= (uint64_t)2 << 52) {
        m = (uint64_t)1 << 52;
        power2++;
    }
    m &= ~((uint64_t)1 << 52);
    if (power2 >= 0x7FF)
        return 0;
    *bits = m | (uint64_t)power2 << 52;
    return 1;
}

const char *numparse_scan(const char *p, const char *end, double *out)
{
    const char *start = p;
    int neg = 0;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    uint64_t w = 0;
    int digits = 0, q = 0;
    const char *d0 = p;
    while (p < end && *p == '0') /* leading zeros */
        p++;
    for (; p < end && (unsigned)(*p - '0') < 10; p++) {
        if (digits < 19) {
            w = w * 10 + (unsigned)(*p - '0');
            digits++;
        } else if (*p != '0') {
            return NULL; /* a 20th significant digit: strtod */
        } else {
            q++;
        }
    }
    int any = p > d0;
    if (p < end && *p == '.') {
        const char *f0 = ++p;
        if (w == 0)
            for (; p < end && *p == '0'; p++)
                q--;
        for (; p < end && (unsigned)(*p - '0') < 10; p++) {
            if (digits < 19) {
                w = w * 10 + (unsigned)(*p - '0');
                digits++;
                q--;
            } else if (*p != '0') {
                return NULL;
            }
        }
        any |= p > f0;
    }
    if (!any)
        return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        const char *e0 = p;
        int e = 0;
        for (; p < end && (unsigned)(*p - '0') < 10; p++)
            if (e < 100000)
                e = e * 10 + (*p - '0');
        if (p == e0)
            return NULL;
        q += eneg ? -e : e;
    }
    if (p - start >= 128)
        return NULL; /* table_parse_span refuses it */
    double v;
    uint64_t bits;
    if (w == 0) {
        v = 0.0;
    } else if (NUMPARSE_CLINGER && w <= (uint64_t)1 << 53 && q >= -22 && q <= 22) {
        v = q < 0 ? (double)w / exact_pow10[-q] : (double)w * exact_pow10[q];
    } else if (eisel_lemire(w, q, &bits)) {
        memcpy(&v, &bits, sizeof v);
    } else {
        return NULL;
    }
    *out = neg ? -v : v;
    return p;
}

int numparse_fast(const char *s, size_t len, double *out)
{
    double v;
    if (numparse_scan(s, s + len, &v) != s + len)
        return 0;
    *out = v;
    return 1;
}

double numparse_decimal(const char *s, size_t len)
{
    double v;
    if (numparse_fast(s, len, &v))
        return v;
    char tmp[128];
    if (len >= sizeof tmp)
        len = sizeof tmp - 1; /* never: the caller checks the length */
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return strtod(tmp, NULL);
}
