/* kernel_attention.h — the attention heads forward and backward as the trainer
 * runs them: fast, and bit for bit the numbers of the plain loops
 * (attention_heads in attention.c, train_heads_backward in train.c), which are
 * the ones to read. Every output element is summed in the same order as there,
 * from the same starting value; only many elements are computed at once. So a
 * model trains to the same bytes with either, on any CPU (-ffp-contract=off
 * keeps the compiler from fusing a multiply and an add).
 *
 * Dimension letters: N = tokens, D = d_model, H = heads, DK = D / H. */
#ifndef ATTNSTEP_KERNEL_ATTENTION_H
#define ATTNSTEP_KERNEL_ATTENTION_H

#include <stddef.h>

/* The doubles of scratch both kernels need for up to N tokens (transposed and
 * padded copies of one head's Q, K, V and its (N, N) score gradients). */
size_t kernel_attention_scratch(int N, int D, int H);

/* attention_heads, the same outputs bit for bit: scores, scaled, weights
 * (H, N, N), masked (H, N, N) when causal (may be NULL otherwise), out (N, D).
 * q, k, v are (N, D). scratch holds kernel_attention_scratch(N, D, H) doubles. */
void kernel_attention_heads(double *scores, double *scaled, double *masked, double *weights, double *out,
                            const double *q, const double *k, const double *v, int N, int D, int H, int causal,
                            double *scratch);

/* train_heads_backward, the same sums bit for bit: through every head,
 * dconcat (N, D) → dq, dk, dv (N, D), added. weights (H, N, N) are the
 * forward's. scratch as above. */
void kernel_heads_backward(double *dq, double *dk, double *dv, const double *dconcat, const double *q, const double *k,
                           const double *v, const double *weights, int N, int D, int H, double *scratch);

/* For tests and benchmarks: the matrix products run with one instruction set,
 * "avx512f", "avx2" or "sse2" (the same numbers, at another speed); NULL
 * goes back to the best the CPU has. Returns -1, changing nothing but going
 * back to the best, when the CPU (or the build) lacks it. */
int kernel_attention_isa(const char *isa);

#endif
