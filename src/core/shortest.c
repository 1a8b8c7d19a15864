/* shortest.c — Ryu's d2d: the shortest decimal that reads back as a double.
 *
 * A C11 port of d2s.rs, d2s_small_table.rs, d2s_intrinsics.rs and common.rs
 * of the Rust crate ryu 1.0.2 (Debian: librust-ryu-dev), itself translated from
 * Ulf Adams' C reference, https://github.com/ulfjack/ryu, which carries this
 * notice:
 *
 *   Copyright 2018 Ulf Adams
 *
 *   The contents of this file may be used under the terms of the Apache
 *   License, Version 2.0.
 *      (See accompanying file LICENSE-Apache or copy at
 *       http://www.apache.org/licenses/LICENSE-2.0)
 *
 *   Alternatively, the contents of this file may be used under the terms of
 *   the Boost Software License, Version 1.0.
 *      (See accompanying file LICENSE-Boost or copy at
 *       https://www.boost.org/LICENSE_1_0.txt)
 *
 *   Unless required by applicable law or agreed to in writing, this software
 *   is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF
 *   ANY KIND, either express or implied.
 *
 * This file is used here under the Boost Software License 1.0. Only d2d (the
 * digits and the exponent) is ported; csvout.c lays them out as printf's %g.
 * The small tables (26 powers of 5 and 13 128-bit anchors, about 600 bytes)
 * replace the full 10 KB tables: the powers of 5 in between are computed, at
 * the cost of one extra 64×128-bit product per number.
 *
 * How it works, in one paragraph: v = m2 × 2^e2. Every decimal inside the half-
 * way points to v's neighbours reads back as v, so Ryu scales the interval's
 * ends and middle (mm, mv, mp, as 4·m2 − 1 or 2, 4·m2, 4·m2 + 2 to stay in
 * integers) by a power of 10 using a 128-bit approximation of 5^±q, then drops
 * decimal digits while the two ends still differ, and rounds the middle. The
 * flags *_trailing_zeros track whether the scaled values were exact, so that an
 * end point may be used when strtod would round it to v and so that an exact
 * tie rounds to even. */
#include "attnstep/shortest.h"

#include <string.h>

#define DOUBLE_MANTISSA_BITS 52
#define DOUBLE_BIAS 1023
#define DOUBLE_POW5_INV_BITCOUNT 122
#define DOUBLE_POW5_BITCOUNT 121
#define POW5_TABLE_SIZE 26

static const uint64_t DOUBLE_POW5_TABLE[POW5_TABLE_SIZE] = {
    1u, 5u, 25u, 125u, 625u, 3125u, 15625u, 78125u, 390625u, 1953125u, 9765625u, 48828125u,
    244140625u, 1220703125u, 6103515625u, 30517578125u, 152587890625u, 762939453125u,
    3814697265625u, 19073486328125u, 95367431640625u, 476837158203125u, 2384185791015625u,
    11920928955078125u, 59604644775390625u, 298023223876953125u,
};

/* {low 64 bits, high 64 bits} of 5^(26 k) and of 2^… / 5^(26 k), k = 0..12. */
static const uint64_t DOUBLE_POW5_SPLIT2[13][2] = {
    {0u, 72057594037927936u},
    {10376293541461622784u, 93132257461547851u},
    {15052517733678820785u, 120370621524202240u},
    {6258995034005762182u, 77787690973264271u},
    {14893927168346708332u, 100538234169297439u},
    {4272820386026678563u, 129942622070561240u},
    {7330497575943398595u, 83973451344588609u},
    {18377130505971182927u, 108533142064701048u},
    {10038208235822497557u, 140275798336537794u},
    {7017903361312433648u, 90651109995611182u},
    {6366496589810271835u, 117163813585596168u},
    {9264989777501460624u, 75715339914673581u},
    {17074144231291089770u, 97859783203563123u},
};

/* The computed values are sometimes off by one: these bits correct them. */
static const uint32_t POW5_OFFSETS[13] = {
    0x00000000, 0x00000000, 0x00000000, 0x033c55be, 0x03db77d8, 0x0265ffb2, 0x00000800,
    0x01a8ff56, 0x00000000, 0x0037a200, 0x00004000, 0x03fffffc, 0x00003ffe,
};

static const uint64_t DOUBLE_POW5_INV_SPLIT2[13][2] = {
    {1u, 288230376151711744u},
    {7661987648932456967u, 223007451985306231u},
    {12652048002903177473u, 172543658669764094u},
    {5522544058086115566u, 266998379490113760u},
    {3181575136763469022u, 206579990246952687u},
    {4551508647133041040u, 159833525776178802u},
    {1116074521063664381u, 247330401473104534u},
    {17400360011128145022u, 191362629322552438u},
    {9297997190148906106u, 148059663038321393u},
    {11720143854957885429u, 229111231347799689u},
    {15401709288678291155u, 177266229209635622u},
    {3003071137298187333u, 274306203439684434u},
    {17516772882021341108u, 212234145163966538u},
};

static const uint32_t POW5_INV_OFFSETS[20] = {
    0x51505404, 0x55054514, 0x45555545, 0x05511411, 0x00505010, 0x00000004, 0x00000000,
    0x00000000, 0x55555040, 0x00505051, 0x00050040, 0x55554000, 0x51659559, 0x00001000,
    0x15000010, 0x55455555, 0x41404051, 0x00001010, 0x00000014, 0x00000000,
};

/* e == 0 ? 1 : ceil(log2(5^e)), for 0 <= e <= 3528. */
static int32_t pow5bits(int32_t e)
{
    return (int32_t)((((uint32_t)e * 1217359u) >> 19) + 1);
}

/* floor(log10(2^e)), for 0 <= e <= 1650. */
static uint32_t log10_pow2(int32_t e)
{
    return ((uint32_t)e * 78913u) >> 18;
}

/* floor(log10(5^e)), for 0 <= e <= 2620. */
static uint32_t log10_pow5(int32_t e)
{
    return ((uint32_t)e * 732923u) >> 20;
}

static uint32_t pow5_factor(uint64_t value)
{
    uint32_t count = 0;
    while (value % 5 == 0) {
        value /= 5;
        count++;
    }
    return count;
}

static int multiple_of_power_of_5(uint64_t value, uint32_t p)
{
    return pow5_factor(value) >= p;
}

static int multiple_of_power_of_2(uint64_t value, uint32_t p)
{
    return (value & ((1ull << p) - 1)) == 0;
}

#if defined(__SIZEOF_INT128__)
/* gcc and clang on 64-bit targets; __extension__ keeps -Wpedantic quiet. */
__extension__ typedef unsigned __int128 uint128;

/* 5^i as Ryu needs it: the top 121 bits, {low, high}. */
static void compute_pow5(uint32_t i, uint64_t out[2])
{
    uint32_t base = i / POW5_TABLE_SIZE, base2 = base * POW5_TABLE_SIZE, offset = i - base2;
    const uint64_t *mul = DOUBLE_POW5_SPLIT2[base];
    if (offset == 0) {
        out[0] = mul[0];
        out[1] = mul[1];
        return;
    }
    uint64_t m = DOUBLE_POW5_TABLE[offset];
    uint128 b0 = (uint128)m * mul[0], b2 = (uint128)m * mul[1];
    uint32_t delta = (uint32_t)(pow5bits((int32_t)i) - pow5bits((int32_t)base2));
    uint128 shifted_sum = (b0 >> delta) + (b2 << (64 - delta)) + ((POW5_OFFSETS[base] >> offset) & 1);
    out[0] = (uint64_t)shifted_sum;
    out[1] = (uint64_t)(shifted_sum >> 64);
}

/* 2^k / 5^i rounded up, 122 bits, {low, high}. */
static void compute_inv_pow5(uint32_t i, uint64_t out[2])
{
    uint32_t base = (i + POW5_TABLE_SIZE - 1) / POW5_TABLE_SIZE, base2 = base * POW5_TABLE_SIZE;
    uint32_t offset = base2 - i;
    const uint64_t *mul = DOUBLE_POW5_INV_SPLIT2[base]; /* 1 / 5^base2 */
    if (offset == 0) {
        out[0] = mul[0];
        out[1] = mul[1];
        return;
    }
    uint64_t m = DOUBLE_POW5_TABLE[offset]; /* 5^offset */
    uint128 b0 = (uint128)m * (mul[0] - 1), b2 = (uint128)m * mul[1];
    uint32_t delta = (uint32_t)(pow5bits((int32_t)base2) - pow5bits((int32_t)i));
    uint128 shifted_sum = ((b0 >> delta) + (b2 << (64 - delta))) + 1 +
                          ((POW5_INV_OFFSETS[i / 16] >> ((i % 16) << 1)) & 3);
    out[0] = (uint64_t)shifted_sum;
    out[1] = (uint64_t)(shifted_sum >> 64);
}

/* (m × mul) >> j, for j >= 64 and m of at most 55 bits. */
static uint64_t mul_shift(uint64_t m, const uint64_t mul[2], int32_t j)
{
    uint128 b0 = (uint128)m * mul[0], b2 = (uint128)m * mul[1];
    return (uint64_t)(((b0 >> 64) + b2) >> (j - 64));
}
#else
/* The same with 64 × 64-bit products split into 32-bit halves. */
static uint64_t umul128(uint64_t a, uint64_t b, uint64_t *product_hi)
{
    uint32_t a_lo = (uint32_t)a, a_hi = (uint32_t)(a >> 32), b_lo = (uint32_t)b, b_hi = (uint32_t)(b >> 32);
    uint64_t b00 = (uint64_t)a_lo * b_lo, b01 = (uint64_t)a_lo * b_hi;
    uint64_t b10 = (uint64_t)a_hi * b_lo, b11 = (uint64_t)a_hi * b_hi;
    uint32_t b00_lo = (uint32_t)b00, b00_hi = (uint32_t)(b00 >> 32);
    uint64_t mid1 = b10 + b00_hi;
    uint32_t mid1_lo = (uint32_t)mid1, mid1_hi = (uint32_t)(mid1 >> 32);
    uint64_t mid2 = b01 + mid1_lo;
    uint32_t mid2_lo = (uint32_t)mid2, mid2_hi = (uint32_t)(mid2 >> 32);
    *product_hi = b11 + mid1_hi + mid2_hi;
    return ((uint64_t)mid2_lo << 32) | b00_lo;
}

/* (hi:lo) >> dist, for 0 < dist < 64. */
static uint64_t shiftright128(uint64_t lo, uint64_t hi, uint32_t dist)
{
    return (hi << (64 - dist)) | (lo >> dist);
}

static void compute_pow5(uint32_t i, uint64_t out[2])
{
    uint32_t base = i / POW5_TABLE_SIZE, base2 = base * POW5_TABLE_SIZE, offset = i - base2;
    const uint64_t *mul = DOUBLE_POW5_SPLIT2[base];
    if (offset == 0) {
        out[0] = mul[0];
        out[1] = mul[1];
        return;
    }
    uint64_t m = DOUBLE_POW5_TABLE[offset], high1, high0;
    uint64_t low1 = umul128(m, mul[1], &high1), low0 = umul128(m, mul[0], &high0);
    uint64_t sum = high0 + low1;
    if (sum < high0)
        high1++;
    uint32_t delta = (uint32_t)(pow5bits((int32_t)i) - pow5bits((int32_t)base2));
    out[0] = shiftright128(low0, sum, delta) + ((POW5_OFFSETS[base] >> offset) & 1);
    out[1] = shiftright128(sum, high1, delta);
}

static void compute_inv_pow5(uint32_t i, uint64_t out[2])
{
    uint32_t base = (i + POW5_TABLE_SIZE - 1) / POW5_TABLE_SIZE, base2 = base * POW5_TABLE_SIZE;
    uint32_t offset = base2 - i;
    const uint64_t *mul = DOUBLE_POW5_INV_SPLIT2[base];
    if (offset == 0) {
        out[0] = mul[0];
        out[1] = mul[1];
        return;
    }
    uint64_t m = DOUBLE_POW5_TABLE[offset], high1, high0;
    uint64_t low1 = umul128(m, mul[1], &high1), low0 = umul128(m, mul[0] - 1, &high0);
    uint64_t sum = high0 + low1;
    if (sum < high0)
        high1++;
    uint32_t delta = (uint32_t)(pow5bits((int32_t)base2) - pow5bits((int32_t)i));
    out[0] = shiftright128(low0, sum, delta) + 1 + ((POW5_INV_OFFSETS[i / 16] >> ((i % 16) << 1)) & 3);
    out[1] = shiftright128(sum, high1, delta);
}

static uint64_t mul_shift(uint64_t m, const uint64_t mul[2], int32_t j)
{
    uint64_t high1, high0;
    uint64_t low1 = umul128(m, mul[1], &high1);
    umul128(m, mul[0], &high0);
    uint64_t sum = high0 + low1;
    if (sum < high0)
        high1++;
    return shiftright128(sum, high1, (uint32_t)(j - 64));
}
#endif

/* vr, and the interval's ends *vp and *vm, each 4·m2 (+2, −1 or −2) × mul >> j. */
static uint64_t mul_shift_all(uint64_t m2, const uint64_t mul[2], int32_t j, uint64_t *vp, uint64_t *vm,
                              uint32_t mm_shift)
{
    *vp = mul_shift(4 * m2 + 2, mul, j);
    *vm = mul_shift(4 * m2 - 1 - mm_shift, mul, j);
    return mul_shift(4 * m2, mul, j);
}

void shortest_decimal(double v, uint64_t *digits, int *exponent)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint64_t ieee_mantissa = bits & ((1ull << DOUBLE_MANTISSA_BITS) - 1);
    uint32_t ieee_exponent = (uint32_t)((bits >> DOUBLE_MANTISSA_BITS) & 0x7ff);

    /* Step 1: v = m2 × 2^e2; 2 subtracted so the bounds have 2 more bits. */
    int32_t e2;
    uint64_t m2;
    if (ieee_exponent == 0) {
        e2 = 1 - DOUBLE_BIAS - DOUBLE_MANTISSA_BITS - 2;
        m2 = ieee_mantissa;
    } else {
        e2 = (int32_t)ieee_exponent - DOUBLE_BIAS - DOUBLE_MANTISSA_BITS - 2;
        m2 = (1ull << DOUBLE_MANTISSA_BITS) | ieee_mantissa;
    }
    int accept_bounds = (m2 & 1) == 0; /* strtod rounds a halfway decimal to the even mantissa */

    /* Step 2: the interval of decimals that read back as v. The lower neighbour
     * is closer (mm_shift 0) when v is a power of 2 above the smallest normal. */
    uint64_t mv = 4 * m2;
    uint32_t mm_shift = ieee_mantissa != 0 || ieee_exponent <= 1;

    /* Step 3: to a decimal power with 128-bit arithmetic. */
    uint64_t vr, vp, vm, mul[2];
    int32_t e10;
    int vm_is_trailing_zeros = 0, vr_is_trailing_zeros = 0;
    if (e2 >= 0) {
        uint32_t q = log10_pow2(e2) - (e2 > 3);
        e10 = (int32_t)q;
        int32_t k = DOUBLE_POW5_INV_BITCOUNT + pow5bits((int32_t)q) - 1;
        int32_t i = -e2 + (int32_t)q + k;
        compute_inv_pow5(q, mul);
        vr = mul_shift_all(m2, mul, i, &vp, &vm, mm_shift);
        if (q <= 21) {
            /* Only one of mp, mv and mm can be a multiple of 5, if any. */
            if (mv % 5 == 0)
                vr_is_trailing_zeros = multiple_of_power_of_5(mv, q);
            else if (accept_bounds)
                vm_is_trailing_zeros = multiple_of_power_of_5(mv - 1 - mm_shift, q);
            else
                vp -= (uint64_t)multiple_of_power_of_5(mv + 2, q);
        }
    } else {
        uint32_t q = log10_pow5(-e2) - (-e2 > 1);
        e10 = (int32_t)q + e2;
        int32_t i = -e2 - (int32_t)q;
        int32_t k = pow5bits(i) - DOUBLE_POW5_BITCOUNT;
        int32_t j = (int32_t)q - k;
        compute_pow5((uint32_t)i, mul);
        vr = mul_shift_all(m2, mul, j, &vp, &vm, mm_shift);
        if (q <= 1) {
            /* mv = 4·m2 has at least two trailing 0 bits; mp = mv + 2 one. */
            vr_is_trailing_zeros = 1;
            if (accept_bounds)
                vm_is_trailing_zeros = mm_shift == 1;
            else
                vp--;
        } else if (q < 63) {
            /* Exact if mv has at least q trailing 0 bits (−e2 >= q covers the 5s). */
            vr_is_trailing_zeros = multiple_of_power_of_2(mv, q);
        }
    }

    /* Step 4: the shortest decimal in the interval, rounded to the nearest. */
    int32_t removed = 0;
    uint64_t output;
    if (vm_is_trailing_zeros || vr_is_trailing_zeros) {
        /* The general case (~0.7% of doubles). */
        uint32_t last_removed_digit = 0;
        while (vp / 10 > vm / 10) {
            vm_is_trailing_zeros &= vm % 10 == 0;
            vr_is_trailing_zeros &= last_removed_digit == 0;
            last_removed_digit = (uint32_t)(vr % 10);
            vr /= 10;
            vp /= 10;
            vm /= 10;
            removed++;
        }
        if (vm_is_trailing_zeros) {
            while (vm % 10 == 0) {
                vr_is_trailing_zeros &= last_removed_digit == 0;
                last_removed_digit = (uint32_t)(vr % 10);
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
        }
        if (vr_is_trailing_zeros && last_removed_digit == 5 && vr % 2 == 0)
            last_removed_digit = 4; /* exactly …50…0: round to even */
        /* vr + 1 if vr is outside the interval or the removed digits round up. */
        output = vr + ((vr == vm && (!accept_bounds || !vm_is_trailing_zeros)) || last_removed_digit >= 5);
    } else {
        /* The common case: no exactness to track. Two digits at a time first. */
        int round_up = 0;
        if (vp / 100 > vm / 100) {
            round_up = vr % 100 >= 50;
            vr /= 100;
            vp /= 100;
            vm /= 100;
            removed += 2;
        }
        while (vp / 10 > vm / 10) {
            round_up = vr % 10 >= 5;
            vr /= 10;
            vp /= 10;
            vm /= 10;
            removed++;
        }
        output = vr + (vr == vm || round_up);
    }
    int32_t exp = e10 + removed;
    /* A round-up can carry into a new trailing zero (…999 → …000). */
    while (output >= 10 && output % 10 == 0) {
        output /= 10;
        exp++;
    }
    *digits = output;
    *exponent = exp;
}
