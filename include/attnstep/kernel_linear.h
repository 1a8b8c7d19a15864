/* kernel_linear.h — the linear layers' fast kernels, beside the plain loops a
 * student reads (attention_linear in attention.c, train_linear_backward in
 * train.c). Each output number is summed in exactly the reference loop's
 * order, only many numbers at once (blocks of rows × a strip of columns, held
 * in vector registers): the results are the reference's, bit for bit, on
 * every CPU and with every instruction set (the build forbids fused
 * multiply-adds, -ffp-contract=off).
 *
 * Dimension letters: N = rows (tokens, or a mini-batch's tokens stacked),
 * K = inputs per row, C = outputs per row. */
#ifndef ATTNSTEP_KERNEL_LINEAR_H
#define ATTNSTEP_KERNEL_LINEAR_H

#include <stddef.h>

/* The instruction sets the kernels are compiled for. */
enum kernel_isa {
    KERNEL_ISA_BEST = -1,  /* the best the CPU has (the default) */
    KERNEL_ISA_BASE = 0,   /* the build's own (SSE2 on x86-64, or whatever the target is) */
    KERNEL_ISA_AVX2 = 1,
    KERNEL_ISA_AVX512 = 2,
    KERNEL_ISA_COUNT = 3
};

/* Makes the kernels use isa from now on (tests and benchmarks compare them);
 * returns 0, or -1 (and changes nothing) when this CPU or build lacks it. */
int kernel_linear_use(int isa);
/* The instruction set the kernels use now (never KERNEL_ISA_BEST). */
int kernel_linear_isa(void);

/* out (N, C) = in (N, K) · w (K, C) + b (C), b may be NULL: attention_linear's
 * sums, out[n][c] = b[c] + x[n][0]·w[0][c] + x[n][1]·w[1][c] + … in k order. */
void kernel_linear_forward(double *restrict out, const double *restrict in, const double *restrict w,
                           const double *restrict b, int N, int K, int C);
/* train_linear_backward's sums for out (N, C) = inp (N, K)·w (K, C) + b:
 * dw (K, C) += inpᵀ·dout row by row (n order), db (C) += Σ dout (n order; may
 * be NULL), dinp (N, K) += dout·wᵀ, each Σ_c summed from 0 in c order and then
 * added (dinp may be NULL). wt (C, K) is scratch for wᵀ, used only with dinp. */
void kernel_linear_backward(double *restrict dinp, double *restrict dw, double *restrict db, double *restrict wt,
                            const double *restrict dout, const double *restrict inp, const double *restrict w, int N,
                            int K, int C);
/* train_adam_update's fast twin: one Adam step of n weights, bit for bit. */
void kernel_linear_adam(double *restrict w, double *restrict m, double *restrict v, const double *restrict g, size_t n,
                        double lr, double beta1, double beta2, double c1, double c2, double eps);

#endif
