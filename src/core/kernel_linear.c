#include "attnstep/kernel_linear.h"

#include <stddef.h>
#include <string.h>

/* One body (gemm below), compiled three times: for the build's own
 * instruction set, for AVX2 and for AVX-512, picked at run time. A vector of
 * 8 doubles is GCC's and clang's generic vector type: each instruction set
 * splits it into what its registers hold (4 SSE2 registers, 2 AVX2, 1
 * AVX-512). Every lane is one output number and keeps its own sum in the
 * reference loop's order; an elementwise vector multiply and add round
 * exactly as the scalar ones do, so every variant gives the same bits. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define KL_X86 1
#else
#define KL_X86 0
#endif

typedef double kl_v8 __attribute__((vector_size(8 * sizeof(double))));

#define KL_INLINE static inline __attribute__((always_inline))

/* Unaligned loads and stores, as macros: a function returning a vector would
 * have a different calling convention in each variant. */
#define KL_LOAD(v, p) memcpy(&(v), (p), sizeof(kl_v8))
#define KL_STORE(p, v) memcpy((p), &(v), sizeof(kl_v8))

/* out[i][c] for i < M, c < C: with add = 0, out = out + Σ_j a(i,j)·B[j][c];
 * with add = 1, out += (0 + Σ_j a(i,j)·B[j][c]); the sum always over j
 * ascending, term by term, where a(i,j) = A[i·sai + j·saj] (so A may be read
 * transposed) and B has rows of ldb, out rows of ldo. Blocks of 4 rows × 8
 * columns keep 4 independent sums per column in registers: a row of B is
 * loaded once for 4 rows of out. */
KL_INLINE void gemm(double *restrict out, size_t ldo, const double *restrict A, size_t sai, size_t saj,
                    const double *restrict B, size_t ldb, int M, int J, int C, int add)
{
    int c = 0;
    for (; c + 8 <= C; c += 8) {
        int i = 0;
        for (; i + 4 <= M; i += 4) {
            double *o = out + (size_t)i * ldo + c;
            const double *a0 = A + (size_t)i * sai, *a1 = a0 + sai, *a2 = a1 + sai, *a3 = a2 + sai;
            kl_v8 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
            if (!add) {
                KL_LOAD(s0, o);
                KL_LOAD(s1, o + ldo);
                KL_LOAD(s2, o + 2 * ldo);
                KL_LOAD(s3, o + 3 * ldo);
            }
            const double *bj = B + c;
            for (int j = 0; j < J; j++, bj += ldb) {
                kl_v8 bv;
                KL_LOAD(bv, bj);
                size_t aj = (size_t)j * saj;
                s0 += a0[aj] * bv;
                s1 += a1[aj] * bv;
                s2 += a2[aj] * bv;
                s3 += a3[aj] * bv;
            }
            if (add) { /* the sums are complete: now added to what out holds */
                kl_v8 t0, t1, t2, t3;
                KL_LOAD(t0, o);
                KL_LOAD(t1, o + ldo);
                KL_LOAD(t2, o + 2 * ldo);
                KL_LOAD(t3, o + 3 * ldo);
                s0 = t0 + s0;
                s1 = t1 + s1;
                s2 = t2 + s2;
                s3 = t3 + s3;
            }
            KL_STORE(o, s0);
            KL_STORE(o + ldo, s1);
            KL_STORE(o + 2 * ldo, s2);
            KL_STORE(o + 3 * ldo, s3);
        }
        for (; i < M; i++) {
            double *o = out + (size_t)i * ldo + c;
            const double *a = A + (size_t)i * sai;
            kl_v8 s = {0}, t;
            if (!add)
                KL_LOAD(s, o);
            const double *bj = B + c;
            for (int j = 0; j < J; j++, bj += ldb) {
                KL_LOAD(t, bj);
                s += a[(size_t)j * saj] * t;
            }
            if (add) {
                KL_LOAD(t, o);
                s = t + s;
            }
            KL_STORE(o, s);
        }
    }
    for (; c < C; c++) /* the last columns, one number at a time */
        for (int i = 0; i < M; i++) {
            double *o = out + (size_t)i * ldo + c, s = add ? 0.0 : *o;
            const double *a = A + (size_t)i * sai;
            for (int j = 0; j < J; j++)
                s += a[(size_t)j * saj] * B[(size_t)j * ldb + c];
            *o = add ? *o + s : s;
        }
}

KL_INLINE void forward_body(double *restrict out, const double *restrict in, const double *restrict w,
                            const double *restrict b, int N, int K, int C)
{
    for (int n = 0; n < N; n++) /* attention_linear starts each sum at the bias */
        for (int c = 0; c < C; c++)
            out[(size_t)n * C + c] = b ? b[c] : 0.0;
    gemm(out, (size_t)C, in, (size_t)K, 1, w, (size_t)C, N, K, C, 0);
}

KL_INLINE void backward_body(double *restrict dinp, double *restrict dw, double *restrict db, double *restrict wt,
                             const double *restrict dout, const double *restrict inp, const double *restrict w, int N,
                             int K, int C)
{
    if (dinp) { /* dinp[n][k] += Σ_c dout[n][c]·wᵀ[c][k]: along k, wᵀ's rows are contiguous */
        for (int k = 0; k < K; k++)
            for (int c = 0; c < C; c++)
                wt[(size_t)c * K + k] = w[(size_t)k * C + c];
        gemm(dinp, (size_t)K, dout, (size_t)C, 1, wt, (size_t)K, N, C, K, 1);
    }
    /* dw[k][c] += Σ_n inp[n][k]·dout[n][c], n ascending: inp read transposed */
    gemm(dw, (size_t)C, inp, 1, (size_t)K, dout, (size_t)C, K, N, C, 0);
    if (db)
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
                db[c] += dout[(size_t)n * C + c];
}

static void forward_base(double *restrict out, const double *restrict in, const double *restrict w,
                         const double *restrict b, int N, int K, int C)
{
    forward_body(out, in, w, b, N, K, C);
}

static void backward_base(double *restrict dinp, double *restrict dw, double *restrict db, double *restrict wt,
                          const double *restrict dout, const double *restrict inp, const double *restrict w, int N,
                          int K, int C)
{
    backward_body(dinp, dw, db, wt, dout, inp, w, N, K, C);
}

#if KL_X86
#define KL_VARIANT(isa, tgt)                                                                                    \
    __attribute__((target(tgt))) static void forward_##isa(double *restrict out, const double *restrict in,   \
                                                               const double *restrict w, const double *restrict b, \
                                                               int N, int K, int C)                                \
    {                                                                                                              \
        forward_body(out, in, w, b, N, K, C);                                                                      \
    }                                                                                                              \
    __attribute__((target(tgt))) static void backward_##isa(                                                    \
        double *restrict dinp, double *restrict dw, double *restrict db, double *restrict wt,                      \
        const double *restrict dout, const double *restrict inp, const double *restrict w, int N, int K, int C)    \
    {                                                                                                              \
        backward_body(dinp, dw, db, wt, dout, inp, w, N, K, C);                                                    \
    }
KL_VARIANT(avx2, "avx2")
KL_VARIANT(avx512, "avx512f")
#endif

static int forced = KERNEL_ISA_BEST;

static int supported(int isa)
{
    switch (isa) {
    case KERNEL_ISA_BASE:
        return 1;
#if KL_X86
    case KERNEL_ISA_AVX2:
        return __builtin_cpu_supports("avx2");
    case KERNEL_ISA_AVX512:
        return __builtin_cpu_supports("avx512f");
#endif
    default:
        return 0;
    }
}

int kernel_linear_isa(void)
{
    if (forced != KERNEL_ISA_BEST)
        return forced;
    for (int isa = KERNEL_ISA_COUNT - 1; isa > KERNEL_ISA_BASE; isa--)
        if (supported(isa))
            return isa;
    return KERNEL_ISA_BASE;
}

int kernel_linear_use(int isa)
{
    if (isa != KERNEL_ISA_BEST && !supported(isa))
        return -1;
    forced = isa;
    return 0;
}

void kernel_linear_forward(double *restrict out, const double *restrict in, const double *restrict w,
                           const double *restrict b, int N, int K, int C)
{
    switch (kernel_linear_isa()) {
#if KL_X86
    case KERNEL_ISA_AVX512:
        forward_avx512(out, in, w, b, N, K, C);
        return;
    case KERNEL_ISA_AVX2:
        forward_avx2(out, in, w, b, N, K, C);
        return;
#endif
    default:
        forward_base(out, in, w, b, N, K, C);
    }
}

void kernel_linear_backward(double *restrict dinp, double *restrict dw, double *restrict db, double *restrict wt,
                            const double *restrict dout, const double *restrict inp, const double *restrict w, int N,
                            int K, int C)
{
    switch (kernel_linear_isa()) {
#if KL_X86
    case KERNEL_ISA_AVX512:
        backward_avx512(dinp, dw, db, wt, dout, inp, w, N, K, C);
        return;
    case KERNEL_ISA_AVX2:
        backward_avx2(dinp, dw, db, wt, dout, inp, w, N, K, C);
        return;
#endif
    default:
        backward_base(dinp, dw, db, wt, dout, inp, w, N, K, C);
    }
}
