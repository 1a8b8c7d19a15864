#include "attnstep/kernel_attention.h"

#include <float.h>
#include <math.h>
#include <string.h>

/*
 * Every sum here is a product C = init + Σ_t A[r][t]·B[t][l] taken in t order,
 * which is how the reference loops sum each element: scores s[i][j] = Σ_d
 * q[i][d]·k[j][d] over d, the head output o[i][d] = Σ_j w[i][j]·v[j][d] over j,
 * and in the backward dv[j] and dk[j] over the rows i (outermost there). The
 * reference runs one element's chain of additions at a time, each waiting for
 * the last; here a block of KR rows × KW columns of C runs side by side, one
 * vector lane per element, every lane still adding its terms one by one in t
 * order. B's KW columns are contiguous (transposed or padded copies of the
 * head's K, V, Q in the scratch), and A is read with any strides, so Aᵀ costs
 * nothing.
 *
 * The same bits on every CPU: vector and scalar multiplies, adds and divides
 * are the same IEEE operations lane by lane, and -ffp-contract=off
 * (meson.build) keeps the compiler from fusing them, so the AVX-512, AVX2 and
 * SSE2 copies below compute the same numbers (the test runs each against the
 * loops). exp stays libm's, called once per weight as the reference calls it:
 * no vector exp gives its bits.
 */

enum { KR = 4, KW = 8 }; /* a block: 4 rows × 8 columns (4 AVX-512, 8 AVX2 or 16 SSE2 registers) */

#if defined(__GNUC__) && defined(__x86_64__) && !defined(ATTNSTEP_NO_CLONES)
#define HAVE_X86_TARGETS 1
/* One copy of the function per instruction set; the loader picks the best the CPU has. */
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HAVE_X86_TARGETS 0
#define CLONES
#endif
#if defined(__GNUC__)
#define INLINE static inline __attribute__((always_inline))
#else
#define INLINE static inline
#endif

static size_t round_up(size_t n)
{
    return (n + KW - 1) / KW * KW;
}

size_t kernel_attention_scratch(int N, int D, int H)
{
    size_t n = (size_t)N, dk = (size_t)(D / H), np = round_up(n), dkp = round_up(dk);
    /* forward: kT, vP; backward: vT, kP, qP, gP and the (N, NP) score gradients */
    size_t fwd = dk * np + n * dkp, bwd = dk * np + 3 * n * dkp + n * np;
    return fwd > bwd ? fwd : bwd;
}

/* The matrix product, once per vector width; mm is the widest this CPU runs. */
typedef void mm_fn(double *c, size_t ldc, int M, int C, const double *a, size_t ars, size_t ats, const double *b,
                   size_t ldb, int T, int add);
#define MM_NAME mm_sse2
#define MM_TARGET
#define MM_VB 16
#include "kernel_attention_mm.h"
#undef MM_NAME
#undef MM_TARGET
#undef MM_VB
#if HAVE_X86_TARGETS
#define MM_NAME mm_avx2
#define MM_TARGET __attribute__((target("avx2")))
#define MM_VB 32
#include "kernel_attention_mm.h"
#undef MM_NAME
#undef MM_TARGET
#undef MM_VB
#define MM_NAME mm_avx512
#define MM_TARGET __attribute__((target("avx512f")))
#define MM_VB 64
#include "kernel_attention_mm.h"
#undef MM_NAME
#undef MM_TARGET
#undef MM_VB
#endif

static mm_fn *forced_mm; /* kernel_attention_isa's choice; NULL: the best the CPU has */

int kernel_attention_isa(const char *isa)
{
    forced_mm = NULL;
    if (!isa)
        return 0;
    if (!strcmp(isa, "sse2")) {
        forced_mm = mm_sse2;
        return 0;
    }
#if HAVE_X86_TARGETS
    __builtin_cpu_init();
    if (!strcmp(isa, "avx2") && __builtin_cpu_supports("avx2")) {
        forced_mm = mm_avx2;
        return 0;
    }
    if (!strcmp(isa, "avx512f") && __builtin_cpu_supports("avx512f")) {
        forced_mm = mm_avx512;
        return 0;
    }
#endif
    return -1;
}

static mm_fn *pick_mm(void)
{
    if (forced_mm)
        return forced_mm;
#if HAVE_X86_TARGETS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return mm_avx512;
    if (__builtin_cpu_supports("avx2"))
        return mm_avx2;
#endif
    return mm_sse2;
}

/* t (DK, NP) = columns hc.. of x (N, D) transposed, zero beyond N. */
static void transpose_head(double *t, const double *x, int N, int D, int DK, size_t NP)
{
    for (int d = 0; d < DK; d++) {
        double *row = t + (size_t)d * NP;
        for (int j = 0; j < N; j++)
            row[j] = x[(size_t)j * D + d];
        for (size_t j = (size_t)N; j < NP; j++)
            row[j] = 0.0;
    }
}

/* p (N, DKP) = columns hc.. of x (N, D), zero beyond DK. */
static void pad_head(double *p, const double *x, int N, int D, int DK, size_t DKP)
{
    for (int j = 0; j < N; j++) {
        double *row = p + (size_t)j * DKP;
        memcpy(row, x + (size_t)j * D, (size_t)DK * sizeof *row);
        for (size_t d = (size_t)DK; d < DKP; d++)
            row[d] = 0.0;
    }
}

/* The largest of x (n), as the reference's "if (x > max) max = x" from −∞
 * finds it, in KW lanes. Which of +0 and −0 wins may differ, and nothing
 * depends on it: exp(x − max) is the same for either. A NaN never wins, there
 * as here. */
INLINE double row_max(const double *x, int n)
{
    double lane[KW];
    for (int l = 0; l < KW; l++)
        lane[l] = -INFINITY;
    int j = 0;
    for (; j + KW <= n; j += KW)
        for (int l = 0; l < KW; l++)
            lane[l] = x[j + l] > lane[l] ? x[j + l] : lane[l];
    double max = -INFINITY;
    for (int l = 0; l < KW; l++)
        if (lane[l] > max)
            max = lane[l];
    for (; j < n; j++)
        if (x[j] > max)
            max = x[j];
    return max;
}

/* The scores of one head of attention_heads (h's columns of q, k start at
 * hc, its (N, N) matrices at the pointers given), scaled and masked, and in w
 * the arguments of exp: m − max, or −∞ where the reference writes 0 without
 * calling exp (m = ±∞). */
CLONES static void scores_of_head(double *s, double *sc, double *m, double *w, const double *q, const double *k,
                                  int N, int D, int DK, int causal, double *scratch, mm_fn *mm)
{
    size_t NP = round_up((size_t)N);
    double *kT = scratch;
    double scale = 1.0 / sqrt((double)DK);
    transpose_head(kT, k, N, D, DK, NP);
    mm(s, (size_t)N, N, N, q, (size_t)D, 1, kT, NP, DK, 0);
    for (int i = 0; i < N; i++) {
        double *s_row = s + (size_t)i * N, *sc_row = sc + (size_t)i * N, *w_row = w + (size_t)i * N;
        double *m_row = causal ? m + (size_t)i * N : sc_row;
        for (int j = 0; j < N; j++)
            sc_row[j] = s_row[j] * scale;
        if (causal)
            for (int j = 0; j < N; j++)
                m_row[j] = j > i ? -INFINITY : sc_row[j];
        double max = row_max(m_row, N);
        for (int j = 0; j < N; j++)
            w_row[j] = isinf(m_row[j]) ? -INFINITY : m_row[j] - max;
    }
}

/* x (n) = exp(x), and 0 for −∞ without a call: libm's exp, one at a time, in a
 * loop that keeps nothing else in flight across the calls. exp(−∞) would be +0
 * too, and the reference's exp(m − max) with m − max = −∞ (m finite) is +0. */
static void exp_all(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] < -DBL_MAX ? 0.0 : exp(x[i]); /* −∞ */
}

/* Each row of w (N, N) divided by its sum over j (in j order, from +0 as the
 * reference adds), then out (N; row stride D) = w·V for h's columns of v. */
CLONES static void out_of_head(double *w, double *out, const double *v, int N, int D, int DK, double *scratch,
                               mm_fn *mm)
{
    size_t NP = round_up((size_t)N), DKP = round_up((size_t)DK);
    double *vP = scratch + (size_t)DK * NP;
    int i = 0;
    for (; i + KR <= N; i += KR) { /* KR rows' sums side by side, each in j order */
        double sum[KR] = {0.0};
        for (int j = 0; j < N; j++)
            for (int r = 0; r < KR; r++)
                sum[r] += w[(size_t)(i + r) * N + j];
        for (int r = 0; r < KR; r++)
            for (int j = 0; j < N; j++)
                w[(size_t)(i + r) * N + j] /= sum[r];
    }
    for (; i < N; i++) {
        double *row = w + (size_t)i * N, sum = 0.0;
        for (int j = 0; j < N; j++)
            sum += row[j];
        for (int j = 0; j < N; j++)
            row[j] /= sum;
    }
    pad_head(vP, v, N, D, DK, DKP);
    mm(out, (size_t)D, N, DK, w, (size_t)N, 1, vP, DKP, N, 0);
}

void kernel_attention_heads(double *scores, double *scaled, double *masked, double *weights, double *out,
                            const double *q, const double *k, const double *v, int N, int D, int H, int causal,
                            double *scratch)
{
    int DK = D / H;
    mm_fn *mm = pick_mm();
    for (int h = 0; h < H; h++) {
        size_t base = (size_t)h * N * N, hc = (size_t)h * DK;
        scores_of_head(scores + base, scaled + base, causal ? masked + base : NULL, weights + base, q + hc, k + hc, N,
                       D, DK, causal, scratch, mm);
        exp_all(weights + base, (size_t)N * N);
        out_of_head(weights + base, out + hc, v + hc, N, D, DK, scratch, mm);
    }
}

/*
 * One head of train_heads_backward. There, for each row i in order: g_j =
 * go_i·v_j (over m), dv_j += a_ij go_i, dot = Σ_j a_ij g_j (j order), ds_ij =
 * a_ij (g_j − dot)/√DK, dq_i += ds_ij k_j (j order), dk_j += ds_ij q_i. So
 *   G = GO·Vᵀ, dot_i, DS, then dq += DS·K (over j), dk += DSᵀ·Q and
 *   dv += Aᵀ·GO (over i, as the outer loop adds them),
 * each element's additions in the reference's order.
 */
CLONES static void backward_of_head(double *dq, double *dk, double *dv, const double *go, const double *q,
                                    const double *k, const double *v, const double *a, int N, int D, int DK,
                                    double *scratch, mm_fn *mm)
{
    size_t NP = round_up((size_t)N), DKP = round_up((size_t)DK);
    double *vT = scratch, *kP = vT + (size_t)DK * NP, *qP = kP + (size_t)N * DKP, *gP = qP + (size_t)N * DKP;
    double *ds = gP + (size_t)N * DKP; /* (N, NP): G, then DS */
    double scale = 1.0 / sqrt((double)DK);
    transpose_head(vT, v, N, D, DK, NP);
    pad_head(kP, k, N, D, DK, DKP);
    pad_head(qP, q, N, D, DK, DKP);
    pad_head(gP, go, N, D, DK, DKP);
    mm(ds, NP, N, N, go, (size_t)D, 1, vT, NP, DK, 0);
    int i = 0;
    for (; i + KR <= N; i += KR) { /* KR rows' dots side by side, each in j order */
        double dot[KR] = {0.0};
        for (int j = 0; j < N; j++)
            for (int r = 0; r < KR; r++)
                dot[r] += a[(size_t)(i + r) * N + j] * ds[(size_t)(i + r) * NP + j];
        for (int r = 0; r < KR; r++) {
            const double *ar = a + (size_t)(i + r) * N;
            double *row = ds + (size_t)(i + r) * NP;
            for (int j = 0; j < N; j++)
                row[j] = ar[j] * (row[j] - dot[r]) * scale;
        }
    }
    for (; i < N; i++) {
        const double *ar = a + (size_t)i * N;
        double *row = ds + (size_t)i * NP, dot = 0.0;
        for (int j = 0; j < N; j++)
            dot += ar[j] * row[j];
        for (int j = 0; j < N; j++)
            row[j] = ar[j] * (row[j] - dot) * scale;
    }
    mm(dq, (size_t)D, N, DK, ds, NP, 1, kP, DKP, N, 1);
    mm(dk, (size_t)D, N, DK, ds, 1, NP, qP, DKP, N, 1);
    mm(dv, (size_t)D, N, DK, a, 1, (size_t)N, gP, DKP, N, 1);
}

void kernel_heads_backward(double *dq, double *dk, double *dv, const double *dconcat, const double *q, const double *k,
                           const double *v, const double *weights, int N, int D, int H, double *scratch)
{
    int DK = D / H;
    mm_fn *mm = pick_mm();
    for (int h = 0; h < H; h++) {
        size_t hc = (size_t)h * DK;
        backward_of_head(dq + hc, dk + hc, dv + hc, dconcat + hc, q + hc, k + hc, v + hc, weights + (size_t)h * N * N,
                         N, D, DK, scratch, mm);
    }
}
