#include "attnstep/kernel_linear.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* One body (kl_gemm.inc), compiled three times: for the build's own
 * instruction set, for AVX2 and for AVX-512, picked at run time. Each uses
 * the widest vector its registers hold (GCC's and clang's generic vector
 * types: 2, 4 or 8 doubles). Every lane is one output number and keeps its
 * own sum in the reference loop's order; an elementwise vector multiply and
 * add round exactly as the scalar ones do, so every variant gives the same
 * bits. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define KL_X86 1
#else
#define KL_X86 0
#endif

#define KL_INLINE static inline __attribute__((always_inline))

#if KL_X86
#include <immintrin.h>
#endif

typedef double kl_v2 __attribute__((vector_size(2 * sizeof(double))));
typedef double kl_v4 __attribute__((vector_size(4 * sizeof(double))));
typedef double kl_v8 __attribute__((vector_size(8 * sizeof(double))));

/* Unaligned loads and stores, as macros: a function taking or returning a
 * vector would have a different calling convention in each variant. KL_PUT
 * stores a finished sum, or (add) adds it to what p holds. */
#define KL_LOAD(v, p) memcpy(&(v), (p), sizeof(v))
#define KL_PUT(p, v, add)                                                                                          \
    do {                                                                                                           \
        if (add) {                                                                                                 \
            __typeof__(v) t_;                                                                                      \
            memcpy(&t_, (p), sizeof t_);                                                                           \
            (v) = t_ + (v);                                                                                        \
        }                                                                                                          \
        memcpy((p), &(v), sizeof(v));                                                                              \
    } while (0)

/* The build's own: SSE2's 16 registers hold the 4 rows × 2 vectors of 2. */
#define KL_NAME base
#define KL_TARGET
#define KL_VEC kl_v2
#define KL_LANES 2
#if KL_X86
#define KL_SQRT(v) ((kl_v2)_mm_sqrt_pd((__m128d)(v)))
#endif
#include "kl_gemm.inc"

#if KL_X86
#define KL_NAME avx2
#define KL_TARGET __attribute__((target("avx2")))
#define KL_VEC kl_v4
#define KL_LANES 4
#define KL_SQRT(v) ((kl_v4)_mm256_sqrt_pd((__m256d)(v)))
#include "kl_gemm.inc"

#define KL_NAME avx512
#define KL_TARGET __attribute__((target("avx512f")))
#define KL_VEC kl_v8
#define KL_LANES 8
#define KL_SQRT(v) ((kl_v8)_mm512_sqrt_pd((__m512d)(v)))
#include "kl_gemm.inc"
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

void kernel_linear_adam(double *restrict w, double *restrict m, double *restrict v, const double *restrict g, size_t n,
                        double lr, double beta1, double beta2, double c1, double c2, double eps)
{
    switch (kernel_linear_isa()) {
#if KL_X86
    case KERNEL_ISA_AVX512:
        adam_avx512(w, m, v, g, n, lr, beta1, beta2, c1, c2, eps);
        return;
    case KERNEL_ISA_AVX2:
        adam_avx2(w, m, v, g, n, lr, beta1, beta2, c1, c2, eps);
        return;
#endif
    default:
        adam_base(w, m, v, g, n, lr, beta1, beta2, c1, c2, eps);
    }
}
