/* attention.h — the math of one multi-head self-attention layer, llm.c style:
 * plain loops over flat row-major buffers, outputs first, then inputs, then
 * weights, then sizes. Sums accumulate in double.
 *
 * Dimension letters: N = tokens, D = d_model, H = heads, DK = D / H. */
#ifndef ATTNSTEP_ATTENTION_H
#define ATTNSTEP_ATTENTION_H

/* pe (N, D): PE[p,2i] = sin(p / 10000^(2i/D)), PE[p,2i+1] = cos(same). */
void attention_positional(double *pe, int N, int D);
/* The angle p / 10000^(2i/D) used for column j of position p. */
double attention_positional_angle(int p, int j, int D);
/* out (N, C) = in (N, K) · w (K, C) + b (C). */
void attention_linear(double *restrict out, const double *restrict in, const double *restrict w,
                      const double *restrict b, int N, int K, int C);
/* For each head h: scores (H, N, N) = Q_h·K_hᵀ; scaled = scores / √DK;
 * masked = scaled with −∞ above the diagonal (only if causal; may be NULL
 * otherwise); weights = row softmax of masked (or scaled); out (N, D) holds the
 * heads' outputs weights·V_h side by side. q, k, v are (N, D). */
void attention_heads(double *scores, double *scaled, double *masked, double *weights, double *out,
                     const double *q, const double *k, const double *v, int N, int D, int H, int causal);

/* influence (N): ‖∂y/∂e_i‖ (Frobenius) for y = the last row of the layer's
 * output, out[N-1] = concat[N-1]·W_O + b_O, exactly: the derivative through
 * W_O, the last query's softmax and Q, K, V, with x = e + PE so ∂x_i/∂e_i = I.
 * Written as Gram matrices (W_O·W_Oᵀ, W_VᵀW_V), it costs O(D³) once plus
 * O(N·D²), not O(D³) per word. weights is (H, N, N) as attention_heads leaves
 * it. Returns 0, or -1 when out of memory. */
int attention_influence(double *influence, const double *q, const double *k, const double *v,
                        const double *weights, const double *w_q, const double *w_k, const double *w_v,
                        const double *w_o, int N, int D, int H);

#endif
