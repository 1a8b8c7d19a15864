/* numparse.h — a decimal number to the nearest double, exactly as strtod
 * rounds it, without strtod's cost for the numbers model files hold.
 *
 * Three steps, each exact or declining: Clinger's fast path (the digits fit
 * 2^53 and |exponent| <= 22: one correctly rounded multiplication or division
 * of two exact doubles), then Eisel and Lemire's 128-bit product (up to 19
 * significant digits, the 17 of a round-trip double included), which says when
 * it cannot decide; strtod for the rest. */
#ifndef ATTNSTEP_NUMPARSE_H
#define ATTNSTEP_NUMPARSE_H

#include <stddef.h>

/* s[0..len) is plain decimal notation, already checked:
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, len < 128.
 * Returns what strtod returns for it, bit for bit. */
double numparse_decimal(const char *s, size_t len);

/* The number at p (no space before it: [+-]? digits [. digits?] ... as
 * above), in [p, end): the end of it with *out set, or NULL when it is not
 * such a number or only strtod can tell its value (*out untouched). */
const char *numparse_scan(const char *p, const char *end, double *out);

/* For tests: the value without the strtod fallback, or 0 when only strtod
 * would do (*out untouched then). */
int numparse_fast(const char *s, size_t len, double *out);

#endif
